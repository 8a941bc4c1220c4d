// Sessions: the fleet-wide table, searched, sorted and paged by the server (/api/audit/sessions, the same query
// language as scripts use), with counts per device, cluster and access group, and the kills: selected rows, all of
// one user, or everything in a scope. A row also sets a curfew on its user (write on /special/curfews).
import { useState } from 'preact/hooks';
import { can, get, type Me, OBJECTS, withQuery } from '../api.js';
import { ErrorNote, Pager } from '../components/pager.js';
import { count, dateTime, duration } from '../format.js';
import { useLive } from '../live.js';
import { navigate } from '../router.js';
import { useResource } from '../use-resource.js';
import { curfewPath } from './curfew-model.js';
import { SessionCurfewDialog } from './curfew-set.js';
import { KillDialog, type KillPlan, type SessionRow } from './kill.js';
import { SessionCounts } from './session-counts.js';

const PAGE = 50;
const FIELDS = 'user,client.ip,device,cluster,access_group,start_time,duration,protocol,session_id,active';

interface SessionItem {
  key: string;
  body: {
    user: { name: string };
    client: { ip: string };
    device: { key: string; name: string };
    cluster: string | null;
    access_group: string | null;
    start_time: string;
    duration: number;
    protocol: string;
    session_id: string;
    active: boolean;
  };
}

const rowOf = ({ key, body }: SessionItem): SessionRow => ({
  key,
  user: body.user.name,
  clientIp: body.client.ip,
  deviceKey: body.device.key,
  deviceName: body.device.name,
  cluster: body.cluster,
  accessGroup: body.access_group,
  startTime: body.start_time,
  duration: body.duration,
  protocol: body.protocol,
  sessionId: body.session_id,
  active: body.active,
});

/** Sortable columns (the store orders by these); the others sort by nothing the table could show consistently. */
const COLUMNS: readonly { label: string; sort?: string }[] = [
  { label: 'User', sort: 'user' },
  { label: 'Client IP', sort: 'client.ip' },
  { label: 'Device', sort: 'device' },
  { label: 'Cluster' },
  { label: 'Access group' },
  { label: 'Started', sort: 'start_time' },
  { label: 'Duration' },
  { label: 'Protocol', sort: 'protocol' },
];

export function searchQuery(q: string, activeOnly: boolean): string {
  const typed = q.trim();
  if (!activeOnly) return typed;
  return typed === '' ? 'active:true' : `active:true AND (${typed})`;
}

/** Selected sessions by key, kept across pages until the search changes; only active sessions can be selected. */
function useSelection(rows: readonly SessionRow[]) {
  const [selected, setSelected] = useState<Map<string, SessionRow>>(new Map());
  const killable = rows.filter((r) => r.active);
  const allSelected = killable.length > 0 && killable.every((r) => selected.has(r.key));
  const toggle = (row: SessionRow) => {
    const next = new Map(selected);
    if (next.has(row.key)) next.delete(row.key);
    else next.set(row.key, row);
    setSelected(next);
  };
  const toggleAll = () => {
    const next = new Map(selected);
    for (const row of killable) {
      if (allSelected) next.delete(row.key);
      else next.set(row.key, row);
    }
    setSelected(next);
  };
  return { selected, allSelected, toggle, toggleAll, clear: () => setSelected(new Map()) };
}

function SearchForm(props: {
  activeOnly: boolean;
  onActiveOnly: (value: boolean) => void;
  onSearch: (q: string) => void;
}) {
  const [input, setInput] = useState('');
  return (
    <form
      class="search"
      aria-label="Search sessions"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSearch(input);
      }}
    >
      <label for="session-query">Search</label>
      <input
        id="session-query"
        type="search"
        placeholder='user:alice  ·  client.ip:10.1.*  ·  access_group:"vpn-emea" AND NOT protocol:ssh'
        value={input}
        onInput={(e) => setInput(e.currentTarget.value)}
      />
      <label class="check">
        <input
          type="checkbox"
          checked={props.activeOnly}
          onChange={(e) => props.onActiveOnly(e.currentTarget.checked)}
        />
        Active only
      </label>
      <button type="submit" class="primary">
        Search
      </button>
    </form>
  );
}

export function SessionsPage(props: { me: Me }) {
  const canKill = can(props.me, OBJECTS.sessions, 'write');
  const canCurfew = can(props.me, OBJECTS.curfews, 'write');
  const [q, setQ] = useState('');
  const [activeOnly, setActiveOnly] = useState(true);
  const [sort, setSort] = useState('-start_time');
  const [offset, setOffset] = useState(0);
  const [plan, setPlan] = useState<KillPlan | null>(null);
  const [curfewRow, setCurfewRow] = useState<SessionRow | null>(null);
  const query = searchQuery(q, activeOnly);
  const page = useResource(async () => {
    const url = withQuery('/api/audit/sessions', { q: query, fields: FIELDS, sort, limit: PAGE, offset });
    const res = await get<{ items: SessionItem[]; meta: { match_count: number } }>(url);
    return { rows: res.items.map(rowOf), total: res.meta.match_count };
  }, [query, sort, offset]);
  useLive(['sync', 'targets'], page.reload, 2000);
  const rows = page.data?.rows ?? [];
  const selection = useSelection(rows);
  const restart = (apply: () => void) => {
    apply();
    setOffset(0);
    selection.clear();
  };

  return (
    <>
      <h1>Sessions</h1>
      <SearchForm
        activeOnly={activeOnly}
        onActiveOnly={(value) => restart(() => setActiveOnly(value))}
        onSearch={(value) => restart(() => setQ(value))}
      />
      <ErrorNote error={page.error} />
      <SessionCounts query={query} canKill={canKill} onKill={setPlan} />
      <section class="panel" aria-labelledby="results-title">
        <div class="row between">
          <h2 id="results-title">
            {page.data ? `${count(page.data.total)} ${page.data.total === 1 ? 'session' : 'sessions'}` : 'Sessions'}
          </h2>
          {canKill && (
            <button
              type="button"
              class="danger"
              disabled={selection.selected.size === 0}
              onClick={() => setPlan({ kind: 'sessions', sessions: [...selection.selected.values()] })}
            >
              Kill selected ({selection.selected.size})
            </button>
          )}
        </div>
        <SessionTable
          rows={rows}
          sort={sort}
          onSort={(next) => restart(() => setSort(next))}
          canKill={canKill}
          canCurfew={canCurfew}
          selection={selection}
          onKillUser={(user) => setPlan({ kind: 'user', user })}
          onCurfew={setCurfewRow}
        />
        <Pager
          label="Session pages"
          offset={offset}
          limit={PAGE}
          shown={rows.length}
          total={page.data?.total ?? 0}
          onOffset={setOffset}
        />
      </section>
      {plan && (
        <KillDialog
          plan={plan}
          canCurfew={canCurfew}
          onClose={() => setPlan(null)}
          onKilled={(taskKey) => {
            setPlan(null);
            selection.clear();
            navigate(`/tasks/${encodeURIComponent(taskKey)}`);
          }}
        />
      )}
      {curfewRow && (
        <SessionCurfewDialog
          row={curfewRow}
          onClose={() => setCurfewRow(null)}
          onSet={(curfew) => {
            setCurfewRow(null);
            navigate(curfewPath(curfew.key));
          }}
        />
      )}
    </>
  );
}

interface TableProps {
  rows: SessionRow[];
  sort: string;
  onSort: (sort: string) => void;
  canKill: boolean;
  canCurfew: boolean;
  selection: ReturnType<typeof useSelection>;
  onKillUser: (user: string) => void;
  onCurfew: (row: SessionRow) => void;
}

function SessionTable(props: TableProps) {
  const { rows, sort, canKill } = props;
  const ariaSort = (field: string) => (sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : undefined);
  return (
    <div class="table-wrap">
      <table class="sessions">
        <thead>
          <tr>
            {canKill && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every active session on this page"
                  checked={props.selection.allSelected}
                  onChange={props.selection.toggleAll}
                />
              </th>
            )}
            {COLUMNS.map((column) => (
              <th scope="col" key={column.label} aria-sort={column.sort ? ariaSort(column.sort) : undefined}>
                {column.sort ? (
                  <button
                    type="button"
                    class="sort"
                    onClick={() => props.onSort(sort === column.sort ? `-${column.sort}` : (column.sort as string))}
                  >
                    {column.label}
                  </button>
                ) : (
                  column.label
                )}
              </th>
            ))}
            {(canKill || props.canCurfew) && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length + 2} class="muted">
                No session matches.
              </td>
            </tr>
          )}
          {rows.map((row) => (
            <Row
              key={row.key}
              row={row}
              canKill={canKill}
              canCurfew={props.canCurfew}
              selection={props.selection}
              onKillUser={props.onKillUser}
              onCurfew={props.onCurfew}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Row(props: Omit<TableProps, 'rows' | 'sort' | 'onSort'> & { row: SessionRow }) {
  const { row, canKill } = props;
  return (
    <tr class={row.active ? '' : 'ended'}>
      {canKill && (
        <td>
          <input
            type="checkbox"
            aria-label={`Select session ${row.sessionId} of ${row.user}`}
            disabled={!row.active}
            checked={props.selection.selected.has(row.key)}
            onChange={() => props.selection.toggle(row)}
          />
        </td>
      )}
      <td>{row.user}</td>
      <td>{row.clientIp}</td>
      <td>{row.deviceName}</td>
      <td>{row.cluster ?? '—'}</td>
      <td>{row.accessGroup ?? '—'}</td>
      <td>{dateTime(row.startTime)}</td>
      <td>{row.active ? duration(row.duration) : `ended after ${duration(row.duration)}`}</td>
      <td>{row.protocol}</td>
      {(canKill || props.canCurfew) && (
        <td class="actions">
          {canKill && (
            <button type="button" class="link danger-text" onClick={() => props.onKillUser(row.user)}>
              Kill all of {row.user}
            </button>
          )}
          {props.canCurfew && (
            <button
              type="button"
              class="link"
              aria-label={`Curfew ${row.user} (session ${row.sessionId})`}
              onClick={() => props.onCurfew(row)}
            >
              Curfew…
            </button>
          )}
        </td>
      )}
    </tr>
  );
}

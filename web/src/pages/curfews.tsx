// Curfews: who is kept out of where until when. Active curfews first (time left, an "expiring" badge within 15
// minutes, the sessions each caught), one selected with its caught sessions and its actions (extend, lift), the form
// to set one, ended curfews as history, and every device's prevention state. Writes need write on /special/curfews;
// a login with read only sees no control that changes anything.
import { useState } from 'preact/hooks';
import { can, get, type Me, OBJECTS, withQuery } from '../api.js';
import { ErrorNote, Pager } from '../components/pager.js';
import { count, dateTime, duration } from '../format.js';
import { useLive } from '../live.js';
import { navigate, onLinkClick } from '../router.js';
import { type Resource, useInterval, useResource } from '../use-resource.js';
import { type CurfewChange, CurfewChangeDialog } from './curfew-actions.js';
import {
  type CurfewBody,
  type CurfewItem,
  curfewHref,
  curfewPath,
  listCurfews,
  type ViolationBody,
  whereOf,
  whoOf,
} from './curfew-model.js';
import { type PreventionList, PreventionPanel } from './curfew-prevention.js';
import { SetCurfewForm } from './curfew-set.js';

const ACTIVE_PAGE = 100;
const HISTORY_PAGE = 20;
const VIOLATION_PAGE = 50;
/** Nothing announces a curfew's end or its time left: the page asks again this often. */
const REFRESH_MS = 5000;

export function CurfewsPage(props: { me: Me; curfewKey?: string }) {
  const canWrite = can(props.me, OBJECTS.curfews, 'write');
  const [version, setVersion] = useState(0);
  const [setting, setSetting] = useState(false);
  const [historyOffset, setHistoryOffset] = useState(0);
  const [change, setChange] = useState<CurfewChange | null>(null);
  const refresh = () => setVersion((v) => v + 1);
  const active = useResource(() => listCurfews('active', ACTIVE_PAGE, 0), [version]);
  const history = useResource(
    () => listCurfews('lifted,expired', HISTORY_PAGE, historyOffset),
    [version, historyOffset],
  );
  const prevention = useResource(() => get<PreventionList>('/api/curfews/prevention'), [version]);
  // Enforcement kills are tasks: their events are when violations change.
  useLive(['task', 'targets'], refresh, 1000);
  useInterval(refresh, REFRESH_MS);
  const hostnames = new Map((prevention.data?.items ?? []).map((i) => [i.key, i.body.device.hostname]));
  const counts = active.data?.meta.counts;
  const actions = canWrite ? setChange : undefined;

  return (
    <>
      <div class="row between">
        <h1>Curfews</h1>
        {canWrite && !setting && (
          <button type="button" class="primary" onClick={() => setSetting(true)}>
            Set a curfew
          </button>
        )}
      </div>
      <p class="muted">
        A curfew keeps users out until a time: every session it matches on a device in its scope is ended on sight
        (enforce) or recorded (monitor), and BIG-IPs refuse the curfewed user names at login.
        {counts && ` ${count(counts.active)} active, ${count(counts.lifted)} lifted, ${count(counts.expired)} expired.`}
      </p>
      {setting && canWrite && (
        <SetCurfewForm
          onCancel={() => setSetting(false)}
          onSet={(curfew) => {
            setSetting(false);
            refresh();
            navigate(curfewPath(curfew.key));
          }}
        />
      )}
      <section class="panel" aria-labelledby="active-title">
        <h2 id="active-title">Active curfews{active.data && ` (${count(active.data.meta.total)})`}</h2>
        <ErrorNote error={active.error} />
        <CurfewTable
          label="Active curfews"
          resource={active}
          hostnames={hostnames}
          selected={props.curfewKey}
          active
          {...(actions && { onChange: actions })}
        />
      </section>
      {props.curfewKey !== undefined && (
        <CurfewDetail
          curfewKey={props.curfewKey}
          version={version}
          hostnames={hostnames}
          {...(actions && { onChange: actions })}
        />
      )}
      <section class="panel" aria-labelledby="history-title">
        <h2 id="history-title">History: lifted and expired{history.data && ` (${count(history.data.meta.total)})`}</h2>
        <ErrorNote error={history.error} />
        <CurfewTable
          label="Ended curfews"
          resource={history}
          hostnames={hostnames}
          selected={props.curfewKey}
          active={false}
        />
        <Pager
          label="History pages"
          offset={historyOffset}
          limit={HISTORY_PAGE}
          shown={history.data?.items.length ?? 0}
          total={history.data?.meta.total ?? 0}
          onOffset={setHistoryOffset}
        />
      </section>
      <PreventionPanel prevention={prevention} />
      {change && (
        <CurfewChangeDialog
          change={change}
          onClose={() => setChange(null)}
          onDone={() => {
            setChange(null);
            refresh();
          }}
        />
      )}
    </>
  );
}

function StateBadge(props: { body: CurfewBody }) {
  return <span class={`badge curfew-${props.body.state}`}>{props.body.state}</span>;
}

function TimeLeft(props: { body: CurfewBody }) {
  const { body } = props;
  if (body.state !== 'active') return <>—</>;
  if (body.remaining_seconds === null) return <>until lifted</>;
  return (
    <>
      {duration(body.remaining_seconds)}
      {body.expiring && (
        <>
          {' '}
          <span class="badge expiring" title="At most 15 minutes left: extend it to keep them out">
            expiring
          </span>
        </>
      )}
    </>
  );
}

function WhoLink(props: { item: CurfewItem }) {
  const path = curfewPath(props.item.key);
  return (
    <a href={path} onClick={(e) => onLinkClick(e, path)}>
      {whoOf(props.item.body.who)}
    </a>
  );
}

function ChangeButtons(props: { item: CurfewItem; onChange: (change: CurfewChange) => void }) {
  const who = whoOf(props.item.body.who);
  return (
    <>
      <button
        type="button"
        aria-label={`Extend the curfew on ${who}`}
        onClick={() => props.onChange({ kind: 'extend', curfew: props.item })}
      >
        Extend…
      </button>{' '}
      <button
        type="button"
        class="danger"
        aria-label={`Lift the curfew on ${who}`}
        onClick={() => props.onChange({ kind: 'lift', curfew: props.item })}
      >
        Lift…
      </button>
    </>
  );
}

function CurfewTable(props: {
  label: string;
  resource: Resource<{ items: CurfewItem[] }>;
  hostnames: ReadonlyMap<string, string>;
  selected: string | undefined;
  active: boolean;
  onChange?: (change: CurfewChange) => void;
}) {
  const items = props.resource.data?.items ?? [];
  const { active, onChange } = props;
  const columns = active
    ? ['Who', 'Where', 'Until', 'Time left', 'Mode', 'Reason', 'Set by', 'Violations']
    : ['Who', 'Where', 'State', 'Ended', 'Ended by', 'Mode', 'Reason', 'Set by', 'Violations'];
  return (
    <div class="table-wrap">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c} class={c === 'Violations' ? 'num' : undefined}>
                {c}
              </th>
            ))}
            {onChange && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {props.resource.data && items.length === 0 && (
            <tr>
              <td colSpan={columns.length + 1} class="muted">
                {active ? 'No active curfew.' : 'No curfew has ended yet.'}
              </td>
            </tr>
          )}
          {items.map((item) => {
            const { body } = item;
            return (
              <tr key={item.key} class={item.key === props.selected ? 'selected' : undefined}>
                <td>
                  <WhoLink item={item} />
                </td>
                <td>{whereOf(body.where, props.hostnames)}</td>
                {active ? (
                  <>
                    <td>{body.until === null ? 'until lifted' : dateTime(body.until)}</td>
                    <td>
                      <TimeLeft body={body} />
                    </td>
                  </>
                ) : (
                  <>
                    <td>
                      <StateBadge body={body} />
                    </td>
                    <td>{dateTime(body.ended)}</td>
                    <td>{body.ended_by ?? '—'}</td>
                  </>
                )}
                <td>{body.mode}</td>
                <td class="reason">{body.reason}</td>
                <td>{body.set_by}</td>
                <td class="num">{count(body.violations)}</td>
                {onChange && (
                  <td class="actions">
                    <ChangeButtons item={item} onChange={onChange} />
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** One curfew, selected (/curfews/<key>): everything about it, its actions, and the sessions it caught. */
function CurfewDetail(props: {
  curfewKey: string;
  version: number;
  hostnames: ReadonlyMap<string, string>;
  onChange?: (change: CurfewChange) => void;
}) {
  const href = curfewHref(props.curfewKey);
  const curfew = useResource(() => get<CurfewItem>(href), [href, props.version]);
  const item = curfew.data;
  const body = item?.body;
  return (
    <section class="panel curfew-detail" aria-labelledby="curfew-title" data-testid="curfew-detail">
      <div class="row between">
        <h2 id="curfew-title">{body ? `Curfew on ${whoOf(body.who)}` : 'Curfew'}</h2>
        <a href="/curfews" onClick={(e) => onLinkClick(e, '/curfews')}>
          Close
        </a>
      </div>
      <ErrorNote error={curfew.error} />
      {item && body && (
        <>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="curfew-state">
              <StateBadge body={body} />
              {body.state !== 'active' && ` at ${dateTime(body.ended)}${body.ended_by ? ` by ${body.ended_by}` : ''}`}
            </dd>
            <dt>Who</dt>
            <dd>{whoOf(body.who)}</dd>
            <dt>Where</dt>
            <dd>{whereOf(body.where, props.hostnames)}</dd>
            <dt>Until</dt>
            <dd>
              {body.until === null ? 'until lifted' : dateTime(body.until)}
              {body.state === 'active' && body.remaining_seconds !== null && (
                <>
                  {' · '}
                  <TimeLeft body={body} /> left
                </>
              )}
            </dd>
            <dt>Mode</dt>
            <dd>{body.mode === 'enforce' ? 'enforce: sessions are ended' : 'monitor: sessions are only recorded'}</dd>
            <dt>Reason</dt>
            <dd>{body.reason}</dd>
            <dt>Set by</dt>
            <dd>
              {body.set_by} from {body.set_from}, {dateTime(body.created)}
            </dd>
            {body.updated !== body.created && (
              <>
                <dt>Last change</dt>
                <dd>
                  {dateTime(body.updated)}
                  {body.updated_by ? ` by ${body.updated_by}` : ''}
                </dd>
              </>
            )}
            <dt>Violations</dt>
            <dd data-testid="curfew-violations">{count(body.violations)}</dd>
          </dl>
          {props.onChange && body.state === 'active' && (
            <div class="row">
              <ChangeButtons item={item} onChange={props.onChange} />
            </div>
          )}
          <Violations curfewKey={props.curfewKey} version={props.version} />
        </>
      )}
    </section>
  );
}

function Violations(props: { curfewKey: string; version: number }) {
  const [offset, setOffset] = useState(0);
  const href = `${curfewHref(props.curfewKey)}/violations`;
  const page = useResource(
    () => get<{ items: { key: string; body: ViolationBody }[] }>(withQuery(href, { limit: VIOLATION_PAGE, offset })),
    [href, offset, props.version],
  );
  const items = page.data?.items ?? [];
  return (
    <>
      <h3>Caught sessions</h3>
      <ErrorNote error={page.error} />
      <div class="table-wrap">
        <table aria-label="Caught sessions">
          <thead>
            <tr>
              <th scope="col">Seen</th>
              <th scope="col">Device</th>
              <th scope="col">Session</th>
              <th scope="col">User</th>
              <th scope="col">Client</th>
              <th scope="col">Action</th>
              <th scope="col">Kill task</th>
            </tr>
          </thead>
          <tbody>
            {page.data && items.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No session caught yet.
                </td>
              </tr>
            )}
            {items.map(({ key, body }) => {
              const task = body.task_id === null ? undefined : `/tasks/${encodeURIComponent(body.task_id)}`;
              return (
                <tr key={key}>
                  <td>{dateTime(body.seen)}</td>
                  <td>{body.device.hostname ?? body.device.key}</td>
                  <td>
                    <code>{body.session_id}</code>
                  </td>
                  <td>{body.user}</td>
                  <td>{body.client_ip}</td>
                  <td>
                    <span class={`badge violation-${body.action}`}>{body.action}</span>
                  </td>
                  <td>
                    {task ? (
                      <a href={task} onClick={(e) => onLinkClick(e, task)}>
                        task
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager
        label="Caught session pages"
        offset={offset}
        limit={VIOLATION_PAGE}
        shown={items.length}
        hasNext={items.length === VIOLATION_PAGE}
        onOffset={setOffset}
      />
    </>
  );
}

// Curfews: who is kept out of where until when. Active curfews first (time left, an "expiring" badge within 15
// minutes, the sessions each caught), one selected with its caught sessions and its actions (extend, lift), the form
// to set one, ended curfews as history, and every device's prevention state. Writes need write on /special/curfews;
// a login with read only sees no control that changes anything.
import { useState } from 'preact/hooks';
import { can, get, type Me, OBJECTS } from '../api.js';
import { ErrorNote, Pager } from '../components/pager.js';
import { count, dateTime } from '../format.js';
import { useLive } from '../live.js';
import { navigate, onLinkClick } from '../router.js';
import { type Resource, useInterval, useResource } from '../use-resource.js';
import { type CurfewChange, CurfewChangeDialog } from './curfew-actions.js';
import { ChangeButtons, CurfewDetail, StateBadge, TimeLeft } from './curfew-detail.js';
import { type CurfewItem, curfewPath, listCurfews, whereOf, whoOf } from './curfew-model.js';
import { type PreventionList, PreventionPanel } from './curfew-prevention.js';
import { SetCurfewForm } from './curfew-set.js';

const ACTIVE_PAGE = 100;
const HISTORY_PAGE = 20;
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

function WhoLink(props: { item: CurfewItem }) {
  const path = curfewPath(props.item.key);
  return (
    <a href={path} onClick={(e) => onLinkClick(e, path)}>
      {whoOf(props.item.body.who)}
    </a>
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

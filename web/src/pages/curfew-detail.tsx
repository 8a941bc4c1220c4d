// One curfew on the Curfews page: its fields, its state and the sessions it caught; and the small pieces the
// page's tables share with it (state badge, time left, extend and lift buttons).
import { useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { ErrorNote, Pager } from '../components/pager.js';
import { count, dateTime, duration } from '../format.js';
import { onLinkClick } from '../router.js';
import { useResource } from '../use-resource.js';
import type { CurfewChange } from './curfew-actions.js';
import { type CurfewBody, type CurfewItem, curfewHref, type ViolationBody, whereOf, whoOf } from './curfew-model.js';

const VIOLATION_PAGE = 50;

export function StateBadge(props: { body: CurfewBody }) {
  return <span class={`badge curfew-${props.body.state}`}>{props.body.state}</span>;
}

export function TimeLeft(props: { body: CurfewBody }) {
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

export function ChangeButtons(props: { item: CurfewItem; onChange: (change: CurfewChange) => void }) {
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

export function CurfewDetail(props: {
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

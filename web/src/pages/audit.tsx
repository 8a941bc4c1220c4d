// The audit log: who did what, when, from where (GET /api/audit/log), newest first, filtered by actor or action.
import { useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { ErrorNote, Pager } from '../components/pager.js';
import { clip, dateTime } from '../format.js';
import { useResource } from '../use-resource.js';

const PAGE = 50;
// Older events may hold values of any length (the server bounds new ones to 128 characters, details to 1024 each).
const NAME_MAX = 64;
const DETAILS_MAX = 240;

interface AuditItem {
  key: string;
  body: { time: string; actor: string; address: string; action: string; subject: string; details: unknown };
}

export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [filters, setFilters] = useState({ actor: '', action: '' });
  const [offset, setOffset] = useState(0);
  const log = useResource(
    () =>
      get<{ items: AuditItem[]; meta: { next: string | null } }>(
        withQuery('/api/audit/log', { limit: PAGE, offset, ...filters }),
      ),
    [offset, filters.actor, filters.action],
  );
  const items = log.data?.items ?? [];
  const apply = (event: Event) => {
    event.preventDefault();
    setFilters({ actor: actor.trim(), action: action.trim() });
    setOffset(0);
  };
  return (
    <>
      <h1>Audit log</h1>
      <form class="search" onSubmit={apply}>
        <label for="audit-actor">Actor</label>
        <input id="audit-actor" value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
        <label for="audit-action">Action</label>
        <input
          id="audit-action"
          list="audit-actions"
          placeholder="task.create"
          value={action}
          onInput={(e) => setAction(e.currentTarget.value)}
        />
        <datalist id="audit-actions">
          {['auth.login', 'auth.login_failed', 'auth.logout', 'task.create', 'task.cancel', 'config.commit'].map(
            (a) => (
              <option key={a} value={a} />
            ),
          )}
        </datalist>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      <ErrorNote error={log.error} />
      <section class="panel">
        <div class="table-wrap">
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map(({ key, body }) => (
                <tr key={key}>
                  <td>{dateTime(body.time)}</td>
                  <ClippedCell value={body.actor} max={NAME_MAX} class="wrap" />
                  <ClippedCell value={body.address} max={NAME_MAX} class="nowrap" />
                  <ClippedCell value={body.action} max={NAME_MAX} class="nowrap" code />
                  <ClippedCell value={body.subject} max={NAME_MAX} class="wrap" />
                  <ClippedCell value={JSON.stringify(body.details)} max={DETAILS_MAX} class="wrap details" code />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager
          label="Audit log pages"
          offset={offset}
          limit={PAGE}
          shown={items.length}
          hasNext={Boolean(log.data?.meta.next)}
          onOffset={setOffset}
        />
      </section>
    </>
  );
}

/** A cell whose text is cut to `max` characters; the tooltip has more. */
function ClippedCell(props: { value: string; max: number; code?: boolean; class?: string }) {
  const { text, title } = clip(props.value, props.max);
  return (
    <td class={props.class} title={title}>
      {props.code ? <code>{text}</code> : text}
    </td>
  );
}

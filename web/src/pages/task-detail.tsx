// One kill task, live: status and step, per-device progress and outcomes (killed, not found, failed ids), and cancel
// while it runs.
import { api, can, get, type Me, OBJECTS } from '../api.js';
import { ErrorNote } from '../components/pager.js';
import { count } from '../format.js';
import { useLive } from '../live.js';
import { onLinkClick } from '../router.js';
import { useAction, useResource } from '../use-resource.js';
import { FINAL, Origin, ProgressBar, StatusBadge, scopeOf, type TaskBody } from './tasks.js';

interface DeviceResult {
  host: string;
  status: string;
  killedIds: string[];
  notFoundIds: string[];
  failedIds: string[];
  errorMessage?: string;
  attempts: number;
}

type TaskDetail = TaskBody & { deviceResults: DeviceResult[] };

export function TaskDetailPage(props: { taskKey: string; me: Me }) {
  const href = `/api/kill-tasks/${encodeURIComponent(props.taskKey)}`;
  const task = useResource(() => get<{ body: TaskDetail }>(href), [href]);
  const cancel = useAction();
  useLive(['task', 'targets'], task.reload, 500);
  const body = task.data?.body;
  const running = body !== undefined && !FINAL.has(body.status);
  return (
    <>
      <p>
        <a href="/tasks" onClick={(e) => onLinkClick(e, '/tasks')}>
          ← Kill tasks
        </a>
      </p>
      <h1>Kill task</h1>
      <ErrorNote error={task.error ?? cancel.error} />
      {body && (
        <>
          <section class="panel task-summary" aria-live="polite">
            <dl class="facts">
              <dt>Status</dt>
              <dd data-testid="task-status">
                <StatusBadge status={body.status} /> {body.currentStep} · result {body.result}
              </dd>
              <dt>Asked for</dt>
              <dd>
                {body.action} — {scopeOf(body)}
              </dd>
              <dt>By</dt>
              <dd>{body.username}</dd>
              <dt>Origin</dt>
              <dd data-testid="task-origin">
                <Origin task={body} />
                {body.origin === 'curfew' && ' — its enforcement caught these sessions'}
              </dd>
              <dt>Started</dt>
              <dd>{new Date(body.startDateTime).toLocaleString()}</dd>
              {body.endDateTime && (
                <>
                  <dt>Ended</dt>
                  <dd>{new Date(body.endDateTime).toLocaleString()}</dd>
                </>
              )}
              <dt>Progress</dt>
              <dd>
                <ProgressBar progress={body.progress} /> · {count(body.progress.killed)} killed,{' '}
                {count(body.progress.not_found)} already gone, {count(body.progress.failed_sessions)} failed
              </dd>
              {body.errorMessage && (
                <>
                  <dt>Error</dt>
                  <dd class="error">{body.errorMessage}</dd>
                </>
              )}
            </dl>
            {running && can(props.me, OBJECTS.sessions, 'write') && (
              <button
                type="button"
                class="danger"
                disabled={cancel.busy || body.status === 'CANCEL_REQUESTED'}
                onClick={() => cancel.run(() => api('PATCH', href, { status: 'CANCEL_REQUESTED' }).then(task.reload))}
              >
                Cancel task
              </button>
            )}
          </section>
          <DeviceResults results={body.deviceResults} />
        </>
      )}
    </>
  );
}

function DeviceResults(props: { results: DeviceResult[] }) {
  return (
    <section class="panel" aria-labelledby="devices-title">
      <h2 id="devices-title">Devices ({props.results.length})</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">
                Killed
              </th>
              <th scope="col" class="num">
                Already gone
              </th>
              <th scope="col">Failed ids</th>
              <th scope="col">Error</th>
              <th scope="col" class="num">
                Attempts
              </th>
            </tr>
          </thead>
          <tbody>
            {props.results.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  Resolving devices…
                </td>
              </tr>
            )}
            {props.results.map((r) => (
              <tr key={r.host}>
                <th scope="row">{r.host}</th>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td class="num">{count(r.killedIds.length)}</td>
                <td class="num">{count(r.notFoundIds.length)}</td>
                <td>{r.failedIds.length === 0 ? '—' : <code>{r.failedIds.join(', ')}</code>}</td>
                <td>{r.errorMessage ?? '—'}</td>
                <td class="num">{r.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

// Kill tasks, newest first, with their live progress and origin (an operator, or a curfew that caught sessions); each
// opens its detail page.
import { useState } from 'preact/hooks';
import { get, withQuery } from '../api.js';
import { ErrorNote, Pager } from '../components/pager.js';
import { count, plural } from '../format.js';
import { useLive } from '../live.js';
import { onLinkClick } from '../router.js';
import { useResource } from '../use-resource.js';

const PAGE = 20;

export interface Progress {
  devices: number;
  pending: number;
  done: number;
  failed: number;
  canceled: number;
  killed: number;
  not_found: number;
  failed_sessions: number;
}

export interface TaskBody {
  id: string;
  action: string;
  userName?: string;
  accessGroupNames?: string[];
  clusterNames?: string[];
  deviceReferences?: { link: string }[];
  /** curfew's extension: every device in the inventory. */
  fleet?: boolean;
  sessions?: { sessionIds: string[] }[];
  status: string;
  currentStep: string;
  result: string;
  errorMessage?: string;
  startDateTime: string;
  endDateTime?: string;
  username: string;
  progress: Progress;
  /** `operator` (someone asked) or `curfew` (a curfew's enforcement caught sessions; `curfewId` says which). */
  origin?: 'operator' | 'curfew';
  curfewId?: string;
}

export const FINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/** What a task asked for, in words. */
export function scopeOf(task: TaskBody): string {
  const parts: string[] = [];
  if (task.userName) parts.push(`user ${task.userName}`);
  if (task.sessions)
    parts.push(
      plural(
        task.sessions.reduce((n, s) => n + s.sessionIds.length, 0),
        'session',
      ),
    );
  if (task.fleet) parts.push('every device');
  if (task.accessGroupNames?.length) parts.push(`access group ${task.accessGroupNames.join(', ')}`);
  if (task.clusterNames?.length) parts.push(`cluster ${task.clusterNames.join(', ')}`);
  if (task.deviceReferences?.length) parts.push(`on ${plural(task.deviceReferences.length, 'device')}`);
  return parts.join(' · ');
}

/** Who started the task: an operator, or a curfew (linked to its page). */
export function Origin(props: { task: TaskBody }) {
  const { task } = props;
  if (task.origin !== 'curfew' || task.curfewId === undefined) return <>operator</>;
  const path = `/curfews/${encodeURIComponent(task.curfewId)}`;
  return (
    <a href={path} class="badge origin-curfew" onClick={(e) => onLinkClick(e, path)} title={`Curfew ${task.curfewId}`}>
      curfew
    </a>
  );
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status.toLowerCase()}`}>{props.status}</span>;
}

export function ProgressBar(props: { progress: Progress }) {
  const { devices, done, failed, canceled } = props.progress;
  const settled = done + failed + canceled;
  return (
    <span class="progress">
      <progress max={Math.max(devices, 1)} value={settled} aria-label="Devices settled" /> {count(settled)}/
      {count(devices)} devices
    </span>
  );
}

export function TasksPage() {
  const [offset, setOffset] = useState(0);
  const tasks = useResource(
    () =>
      get<{ items: { key: string; body: TaskBody }[]; meta: { match_count: number } }>(
        withQuery('/api/kill-tasks', { limit: PAGE, offset }),
      ),
    [offset],
  );
  useLive(['task', 'targets'], tasks.reload, 1000);
  const items = tasks.data?.items ?? [];
  return (
    <>
      <h1>Kill tasks</h1>
      <ErrorNote error={tasks.error} />
      <section class="panel">
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">By</th>
                <th scope="col">Origin</th>
                <th scope="col">Action</th>
                <th scope="col">Scope</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col" class="num">
                  Killed
                </th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted">
                    No kill tasks yet.
                  </td>
                </tr>
              )}
              {items.map(({ key, body }) => (
                <tr key={key}>
                  <td>
                    <a href={`/tasks/${key}`} onClick={(e) => onLinkClick(e, `/tasks/${key}`)}>
                      {new Date(body.startDateTime).toLocaleString()}
                    </a>
                  </td>
                  <td>{body.username}</td>
                  <td>
                    <Origin task={body} />
                  </td>
                  <td>{body.action}</td>
                  <td>{scopeOf(body)}</td>
                  <td>
                    <StatusBadge status={body.status} />
                  </td>
                  <td>
                    <ProgressBar progress={body.progress} />
                  </td>
                  <td class="num">{count(body.progress.killed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager
          label="Task pages"
          offset={offset}
          limit={PAGE}
          shown={items.length}
          total={tasks.data?.meta.match_count ?? 0}
          onOffset={setOffset}
        />
      </section>
    </>
  );
}

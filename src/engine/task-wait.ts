// Waiting for a kill task to end, for callers that answer synchronously (SPS DELETE /api/active-sessions). The
// runner's events wake the wait at once when this node runs the task; polling the store covers a task another node
// runs.
import type { KillTask } from '../core/model.js';
import { isFinal } from '../core/task-status.js';
import type { TaskStore } from '../store/store.js';
import type { EngineEvents } from './events.js';

const POLL_MS = 250;

/** The task once final, or as it is when `timeoutMs` runs out; undefined when no task has that id. */
export async function waitForTask(
  store: Pick<TaskStore, 'findTaskById'>,
  events: EngineEvents,
  taskId: string,
  timeoutMs: number,
): Promise<KillTask | undefined> {
  const deadline = Date.now() + timeoutMs;
  let wake = () => {};
  const onTask = (task: KillTask) => {
    if (task.id === taskId && isFinal(task.status)) wake();
  };
  events.on('task', onTask);
  try {
    for (;;) {
      const task = await store.findTaskById(taskId);
      const left = deadline - Date.now();
      if (!task || isFinal(task.status) || left <= 0) return task;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(POLL_MS, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    events.off('task', onTask);
  }
}

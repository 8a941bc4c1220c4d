// Ending a task, from whichever node sees it end: the task-lease holder or the node that wrote its last device
// outcome. Every transition is conditional on the task's status, so when nodes race exactly one wins (one audit event).

import type { KillTask, TaskTarget } from '../core/model.js';
import { checkTransition } from '../core/task-status.js';
import type { TaskPatch } from '../store/store.js';
import type { EngineEvents } from './events.js';
import type { ConclusionStore } from './ports.js';

type FinalStatus = 'FINISHED' | 'FAILED' | 'CANCELED';
type Step = 'DONE' | 'KILL' | 'RESOLVE_DEVICES';

export class TaskConclusion {
  readonly #store: ConclusionStore;
  readonly #events: EngineEvents;
  readonly #nodeId: string;

  constructor(store: ConclusionStore, events: EngineEvents, nodeId: string) {
    this.#store = store;
    this.#events = events;
    this.#nodeId = nodeId;
  }

  /**
   * Ends the task when no device is pending: CANCELED when a cancel was requested, FINISHED when every device
   * succeeded, else FAILED with the count. Returns true when the task is final afterwards.
   */
  async conclude(taskId: string): Promise<boolean> {
    const task = await this.#store.findTaskById(taskId);
    if (!task) return true;
    if (task.status !== 'STARTED' && task.status !== 'CANCEL_REQUESTED') return task.status !== 'CREATED';
    if ((await this.#store.countPendingTargets(taskId)) > 0) return false;
    if (task.status === 'CANCEL_REQUESTED') {
      await this.finish(taskId, ['CANCEL_REQUESTED'], 'CANCELED', 'DONE', null);
      return this.conclude(taskId);
    }
    const targets: TaskTarget[] = await this.#store.listTargets(taskId);
    const failed = targets.filter((t) => t.status === 'failed');
    const message =
      failed.length === 0 ? null : `Failed to kill sessions on ${failed.length} of ${targets.length} devices`;
    await this.finish(
      taskId,
      ['STARTED'],
      failed.length === 0 ? 'FINISHED' : 'FAILED',
      failed.length ? 'KILL' : 'DONE',
      message,
    );
    // A cancel that landed between the read and the transition is concluded on the next pass.
    return this.conclude(taskId);
  }

  /** Moves the task from one of `from` to a final status; the node whose transition applied writes the audit event. */
  async finish(
    taskId: string,
    from: readonly KillTask['status'][],
    status: FinalStatus,
    step: Step,
    errorMessage: string | null,
  ): Promise<void> {
    const result =
      status === 'FINISHED' ? 'COMPLETE' : status === 'FAILED' && step !== 'RESOLVE_DEVICES' ? 'FAILED' : 'PENDING';
    const task = await this.transition(taskId, from, { status, step, result, errorMessage, endedAt: Date.now() });
    if (!task) return;
    await this.#store.appendAudit({
      at: Date.now(),
      actor: 'curfew',
      address: this.#nodeId,
      action: `task.${status.toLowerCase()}`,
      subject: taskId,
      details: { errorMessage },
    });
  }

  async transition(
    taskId: string,
    from: readonly KillTask['status'][],
    patch: TaskPatch,
  ): Promise<KillTask | undefined> {
    // Every transition is one the state machine allows (a step change keeps the status: STARTED → STARTED).
    for (const status of from) checkTransition([status], patch.status ?? status);
    const task = await this.#store.transitionTask(taskId, from, patch);
    if (task) this.#events.emit('task', task);
    return task;
  }
}

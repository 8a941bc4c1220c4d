// The durable kill-task runner. Work is split in two so that any number of nodes share one task:
// - the task side (here): a node claims a task under a task lease, resolves its devices, and watches it until it is
//   final (cancel requests, conclusion); a node that dies loses the lease and another node takes the task over;
// - the device side (TargetWorker, on every node): pending devices of running tasks are claimed in batches under
//   per-device leases and killed; outcomes are written only by the lease holder.
// The task ends (FINISHED/FAILED/CANCELED) from whichever node sees no device pending; the transition is conditional,
// so exactly one node concludes it. A restarted runner resumes where the store says the task is.

import type { KillTask, TaskTarget } from '../core/model.js';
import { resolveSelector } from '../core/selector.js';
import { isFinal, sourcesOf } from '../core/task-status.js';
import type { DeviceConnections } from './connections.js';
import type { DeviceActivity } from './device-activity.js';
import type { RetryPolicy } from './device-kill.js';
import type { EngineEvents } from './events.js';
import { errorFields, type Logger, silentLogger } from './log.js';
import type { TaskRunStore } from './ports.js';
import { TargetWorker } from './target-worker.js';
import { TaskConclusion } from './task-conclusion.js';

export interface TaskRunnerOptions {
  /** Identifies this process in task and device leases. */
  nodeId: string;
  /** Devices worked on at once, across all tasks. */
  globalConcurrency: number;
  retry: RetryPolicy;
  leaseMs: number;
  /** How often an idle runner looks for tasks and devices (new tasks on this node wake it at once). */
  pollMs: number;
  /** How long device outcomes are batched before they are written. */
  flushMs: number;
}

export const DEFAULT_RUNNER_OPTIONS: Omit<TaskRunnerOptions, 'nodeId'> = {
  globalConcurrency: 2000,
  retry: { attempts: 3, backoffMs: 250 },
  leaseMs: 30_000,
  pollMs: 1000,
  flushMs: 20,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TaskRunner {
  readonly #store: TaskRunStore;
  readonly #options: TaskRunnerOptions;
  readonly #conclusion: TaskConclusion;
  readonly #worker: TargetWorker;
  readonly #log: Logger;
  readonly #running = new Map<string, Promise<void>>();
  #stopped = true;
  #wakeTimer: NodeJS.Timeout | undefined;
  #claiming = false;

  constructor(
    store: TaskRunStore,
    connections: DeviceConnections,
    events: EngineEvents,
    activity: DeviceActivity,
    options: TaskRunnerOptions,
    log: Logger = silentLogger,
  ) {
    this.#store = store;
    this.#options = options;
    this.#log = log;
    this.#conclusion = new TaskConclusion(store, events, options.nodeId);
    this.#worker = new TargetWorker(store, connections, events, this.#conclusion, activity, options, log);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#store.releaseLeasesOf(this.#options.nodeId);
    this.#worker.start();
    this.wake();
  }

  /** Looks for claimable tasks and devices now (called when a task is created or canceled on this node). */
  wake(): void {
    if (this.#stopped) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    void Promise.allSettled([this.#claimAll(), this.#worker.pump()]).then((results) => {
      for (const r of results) {
        if (r.status === 'rejected') this.#log.warn(errorFields(r.reason), 'claiming kill work failed; retrying');
      }
      if (!this.#stopped) this.#wakeTimer ??= setTimeout(() => this.wake(), this.#options.pollMs);
    });
  }

  /** Stops claiming; devices being killed finish and are written, and every lease of this node is freed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#wakeTimer);
    await Promise.allSettled(this.#running.values());
    await this.#worker.stop();
  }

  /** Resolves when the tasks this node watches are final (tests and the CLI wait on it). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled(this.#running.values());
  }

  async #claimAll(): Promise<void> {
    if (this.#claiming) return;
    this.#claiming = true;
    try {
      for (;;) {
        const task = await this.#store.claimTask(this.#options.nodeId, Date.now(), this.#options.leaseMs);
        if (!task || this.#stopped) break;
        const run = this.#runLeased(task).finally(() => this.#running.delete(task.id));
        this.#running.set(task.id, run);
      }
    } finally {
      this.#claiming = false;
    }
  }

  async #runLeased(task: KillTask): Promise<void> {
    const { nodeId, leaseMs } = this.#options;
    let leaseLost = false;
    const renew = setInterval(() => {
      void this.#store.renewLease(task.id, nodeId, Date.now() + leaseMs).then((held) => {
        leaseLost ||= !held;
      });
    }, leaseMs / 3);
    try {
      await this.#watch(task.id, () => leaseLost || this.#stopped);
    } catch (err) {
      this.#log.error({ task: task.id, ...errorFields(err) }, 'kill task failed with an internal error');
      const message = `Internal error: ${err instanceof Error ? err.message : err}`;
      await this.#conclusion.finish(task.id, sourcesOf('FAILED'), 'FAILED', 'KILL', message);
    } finally {
      clearInterval(renew);
      await this.#store.releaseLease(task.id, nodeId);
    }
  }

  /** Drives the task until it is final (or this node must let go): start, resolve, cancel, conclude. */
  async #watch(taskId: string, shouldYield: () => boolean): Promise<void> {
    while (!shouldYield()) {
      const task = await this.#store.findTaskById(taskId);
      if (!task || isFinal(task.status)) return;
      if (task.status === 'CREATED') {
        await this.#conclusion.transition(taskId, ['CREATED'], {
          status: 'STARTED',
          startedAt: Date.now(),
          step: 'RESOLVE_DEVICES',
        });
        continue;
      }
      if (task.status === 'STARTED' && task.step === 'RESOLVE_DEVICES') {
        if (await this.#resolve(task)) void this.#worker.pump();
        continue;
      }
      if (task.status === 'CANCEL_REQUESTED') await this.#store.cancelUnleasedTargets(taskId, Date.now());
      if (await this.#conclusion.conclude(taskId)) return;
      await sleep(Math.min(this.#options.pollMs, 250));
    }
  }

  /** Writes the task's targets and moves it to KILL; returns false when the task failed to resolve. */
  async #resolve(task: KillTask): Promise<boolean> {
    const [devices, clusters, groups] = await Promise.all([
      this.#store.listDevices(),
      this.#store.listClusters(),
      this.#store.listAccessGroups(),
    ]);
    const resolution = resolveSelector(task.selector, {
      devices,
      clusterNames: clusters.map((c) => c.name),
      accessGroupNames: groups.map((g) => g.name),
    });
    const problem = describeUnresolved(resolution);
    if (problem) {
      await this.#conclusion.finish(task.id, ['STARTED'], 'FAILED', 'RESOLVE_DEVICES', problem);
      return false;
    }
    const now = Date.now();
    const targets: TaskTarget[] = resolution.targets.map((t) => ({
      taskId: task.id,
      deviceId: t.deviceId,
      sessionIds: t.sessionIds,
      status: 'pending',
      killed: [],
      notFound: [],
      failed: [],
      attempted: [],
      errorCode: null,
      errorMessage: null,
      attempts: 0,
      updatedAt: now,
    }));
    await this.#store.insertTargets(targets);
    return (await this.#conclusion.transition(task.id, ['STARTED'], { step: 'KILL' })) !== undefined;
  }
}

function describeUnresolved(resolution: ReturnType<typeof resolveSelector>): string | null {
  const problems: string[] = [];
  for (const id of resolution.unknownDevices) problems.push(`device ${id} not found`);
  for (const name of resolution.unknownClusters) problems.push(`cluster ${name} not found`);
  for (const name of resolution.unknownAccessGroups) problems.push(`access group ${name} not found`);
  return problems.length > 0 ? problems.join('; ') : null;
}

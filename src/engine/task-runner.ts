// The durable kill-task runner: claims tasks under a lease, resolves their devices, fans out the verified kill with
// global and per-device limits, and records each device's outcome as it lands. A restarted runner resumes where the
// store says the task is: resolved targets are kept, finished devices are not touched again.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Device, KillTask, TaskTarget } from '../core/model.js';
import { resolveSelector } from '../core/selector.js';
import { isFinal } from '../core/task-status.js';
import type { Store, TargetOutcome } from '../store/store.js';
import type { DeviceConnections } from './connections.js';
import { type DeviceKillResult, killOnDevice, type RetryPolicy, unexpectedFailure } from './device-kill.js';
import type { EngineEvents } from './events.js';
import { OutcomeWriter } from './outcome-writer.js';

export interface TaskRunnerOptions {
  /** Identifies this process in task leases. */
  nodeId: string;
  /** Devices worked on at once, across all tasks. */
  globalConcurrency: number;
  retry: RetryPolicy;
  leaseMs: number;
  /** How often an idle runner looks for tasks (new tasks on this node wake it at once). */
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

export class TaskRunner {
  readonly #store: Store;
  readonly #connections: DeviceConnections;
  readonly #events: EngineEvents;
  readonly #options: TaskRunnerOptions;
  readonly #limit: LimitFunction;
  readonly #running = new Map<string, Promise<void>>();
  #stopped = true;
  #wakeTimer: NodeJS.Timeout | undefined;
  #claiming = false;

  constructor(store: Store, connections: DeviceConnections, events: EngineEvents, options: TaskRunnerOptions) {
    this.#store = store;
    this.#connections = connections;
    this.#events = events;
    this.#options = options;
    this.#limit = pLimit(options.globalConcurrency);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#store.releaseLeasesOf(this.#options.nodeId);
    this.wake();
  }

  /** Looks for claimable tasks now (called when a task is created on this node). */
  wake(): void {
    if (this.#stopped) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    void this.#claimAll().finally(() => {
      if (!this.#stopped) this.#wakeTimer ??= setTimeout(() => this.wake(), this.#options.pollMs);
    });
  }

  /** Stops claiming, lets running tasks stop at the next device boundary, and frees their leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#wakeTimer);
    await Promise.allSettled(this.#running.values());
  }

  /** Resolves when the task's run on this node ends (tests and the CLI wait on it). */
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
      await this.#run(task, () => leaseLost || this.#stopped);
    } catch (err) {
      await this.#finish(task.id, 'FAILED', 'KILL', `Internal error: ${err instanceof Error ? err.message : err}`);
    } finally {
      clearInterval(renew);
      await this.#store.releaseLease(task.id, nodeId);
    }
  }

  async #run(task: KillTask, shouldYield: () => boolean): Promise<void> {
    let current = task;
    if (current.status === 'CANCEL_REQUESTED')
      return this.#cancel(current.id, await this.#store.listTargets(current.id));
    if (current.status === 'CREATED') {
      current =
        (await this.#update(current.id, { status: 'STARTED', startedAt: Date.now(), step: 'RESOLVE_DEVICES' })) ??
        current;
    }
    let targets = await this.#store.listTargets(current.id);
    if (current.step === 'RESOLVE_DEVICES') {
      const resolved = await this.#resolve(current);
      if (!resolved) return;
      targets = resolved;
    }
    await this.#killAll(current, targets, shouldYield);
    if (shouldYield()) return;
    await this.#conclude(current.id);
  }

  /** Writes the task's targets and moves it to KILL; returns undefined when the task failed to resolve. */
  async #resolve(task: KillTask): Promise<TaskTarget[] | undefined> {
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
      await this.#finish(task.id, 'FAILED', 'RESOLVE_DEVICES', problem);
      return undefined;
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
      errorCode: null,
      errorMessage: null,
      attempts: 0,
      updatedAt: now,
    }));
    await this.#store.insertTargets(targets);
    await this.#update(task.id, { step: 'KILL' });
    return this.#store.listTargets(task.id);
  }

  async #killAll(task: KillTask, targets: TaskTarget[], shouldYield: () => boolean): Promise<void> {
    const writer = new OutcomeWriter((batch) => this.#persist(batch), this.#options.flushMs);
    const devices = new Map((await this.#store.listDevices()).map((d) => [d.id, d]));
    let cancelRequested = false;
    const cancelWatch = setInterval(() => {
      void this.#store.findTaskById(task.id).then((t) => {
        cancelRequested ||= t?.status === 'CANCEL_REQUESTED';
      });
    }, 250);
    try {
      const pending = targets.filter((t) => t.status === 'pending');
      const planned = await this.#plannedByDevice(task);
      await Promise.all(
        pending.map((target) =>
          this.#limit(async () => {
            if (cancelRequested || shouldYield()) return;
            const device = devices.get(target.deviceId);
            writer.add(await this.#killTarget(task, target, device, planned.get(target.deviceId) ?? []));
          }),
        ),
      );
    } finally {
      clearInterval(cancelWatch);
      await writer.flush();
    }
  }

  /** The user's sessions the inventory knows, per device, read in one query (kill-by-user only: they are few). */
  async #plannedByDevice(task: KillTask): Promise<Map<string, string[]>> {
    const byDevice = new Map<string, string[]>();
    const { action, userName, clientIp } = task.selector;
    if (action !== 'KILL_BY_USER' || userName === undefined) return byDevice;
    const sessions = await this.#store.listSessions({
      user: userName,
      ...(clientIp !== undefined && { clientIp }),
      limit: 1_000_000,
      offset: 0,
    });
    for (const s of sessions) byDevice.set(s.deviceId, [...(byDevice.get(s.deviceId) ?? []), s.sessionId]);
    return byDevice;
  }

  async #killTarget(
    task: KillTask,
    target: TaskTarget,
    device: Device | undefined,
    planned: readonly string[],
  ): Promise<TargetOutcome> {
    const base = { taskId: task.id, deviceId: target.deviceId, killed: [], notFound: [] };
    if (!device) {
      const failed = await this.#knownSessions(task, target);
      return {
        ...base,
        status: 'failed',
        failed,
        errorCode: 'device_removed',
        errorMessage: 'device was removed from the inventory',
        attempts: target.attempts,
      };
    }
    let result: DeviceKillResult;
    try {
      const connection = await this.#connections.get(device);
      result = await killOnDevice(connection, task.selector, target.sessionIds, this.#options.retry, planned);
    } catch (err) {
      result = unexpectedFailure(err);
    }
    const { killed, notFound, errorCode, errorMessage } = result;
    const attempts = target.attempts + result.attempts;
    if (result.ok) return { ...base, status: 'done', killed, notFound, failed: [], errorCode, errorMessage, attempts };
    // When the device could not be reached at all, the sessions the inventory last saw there are the ones left alive.
    const failed =
      result.failed.length > 0 || killed.length > 0 ? result.failed : await this.#knownSessions(task, target);
    return { ...base, status: 'failed', killed, notFound, failed, errorCode, errorMessage, attempts };
  }

  async #knownSessions(task: KillTask, target: TaskTarget): Promise<string[]> {
    if (target.sessionIds) return target.sessionIds;
    const { userName, clientIp, action } = task.selector;
    const sessions = await this.#store.listSessions({
      deviceIds: [target.deviceId],
      ...(action === 'KILL_BY_USER' && userName !== undefined && { user: userName }),
      ...(clientIp !== undefined && { clientIp }),
      limit: 100_000,
      offset: 0,
    });
    return sessions.map((s) => s.sessionId);
  }

  async #persist(batch: readonly TargetOutcome[]): Promise<void> {
    // The inventory follows the kill at once, so a search right after a kill shows the sessions as ended. Ids the
    // device no longer had were closed before the kill reached them, so they are not counted as killed.
    await this.#store.recordOutcomes(batch, Date.now());
    this.#events.emit('targets', batch);
  }

  /** Ends the task from its recorded targets: FINISHED when every device succeeded, else FAILED with the count. */
  async #conclude(taskId: string): Promise<void> {
    const task = await this.#store.findTaskById(taskId);
    const targets = await this.#store.listTargets(taskId);
    if (task?.status === 'CANCEL_REQUESTED') return this.#cancel(taskId, targets);
    if (targets.some((t) => t.status === 'pending')) return;
    const failed = targets.filter((t) => t.status === 'failed');
    if (failed.length === 0) return this.#finish(taskId, 'FINISHED', 'DONE', null);
    await this.#finish(
      taskId,
      'FAILED',
      'KILL',
      `Failed to kill sessions on ${failed.length} of ${targets.length} devices`,
    );
  }

  async #cancel(taskId: string, targets: TaskTarget[]): Promise<void> {
    const pending = targets.filter((t) => t.status === 'pending');
    await this.#store.saveTargetOutcomes(
      pending.map((t) => ({
        ...t,
        status: 'canceled',
        errorCode: 'canceled',
        errorMessage: 'task canceled before this device was processed',
      })),
    );
    await this.#finish(taskId, 'CANCELED', 'DONE', null);
  }

  async #finish(
    taskId: string,
    status: 'FINISHED' | 'FAILED' | 'CANCELED',
    step: 'DONE' | 'KILL' | 'RESOLVE_DEVICES',
    errorMessage: string | null,
  ): Promise<void> {
    const result =
      status === 'FINISHED' ? 'COMPLETE' : status === 'FAILED' && step !== 'RESOLVE_DEVICES' ? 'FAILED' : 'PENDING';
    const task = await this.#update(taskId, { status, step, result, errorMessage, endedAt: Date.now() });
    if (task && isFinal(task.status)) {
      await this.#store.appendAudit({
        at: Date.now(),
        actor: 'curfew',
        address: this.#options.nodeId,
        action: `task.${status.toLowerCase()}`,
        subject: taskId,
        details: { errorMessage },
      });
    }
  }

  async #update(taskId: string, patch: Parameters<Store['updateTask']>[1]): Promise<KillTask | undefined> {
    const task = await this.#store.updateTask(taskId, patch);
    if (task) this.#events.emit('task', task);
    return task;
  }
}

function describeUnresolved(resolution: ReturnType<typeof resolveSelector>): string | null {
  const problems: string[] = [];
  for (const id of resolution.unknownDevices) problems.push(`device ${id} not found`);
  for (const name of resolution.unknownClusters) problems.push(`cluster ${name} not found`);
  for (const name of resolution.unknownAccessGroups) problems.push(`access group ${name} not found`);
  return problems.length > 0 ? problems.join('; ') : null;
}

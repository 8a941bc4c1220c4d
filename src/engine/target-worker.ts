// The device side of kill tasks, on every node: claims pending devices of running tasks under per-device leases,
// kills on each with the global concurrency limit, and writes each outcome only while it still holds that device's
// lease. Any number of nodes run one; a node that dies loses its leases and the others take its devices over.

import pLimit, { type LimitFunction } from 'p-limit';
import type { Device, KillTask, TaskTarget } from '../core/model.js';
import type { TargetOutcome } from '../store/store.js';
import type { DeviceConnections } from './connections.js';
import type { DeviceActivity } from './device-activity.js';
import {
  type DeviceKillResult,
  killOnDevice,
  LeaseLostError,
  type RetryPolicy,
  unexpectedFailure,
} from './device-kill.js';
import type { EngineEvents } from './events.js';
import { KillAttemptLog } from './kill-attempt-log.js';
import { errorFields, type Logger, silentLogger } from './log.js';
import { OutcomeWriter } from './outcome-writer.js';
import type { TargetWorkStore } from './ports.js';
import type { TaskConclusion } from './task-conclusion.js';

export interface TargetWorkerOptions {
  nodeId: string;
  globalConcurrency: number;
  retry: RetryPolicy;
  leaseMs: number;
  flushMs: number;
}

/** Most devices claimed by one query: as many as the global limit allows, so a 1,000-device kill starts with one. */
const CLAIM_BATCH = 2000;
/** How often the tasks being worked are checked for a cancel request. */
const CANCEL_CHECK_MS = 250;

interface TaskContext {
  task: KillTask;
  devices: Map<string, Device>;
  planned: Map<string, string[]>;
  canceled: boolean;
  inFlight: number;
}

export class TargetWorker {
  readonly #store: TargetWorkStore;
  readonly #connections: DeviceConnections;
  readonly #events: EngineEvents;
  readonly #conclusion: TaskConclusion;
  readonly #options: TargetWorkerOptions;
  readonly #limit: LimitFunction;
  readonly #writer: OutcomeWriter;
  readonly #attempts: KillAttemptLog;
  readonly #activity: DeviceActivity;
  readonly #log: Logger;
  readonly #contexts = new Map<string, Promise<TaskContext | undefined>>();
  readonly #work = new Set<Promise<void>>();
  #inFlight = 0;
  #pumping = false;
  #more = false;
  #stopped = true;
  #timers: NodeJS.Timeout[] = [];

  constructor(
    store: TargetWorkStore,
    connections: DeviceConnections,
    events: EngineEvents,
    conclusion: TaskConclusion,
    activity: DeviceActivity,
    options: TargetWorkerOptions,
    log: Logger = silentLogger,
  ) {
    this.#log = log;
    this.#activity = activity;
    this.#attempts = new KillAttemptLog(store, options.nodeId);
    this.#store = store;
    this.#connections = connections;
    this.#events = events;
    this.#conclusion = conclusion;
    this.#options = options;
    this.#limit = pLimit(options.globalConcurrency);
    this.#writer = new OutcomeWriter((batch) => this.#persist(batch), options.flushMs, log);
  }

  start(): void {
    this.#stopped = false;
    const { nodeId, leaseMs } = this.#options;
    this.#timers = [
      setInterval(() => {
        if (this.#inFlight === 0) return;
        void this.#store
          .renewTargetLeases(nodeId, Date.now() + leaseMs)
          .catch((err: unknown) => this.#log.warn(errorFields(err), 'renewing device leases failed; retrying'));
      }, leaseMs / 3),
      setInterval(() => void this.#checkCancels(), CANCEL_CHECK_MS),
    ];
  }

  /** Stops claiming; devices being killed finish and are written, devices not started are handed back. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    while (this.#work.size > 0) await Promise.allSettled(this.#work);
    await this.#writer.flush();
    this.#writer.dispose();
    await this.#store.releaseTargetLeases(this.#options.nodeId);
  }

  /** Claims devices while there is room under the global limit and work to claim. */
  async pump(): Promise<void> {
    if (this.#pumping || this.#stopped) return;
    this.#pumping = true;
    try {
      for (;;) {
        const room = Math.min(this.#options.globalConcurrency - this.#inFlight, CLAIM_BATCH);
        if (room <= 0 || this.#stopped) return;
        const { nodeId, leaseMs } = this.#options;
        const claimed = await this.#store.claimTargets(nodeId, Date.now(), leaseMs, room);
        this.#more = claimed.length === room;
        if (claimed.length === 0) return;
        await this.#dispatch(claimed);
        if (!this.#more) return;
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #dispatch(claimed: TaskTarget[]): Promise<void> {
    for (const target of claimed) {
      this.#inFlight += 1;
      const context = await this.#contextOf(target.taskId);
      if (context) context.inFlight += 1;
      const work = this.#limit(() => this.#process(context, target)).finally(() => {
        this.#work.delete(work);
        this.#inFlight -= 1;
        // The last device in flight: its outcome decides when the task ends, so it does not wait for the batch timer.
        if (this.#inFlight === 0) {
          void this.#writer
            .flush()
            .catch((err: unknown) => this.#log.warn(errorFields(err), 'writing device outcomes failed; retrying'));
        }
        if (!context || --context.inFlight === 0) this.#contexts.delete(target.taskId);
        if (this.#more) void this.pump();
      });
      this.#work.add(work);
    }
  }

  async #process(context: TaskContext | undefined, target: TaskTarget): Promise<void> {
    if (this.#stopped) return;
    if (!context || context.canceled) {
      this.#writer.add({
        taskId: target.taskId,
        deviceId: target.deviceId,
        status: 'canceled',
        killed: [],
        notFound: [],
        failed: [],
        errorCode: 'canceled',
        errorMessage: 'task canceled before this device was processed',
        attempts: target.attempts,
      });
      return;
    }
    const device = context.devices.get(target.deviceId);
    const outcome = await this.#killTarget(context.task, target, device, context.planned.get(target.deviceId) ?? []);
    if (outcome) this.#writer.add(outcome);
  }

  /** What every device of a task needs, read once while this node works on the task. */
  #contextOf(taskId: string): Promise<TaskContext | undefined> {
    let context = this.#contexts.get(taskId);
    if (!context) {
      context = this.#loadContext(taskId);
      this.#contexts.set(taskId, context);
    }
    return context;
  }

  async #loadContext(taskId: string): Promise<TaskContext | undefined> {
    const task = await this.#store.findTaskById(taskId);
    if (!task) return undefined;
    const [devices, planned] = await Promise.all([this.#store.listDevices(), this.#plannedByDevice(task)]);
    const canceled = task.status !== 'STARTED';
    return { task, devices: new Map(devices.map((d) => [d.id, d])), planned, canceled, inFlight: 0 };
  }

  async #checkCancels(): Promise<void> {
    for (const pending of this.#contexts.values()) {
      const context = await pending;
      if (!context || context.canceled) continue;
      const task = await this.#store.findTaskById(context.task.id).catch((err: unknown) => {
        this.#log.warn({ task: context.task.id, ...errorFields(err) }, 'checking for a cancel failed; checking again');
        return undefined;
      });
      context.canceled ||= task?.status === 'CANCEL_REQUESTED';
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
  ): Promise<TargetOutcome | undefined> {
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
    this.#activity.begin(device.id);
    try {
      const connection = await this.#connections.get(device);
      result = await killOnDevice(connection, {
        selector: task.selector,
        explicitIds: target.sessionIds,
        retry: this.#options.retry,
        planned,
        priorAttempts: target.attempted,
        writeAhead: (attempted) =>
          this.#attempts.record({ taskId: task.id, deviceId: target.deviceId, sessionIds: attempted }),
      });
    } catch (err) {
      if (err instanceof LeaseLostError) {
        this.#log.info({ task: task.id, device: device.id }, 'device lease lost: another node owns its outcome');
        return undefined;
      }
      this.#log.error({ task: task.id, device: device.id, ...errorFields(err) }, 'device kill failed unexpectedly');
      result = unexpectedFailure(err);
    } finally {
      this.#activity.end(device.id);
    }
    const { killed, notFound, errorCode, errorMessage } = result;
    const attempts = target.attempts + result.attempts;
    if (!result.ok) {
      const facts = { task: task.id, device: device.hostname, errorCode, killed: killed.length };
      this.#log.warn({ ...facts, failed: result.failed.length }, `device not verified: ${errorMessage}`);
    }
    if (result.ok) return { ...base, status: 'done', killed, notFound, failed: [], errorCode, errorMessage, attempts };
    // A device never listed during this kill: the sessions the inventory last saw there are the ones left alive.
    const failed = result.listed
      ? result.failed
      : [...new Set([...result.failed, ...(await this.#knownSessions(task, target))])].filter(
          (id) => !killed.includes(id) && !notFound.includes(id),
        );
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

  /**
   * Writes a batch under this node's leases (outcomes of devices whose lease was lost are dropped: another node owns
   * them now), then concludes the tasks whose last device this was. The inventory follows the kill at once.
   */
  async #persist(batch: readonly TargetOutcome[]): Promise<void> {
    const written = await this.#store.recordOutcomes(batch, Date.now(), this.#options.nodeId);
    if (written.length > 0) this.#events.emit('targets', written);
    for (const taskId of new Set(written.map((o) => o.taskId))) await this.#conclusion.conclude(taskId);
  }
}

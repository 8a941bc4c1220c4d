// The engine facade: wires connections, the task runner and inventory sync, and is the one way to submit a kill.

import type { Connector, ConnectorOptions } from '../connectors/connector.js';
import { type Actor, newKillTask } from '../core/kill-request.js';
import type { DeviceKind, KillSelector, KillTask } from '../core/model.js';
import { isFinal } from '../core/task-status.js';
import type { Store } from '../store/store.js';
import { ConnectionWarmer, type WarmOptions } from './connection-warmer.js';
import { DeviceConnections } from './connections.js';
import { CurfewEnforcer, type CurfewEnforcerOptions, DEFAULT_CURFEW_OPTIONS } from './curfew-enforcer.js';
import { DeviceActivity } from './device-activity.js';
import { EngineEvents } from './events.js';
import { InventoryService } from './inventory.js';
import { InventorySync, type InventorySyncOptions } from './inventory-sync.js';
import { type Logger, silentLogger } from './log.js';
import { AuditService } from './services/audit.js';
import { CurfewService } from './services/curfews.js';
import { FleetQueries } from './services/fleet.js';
import { SessionService } from './services/sessions.js';
import { TaskService } from './services/tasks.js';
import { DEFAULT_RUNNER_OPTIONS, TaskRunner, type TaskRunnerOptions } from './task-runner.js';

export interface EngineOptions {
  nodeId: string;
  connectors: Partial<Record<DeviceKind, Connector>>;
  connector?: Partial<ConnectorOptions>;
  runner?: Partial<Omit<TaskRunnerOptions, 'nodeId'>>;
  sync?: Partial<InventorySyncOptions>;
  warm?: Partial<WarmOptions>;
  curfews?: Partial<CurfewEnforcerOptions>;
  /** Where the engine logs (device failures, retries, store trouble); silent when absent. */
  logger?: Logger;
}

export const DEFAULT_CONNECTOR_OPTIONS: ConnectorOptions = { timeoutMs: 10_000, perDeviceConcurrency: 8 };
// Syncs are bounded by CPU (parsing listings, writing the store) more than by round trips: a modest concurrency keeps
// responses from waiting behind other devices' writes long enough to hit their timeout.
/**
 * Warm-up at start, then every 4 minutes — but only where sync (every 30 s by default) does not keep connections warm
 * anyway: BIG-IP tokens live 20 minutes and are renewed a minute before they expire.
 */
export const DEFAULT_WARM_OPTIONS: WarmOptions = { concurrency: 256, intervalMs: 240_000 };

export const DEFAULT_SYNC_OPTIONS: InventorySyncOptions = { intervalMs: 30_000, concurrency: 32 };

export class Engine {
  readonly #store: Store;
  readonly #warmAtStart: boolean;
  readonly events = new EngineEvents();
  readonly connections: DeviceConnections;
  readonly runner: TaskRunner;
  readonly sync: InventorySync;
  readonly inventory: InventoryService;
  readonly warmer: ConnectionWarmer;
  /** The read and command services the edges use (they never see the store). */
  readonly tasks: TaskService;
  readonly sessions: SessionService;
  readonly audit: AuditService;
  readonly fleet: FleetQueries;
  readonly curfews: CurfewService;
  readonly enforcer: CurfewEnforcer;

  constructor(store: Store, options: EngineOptions) {
    this.#store = store;
    this.#warmAtStart = options.warm?.atStart ?? true;
    const log = (options.logger ?? silentLogger).child({ node: options.nodeId });
    this.connections = new DeviceConnections(
      options.connectors,
      store,
      { ...DEFAULT_CONNECTOR_OPTIONS, ...options.connector },
      log.child({ part: 'connections' }),
    );
    const activity = new DeviceActivity();
    this.runner = new TaskRunner(
      store,
      this.connections,
      this.events,
      activity,
      { ...DEFAULT_RUNNER_OPTIONS, ...options.runner, nodeId: options.nodeId },
      log.child({ part: 'tasks' }),
    );
    this.sync = new InventorySync(
      store,
      this.connections,
      this.events,
      { ...DEFAULT_SYNC_OPTIONS, ...options.sync },
      options.nodeId,
      activity,
      log.child({ part: 'sync' }),
    );
    this.inventory = new InventoryService(store, this.connections);
    const syncMs = options.sync?.intervalMs ?? DEFAULT_SYNC_OPTIONS.intervalMs;
    const warm = { ...DEFAULT_WARM_OPTIONS, ...options.warm };
    // Sync on a shorter interval keeps every connection warm already; only the start pass is needed then.
    const keepWarmMs = syncMs > 0 && syncMs <= warm.intervalMs ? 0 : warm.intervalMs;
    this.warmer = new ConnectionWarmer(
      store,
      this.connections,
      { ...warm, intervalMs: keepWarmMs },
      log.child({ part: 'warm' }),
    );
    this.tasks = new TaskService(store, this, this.events);
    this.sessions = new SessionService(store, this.tasks);
    this.audit = new AuditService(store);
    this.fleet = new FleetQueries(store);
    const sync = this.sync;
    this.enforcer = new CurfewEnforcer(
      store,
      this.connections,
      (selector, actor) => this.submitKill(selector, actor),
      {
        holds: (deviceId) => sync.holds(deviceId),
        refreshShare: (maxAgeMs) => sync.refreshShare(maxAgeMs),
        killing: (deviceId) => activity.killing(deviceId),
      },
      this.events,
      { ...DEFAULT_CURFEW_OPTIONS, ...options.curfews },
      options.nodeId,
      log.child({ part: 'curfews' }),
    );
    this.curfews = new CurfewService(store, this.enforcer);
  }

  /** Starts the runner, then warms every device's connection and starts sync (neither is waited for). */
  async start(): Promise<void> {
    await this.runner.start();
    if (this.#warmAtStart) this.warmer.start();
    this.sync.start();
    this.enforcer.start();
  }

  async stop(): Promise<void> {
    await this.enforcer.stop();
    await this.warmer.stop();
    await this.sync.stop();
    await this.runner.stop();
    await this.connections.closeAll();
  }

  /** Validates, writes the task and its audit event in one transaction, and wakes the runner. */
  async submitKill(
    selector: KillSelector,
    actor: Actor,
    options: { id?: string; now?: number } = {},
  ): Promise<KillTask> {
    const task = newKillTask(selector, actor, options.now, options.id);
    await this.#store.createTask(task, {
      at: task.createdAt,
      actor: actor.name,
      address: actor.address,
      action: 'task.create',
      subject: task.id,
      details: { selector },
    });
    this.runner.wake();
    return task;
  }

  /**
   * Asks a task to stop. A final task can no longer be canceled (`final`, nothing changes); an open one becomes
   * CANCEL_REQUESTED (`requested`; asking again changes nothing). Undefined when no task has that id.
   */
  async cancelTask(taskId: string, actor: Actor): Promise<CancelResult | undefined> {
    const before = await this.#store.findTaskById(taskId);
    if (!before) return undefined;
    if (isFinal(before.status)) return { outcome: 'final', task: before };
    const task = (await this.#store.requestCancel(taskId)) ?? before;
    if (isFinal(task.status)) return { outcome: 'final', task };
    if (before.status !== 'CANCEL_REQUESTED') {
      await this.#store.appendAudit({
        at: Date.now(),
        actor: actor.name,
        address: actor.address,
        action: 'task.cancel',
        subject: taskId,
        details: {},
      });
      this.runner.wake();
    }
    return { outcome: 'requested', task };
  }
}

export type CancelResult = { outcome: 'requested' | 'final'; task: KillTask };

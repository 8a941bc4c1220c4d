// Kill tasks for the edges: submit and cancel (commands through the engine), read one or a page with every device's
// outcome (batched reads: one query for the tasks, one for all their targets), and wait for one to end.
import type { Actor } from '../../core/kill-request.js';
import type { Device, KillSelector, KillTask, TaskTarget } from '../../core/model.js';
import type { DeviceStore, TaskStore } from '../../store/store.js';
import type { CancelResult } from '../engine.js';
import type { EngineEvents } from '../events.js';
import { waitForTask } from '../task-wait.js';

/** What the task service asks of the engine: the two commands that change tasks. */
export interface KillCommands {
  submitKill(selector: KillSelector, actor: Actor, options?: { id?: string; now?: number }): Promise<KillTask>;
  cancelTask(taskId: string, actor: Actor): Promise<CancelResult | undefined>;
}

export type TaskReadStore = Pick<TaskStore, 'findTaskById' | 'listTasks' | 'countTasks' | 'listTargetsOfTasks'> &
  Pick<DeviceStore, 'listDevices'>;

export interface TaskPage {
  tasks: KillTask[];
  /** Every task, not only this page's. */
  total: number;
}

/** How long the device list used for rendering host names is reused (it changes only on configuration). */
const DEVICE_NAMES_TTL_MS = 1000;

export class TaskService {
  readonly #store: TaskReadStore;
  readonly #commands: KillCommands;
  readonly #events: EngineEvents;
  #devices: { at: number; byId: Promise<Map<string, Device>> } | undefined;

  constructor(store: TaskReadStore, commands: KillCommands, events: EngineEvents) {
    this.#store = store;
    this.#commands = commands;
    this.#events = events;
  }

  submit(selector: KillSelector, actor: Actor, options: { id?: string; now?: number } = {}): Promise<KillTask> {
    return this.#commands.submitKill(selector, actor, options);
  }

  cancel(taskId: string, actor: Actor): Promise<CancelResult | undefined> {
    return this.#commands.cancelTask(taskId, actor);
  }

  find(taskId: string): Promise<KillTask | undefined> {
    return this.#store.findTaskById(taskId);
  }

  /** Newest first; `limit` undefined = every task from `offset` on. */
  async page(offset: number, limit?: number): Promise<TaskPage> {
    const total = await this.#store.countTasks();
    const tasks = await this.#store.listTasks({ limit: limit ?? Math.max(total - offset, 0), offset });
    return { tasks, total };
  }

  /** The device outcomes of many tasks, in one query. */
  targetsOf(taskIds: readonly string[]): Promise<Map<string, TaskTarget[]>> {
    return this.#store.listTargetsOfTasks(taskIds);
  }

  /** Devices by id, for host names in task views; read at most once a second, not on every task read. */
  devices(): Promise<Map<string, Device>> {
    if (!this.#devices || Date.now() - this.#devices.at > DEVICE_NAMES_TTL_MS) {
      const byId = this.#store.listDevices().then((list) => new Map(list.map((d) => [d.id, d])));
      this.#devices = { at: Date.now(), byId };
    }
    return this.#devices.byId;
  }

  /** The task once final, or as it is when `timeoutMs` runs out; undefined when no task has that id. */
  waitForFinal(taskId: string, timeoutMs: number): Promise<KillTask | undefined> {
    return waitForTask(this.#store, this.#events, taskId, timeoutMs);
  }
}

// Every device's connection made ready before anyone needs it: at start a node logs in to every device and opens its
// socket (one cheap request, the HA role, which also tells resolution which cluster member is ACTIVE) — in parallel,
// before the first sync's full listings — so an incident-time kill right after a restart costs only its own round
// trips. Afterwards the pass repeats on an interval when inventory sync does not already touch every device as often.
import pLimit from 'p-limit';
import type { Device } from '../core/model.js';
import type { DeviceConnections } from './connections.js';
import { errorFields, type Logger, silentLogger } from './log.js';
import type { WarmStore } from './ports.js';

export interface WarmOptions {
  /** Devices warmed at once: a login and one request each, so far more than sync's. */
  concurrency: number;
  /** Repeat the pass this often (0 = only at start). */
  intervalMs: number;
  /** Warm at start at all (tests that count device requests turn it off). */
  atStart?: boolean;
}

export class ConnectionWarmer {
  readonly #store: WarmStore;
  readonly #connections: DeviceConnections;
  readonly #options: WarmOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #running: Promise<number> | undefined;

  constructor(store: WarmStore, connections: DeviceConnections, options: WarmOptions, log: Logger = silentLogger) {
    this.#store = store;
    this.#connections = connections;
    this.#options = options;
    this.#log = log;
  }

  start(): void {
    this.#stopped = false;
    const pass = () => {
      void this.warmAll().finally(() => {
        if (!this.#stopped && this.#options.intervalMs > 0) this.#timer = setTimeout(pass, this.#options.intervalMs);
      });
    };
    pass();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Warms every device once (a pass already running is joined); resolves with how many answered. */
  warmAll(): Promise<number> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    const devices = await this.#store.listDevices().catch((err: unknown) => {
      this.#log.warn(errorFields(err), 'warming device connections: could not read the inventory');
      return [] as Device[];
    });
    const limit = pLimit(this.#options.concurrency);
    const answered = await Promise.all(devices.map((d) => limit(() => this.#warm(d))));
    const ok = answered.filter(Boolean).length;
    this.#log.info({ devices: devices.length, ready: ok }, 'device connections warmed');
    return ok;
  }

  async #warm(device: Device): Promise<boolean> {
    try {
      const health = await (await this.#connections.get(device)).health();
      await this.#store.updateDeviceHealth(device.id, { state: 'online', failover: health.failover, lastError: null });
      return true;
    } catch (err) {
      // Sync records the device's state and error; here it only means the kill will log in on its own path.
      this.#log.debug({ device: device.hostname, ...errorFields(err) }, 'warming a device connection failed');
      return false;
    }
  }
}

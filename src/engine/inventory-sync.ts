// Inventory sync: lists every device's sessions into the store, on an interval and on demand, and records each
// device's health and HA role (which cluster member is ACTIVE decides where kills go).
import pLimit from 'p-limit';
import { ConnectorError } from '../connectors/connector.js';
import type { Device, DeviceState } from '../core/model.js';
import type { Store } from '../store/store.js';
import type { DeviceConnections } from './connections.js';
import type { EngineEvents } from './events.js';

export interface InventorySyncOptions {
  /** Time between full syncs; 0 disables the timer (sync on demand only). */
  intervalMs: number;
  /** Devices synced at once. */
  concurrency: number;
}

export interface DeviceSyncResult {
  deviceId: string;
  ok: boolean;
  sessions: number;
  error?: string;
}

export class InventorySync {
  readonly #store: Store;
  readonly #connections: DeviceConnections;
  readonly #events: EngineEvents;
  readonly #options: InventorySyncOptions;
  readonly #limit;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<DeviceSyncResult[]> | undefined;

  constructor(store: Store, connections: DeviceConnections, events: EngineEvents, options: InventorySyncOptions) {
    this.#store = store;
    this.#connections = connections;
    this.#events = events;
    this.#options = options;
    this.#limit = pLimit(options.concurrency);
  }

  start(): void {
    if (this.#options.intervalMs <= 0) return;
    const tick = () => {
      void this.syncAll()
        .catch(() => undefined)
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(tick, this.#options.intervalMs);
        });
    };
    this.#timer = setTimeout(tick, this.#options.intervalMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Syncs every device; a sync already in progress is joined rather than doubled. */
  syncAll(): Promise<DeviceSyncResult[]> {
    this.#running ??= this.#store
      .listDevices()
      .then((devices) => Promise.all(devices.map((d) => this.#limit(() => this.syncDevice(d)))))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async syncDevice(device: Device): Promise<DeviceSyncResult> {
    const seenAt = Date.now();
    try {
      const connection = await this.#connections.get(device);
      const [listed, health] = await Promise.all([connection.listSessions(), connection.health()]);
      const sessions = listed.map((s) => ({
        deviceId: device.id,
        sessionId: s.sessionId,
        user: s.user,
        clientIp: s.clientIp,
        protocol: s.protocol,
        startedAt: s.startedAt ?? seenAt,
      }));
      await this.#store.replaceDeviceSessions(device.id, sessions, seenAt);
      await this.#store.updateDeviceHealth(device.id, {
        state: 'online',
        failover: health.failover,
        lastSyncAt: seenAt,
        lastError: null,
      });
      this.#events.emit('sync', { deviceId: device.id, ok: true, sessions: sessions.length });
      return { deviceId: device.id, ok: true, sessions: sessions.length };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.#store.updateDeviceHealth(device.id, { state: stateOf(err), lastError: message });
      this.#events.emit('sync', { deviceId: device.id, ok: false, sessions: 0 });
      return { deviceId: device.id, ok: false, sessions: 0, error: message };
    }
  }
}

function stateOf(err: unknown): DeviceState {
  if (!(err instanceof ConnectorError)) return 'error';
  if (err.code === 'device_error') return 'error';
  return err.code;
}

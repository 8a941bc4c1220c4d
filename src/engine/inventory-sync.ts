// Inventory sync: lists every device's sessions into the store, on an interval and on demand, and records each
// device's health and HA role (which cluster member is ACTIVE decides where kills go). With several nodes on one
// database, sync is partitioned by per-device sync leases: a round polls only the devices this node claims (free,
// expired or already its own), so each device is polled by one node at a time, and a dead node's devices are taken
// over when its leases expire. A single node claims every device.
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
  /**
   * How long a round's claim on a device lasts; the next round renews it. Longer than the interval (so a live node
   * keeps its devices), short enough that a dead node's devices are soon taken over. Default: 3 × interval, at least
   * 30 s.
   */
  leaseMs?: number;
}

/** Sync lease when no interval sets it: long enough for an on-demand round, short enough for takeover. */
const MIN_SYNC_LEASE_MS = 30_000;

export function syncLeaseMsOf(options: InventorySyncOptions): number {
  return options.leaseMs ?? Math.max(3 * options.intervalMs, MIN_SYNC_LEASE_MS);
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
  readonly #nodeId: string;
  readonly #limit;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<DeviceSyncResult[]> | undefined;

  constructor(
    store: Store,
    connections: DeviceConnections,
    events: EngineEvents,
    options: InventorySyncOptions,
    nodeId: string,
  ) {
    this.#store = store;
    this.#nodeId = nodeId;
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
    // Hands this node's devices to the other nodes now rather than when the leases expire.
    await this.#store.releaseSyncLeases(this.#nodeId).catch(() => undefined);
  }

  /**
   * Syncs every device this node holds or can claim (all of them on a single node); a sync already in progress is
   * joined rather than doubled.
   */
  syncAll(): Promise<DeviceSyncResult[]> {
    this.#running ??= this.#store
      .claimSyncDevices(this.#nodeId, Date.now(), syncLeaseMsOf(this.#options))
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

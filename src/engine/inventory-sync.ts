// Inventory sync: lists every device's sessions into the store, on an interval and on demand, and records each
// device's health and HA role (which cluster member is ACTIVE decides where kills go). With several nodes on one
// database, sync is partitioned by per-device sync leases and balanced: each round a node announces itself, keeps and
// claims devices up to its fair share (⌈devices / live nodes⌉), and hands the devices above it to the other nodes
// once it has polled them (store/kysely/sync-leases.ts). Each device is polled by one node at a time, a dead node's
// devices are taken over when its leases expire, and a single node holds every device.

import pLimit from 'p-limit';
import { ConnectorError } from '../connectors/connector.js';
import type { Device, DeviceState } from '../core/model.js';
import type { DeviceConnections } from './connections.js';
import type { DeviceActivity } from './device-activity.js';
import type { EngineEvents } from './events.js';
import { errorFields, type Logger, silentLogger } from './log.js';
import type { SyncStore } from './ports.js';

export interface InventorySyncOptions {
  /** Time between full syncs; 0 disables the timer (sync on demand only). */
  intervalMs: number;
  /** Devices synced at once. */
  concurrency: number;
  /**
   * How long a round's claim on a device lasts, and the node counts as live for the other nodes' shares; the next
   * round renews both. Longer than the interval (so a live node keeps its devices), short enough that a dead node's
   * devices are soon taken over. Default: 3 × interval, at least 30 s.
   */
  leaseMs?: number;
}

/** Longest a device's sync waits for running kills to finish before it goes ahead anyway. */
const KILL_PRIORITY_MAX_WAIT_MS = 2_000;

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
  readonly #store: SyncStore;
  readonly #connections: DeviceConnections;
  readonly #events: EngineEvents;
  readonly #options: InventorySyncOptions;
  readonly #nodeId: string;
  readonly #limit;
  readonly #activity: DeviceActivity;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #running: Promise<DeviceSyncResult[]> | undefined;
  /** A round asked for while one runs: it starts when that one ends (callers see state from after their call). */
  #next: Promise<DeviceSyncResult[]> | undefined;
  /** Devices this node held at its last claim (what curfew enforcement partitions by), and when it claimed. */
  #held: ReadonlySet<string> = new Set();
  #claimedAt = Number.NEGATIVE_INFINITY;

  constructor(
    store: SyncStore,
    connections: DeviceConnections,
    events: EngineEvents,
    options: InventorySyncOptions,
    nodeId: string,
    activity: DeviceActivity,
    log: Logger = silentLogger,
  ) {
    this.#log = log;
    this.#activity = activity;
    this.#store = store;
    this.#nodeId = nodeId;
    this.#connections = connections;
    this.#events = events;
    this.#options = options;
    this.#limit = pLimit(options.concurrency);
  }

  /**
   * Syncs every device at once (a node that just started knows nothing current: the first round is not left to the
   * interval), then every interval. An interval of 0 means on demand only: no round starts by itself.
   */
  start(): void {
    this.#stopped = false;
    if (this.#options.intervalMs <= 0) return;
    const tick = () => {
      void this.syncAll()
        // A round fails as a whole only when the store does; device failures are in the results. Retried next tick.
        .catch((err: unknown) => this.#log.warn(errorFields(err), 'inventory sync round failed; retrying'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#options.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([this.#running, this.#next]);
    // Hands this node's devices to the other nodes now rather than when the leases expire, and leaves their count of
    // live nodes (their shares grow at once).
    await this.#store.releaseSyncLeases(this.#nodeId);
  }

  /**
   * Syncs every device this node holds or claims (its share of the devices; all of them on a single node). When a
   * round is running, one more round is queued after it (shared by every caller meanwhile), so what a caller gets
   * reflects the inventory as it was at its call or later — e.g. devices registered just before.
   */
  syncAll(): Promise<DeviceSyncResult[]> {
    if (!this.#running) {
      this.#running = this.#round().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#next ??= this.#running
      // The running round's caller sees its failure; the queued round runs either way.
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.#stopped ? [] : this.syncAll();
      });
    return this.#next;
  }

  /** Whether this node held the device's sync lease at its last claim. */
  holds(deviceId: string): boolean {
    return this.#held.has(deviceId);
  }

  /**
   * Claims this node's share again when the last claim is older than `maxAgeMs`: enforcement between rounds (or with
   * sync on demand only) still knows which devices are this node's.
   */
  async refreshShare(maxAgeMs: number): Promise<void> {
    if (Date.now() - this.#claimedAt >= maxAgeMs) await this.#claim();
  }

  async #claim() {
    const claimedAt = Date.now();
    const claim = await this.#store.claimSyncDevices(this.#nodeId, claimedAt, syncLeaseMsOf(this.#options));
    this.#held = new Set(claim.devices.map((d) => d.id));
    this.#claimedAt = claimedAt;
    return claim;
  }

  async #round(): Promise<DeviceSyncResult[]> {
    const claim = await this.#claim();
    // Devices a kill is working on are skipped this round: the kill lists them itself and goes first. Others wait
    // (bounded) while any kill runs, so a kill during a sync round is not slowed by parsing and writing listings.
    const idle = claim.devices.filter((d) => !this.#activity.killing(d.id));
    const results = await Promise.all(
      idle.map((d) =>
        this.#limit(async () => {
          await this.#activity.idle(KILL_PRIORITY_MAX_WAIT_MS);
          return this.syncDevice(d);
        }),
      ),
    );
    // Devices above this node's share pass to a node under its share only once polled here, so none misses a round.
    const polled = new Set(results.map((r) => r.deviceId));
    const handOff = claim.handOff.filter((id) => polled.has(id));
    if (handOff.length > 0) {
      await this.#store.handOffSyncDevices(this.#nodeId, handOff, Date.now());
      this.#held = new Set([...this.#held].filter((id) => !handOff.includes(id)));
    }
    return results;
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
      this.#events.emit('listed', { device, sessions: listed });
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
      this.#log.warn({ device: device.hostname, ...errorFields(err) }, 'device sync failed');
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

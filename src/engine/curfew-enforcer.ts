// Curfew enforcement: on a short interval (and at once when the rules change), expire what ended, keep the gateways'
// deny lists in line (curfew-prevention.ts), list the devices in scope of an active curfew and end every session a
// curfew keeps out with a verified kill task (`selector.curfewId` says which curfew); `monitor` curfews only record.
// Sync listings are checked too, so a session a sync sees is caught without waiting for the next tick.
//
// Several nodes: a node enforces only the devices it holds sync leases on (each device is held by one node), and a
// caught session is recorded (store.claimViolations) before its kill is submitted, so each one is counted and first
// killed exactly once even when two nodes see it; a session still listed after its kill task ended is killed again.
// Devices outside every active curfew's scope get no requests from here.
import pLimit from 'p-limit';
import type { DeviceSession } from '../connectors/connector.js';
import { type Curfew, curfewMatches, curfewScopesDevice, isActive } from '../core/curfew.js';
import type { Actor } from '../core/kill-request.js';
import type { Device, KillSelector, KillTask } from '../core/model.js';
import { isFinal } from '../core/task-status.js';
import type { AuditStore, CurfewStore, CurfewViolation, DeviceStore, TaskStore } from '../store/store.js';
import type { DeviceConnections } from './connections.js';
import { DEFAULT_DENY_LIST, PreventionKeeper } from './curfew-prevention.js';
import type { EngineEvents } from './events.js';
import { errorFields, type Logger, silentLogger } from './log.js';

export type EnforceStore = Pick<
  CurfewStore,
  | 'expireCurfews'
  | 'listActiveCurfews'
  | 'claimViolations'
  | 'setViolationTask'
  | 'listPreventionState'
  | 'putPreventionState'
> &
  Pick<DeviceStore, 'listDevices'> &
  Pick<TaskStore, 'findTaskById'> &
  Pick<AuditStore, 'appendAudit'>;

export interface CurfewEnforcerOptions {
  /** Time between enforcement rounds over the devices in scope of an active curfew. */
  intervalMs: number;
  /** Devices listed at once. */
  listConcurrency: number;
  /** Full path of the BIG-IP data group the access policy consults. */
  denyList: string;
  /** Devices whose deny list is written at once. */
  preventionConcurrency: number;
}

export const DEFAULT_CURFEW_OPTIONS: CurfewEnforcerOptions = {
  intervalMs: 5_000,
  listConcurrency: 256,
  denyList: DEFAULT_DENY_LIST,
  preventionConcurrency: 1_024,
};

export type SubmitKill = (selector: KillSelector, actor: Actor) => Promise<KillTask>;
/** The devices this node enforces: those it holds sync leases on (InventorySync); and whether a kill works on one. */
export interface DeviceShare {
  holds(deviceId: string): boolean;
  refreshShare(maxAgeMs: number): Promise<void>;
  /** A kill task runs on the device on this node (DeviceActivity): what it targets is left to it. */
  killing(deviceId: string): boolean;
}

/** How old this node's claim on its share of the devices may be when a round starts. */
const SHARE_MAX_AGE_MS = 10_000;

interface Caught {
  curfew: Curfew;
  device: Device;
  session: DeviceSession;
}

/** How long sync listings are gathered before their deny lists are checked together. */
const SYNC_BATCH_MS = 100;

export class CurfewEnforcer {
  readonly #store: EnforceStore;
  readonly #connections: DeviceConnections;
  readonly #submit: SubmitKill;
  readonly #share: DeviceShare;
  readonly #events: EngineEvents;
  readonly #options: CurfewEnforcerOptions;
  readonly #nodeId: string;
  readonly #log: Logger;
  readonly #prevention: PreventionKeeper;
  readonly #listLimit;
  /** The active curfews of the last round, for sync listings between rounds. */
  #active: Curfew[] = [];
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #running: Promise<void> | undefined;
  #again = false;
  #enforcing: Promise<void> = Promise.resolve();
  #converging: Promise<void> = Promise.resolve();
  #synced = new Map<string, Device>();
  #syncTimer: NodeJS.Timeout | undefined;

  constructor(
    store: EnforceStore,
    connections: DeviceConnections,
    submit: SubmitKill,
    share: DeviceShare,
    events: EngineEvents,
    options: CurfewEnforcerOptions,
    nodeId: string,
    log: Logger = silentLogger,
  ) {
    this.#store = store;
    this.#connections = connections;
    this.#submit = submit;
    this.#share = share;
    this.#events = events;
    this.#options = options;
    this.#nodeId = nodeId;
    this.#log = log;
    this.#listLimit = pLimit(options.listConcurrency);
    this.#prevention = new PreventionKeeper(
      store,
      connections,
      { denyList: options.denyList, concurrency: options.preventionConcurrency },
      log,
    );
  }

  readonly #onListed = ({ device, sessions }: { device: Device; sessions: readonly DeviceSession[] }) => {
    if (this.#stopped || this.#active.length === 0 || !this.#share.holds(device.id)) return;
    const active = this.#active.filter((c) => isActive(c, Date.now()));
    this.#enforce(this.#catch(device, sessions, active)).catch((err: unknown) =>
      this.#log.warn(errorFields(err), 'enforcing curfews on a sync listing failed'),
    );
    // Re-converge the deny lists of the devices a sync just saw (read back: someone may have edited them).
    this.#synced.set(device.id, device);
    this.#syncTimer ??= setTimeout(() => {
      this.#syncTimer = undefined;
      const devices = [...this.#synced.values()];
      this.#synced.clear();
      this.#converge(devices, this.#active, true).catch((err: unknown) =>
        this.#log.warn(errorFields(err), 'checking deny lists after sync failed'),
      );
    }, SYNC_BATCH_MS);
  };

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#events.on('listed', this.#onListed);
    // Rounds start at a fixed rate (a round that overruns delays the next, never doubles up): a device is then listed
    // about once per interval, so a session waits at most about one interval to be seen.
    const tick = () => {
      const startedAt = performance.now();
      void this.enforceNow().finally(() => {
        const wait = Math.max(0, this.#options.intervalMs - (performance.now() - startedAt));
        if (!this.#stopped) this.#timer = setTimeout(tick, wait);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#syncTimer);
    this.#syncTimer = undefined;
    this.#events.off('listed', this.#onListed);
    await this.#running;
    await this.#converging;
  }

  /**
   * The rules changed (set, extended, lifted): the deny lists at once — also while a round is listing devices, which
   * at a thousand devices takes a while — then a round (now, or right after the running one).
   */
  rulesChanged(): void {
    if (this.#stopped) return;
    this.#preventNow().catch((err: unknown) => this.#log.warn(errorFields(err), 'updating deny lists failed'));
    void this.enforceNow();
  }

  async #preventNow(): Promise<void> {
    const active = await this.#store.listActiveCurfews(Date.now());
    await this.#share.refreshShare(SHARE_MAX_AGE_MS);
    const held = (await this.#store.listDevices()).filter((d) => this.#share.holds(d.id));
    await this.#converge(held, active, false);
  }

  /** One deny-list convergence at a time on this node (rule changes, rounds and syncs all ask for them). */
  #converge(devices: readonly Device[], active: readonly Curfew[], verify: boolean): Promise<void> {
    const turn = this.#converging.then(() => this.#prevention.converge(devices, active, verify));
    this.#converging = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn.then(() => undefined);
  }

  /** One round now; while one runs, one more follows it (shared by every caller meanwhile). Never rejects. */
  enforceNow(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#round()
      .catch((err: unknown) => this.#log.warn(errorFields(err), 'curfew enforcement round failed; retrying'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          void this.enforceNow();
        }
      });
    return this.#running;
  }

  async #round(): Promise<void> {
    const now = Date.now();
    for (const curfew of await this.#store.expireCurfews(now)) {
      await this.#audit('curfew.expire', curfew.id, { until: curfew.until, violations: curfew.violations });
    }
    const active = await this.#store.listActiveCurfews(now);
    this.#active = active;
    // Without curfews a round costs three queries, no device request and no lease claim — unless a deny list may
    // still hold records to clear (a curfew ended, and a device was down or no node ran when it did).
    if (active.length === 0 && !(await this.#prevention.mayHoldRecords())) return;
    await this.#share.refreshShare(SHARE_MAX_AGE_MS);
    const held = (await this.#store.listDevices()).filter((d) => this.#share.holds(d.id));
    const inScope = held.filter((d) => active.some((c) => curfewScopesDevice(c.where, d)));
    // Deny lists first: after a change they keep every curfewed user from logging in again, and the listings below
    // (CPU-bound at a thousand devices) would otherwise slow them down; in a steady round they cost no request.
    await this.#converge(held, active, false);
    const caught = await Promise.all(
      inScope.map((device) => this.#listLimit(() => this.#listAndCatch(device, active))),
    );
    await this.#enforce(caught.flat());
  }

  async #listAndCatch(device: Device, active: readonly Curfew[]): Promise<Caught[]> {
    try {
      const sessions = await (await this.#connections.get(device)).listSessions();
      return this.#catch(device, sessions, active);
    } catch (err) {
      // The device is down or refused: the next round (or sync) tries again; the kill path reports devices itself.
      this.#log.debug({ device: device.hostname, ...errorFields(err) }, 'curfew listing failed');
      return [];
    }
  }

  /** Sessions on the device that an active curfew scoping it keeps out: an enforce curfew first, else a monitor one. */
  #catch(device: Device, sessions: readonly DeviceSession[], active: readonly Curfew[]): Caught[] {
    // A kill on the device (an operator's "kill now and keep out", or this curfew's own) is ending sessions right now;
    // whatever survives it is caught by the next round, so no session is killed twice at once.
    if (this.#share.killing(device.id)) return [];
    const here = active.filter((c) => curfewScopesDevice(c.where, device));
    if (here.length === 0) return [];
    const ordered = [...here.filter((c) => c.mode === 'enforce'), ...here.filter((c) => c.mode === 'monitor')];
    const caught: Caught[] = [];
    for (const session of sessions) {
      const view = {
        user: session.user,
        clientIp: session.clientIp,
        deviceId: device.id,
        deviceName: device.hostname,
        cluster: device.cluster,
        accessGroup: device.accessGroup,
        protocol: session.protocol,
        sessionId: session.sessionId,
        startedAt: session.startedAt ?? Date.now(),
      };
      const curfew = ordered.find((c) => curfewMatches(c, view));
      if (curfew) caught.push({ curfew, device, session });
    }
    return caught;
  }

  /**
   * One batch at a time on this node (a sync listing and a round may catch the same session): the second sees the
   * first's violation with its task. Sessions whose kill still runs come back `existing` and are left to it.
   */
  #enforce(caught: readonly Caught[]): Promise<void> {
    if (caught.length === 0) return Promise.resolve();
    const turn = this.#enforcing.then(() => this.#enforceBatch(caught));
    // The caller of this turn sees its failure (and logs it); the chain only needs to go on to the next batch.
    this.#enforcing = turn.catch(() => undefined);
    return turn;
  }

  async #enforceBatch(fresh: readonly Caught[]): Promise<void> {
    const seenAt = Date.now();
    const { inserted, existing } = await this.#store.claimViolations(
      fresh.map(({ curfew, device, session }) => ({
        curfewId: curfew.id,
        deviceId: device.id,
        sessionId: session.sessionId,
        user: session.user,
        clientIp: session.clientIp,
        action: curfew.mode === 'enforce' ? 'killed' : 'seen',
        taskId: null,
        seenAt,
      })),
    );
    for (const v of inserted.filter((v) => v.action === 'seen')) {
      await this.#audit('curfew.violation', v.curfewId, { ...violationDetails(v), action: 'seen' });
    }
    const again = await this.#survivors(existing);
    const kills = [...inserted.filter((v) => v.action === 'killed'), ...again];
    for (const [curfewId, sessions] of groupBy(kills, (v) => v.curfewId)) {
      await this.#killFor(curfewId, sessions, sessions.length - again.filter((v) => v.curfewId === curfewId).length);
    }
  }

  /** Caught before (by this node earlier, or another) and still listed: killed again once their kill task is over. */
  async #survivors(existing: readonly CurfewViolation[]): Promise<CurfewViolation[]> {
    const out: CurfewViolation[] = [];
    for (const v of existing) {
      if (v.action !== 'killed') continue;
      const task = v.taskId === null ? undefined : await this.#store.findTaskById(v.taskId);
      if (task && !isFinal(task.status)) continue;
      out.push(v);
    }
    return out;
  }

  async #killFor(curfewId: string, caught: readonly CurfewViolation[], newlyCaught: number): Promise<void> {
    const sessions = [...groupBy(caught, (v) => v.deviceId)].map(([deviceId, list]) => ({
      deviceId,
      sessionIds: list.map((v) => v.sessionId),
    }));
    const selector: KillSelector = {
      action: 'KILL_BY_LIST_OF_SESSIONS',
      accessGroupNames: [],
      clusterNames: [],
      deviceIds: [],
      sessions,
      curfewId,
    };
    const task = await this.#submit(selector, { name: 'curfew', address: this.#nodeId });
    await this.#store.setViolationTask(curfewId, caught, task.id);
    await this.#audit('curfew.violation', curfewId, {
      action: 'killed',
      task: task.id,
      newlyCaught,
      sessions: caught.slice(0, 20).map(violationDetails),
    });
  }

  #audit(action: string, subject: string, details: Record<string, unknown>): Promise<void> {
    return this.#store.appendAudit({
      at: Date.now(),
      actor: 'curfew',
      address: this.#nodeId,
      action,
      subject,
      details,
    });
  }
}

const violationDetails = (v: CurfewViolation) => ({
  device: v.deviceId,
  session: v.sessionId,
  user: v.user,
  clientIp: v.clientIp,
});

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

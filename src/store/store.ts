// The storage port. One implementation (Kysely) serves SQLite and PostgreSQL; the conformance suite in
// test/store.contract.ts holds every implementation to these contracts.
import type {
  AccessGroup,
  AuditEvent,
  Cluster,
  Device,
  DeviceCredential,
  DeviceState,
  FailoverState,
  KillAction,
  KillTask,
  Session,
  SessionOutcome,
  TaskResult,
  TaskStatus,
  TaskStep,
  TaskTarget,
} from '../core/model.js';
import type { SessionEndReason, SessionQueryAst } from '../core/session-query.js';
import type { AuditStore, LoginSessionStore, SettingStore, TokenStore, UserStore } from './account-port.js';
import type { ConfigStore } from './config-port.js';
import type { CurfewStore } from './curfew-port.js';

export interface DeviceHealthUpdate {
  state: DeviceState;
  failover?: FailoverState;
  lastSyncAt?: number;
  lastError: string | null;
}

export interface DeviceStore {
  listDevices(): Promise<Device[]>;
  /** Undefined when no device has that id. */
  findDeviceById(id: string): Promise<Device | undefined>;
  updateDeviceHealth(id: string, update: DeviceHealthUpdate): Promise<void>;
  listClusters(): Promise<Cluster[]>;
  listAccessGroups(): Promise<AccessGroup[]>;
}

export interface CredentialStore {
  /** Undefined when nothing is stored under `ref`. */
  findCredential(ref: string): Promise<DeviceCredential | undefined>;
}

export interface SessionQuery {
  deviceIds?: string[];
  user?: string;
  clientIp?: string;
  limit: number;
  offset: number;
  orderBy?: 'startedAt' | 'user' | 'deviceId';
  descending?: boolean;
}

/** A session as recorded, active or ended (history is kept for `sessionHistoryDays`, see open-store.ts). */
export interface SessionRecord extends Session {
  /** When curfew saw the session end (the sync that missed it, or the verified kill); null while active. */
  endedAt: number | null;
  endReason: SessionEndReason | null;
}

export interface SessionWithDevice extends SessionRecord {
  device: Pick<Device, 'id' | 'hostname' | 'kind' | 'cluster' | 'accessGroup'>;
}

export type SessionSortField = 'startedAt' | 'endedAt' | 'user' | 'clientIp' | 'protocol' | 'device' | 'sessionId';

export interface SessionSearch {
  /** Undefined matches every recorded session, active and ended. */
  query: SessionQueryAst | undefined;
  /** Applied in order; ties are broken by device and session id, so pages are stable. */
  sort: readonly { field: SessionSortField; descending: boolean }[];
  limit: number;
  offset: number;
}

export interface SessionSearchResult {
  rows: SessionWithDevice[];
  /** Exact number of sessions matching the query, whatever the page. */
  matchCount: number;
}

/** Session properties sessions can be counted by (the console's per-device and per-group counts, the stats API). */
export type SessionCountField = 'user' | 'clientIp' | 'protocol' | 'device' | 'cluster' | 'accessGroup';

export interface SessionCounts {
  /** Sessions matching the query. */
  total: number;
  /** Distinct values among them (no value, e.g. a device in no cluster, counts as one: null). */
  distinct: number;
  /** The most frequent values, most frequent first, ties by value; `key` is the device id when counting by device. */
  buckets: { value: string | null; key?: string; count: number }[];
}

export interface SessionStore {
  /**
   * Makes the active sessions of one device equal to `listed` as of `seenAt`: new ones are inserted (their startedAt
   * kept from the first sighting unless the device reports one), known ones get lastSeenAt (and become active again
   * when they had ended before `seenAt`), active ones missing from `listed` end as `closed` at `seenAt`. Also purges
   * expired history, at most once a minute (by `seenAt`).
   */
  replaceDeviceSessions(deviceId: string, listed: Omit<Session, 'lastSeenAt'>[], seenAt: number): Promise<void>;
  /** Deletes sessions that ended before `endedBefore`; returns how many. */
  purgeEndedSessions(endedBefore: number): Promise<number>;
  /** Active sessions only. */
  listSessions(query: SessionQuery): Promise<Session[]>;
  /** Active session counts per device id. */
  countSessionsByDevice(): Promise<Map<string, number>>;
  /** Searches active and ended sessions; a query matching few rows costs no extra count. */
  searchSessions(search: SessionSearch): Promise<SessionSearchResult>;
  /** One session, active or ended; undefined when unknown (or purged). */
  findSessionRecord(deviceId: string, sessionId: string): Promise<SessionWithDevice | undefined>;
  /**
   * The recorded sessions (active and ended) with this native id, on whichever device, by hostname; at most `limit`.
   * Resolves an id given without its device (SPS clients send `svc/…:n` bare).
   */
  findSessionsByNativeId(sessionId: string, limit: number): Promise<SessionWithDevice[]>;
  /**
   * The inventory generation: a number, shared by every node on the database, that moves whenever what searchSessions
   * or countSessionsBy could answer changes — sessions inserted, changed, ended, revived or purged (sync, kill
   * outcomes, retention), devices added, changed or removed (configuration) — and not when a sync only refreshes
   * `lastSeenAt`. It moves in the transaction of the change, so results read after seeing generation G are at least
   * as new as G. Changes made through this store are seen at once; other nodes' changes within a bounded delay
   * (StoreOptions.inventoryGenerationMaxAgeMs, 200 ms by default).
   */
  inventoryGeneration(): Promise<number>;
}

/** One session of one device, by the device's own (native) id. */
export interface SessionRef {
  deviceId: string;
  sessionId: string;
}

/** What one kill task did to one session: the task, and its target on the session's device. */
export interface SessionKill extends SessionRef {
  taskId: string;
  action: KillAction;
  requestedBy: string;
  requestedFrom: string;
  /** When the task was created. */
  requestedAt: number;
  taskStatus: TaskStatus;
  /** The device's verdict on this session; `canceled` when the task stopped first; null while undecided. */
  outcome: SessionOutcome | 'canceled' | null;
  /** When the target was last written (its outcome, once there is one). */
  updatedAt: number;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface SessionKillStore {
  /**
   * Kill tasks that touched any of these sessions — named them, sent them a delete, or have an outcome for them —
   * the newest `limit` of them, oldest first. Scans the targets of the sessions' devices: for one session's history, not
   * for listings.
   */
  listSessionKills(sessions: readonly SessionRef[], limit: number): Promise<SessionKill[]>;
}

export interface SessionStatsStore {
  /** Counts the sessions matching `query` (active and ended, as searchSessions) per value of `field`; `size` buckets. */
  countSessionsBy(query: SessionQueryAst | undefined, field: SessionCountField, size: number): Promise<SessionCounts>;
}

export interface TaskPatch {
  status?: TaskStatus;
  step?: TaskStep;
  result?: TaskResult;
  errorMessage?: string | null;
  startedAt?: number | null;
  endedAt?: number | null;
}

export interface TargetOutcome {
  taskId: string;
  deviceId: string;
  status: TaskTarget['status'];
  killed: string[];
  notFound: string[];
  failed: string[];
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
}

export interface TaskListQuery {
  limit: number;
  offset: number;
}

export interface TaskStore {
  /** Writes the task and its audit event in one transaction: both or neither. */
  createTask(task: KillTask, audit: AuditEvent): Promise<void>;
  findTaskById(id: string): Promise<KillTask | undefined>;
  /** Newest first. */
  listTasks(query: TaskListQuery): Promise<KillTask[]>;
  countTasks(): Promise<number>;
  /**
   * Sets CANCEL_REQUESTED when the task is not final; returns the task as it is afterwards, undefined when missing.
   */
  requestCancel(id: string): Promise<KillTask | undefined>;
  /**
   * Claims one unfinished task (CREATED, STARTED or CANCEL_REQUESTED) whose lease is free or expired, oldest first,
   * for `owner` until `now + leaseMs`. Exactly one caller receives a given task while its lease holds.
   */
  claimTask(owner: string, now: number, leaseMs: number): Promise<KillTask | undefined>;
  /** Extends the lease; returns false when `owner` no longer holds it. */
  renewLease(taskId: string, owner: string, until: number): Promise<boolean>;
  releaseLease(taskId: string, owner: string): Promise<void>;
  /** Frees every task and target lease `owner` holds (a restarted node taking its unfinished work back at once). */
  releaseLeasesOf(owner: string): Promise<void>;
  /**
   * Applies the patch only while the task's status is one of `from` (a conditional update, safe when several nodes
   * race to conclude a task), bumping generation and updatedMicros; returns the new task, or undefined when it did
   * not apply (or the task is missing).
   */
  transitionTask(id: string, from: readonly KillTask['status'][], patch: TaskPatch): Promise<KillTask | undefined>;
  /** Inserts the targets of a task once; a second call for the same task is a no-op (resumed resolution). */
  insertTargets(targets: TaskTarget[]): Promise<void>;
  listTargets(taskId: string): Promise<TaskTarget[]>;
  /** Targets of several tasks in one query (collection views), grouped by task id; tasks without targets are absent. */
  listTargetsOfTasks(taskIds: readonly string[]): Promise<Map<string, TaskTarget[]>>;
  /**
   * Writes device outcomes and, in the same transaction, marks their sessions ended in the inventory (killed ids
   * `killed`, ids the device no longer had `closed`). With `owner`, only targets still pending under that node's lease
   * are written (a node that lost a lease writes nothing for that device). Returns the outcomes written.
   */
  recordOutcomes(outcomes: readonly TargetOutcome[], endedAt: number, owner?: string): Promise<TargetOutcome[]>;
}

/** The full list of session ids deletes were (or are about to be) sent for, on one device of a task. */
export interface KillAttempt {
  taskId: string;
  deviceId: string;
  sessionIds: readonly string[];
}

/** Per-device leases: how several nodes share the devices of one task. */
export interface TargetLeaseStore {
  /**
   * Write-ahead record of kill attempts, in one transaction: sets each target's `attempted` ids while `owner` holds
   * its lease and it is still pending. Returns the attempts written; one missing means the lease was lost and the
   * caller must not send those deletes.
   */
  recordKillAttempts(attempts: readonly KillAttempt[], owner: string): Promise<KillAttempt[]>;
  /**
   * Claims up to `limit` pending targets of running tasks (STARTED, step KILL) whose lease is free or expired, for
   * `owner` until `now + leaseMs`; oldest task first. A target is given to one claimer at a time, on every dialect.
   */
  claimTargets(owner: string, now: number, leaseMs: number, limit: number): Promise<TaskTarget[]>;
  /** Extends every pending target lease `owner` holds; returns how many. */
  renewTargetLeases(owner: string, until: number): Promise<number>;
  /** Frees the pending targets `owner` holds (a node stopping). */
  releaseTargetLeases(owner: string): Promise<void>;
  /** Marks a task's pending targets that no live lease holds as canceled; returns how many. */
  cancelUnleasedTargets(taskId: string, now: number): Promise<number>;
  countPendingTargets(taskId: string): Promise<number>;
}

/** One node's sync round: the devices it polls, and those of them it hands to other nodes once polled. */
export interface SyncClaim {
  /** Every device the node holds now (renewed or newly claimed), by hostname. */
  devices: Device[];
  /** Ids of `devices` above the node's fair share: polled this round, then handed off (`handOffSyncDevices`). */
  handOff: string[];
}

/**
 * Inventory sync partitioned between nodes and balanced across them: a device is polled only by the node holding its
 * sync lease, and each live node holds about 1/N of the devices.
 */
export interface SyncLeaseStore {
  /**
   * Starts `owner`'s sync round at `now`: announces `owner` as live until `now + leaseMs`, renews every sync lease it
   * holds until then, and claims free or expired devices (longest unheld first) until it holds its fair share,
   * ⌈devices / live nodes⌉. Devices it holds above its share are listed in `handOff`. A device is held by one node
   * at a time, on every dialect; a single node's share is every device.
   */
  claimSyncDevices(owner: string, now: number, leaseMs: number): Promise<SyncClaim>;
  /** Frees those of `deviceIds` that `owner` holds (free since `now`), for nodes under their share; returns how many. */
  handOffSyncDevices(owner: string, deviceIds: readonly string[], now: number): Promise<number>;
  /**
   * Frees every sync lease `owner` holds and withdraws it from the live nodes (a node stopping), so the other nodes
   * take its devices at once.
   */
  releaseSyncLeases(owner: string): Promise<void>;
}

export * from './account-port.js';
export * from './config-port.js';
export * from './curfew-port.js';

/** A LISTEN/NOTIFY channel on one dedicated connection (PostgreSQL only): how nodes hear each other's events. */
export interface NotifyChannel {
  notify(payload: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens the named channel, calling `onPayload` for each notification; PostgreSQL only. */
export type OpenNotifyChannel = (channel: string, onPayload: (payload: string) => void) => Promise<NotifyChannel>;

/** NOTIFY payloads must stay under 8000 bytes. */
export const NOTIFY_PAYLOAD_MAX = 7_900;

export interface Store
  extends LoginSessionStore,
    ConfigStore,
    DeviceStore,
    CredentialStore,
    SessionStore,
    SessionStatsStore,
    SessionKillStore,
    TaskStore,
    TargetLeaseStore,
    SyncLeaseStore,
    CurfewStore,
    AuditStore,
    UserStore,
    TokenStore,
    SettingStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

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
  KillTask,
  Session,
  TaskResult,
  TaskStatus,
  TaskStep,
  TaskTarget,
} from '../core/model.js';

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
  /** Throws DomainError conflict when the id or hostname is taken. */
  insertDevice(device: Device): Promise<void>;
  /** Replaces the configured fields; returns false when the device does not exist. */
  updateDevice(device: Device): Promise<boolean>;
  /** Removes the device and its sessions; returns false when it did not exist. */
  deleteDeviceById(id: string): Promise<boolean>;
  updateDeviceHealth(id: string, update: DeviceHealthUpdate): Promise<void>;
  listClusters(): Promise<Cluster[]>;
  upsertCluster(cluster: Cluster): Promise<void>;
  deleteClusterByName(name: string): Promise<boolean>;
  listAccessGroups(): Promise<AccessGroup[]>;
  upsertAccessGroup(group: AccessGroup): Promise<void>;
  deleteAccessGroupByName(name: string): Promise<boolean>;
}

export interface CredentialStore {
  /** Stores (encrypted at rest) or replaces the credential under `ref`. */
  putCredential(ref: string, credential: DeviceCredential): Promise<void>;
  /** Undefined when nothing is stored under `ref`. */
  findCredential(ref: string): Promise<DeviceCredential | undefined>;
  deleteCredential(ref: string): Promise<boolean>;
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

export interface SessionStore {
  /**
   * Makes the stored sessions of one device equal to `listed` as of `seenAt`: new ones are inserted (their startedAt
   * kept from the first sighting unless the device reports one), known ones get lastSeenAt, missing ones are removed.
   */
  replaceDeviceSessions(deviceId: string, listed: Omit<Session, 'lastSeenAt'>[], seenAt: number): Promise<void>;
  /** Removes the given sessions of one device (after a verified kill). */
  deleteSessions(deviceId: string, sessionIds: readonly string[]): Promise<void>;
  listSessions(query: SessionQuery): Promise<Session[]>;
  countSessions(query: Omit<SessionQuery, 'limit' | 'offset' | 'orderBy' | 'descending'>): Promise<number>;
  /** Session counts per device id. */
  countSessionsByDevice(): Promise<Map<string, number>>;
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
  /** Applies the patch, bumps generation and updatedMicros; returns the new task or undefined when missing. */
  updateTask(id: string, patch: TaskPatch): Promise<KillTask | undefined>;
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
  /** Frees every lease `owner` holds (a restarted node taking its unfinished tasks back at once). */
  releaseLeasesOf(owner: string): Promise<void>;
  /** Inserts the targets of a task once; a second call for the same task is a no-op (resumed resolution). */
  insertTargets(targets: TaskTarget[]): Promise<void>;
  listTargets(taskId: string): Promise<TaskTarget[]>;
  /** Targets of several tasks in one query (collection views), grouped by task id; tasks without targets are absent. */
  listTargetsOfTasks(taskIds: readonly string[]): Promise<Map<string, TaskTarget[]>>;
  /** Writes many device outcomes in one transaction. */
  saveTargetOutcomes(outcomes: readonly TargetOutcome[]): Promise<void>;
}

export interface AuditQuery {
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
}

export interface AuditStore {
  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest first. */
  listAudit(query: AuditQuery): Promise<AuditEvent[]>;
}

export interface UserRecord {
  name: string;
  passwordHash: string;
  createdAt: number;
}

export interface UserStore {
  findUserByName(name: string): Promise<UserRecord | undefined>;
  /** Inserts or replaces the user's password hash. */
  upsertUser(user: UserRecord): Promise<void>;
  listUsers(): Promise<UserRecord[]>;
}

export type TokenKind = 'access' | 'refresh';

/** An API token as stored: only a hash of its value, so a database leak yields no usable tokens. */
export interface StoredToken {
  /** SHA-256 of the token value, hex: the token's identity in the store and in listings. */
  id: string;
  kind: TokenKind;
  userName: string;
  /** Login provider the token was issued through (`local`, `tmos`). */
  provider: string;
  /** Client address at login. */
  address: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Lifetime in seconds as reported to clients (`token.timeout`). */
  timeoutSec: number;
  /** Starts at 1, bumped on every change. */
  generation: number;
}

export interface TokenQuery {
  /** Only tokens still valid at this time. */
  validAt: number;
  /** Only this user's tokens. */
  userName?: string;
}

export interface TokenExpiryUpdate {
  expiresAt: number;
  timeoutSec: number;
  updatedAt: number;
}

/** Tokens live in the store, not in memory, so every node of a deployment accepts every token. */
export interface TokenStore {
  /** Throws when the id is taken (a 256-bit random value makes that a bug, not a race). */
  insertToken(token: StoredToken): Promise<void>;
  /** Undefined when no token has that id; expired tokens are returned until purged. */
  findTokenById(id: string): Promise<StoredToken | undefined>;
  /** Newest first. */
  listTokens(query: TokenQuery): Promise<StoredToken[]>;
  /** Sets expiry and timeout and bumps generation; returns the token afterwards, undefined when missing. */
  updateTokenExpiry(id: string, update: TokenExpiryUpdate): Promise<StoredToken | undefined>;
  /** Returns false when the token did not exist. */
  deleteTokenById(id: string): Promise<boolean>;
  /** Deletes every token that expired before `before`; returns how many. */
  purgeExpiredTokens(before: number): Promise<number>;
}

export interface SettingStore {
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}

export interface LoginSessionRecord {
  /** SHA-256 (hex) of the cookie value; the value itself is never stored. */
  id: string;
  userName: string;
  /** Privileges fixed at login: [object, permission] pairs. */
  grants: [string, 'read' | 'write'][];
  address: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface LoginSessionStore {
  insertLoginSession(session: LoginSessionRecord): Promise<void>;
  /** Undefined when missing; expired sessions are returned (the caller decides what expiry means). */
  findLoginSession(id: string): Promise<LoginSessionRecord | undefined>;
  /** Slides the idle expiry; returns false when the session no longer exists. */
  touchLoginSession(id: string, lastSeenAt: number, expiresAt: number): Promise<boolean>;
  deleteLoginSession(id: string): Promise<boolean>;
  /** Ends every login session of a user (password changed, user deleted); returns the ended ids. */
  deleteLoginSessionsOfUser(userName: string): Promise<string[]>;
  /** Removes sessions that expired before `before`; returns their ids (their transactions die with them). */
  purgeExpiredLoginSessions(before: number): Promise<string[]>;
}

export interface Store
  extends LoginSessionStore,
    DeviceStore,
    CredentialStore,
    SessionStore,
    TaskStore,
    AuditStore,
    UserStore,
    TokenStore,
    SettingStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

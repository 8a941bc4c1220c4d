// The domain's nouns. Plain data: no HTTP, SQL or vendor shapes live here.

export type DeviceKind = 'bigip' | 'sps';
export const DEVICE_KINDS: readonly DeviceKind[] = ['bigip', 'sps'];

/** Health as last observed by inventory sync or a kill. */
export type DeviceState = 'unknown' | 'online' | 'unreachable' | 'auth_failed' | 'timeout' | 'error';

/** HA role of a device; sessions live on the ACTIVE unit of a cluster. */
export type FailoverState = 'ACTIVE' | 'STANDBY' | 'UNKNOWN';

export interface Device {
  /** Machine id (UUID); the key every surface refers to a device by. */
  id: string;
  hostname: string;
  address: string;
  port: number;
  kind: DeviceKind;
  /** Key of the stored credential (username + password) used to log in to the device. */
  credentialRef: string | null;
  /** Verify the device's TLS certificate (on by default; labs turn it off). */
  verifyTls: boolean;
  cluster: string | null;
  accessGroup: string | null;
  state: DeviceState;
  failover: FailoverState;
  lastSyncAt: number | null;
  lastError: string | null;
}

export interface Cluster {
  name: string;
  description: string;
}

export interface AccessGroup {
  name: string;
  description: string;
}

/** A cluster with its members, as derived from the device inventory. */
export interface ClusterView {
  name: string;
  members: string[];
  /** Id of the member that reported ACTIVE, or null when no member did. */
  active: string | null;
}

export interface DeviceCredential {
  username: string;
  password: string;
}

export interface Session {
  deviceId: string;
  /** The device's own session id (8 hex characters on BIG-IP). */
  sessionId: string;
  user: string;
  clientIp: string;
  /** Epoch ms: the device's start time when it reports one, else when curfew first saw the session. */
  startedAt: number;
  protocol: string;
  /**
   * Epoch ms of the last sighting the row records. A steady sync writes nothing per session, so for a live session
   * the store's records (findSessionRecord, searchSessions) give its device's last listing instead.
   */
  lastSeenAt: number;
}

export type KillAction = 'KILL_BY_USER' | 'KILL_ALL_SESSIONS' | 'KILL_BY_LIST_OF_SESSIONS';
export const KILL_ACTIONS: readonly KillAction[] = ['KILL_BY_USER', 'KILL_ALL_SESSIONS', 'KILL_BY_LIST_OF_SESSIONS'];

export interface SessionList {
  deviceId: string;
  sessionIds: string[];
}

/** What a kill task should end. Scopes combine as a union of devices; filters narrow sessions on them. */
export interface KillSelector {
  action: KillAction;
  /** Every device in the inventory. */
  all?: boolean;
  accessGroupNames: string[];
  clusterNames: string[];
  deviceIds: string[];
  /** KILL_BY_LIST_OF_SESSIONS: explicit ids per device. */
  sessions: SessionList[];
  /** KILL_BY_USER: exact, case-sensitive match on the session's user. */
  userName?: string;
  /** Optional extra filter on the client address. */
  clientIp?: string;
  /** Set when a curfew's enforcement submitted the kill (its origin is that curfew, not an operator). */
  curfewId?: string;
}

export type TaskStatus = 'CREATED' | 'STARTED' | 'CANCEL_REQUESTED' | 'CANCELED' | 'FINISHED' | 'FAILED';
export type TaskStep = 'RESOLVE_DEVICES' | 'KILL' | 'DONE';
export type TaskResult = 'PENDING' | 'COMPLETE' | 'FAILED';

export interface KillTask {
  id: string;
  selector: KillSelector;
  status: TaskStatus;
  step: TaskStep;
  result: TaskResult;
  errorMessage: string | null;
  /** Login name of whoever asked for the kill. */
  requestedBy: string;
  /** Client address the request came from. */
  requestedFrom: string;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Bumped on every change (BIG-IQ `generation`). */
  generation: number;
  /** Epoch microseconds of the last change. */
  updatedMicros: number;
}

export type TargetStatus = 'pending' | 'done' | 'failed' | 'canceled';

/** One device of a task, with what happened there. */
export interface TaskTarget {
  taskId: string;
  deviceId: string;
  /** Explicit ids for KILL_BY_LIST_OF_SESSIONS; null means "select on the device". */
  sessionIds: string[] | null;
  status: TargetStatus;
  killed: string[];
  notFound: string[];
  failed: string[];
  /**
   * Write-ahead record: every session id a delete was sent for on this device, written before the delete leaves the
   * node. A resumed task counts those that are gone as killed.
   */
  attempted: string[];
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  updatedAt: number;
}

/** What a kill did to one session: the per-session outcomes of a task's device. */
export type SessionOutcome = 'killed' | 'not_found' | 'failed';

export interface AuditEvent {
  id?: number;
  at: number;
  actor: string;
  address: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

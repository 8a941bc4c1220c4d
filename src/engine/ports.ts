// The parts of the storage port each engine class uses: every class is handed the narrowest store it needs, so
// what a class can touch is visible in its constructor.
import type {
  AuditStore,
  ConfigStore,
  DeviceStore,
  LoginSessionStore,
  SessionStore,
  SettingStore,
  SyncLeaseStore,
  TargetLeaseStore,
  TaskStore,
  TokenStore,
  UserStore,
} from '../store/store.js';

/** Ending tasks (TaskConclusion). */
export type ConclusionStore = Pick<TaskStore, 'findTaskById' | 'listTargets' | 'transitionTask'> &
  Pick<TargetLeaseStore, 'countPendingTargets'> &
  Pick<AuditStore, 'appendAudit'>;

/** The device side of kill tasks (TargetWorker and what it writes ahead). */
export type TargetWorkStore = ConclusionStore &
  Pick<TargetLeaseStore, 'claimTargets' | 'renewTargetLeases' | 'releaseTargetLeases' | 'recordKillAttempts'> &
  Pick<TaskStore, 'recordOutcomes'> &
  Pick<DeviceStore, 'listDevices'> &
  Pick<SessionStore, 'listSessions'>;

/** The task side of kill tasks (TaskRunner). */
export type TaskRunStore = TargetWorkStore &
  Pick<TaskStore, 'claimTask' | 'renewLease' | 'releaseLease' | 'releaseLeasesOf' | 'insertTargets'> &
  Pick<TargetLeaseStore, 'cancelUnleasedTargets'> &
  Pick<DeviceStore, 'listClusters' | 'listAccessGroups'>;

/** Inventory sync. */
export type SyncStore = Pick<SyncLeaseStore, 'claimSyncDevices' | 'handOffSyncDevices' | 'releaseSyncLeases'> &
  Pick<SessionStore, 'replaceDeviceSessions'> &
  Pick<DeviceStore, 'updateDeviceHealth'>;

/** Password logins (lockout, rehash, audit). */
export type PasswordLoginStore = Pick<UserStore, 'findUserByName' | 'replacePasswordHash'> &
  Pick<AuditStore, 'appendAudit'>;

/** Accounts, privileges and BIG-IQ tokens (AuthService). */
export type AuthStore = PasswordLoginStore &
  UserStore &
  TokenStore &
  Pick<ConfigStore, 'configRevision' | 'listAaaGroups' | 'listAcls'>;

/** Cookie login sessions. */
export type LoginSessionsStore = LoginSessionStore & SettingStore & Pick<AuditStore, 'appendAudit'>;

/** Warming device connections (the HA role it reads is recorded). */
export type WarmStore = Pick<DeviceStore, 'listDevices' | 'updateDeviceHealth'>;

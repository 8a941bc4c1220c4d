// The configuration part of the storage port: AAA objects, password objects, and configuration transactions with their
// commit log (used by src/engine/config). store.ts re-exports it with the rest of the port.
import type { AccessGroup, AuditEvent, Cluster, Device } from '../core/model.js';
import type { UserRecord } from './account-port.js';

/** A local user group: members are user keys. */
export interface GroupRecord {
  key: string;
  name: string;
  members: string[];
}

/** An ACL entry as stored (the list order is kept). */
export interface AclRecord {
  group: string;
  objects: string[];
  permission: 'read' | 'write';
}

/** A one-use password object: the sealed secret is wiped once an object consumes it. */
export interface PasswordRecord {
  key: string;
  createdAt: number;
  /** Path of the object that uses it (a user or device); null while unused. */
  usedBy: string | null;
}

/** The committed configuration, read in one go (overlay base for transactions, validation at commit). */
export interface ConfigSnapshot {
  /** Revision of the last commit (0 before the first). */
  revision: number;
  users: (UserRecord & { key: string })[];
  groups: GroupRecord[];
  acls: AclRecord[];
  devices: Device[];
  /** Login names of the device credentials, by device id (passwords stay sealed). */
  deviceUsernames: Map<string, string>;
  clusters: Cluster[];
  accessGroups: AccessGroup[];
  /** Keys of the password objects in use, by the path of the object that uses each. */
  passwordByPath: Map<string, string>;
}

export interface ConfigChange {
  type: 'create' | 'replace' | 'delete';
  path: string;
  old_value: unknown;
  new_value: unknown;
}

/** A configuration transaction: one per login session, pending changes in order over a base revision. */
export interface ConfigTransactionRecord {
  loginId: string;
  userName: string;
  address: string;
  baseRevision: number;
  changes: ConfigChange[];
  /** Bumped on every save; saves and the commit check it (optimistic concurrency). */
  version: number;
  openedAt: number;
  updatedAt: number;
}

export interface ConfigCommitRecord {
  revision: number;
  at: number;
  actor: string;
  address: string;
  message: string | null;
  paths: string[];
}

/** One write of a commit to the domain tables, applied in list order inside one database transaction. */
export type ConfigOp =
  | { op: 'putCluster'; cluster: Cluster }
  | { op: 'deleteCluster'; name: string }
  | { op: 'putAccessGroup'; group: AccessGroup }
  | { op: 'deleteAccessGroup'; name: string }
  | { op: 'insertUser'; user: UserRecord & { key: string } }
  | { op: 'setUserPassword'; key: string; passwordHash: string; at: number }
  | { op: 'deleteUser'; key: string }
  | { op: 'putGroup'; group: GroupRecord }
  | { op: 'deleteGroup'; key: string }
  | { op: 'replaceAcls'; acls: AclRecord[] }
  | { op: 'putCredential'; ref: string; username: string; password?: string }
  | { op: 'deleteCredential'; ref: string }
  | { op: 'insertDevice'; device: Device }
  | { op: 'updateDevice'; device: Device }
  | { op: 'deleteDevice'; id: string }
  | { op: 'consumePassword'; key: string; usedBy: string }
  | { op: 'deletePassword'; key: string };

/** The fleet's part of ConfigOp: what the CLI and the lab write outside a configuration transaction. */
export type FleetOp = Extract<
  ConfigOp,
  {
    op:
      | 'putCluster'
      | 'deleteCluster'
      | 'putAccessGroup'
      | 'deleteAccessGroup'
      | 'putCredential'
      | 'deleteCredential'
      | 'insertDevice'
      | 'updateDevice'
      | 'deleteDevice';
  }
>;

/**
 * Fleet changes made directly (CLI, lab): applied like a commit's — same writes, one database transaction, a new
 * revision and a commit record with the paths (so open configuration transactions see the conflict), and the audit.
 */
export interface FleetWrite {
  ops: FleetOp[];
  paths: string[];
  at: number;
  actor: string;
  address: string;
  message: string;
  audit: AuditEvent[];
}

export interface ConfigCommitRequest {
  /** The revision the commit was validated against; the commit is refused ('stale') if another landed since. */
  expectedRevision: number;
  loginId: string;
  /** The transaction version the commit was built from; 'stale' if it changed since. */
  expectedVersion: number;
  at: number;
  actor: string;
  address: string;
  message: string | null;
  paths: string[];
  ops: ConfigOp[];
}

export interface ConfigStore {
  loadConfiguration(): Promise<ConfigSnapshot>;
  /** Revision of the last commit (0 before the first): one small read, for caches of what commits change. */
  configRevision(): Promise<number>;
  /** Commits after `revision`, oldest first. */
  listConfigCommits(afterRevision: number): Promise<ConfigCommitRecord[]>;
  /**
   * Applies the ops, records the commit and deletes the transaction, all in one database transaction. Returns the new
   * revision, or 'stale' (nothing written) when the revision or the transaction version moved in the meantime.
   */
  commitConfiguration(request: ConfigCommitRequest): Promise<number | 'stale'>;
  /**
   * Applies direct fleet changes (see FleetWrite); returns the new revision. Throws DomainError conflict when an id or
   * hostname is taken (nothing written).
   */
  writeFleet(write: FleetWrite): Promise<number>;
  /** Stores a password object, its secret sealed. */
  insertPasswordObject(key: string, plain: string, createdAt: number): Promise<void>;
  findPasswordObject(key: string): Promise<PasswordRecord | undefined>;
  /** The secret of an unused password object (for a commit); undefined when missing or already consumed. */
  revealPasswordObject(key: string): Promise<string | undefined>;
  listAaaGroups(): Promise<GroupRecord[]>;
  listAcls(): Promise<AclRecord[]>;
  findConfigTransaction(loginId: string): Promise<ConfigTransactionRecord | undefined>;
  /** Returns false when the login session already has one. */
  insertConfigTransaction(record: ConfigTransactionRecord): Promise<boolean>;
  /** Replaces the changes when the version still matches (and bumps it); false otherwise. */
  saveConfigTransaction(
    loginId: string,
    changes: ConfigChange[],
    expectedVersion: number,
    updatedAt: number,
  ): Promise<boolean>;
  /** Deletes the transactions of these login sessions; returns what was deleted. */
  deleteConfigTransactions(loginIds: readonly string[]): Promise<ConfigTransactionRecord[]>;
  /** Open transactions whose login session is still live at `now` (those of ended sessions are purged first). */
  listLiveConfigTransactions(now: number): Promise<ConfigTransactionRecord[]>;
}

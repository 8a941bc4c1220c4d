// Table shapes as Kysely sees them. Booleans are stored as 0/1 and times as epoch ms (bigint) on every dialect.
import type { Generated } from 'kysely';

export interface DeviceTable {
  id: string;
  hostname: string;
  address: string;
  port: number;
  kind: string;
  credential_ref: string | null;
  verify_tls: number;
  cluster: string | null;
  access_group: string | null;
  state: string;
  failover: string;
  last_sync_at: number | null;
  last_error: string | null;
  /** Node polling this device in inventory sync, until `sync_lease_until` (epoch ms); migration 0007. */
  sync_lease_owner?: string | null;
  sync_lease_until?: number | null;
  /** Digest of the listing the device's session rows match (migration 0014); null after any other change to them. */
  listing_hash?: string | null;
}

export interface NamedTable {
  name: string;
  description: string;
}

export interface CredentialTable {
  ref: string;
  username: string;
  sealed_password: string;
}

export interface SessionTable {
  device_id: string;
  session_id: string;
  user_name: string;
  client_ip: string;
  started_at: number;
  protocol: string;
  last_seen_at: number;
  /** Migration 0005: null while active. */
  ended_at: number | null;
  /** `closed` or `killed`; null while active. */
  end_reason: string | null;
}

export interface TaskTable {
  id: string;
  action: string;
  selector: string;
  status: string;
  step: string;
  result: string;
  error_message: string | null;
  requested_by: string;
  requested_from: string;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  generation: number;
  updated_micros: number;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface TaskTargetTable {
  task_id: string;
  device_id: string;
  session_ids: string | null;
  status: string;
  killed: string;
  not_found: string;
  failed: string;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  updated_at: number;
  /** Migration 0006: the node working this device, and until when (epoch ms); null when unclaimed. */
  lease_owner?: string | null;
  lease_until?: number | null;
  /** Migration 0008: JSON array of the session ids deletes were sent for (written before they are sent). */
  attempted?: string | null;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  actor: string;
  address: string;
  action: string;
  subject: string;
  details: string;
}

export interface UserTable {
  name: string;
  password_hash: string;
  created_at: number;
  /** SPS object key (migration 0004); null only for rows written by code that predates it. */
  key: string | null;
  password_changed_at: number | null;
}

/** Configuration (migration 0004): local groups, ACLs, password objects, transactions and the commit log. */
export interface AaaGroupTable {
  key: string;
  name: string;
  /** JSON array of user keys. */
  members: string;
}

export interface AaaAclTable {
  position: number;
  group_name: string;
  /** JSON array of object paths. */
  objects: string;
  permission: string;
}

export interface PasswordObjectTable {
  key: string;
  /** Sealed secret; null once consumed. */
  sealed: string | null;
  created_at: number;
  used_by: string | null;
}

export interface ConfigTransactionTable {
  login_id: string;
  user_name: string;
  address: string;
  base_revision: number;
  /** JSON array of changes. */
  changes: string;
  version: number;
  opened_at: number;
  updated_at: number;
}

export interface ConfigCommitTable {
  revision: number;
  at: number;
  actor: string;
  address: string;
  message: string | null;
  /** JSON array of the changed paths. */
  paths: string;
}

/** One row (id 1): the current configuration revision; commits bump it first, which serialises them. */
export interface ConfigRevisionTable {
  id: number;
  revision: number;
}

export interface TokenTable {
  /** SHA-256 of the token value (hex); the value itself is never stored. */
  id: string;
  kind: string;
  user_name: string;
  provider: string;
  address: string;
  created_at: number;
  updated_at: number;
  expires_at: number;
  timeout_sec: number;
  generation: number;
}

export interface SettingTable {
  key: string;
  value: string;
}

/** One row (id 1), migration 0010: see inventory-generation.ts. */
export interface InventoryGenerationTable {
  id: number;
  generation: number;
}

export interface LoginSessionTable {
  id: string;
  user_name: string;
  grants: string;
  address: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** A node taking part in inventory sync: its last round, and until when it counts as live; migration 0009. */
export interface SyncNodeTable {
  node_id: string;
  seen_at: number;
  live_until: number;
}

/** Migration 0011: see src/core/curfew.ts. */
export interface CurfewTable {
  id: string;
  /** JSON of CurfewWho. */
  who: string;
  /** JSON of CurfewWhere. */
  scope: string;
  until: number | null;
  reason: string;
  mode: string;
  set_by: string;
  set_from: string;
  created_at: number;
  updated_at: number;
  updated_by: string | null;
  state: string;
  ended_at: number | null;
  ended_by: string | null;
  violations: number;
  generation: number;
}

/** Migration 0011: one row per device, whatever the curfews. */
export interface CurfewPreventionTable {
  device_id: string;
  status: string;
  records_hash: string | null;
  records_text: string | null;
  checked_at: number;
  message: string | null;
}

/** Migration 0012: sessions a curfew caught. */
export interface CurfewViolationTable {
  curfew_id: string;
  device_id: string;
  session_id: string;
  user_name: string;
  client_ip: string;
  action: string;
  task_id: string | null;
  seen_at: number;
}

export interface Database {
  devices: DeviceTable;
  clusters: NamedTable;
  access_groups: NamedTable;
  credentials: CredentialTable;
  sessions: SessionTable;
  tasks: TaskTable;
  task_targets: TaskTargetTable;
  audit_events: AuditTable;
  users: UserTable;
  auth_tokens: TokenTable;
  settings: SettingTable;
  inventory_generation: InventoryGenerationTable;
  login_sessions: LoginSessionTable;
  aaa_groups: AaaGroupTable;
  aaa_acls: AaaAclTable;
  password_objects: PasswordObjectTable;
  config_transactions: ConfigTransactionTable;
  config_commits: ConfigCommitTable;
  config_revision: ConfigRevisionTable;
  sync_nodes: SyncNodeTable;
  curfews: CurfewTable;
  curfew_prevention: CurfewPreventionTable;
  curfew_violations: CurfewViolationTable;
}

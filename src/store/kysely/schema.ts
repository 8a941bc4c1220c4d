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

export interface LoginSessionTable {
  id: string;
  user_name: string;
  grants: string;
  address: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
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
  login_sessions: LoginSessionTable;
}

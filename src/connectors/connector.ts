// The port every device driver implements. The engine only ever talks to devices through it.
import type { DeviceKind, FailoverState } from '../core/model.js';

export type ConnectorErrorCode = 'unreachable' | 'auth_failed' | 'timeout' | 'device_error';

/** A failure talking to a device. `transient` errors are worth retrying with backoff. */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly status: number | undefined;

  constructor(code: ConnectorErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.status = options.status;
  }

  get transient(): boolean {
    if (this.code === 'unreachable' || this.code === 'timeout') return true;
    return this.code === 'device_error' && (this.status === undefined || this.status >= 500 || this.status === 429);
  }
}

/** A session as the device lists it. */
export interface DeviceSession {
  sessionId: string;
  user: string;
  clientIp: string;
  protocol: string;
  /** Epoch ms when the device reports a start time. */
  startedAt?: number;
}

export interface DeviceHealth {
  failover: FailoverState;
  /** Free-form facts worth showing (version, hostname as the device reports it). */
  details: Record<string, string>;
}

/** Result of the delete calls on one device; what the device claims, not yet verified. */
export interface DeleteReport {
  /** Ids whose delete call the device accepted. */
  accepted: string[];
  /** Ids the device said it does not have. */
  missing: string[];
  /** Ids whose delete call failed, with the reason. */
  errors: { sessionId: string; message: string }[];
}

export interface DenyRecord {
  name: string;
  data: string;
}

/** A device-side list of user names an access policy refuses (BIG-IP internal string data group). */
export interface DenyList {
  /** The records, or null when the list does not exist on the device. */
  read(path: string): Promise<DenyRecord[] | null>;
  /**
   * Makes the list exactly `records` (creating it if missing, replacing the whole list otherwise), then reads it back;
   * returns what the device holds afterwards.
   */
  write(path: string, records: readonly DenyRecord[]): Promise<DenyRecord[]>;
}

export interface DeviceConnection {
  readonly kind: DeviceKind;
  listSessions(): Promise<DeviceSession[]>;
  /** Deletes the given sessions with bounded per-device concurrency. Never throws for a single session's failure. */
  killSessions(sessionIds: readonly string[]): Promise<DeleteReport>;
  health(): Promise<DeviceHealth>;
  /** Present where an access policy can refuse users by name (BIG-IP); SPS has no login block over its API. */
  readonly denyList?: DenyList;
  /** Releases device-side resources (e.g. deletes the login token) and pooled connections. */
  close(): Promise<void>;
}

export interface DeviceEndpoint {
  id: string;
  address: string;
  port: number;
  verifyTls: boolean;
  username: string;
  password: string;
}

export interface ConnectorOptions {
  /** Per-request timeout in ms. */
  timeoutMs: number;
  /** Maximum concurrent requests per device. */
  perDeviceConcurrency: number;
}

export interface Connector {
  readonly kind: DeviceKind;
  connect(endpoint: DeviceEndpoint, options: ConnectorOptions): DeviceConnection;
}

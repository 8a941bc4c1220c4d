// State of one emulated SPS appliance: its audit log of recorded sessions, REST login sessions, faults and counters.
import { randomBytes } from 'node:crypto';
import { FaultInjector } from '../bigip/faults.js';

/** What a request did, for counters (the health read, `GET /api/info`, counts as `other`). */
export type SpsRequestKind = 'login' | 'list' | 'delete' | 'other';
export type SpsCounters = Record<SpsRequestKind, number>;

export function emptySpsCounters(): SpsCounters {
  return { login: 0, list: 0, delete: 0, other: 0 };
}

export type SpsProtocol = 'SSH' | 'RDP';
/**
 * `ACCEPT` for a session that was let through; `TERMINATED` once an admin ended it (syslog wording,
 * docs/compat/sps.md §6.1).
 */
export type SpsVerdict = 'ACCEPT' | 'TERMINATED';

/** One recorded session. SPS keeps it in the audit log after it ends, with `active: false` and an end time. */
export interface RecordedSession {
  /** 22-character base58-like id; the key under `/api/audit/sessions/`. */
  key: string;
  /** `svc/<key>/<connection policy>:<n>`, the id `DELETE /api/active-sessions` takes. */
  sessionId: string;
  gatewayUser: string;
  serverUser: string;
  clientIp: string;
  clientPort: number;
  protocol: SpsProtocol;
  connectionPolicy: string;
  targetIp: string;
  targetPort: number;
  startMs: number;
  endMs: number | null;
  verdict: SpsVerdict;
}

/** Without `sessionId`, the appliance numbers the session within its connection policy. */
export type NewRecord = Omit<RecordedSession, 'sessionId' | 'endMs' | 'verdict'> & { sessionId?: string };

/** Every session the appliance recorded, active and closed, in recording order. */
export class AuditLog {
  private readonly byKey = new Map<string, RecordedSession>();
  private readonly bySessionId = new Map<string, RecordedSession>();
  /** Per connection policy, the `<n>` of the next session id. */
  private readonly policyCounters = new Map<string, number>();

  hasKey(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Records a new, active session; refuses a key already in use. */
  record(input: NewRecord): RecordedSession {
    if (this.byKey.has(input.key)) throw new Error(`session key ${input.key} already exists`);
    if (input.sessionId !== undefined && this.bySessionId.has(input.sessionId)) {
      throw new Error(`session ${input.sessionId} already exists`);
    }
    const n = this.policyCounters.get(input.connectionPolicy) ?? 1;
    this.policyCounters.set(input.connectionPolicy, n + 1);
    const sessionId = input.sessionId ?? `svc/${input.key}/${input.connectionPolicy}:${n}`;
    const record: RecordedSession = { ...input, sessionId, endMs: null, verdict: 'ACCEPT' };
    this.byKey.set(record.key, record);
    this.bySessionId.set(sessionId, record);
    return record;
  }

  findByKey(key: string): RecordedSession | undefined {
    return this.byKey.get(key);
  }

  findBySessionId(sessionId: string): RecordedSession | undefined {
    return this.bySessionId.get(sessionId);
  }

  end(record: RecordedSession, atMs: number, verdict: SpsVerdict): void {
    record.endMs = atMs;
    record.verdict = verdict;
  }

  all(): IterableIterator<RecordedSession> {
    return this.byKey.values();
  }

  active(): RecordedSession[] {
    return [...this.byKey.values()].filter((record) => record.endMs === null);
  }
}

/** REST login sessions (`session_id` cookies) with the sliding idle timeout of docs/compat/sps.md §1.4. */
export class LoginSessions {
  private readonly expiresAt = new Map<string, number>();

  constructor(private readonly idleMs: number) {}

  /** A new login: 40 lower-case hex characters, like the documented examples. */
  issue(): { id: string; expiresAtMs: number } {
    this.prune();
    const id = randomBytes(20).toString('hex');
    const expiresAtMs = Date.now() + this.idleMs;
    this.expiresAt.set(id, expiresAtMs);
    return { id, expiresAtMs };
  }

  /** True when the login is live; each use restarts its idle timer. */
  touch(id: string): boolean {
    const expiresAtMs = this.expiresAt.get(id);
    if (expiresAtMs === undefined) return false;
    const now = Date.now();
    if (expiresAtMs <= now) {
      this.expiresAt.delete(id);
      return false;
    }
    this.expiresAt.set(id, now + this.idleMs);
    return true;
  }

  live(): number {
    this.prune();
    return this.expiresAt.size;
  }

  revokeAll(): void {
    this.expiresAt.clear();
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, expiresAtMs] of this.expiresAt) if (expiresAtMs <= now) this.expiresAt.delete(id);
  }
}

export interface SpsDeviceIdentity {
  /** UUID curfew knows the appliance by; also its `node_id` in session bodies. */
  id: string;
  hostname: string;
  accessGroup: string | null;
}

export class SpsDevice {
  readonly audit = new AuditLog();
  readonly logins: LoginSessions;
  readonly faults: FaultInjector;
  counters: SpsCounters = emptySpsCounters();
  latencyMs = 0;
  port = 0;

  constructor(
    readonly identity: SpsDeviceIdentity,
    loginIdleSec: number,
    faultSeed: number,
  ) {
    this.logins = new LoginSessions(loginIdleSec * 1000);
    this.faults = new FaultInjector(faultSeed);
  }

  count(kind: SpsRequestKind): void {
    this.counters[kind] += 1;
  }
}

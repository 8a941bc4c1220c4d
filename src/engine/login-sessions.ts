// Cookie login sessions (the SPS `session_id` model): a 40-hex value the client keeps, a SHA-256 of it in the store,
// a sliding idle timeout and an absolute lifetime. A session says who is logged in; what they may do is looked up on
// every request (AuthService.principalOf), so a revoked privilege does not live on in a session.

import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Principal } from '../core/access.js';
import type { LoginSessionRecord } from '../store/store.js';
import type { LoginSessionsStore } from './ports.js';

export interface LoginSessionOptions {
  /** Idle timeout, slid on every request (SPS default 600 s). */
  idleTimeoutSec: number;
  /** Absolute lifetime from login, however busy the session: a stolen cookie or a Basic session does not live on. */
  maxAgeSec: number;
}

export const DEFAULT_LOGIN_SESSION_OPTIONS: Readonly<LoginSessionOptions> = Object.freeze({
  idleTimeoutSec: 600,
  maxAgeSec: 43_200,
});

export interface OpenedLoginSession {
  /** The cookie value (only known to the client and to this call). */
  value: string;
  record: LoginSessionRecord;
}

export type LoginSessionResolution = { record: LoginSessionRecord } | { error: 'expired' | 'unknown' };

const hashId = (value: string): string => createHash('sha256').update(value).digest('hex');
const SESSION_VALUE = /^[0-9a-f]{40}$/;
const PURGE_EVERY_MS = 60_000;
const TOUCH_EVERY_MS = 5_000;
/**
 * A session read is kept this long (as AuthService keeps access tokens): an end through this node takes effect at once,
 * one through another node (logout, password change) within this time. Privileges are not kept: every request still
 * asks AuthService.principalOf.
 */
const RESOLVED_TTL_MS = 2_000;
const RESOLVED_MAX = 10_000;
const BASIC_SECRET_SETTING = 'login_sessions.basic_secret';

export class LoginSessions {
  readonly #store: LoginSessionsStore;
  readonly #options: LoginSessionOptions;
  readonly #now: () => number;
  readonly #onEnded: (ids: string[]) => Promise<void>;
  #basicSecret: Promise<Buffer> | undefined;
  #lastPurgeAt = Number.NEGATIVE_INFINITY;
  readonly #resolved = new Map<string, { record: LoginSessionRecord; until: number }>();
  /** Moves whenever this node ends sessions: a read that started before is not kept. */
  #endings = 0;

  /** `onEnded` hears of sessions that expired or were ended, so what hangs off them (transactions) can go too. */
  constructor(
    store: LoginSessionsStore,
    options: LoginSessionOptions,
    onEnded: (ids: string[]) => Promise<void> = async () => {},
    now = Date.now,
  ) {
    this.#store = store;
    this.#options = options;
    this.#onEnded = onEnded;
    this.#now = now;
  }

  get idleTimeoutSec(): number {
    return this.#options.idleTimeoutSec;
  }

  get maxAgeSec(): number {
    return this.#options.maxAgeSec;
  }

  /** The idle expiry as of `now`, never past the absolute end of a session created at `createdAt`. */
  #expiryAt(createdAt: number, now: number): number {
    return Math.min(now + this.#options.idleTimeoutSec * 1000, createdAt + this.#options.maxAgeSec * 1000);
  }

  async open(
    principal: Principal,
    address: string,
    value: string = randomBytes(20).toString('hex'),
  ): Promise<OpenedLoginSession> {
    await this.#purgeExpired();
    const now = this.#now();
    const record: LoginSessionRecord = {
      id: hashId(value),
      userName: principal.name,
      grants: [...principal.grants.entries()],
      address,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: this.#expiryAt(now, now),
    };
    await this.#store.insertLoginSession(record);
    return { value, record };
  }

  /** The session behind a cookie value, slid forward; expired and unknown values are told apart for the error text. */
  async resolve(value: string): Promise<LoginSessionResolution> {
    if (!SESSION_VALUE.test(value)) return { error: 'unknown' };
    const record = await this.#read(hashId(value));
    if (!record) return { error: 'unknown' };
    const now = this.#now();
    // The maximum age is checked as well as the stored expiry: it also ends sessions opened under a longer setting.
    if (record.expiresAt <= now || record.createdAt + this.#options.maxAgeSec * 1000 <= now) {
      await this.end(record.id);
      return { error: 'expired' };
    }
    // Sliding the expiry is a write: done at most every TOUCH_EVERY_MS, which the idle timeout cannot notice.
    if (now - record.lastSeenAt < TOUCH_EVERY_MS) return { record };
    const expiresAt = this.#expiryAt(record.createdAt, now);
    const endings = this.#endings;
    await this.#store.touchLoginSession(record.id, now, expiresAt);
    const touched = { ...record, lastSeenAt: now, expiresAt };
    if (endings === this.#endings && this.#resolved.has(record.id)) this.#keep(touched, now);
    return { record: touched };
  }

  /** The stored session, from the short-lived copy when there is one. */
  async #read(id: string): Promise<LoginSessionRecord | undefined> {
    const now = this.#now();
    const kept = this.#resolved.get(id);
    if (kept && kept.until > now) return kept.record;
    const endings = this.#endings;
    const record = await this.#store.findLoginSession(id);
    if (record && endings === this.#endings) this.#keep(record, now);
    else this.#resolved.delete(id);
    return record;
  }

  #keep(record: LoginSessionRecord, now: number): void {
    if (this.#resolved.size >= RESOLVED_MAX && !this.#resolved.has(record.id)) this.#resolved.clear();
    this.#resolved.set(record.id, { record, until: Math.min(now + RESOLVED_TTL_MS, record.expiresAt) });
  }

  /** Sessions ended through this node are never answered from memory again. */
  #forget(ids: readonly string[]): void {
    this.#endings++;
    for (const id of ids) this.#resolved.delete(id);
  }

  /**
   * The stable session value of a client that sends HTTP Basic on every request and keeps no cookie: derived (HMAC)
   * from the credentials and address, so its requests share one login session and one transaction.
   */
  async basicSessionValue(authorization: string, address: string): Promise<string> {
    this.#basicSecret ??= this.#loadBasicSecret();
    return createHmac('sha256', await this.#basicSecret)
      .update(`${authorization}\u0000${address}`)
      .digest('hex')
      .slice(0, 40);
  }

  async end(id: string): Promise<void> {
    const deleted = await this.#store.deleteLoginSession(id);
    this.#forget([id]);
    if (deleted) await this.#onEnded([id]);
  }

  /** A session by its id, as stored (expired ones too: callers compare `expiresAt`); undefined when gone. */
  find(id: string): Promise<LoginSessionRecord | undefined> {
    return this.#store.findLoginSession(id);
  }

  /** A user logging out: the session ends, and the audit trail says who and from where. */
  async signOut(record: LoginSessionRecord, address: string): Promise<void> {
    await this.end(record.id);
    await this.#store.appendAudit({
      at: this.#now(),
      actor: record.userName,
      address,
      action: 'auth.logout',
      subject: 'sps',
      details: {},
    });
  }

  /** Ends a user's sessions (password changed, user removed): privileges and credentials are checked afresh. */
  async endAllOf(userName: string): Promise<void> {
    const ids = await this.#store.deleteLoginSessionsOfUser(userName);
    this.#forget(ids);
    if (ids.length > 0) await this.#onEnded(ids);
  }

  remainingSec(record: LoginSessionRecord): number {
    return Math.max(0, Math.round((record.expiresAt - this.#now()) / 1000));
  }

  async #purgeExpired(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastPurgeAt < PURGE_EVERY_MS) return;
    this.#lastPurgeAt = now;
    const ids = await this.#store.purgeExpiredLoginSessions(now);
    this.#forget(ids);
    if (ids.length > 0) await this.#onEnded(ids);
  }

  async #loadBasicSecret(): Promise<Buffer> {
    const existing = await this.#store.getSetting(BASIC_SECRET_SETTING);
    if (existing) return Buffer.from(existing, 'base64');
    const secret = randomBytes(32);
    await this.#store.setSetting(BASIC_SECRET_SETTING, secret.toString('base64'));
    return secret;
  }
}

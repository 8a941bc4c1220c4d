// Local-user authentication and API tokens (the BIG-IQ login/exchange model: a short-lived access token plus a
// refresh token). Token values are 32 random bytes; the store keeps only their SHA-256, so any node of a deployment
// can check a presented token and a database leak yields nothing usable.
import { createHash, randomBytes } from 'node:crypto';
import { grantsFor, type Principal } from '../core/access.js';
import { DomainError } from '../core/errors.js';
import { verifyPassword as checkPassword, hashPassword } from '../core/passwords.js';
import type { Store, StoredToken, TokenKind, UserRecord } from '../store/store.js';

export interface AuthOptions {
  /** Access token lifetime (BIG-IQ: 300 s). */
  accessTokenTtlSec: number;
  /** Refresh token lifetime (BIG-IQ: 10 h); exchanging does not restart it. */
  refreshTokenTtlSec: number;
  /** Failed logins for one (user, address) that trigger a lockout. */
  maxFailedLogins: number;
  /** The window those failures are counted in, and how long the lockout lasts. */
  lockoutSec: number;
}

export const DEFAULT_AUTH_OPTIONS: Readonly<AuthOptions> = Object.freeze({
  accessTokenTtlSec: 300,
  refreshTokenTtlSec: 36_000,
  maxFailedLogins: 5,
  lockoutSec: 60,
});

/** Largest `timeout` a token PATCH may set (BIG-IP's limit). */
export const MAX_TOKEN_TIMEOUT_SEC = 36_000;

export interface IssuedToken {
  /** The secret the client presents; only returned when issued (or when the client presented it). */
  value: string;
  token: StoredToken;
}

export interface TokenPair {
  access: IssuedToken;
  refresh: IssuedToken;
}

export type AccessTokenResolution = { principal: Principal; token: StoredToken } | { error: 'expired' | 'unknown' };

/** A user's identity without grants; `principalOf` adds what the ACLs grant. */
export function principalFor(user: UserRecord): Principal {
  return { name: user.name, isAdmin: user.name === 'admin', grants: new Map() };
}

/**
 * What a user may do as of now: `admin` everything; anyone else what the ACL entries of their local groups grant
 * (user → groups that list the user's key → ACL entries naming those groups). SPS login sessions fix this at login;
 * BIG-IQ tokens ask again on every request (docs/decisions/0005).
 */
async function principalWithGrants(store: Store, user: UserRecord): Promise<Principal> {
  const principal = principalFor(user);
  if (principal.isAdmin || !user.key) return principal;
  const key = user.key;
  const [groups, acls] = await Promise.all([store.listAaaGroups(), store.listAcls()]);
  const names = groups.filter((g) => g.members.includes(key)).map((g) => g.name);
  return { ...principal, grants: grantsFor(names, acls) };
}

const hashToken = (value: string): string => createHash('sha256').update(value).digest('hex');
const TOKEN_ID = /^[0-9a-f]{64}$/;
/** True for a token id (the hash shown in listings); token values are base64url of another length, never this. */
export const isTokenId = (ref: string): boolean => TOKEN_ID.test(ref);
// Recently expired tokens stay a while, so their holders get "expired" (which makes clients refresh) rather than
// "does not exist".
const EXPIRED_GRACE_MS = 15 * 60_000;
const PURGE_EVERY_MS = 60_000;
const RESOLVED_TTL_MS = 2_000;
const RESOLVED_MAX = 10_000;

export class AuthService {
  private readonly store: Store;
  private readonly options: AuthOptions;
  private readonly now: () => number;
  private readonly throttle: LoginThrottle;
  private dummyHash: Promise<string> | undefined;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  private readonly resolved = new Map<string, { resolution: AccessTokenResolution; until: number }>();

  /** `now` is injectable so tests can expire tokens and lockouts without waiting. */
  constructor(store: Store, options: AuthOptions, now: () => number = Date.now) {
    this.store = store;
    this.options = options;
    this.now = now;
    this.throttle = new LoginThrottle(options.maxFailedLogins, options.lockoutSec * 1000, now);
  }

  /** The user's principal when the password matches; undefined otherwise, and always while locked out. */
  async verifyPassword(name: string, password: string, address: string): Promise<Principal | undefined> {
    const key = `${name}\u0000${address}`;
    if (this.throttle.remainingMs(key) > 0) return undefined;
    const user = await this.store.findUserByName(name);
    // Unknown users cost one scrypt too, so response time does not reveal which names exist.
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await checkPassword(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !ok) {
      this.throttle.recordFailure(key);
      return undefined;
    }
    this.throttle.reset(key);
    return principalWithGrants(this.store, user);
  }

  /**
   * The principal of a user as of now, for a new login session or token: who they are and the privileges their
   * groups' ACLs grant. Undefined when the user does not exist.
   */
  async principalOf(name: string): Promise<Principal | undefined> {
    const user = await this.store.findUserByName(name);
    return user ? principalWithGrants(this.store, user) : undefined;
  }

  /** The lifetimes and lockout policy in force (AAA settings). */
  settings(): Readonly<AuthOptions> {
    return this.options;
  }

  /** Seconds until (user, address) may try again; 0 when not locked out. */
  lockoutRemainingSec(name: string, address: string): number {
    return Math.ceil(this.throttle.remainingMs(`${name}\u0000${address}`) / 1000);
  }

  async issueTokens(principal: Principal, provider: string, address: string): Promise<TokenPair> {
    await this.purgeExpired();
    const refresh = await this.issue('refresh', principal.name, provider, address, this.options.refreshTokenTtlSec);
    const access = await this.issue('access', principal.name, provider, address, this.options.accessTokenTtlSec);
    return { access, refresh };
  }

  /** A new access token for a valid refresh token, which is returned unchanged (its clock keeps running). */
  async exchange(refreshValue: string, address: string): Promise<TokenPair | undefined> {
    const refresh = await this.store.findTokenById(hashToken(refreshValue));
    if (refresh?.kind !== 'refresh' || refresh.expiresAt <= this.now()) return undefined;
    if (!(await this.store.findUserByName(refresh.userName))) return undefined;
    await this.purgeExpired();
    const ttl = this.options.accessTokenTtlSec;
    const access = await this.issue('access', refresh.userName, refresh.provider, address, ttl);
    return { access, refresh: { value: refreshValue, token: refresh } };
  }

  async resolveAccessToken(value: string): Promise<AccessTokenResolution> {
    const id = hashToken(value);
    const now = this.now();
    const cached = this.resolved.get(id);
    if (cached && cached.until > now) return cached.resolution;
    const token = await this.store.findTokenById(id);
    if (token?.kind !== 'access') return { error: 'unknown' };
    if (token.expiresAt <= now) return { error: 'expired' };
    const user = await this.store.findUserByName(token.userName);
    if (!user) return { error: 'unknown' };
    const resolution = { principal: await principalWithGrants(this.store, user), token };
    // Every API call carries the token: a short cache saves the token, user and ACL reads on the hot path. A
    // revocation here is immediate; one made on another node, or an ACL change, takes effect within RESOLVED_TTL_MS.
    if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear();
    this.resolved.set(id, { resolution, until: Math.min(now + RESOLVED_TTL_MS, token.expiresAt) });
    return resolution;
  }

  /**
   * A live token by its value or by its id (the hash shown in listings, which cannot be used to authenticate);
   * undefined when missing or expired.
   */
  async findToken(ref: string): Promise<StoredToken | undefined> {
    const token = await this.store.findTokenById(isTokenId(ref) ? ref : hashToken(ref));
    return token && token.expiresAt > this.now() ? token : undefined;
  }

  /** Live tokens, newest first; only `userName`'s when given. */
  listTokens(userName?: string): Promise<StoredToken[]> {
    return this.store.listTokens({ validAt: this.now(), ...(userName !== undefined && { userName }) });
  }

  /**
   * Sets an access token to expire `timeoutSec` from now (BIG-IP's PATCH `{"timeout": N}`). Refresh tokens keep
   * their fixed lifetime. Undefined when the token is missing or expired.
   */
  async setTokenTimeout(ref: string, timeoutSec: number): Promise<StoredToken | undefined> {
    if (!Number.isInteger(timeoutSec) || timeoutSec < 1 || timeoutSec > MAX_TOKEN_TIMEOUT_SEC) {
      throw new DomainError(
        'invalid',
        'TOKEN_TIMEOUT_INVALID',
        `timeout must be a whole number of seconds from 1 to ${MAX_TOKEN_TIMEOUT_SEC}.`,
      );
    }
    const token = await this.findToken(ref);
    if (!token) return undefined;
    this.resolved.delete(token.id);
    if (token.kind === 'refresh') {
      throw new DomainError('invalid', 'TOKEN_TIMEOUT_FIXED', 'The timeout of a refresh token cannot be changed.');
    }
    const now = this.now();
    return this.store.updateTokenExpiry(token.id, { expiresAt: now + timeoutSec * 1000, timeoutSec, updatedAt: now });
  }

  /** Revokes every token of a user (password changed, user deleted); returns how many. */
  /** Drops cached token resolutions (after a configuration commit that may change privileges). */
  forgetResolvedTokens(): void {
    this.resolved.clear();
  }

  async revokeTokensOf(userName: string): Promise<number> {
    const tokens = await this.store.listTokens({ validAt: 0, userName });
    for (const token of tokens) this.resolved.delete(token.id);
    for (const token of tokens) await this.store.deleteTokenById(token.id);
    return tokens.length;
  }

  /** Deletes the token; returns it as it was, undefined when missing or expired. */
  async revokeToken(ref: string): Promise<StoredToken | undefined> {
    const token = await this.findToken(ref);
    if (token) this.resolved.delete(token.id);
    return token && (await this.store.deleteTokenById(token.id)) ? token : undefined;
  }

  private async issue(
    kind: TokenKind,
    userName: string,
    provider: string,
    address: string,
    ttlSec: number,
  ): Promise<IssuedToken> {
    const value = randomBytes(32).toString('base64url');
    const now = this.now();
    const token: StoredToken = {
      id: hashToken(value),
      kind,
      userName,
      provider,
      address,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + ttlSec * 1000,
      timeoutSec: ttlSec,
      generation: 1,
    };
    await this.store.insertToken(token);
    return { value, token };
  }

  /** Lazy cleanup, at most once a minute per node, piggybacking on token issue. */
  private async purgeExpired(): Promise<void> {
    const now = this.now();
    if (now - this.lastPurgeAt < PURGE_EVERY_MS) return;
    this.lastPurgeAt = now;
    await this.store.purgeExpiredTokens(now - EXPIRED_GRACE_MS);
  }
}

interface ThrottleEntry {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/**
 * Failed logins per key, counted in a fixed window; `max` failures lock the key for one window. Kept in memory:
 * each node counts on its own, so n nodes allow up to n × max guesses per window, which still slows guessing to a
 * crawl. Bounded: past MAX_KEYS, stale entries are swept and then the oldest dropped.
 */
class LoginThrottle {
  private static readonly MAX_KEYS = 10_000;
  private readonly entries = new Map<string, ThrottleEntry>();
  private readonly max: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(max: number, windowMs: number, now: () => number) {
    this.max = max;
    this.windowMs = windowMs;
    this.now = now;
  }

  remainingMs(key: string): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  recordFailure(key: string): void {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry || entry.windowStart + this.windowMs <= now) {
      entry = { failures: 0, windowStart: now, lockedUntil: 0 };
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.bound(now);
    }
    entry.failures += 1;
    if (entry.failures >= this.max) entry.lockedUntil = now + this.windowMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private bound(now: number): void {
    if (this.entries.size <= LoginThrottle.MAX_KEYS) return;
    for (const [key, entry] of this.entries) {
      if (entry.windowStart + this.windowMs <= now && entry.lockedUntil <= now) this.entries.delete(key);
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= LoginThrottle.MAX_KEYS) break;
      this.entries.delete(key);
    }
  }
}

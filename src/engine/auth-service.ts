// Local-user authentication, privileges and API tokens (the BIG-IQ login/exchange model: a short-lived access token
// plus a refresh token). Token values are 32 random bytes; the store keeps only their SHA-256, so any node of a
// deployment can check a presented token and a database leak yields nothing usable.

import { createHash, randomBytes } from 'node:crypto';
import { grantsFor, type Principal } from '../core/access.js';
import { DomainError } from '../core/errors.js';
import type { StoredToken, TokenKind, UserRecord } from '../store/store.js';
import type { LoginLimits } from './login-throttle.js';
import { type LoginAttempt, type LoginRefusal, type LoginResult, PasswordLogins } from './password-login.js';
import type { AuthStore } from './ports.js';

export interface AuthOptions extends LoginLimits {
  /** Access token lifetime (BIG-IQ: 300 s). */
  accessTokenTtlSec: number;
  /** Refresh token lifetime (BIG-IQ: 10 h); exchanging does not restart it. */
  refreshTokenTtlSec: number;
}

export const DEFAULT_AUTH_OPTIONS: Readonly<AuthOptions> = Object.freeze({
  accessTokenTtlSec: 300,
  refreshTokenTtlSec: 36_000,
  maxFailedLogins: 5,
  lockoutSec: 300,
  maxFailedLoginsPerAddress: 20,
  addressThrottleSec: 60,
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
 * What a user may do: `admin` everything; anyone else what the ACL entries of their local groups grant (user → groups
 * that list the user's key → ACL entries naming those groups).
 */
async function principalWithGrants(store: AuthStore, user: UserRecord): Promise<Principal> {
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
const PRINCIPALS_MAX = 10_000;

export class AuthService {
  private readonly store: AuthStore;
  private readonly options: AuthOptions;
  private readonly now: () => number;
  private readonly logins: PasswordLogins;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  /** Access tokens recently read, by id: only the token record (privileges are looked up on every request). */
  private readonly resolved = new Map<string, { token: StoredToken; until: number }>();
  /** Principals by user name, each valid for one configuration revision. */
  private readonly principals = new Map<string, { revision: number; principal: Principal }>();

  /** `now` is injectable so tests can expire tokens and lockouts without waiting. */
  constructor(store: AuthStore, options: AuthOptions, now: () => number = Date.now) {
    this.store = store;
    this.options = options;
    this.now = now;
    this.logins = new PasswordLogins(store, options, (name) => this.principalOf(name), now);
  }

  /** Checks a password login (lockout, throttle, audit of failures): the principal, or why it was refused. */
  login(attempt: LoginAttempt): Promise<LoginResult> {
    return this.logins.login(attempt);
  }

  /**
   * A login at a login endpoint (not HTTP Basic on each request): as `login`, and a success is in the audit trail
   * (`auth.login`, subject the surface).
   */
  async signIn(attempt: LoginAttempt): Promise<LoginResult> {
    const result = await this.logins.login(attempt);
    if ('principal' in result) {
      await this.store.appendAudit({
        at: this.now(),
        actor: result.principal.name,
        address: attempt.address,
        action: 'auth.login',
        subject: attempt.surface,
        details: { ...attempt.details },
      });
    }
    return result;
  }

  /** Counts and audits a login refused before any password check (an unknown login provider). */
  refuseLogin(attempt: LoginAttempt): Promise<LoginRefusal> {
    return this.logins.refuse(attempt);
  }

  /**
   * The principal of a user as of the committed configuration: who they are and the privileges their groups' ACLs
   * grant; undefined when the user does not exist. Every authenticated request asks, whatever the credential, so a
   * revoked privilege stops at the next request. Groups and ACLs only change by commits, which bump the configuration
   * revision: one small read of it per request keeps the cache right on every node.
   */
  async principalOf(name: string): Promise<Principal | undefined> {
    // The revision is read before the user and ACLs: a commit in between makes the entry stale, never wrong.
    const revision = await this.store.configRevision();
    const cached = this.principals.get(name);
    if (cached?.revision === revision) return cached.principal;
    const user = await this.store.findUserByName(name);
    if (!user) {
      this.principals.delete(name);
      return undefined;
    }
    const principal = await principalWithGrants(this.store, user);
    if (this.principals.size >= PRINCIPALS_MAX) this.principals.clear();
    this.principals.set(name, { revision, principal });
    return principal;
  }

  /** The lifetimes and lockout policy in force (AAA settings). */
  settings(): Readonly<AuthOptions> {
    return this.options;
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
    const token = await this.liveAccessToken(hashToken(value));
    if (!token || token === 'expired') return { error: token ?? 'unknown' };
    const principal = await this.principalOf(token.userName);
    return principal ? { principal, token } : { error: 'unknown' };
  }

  /**
   * Every API call carries the token: a short cache of the token record saves a read on the hot path. A revocation
   * here is immediate; one made on another node takes effect within RESOLVED_TTL_MS. Privileges are not cached here.
   */
  private async liveAccessToken(id: string): Promise<StoredToken | 'expired' | undefined> {
    const now = this.now();
    const cached = this.resolved.get(id);
    if (cached && cached.until > now) return cached.token;
    const token = await this.store.findTokenById(id);
    if (token?.kind !== 'access') return undefined;
    if (token.expiresAt <= now) return 'expired';
    if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear();
    this.resolved.set(id, { token, until: Math.min(now + RESOLVED_TTL_MS, token.expiresAt) });
    return token;
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

// The accounts part of the storage port: the audit trail, local users, BIG-IQ tokens, settings and cookie login
// sessions. store.ts re-exports it with the rest of the port.
import type { AuditEvent } from '../core/model.js';

export interface AuditQuery {
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
}

export interface AuditStore {
  appendAudit(event: AuditEvent): Promise<void>;
  /** Newest first. */
  listAudit(query: AuditQuery): Promise<AuditEvent[]>;
}

export interface UserRecord {
  name: string;
  passwordHash: string;
  createdAt: number;
  /** SPS-style object key (22 lowercase hex); assigned on insert when not given, returned by every read. */
  key?: string;
  /** When the password was last set through the configuration API (epoch ms); null when never. */
  passwordChangedAt?: number | null;
}

export interface UserStore {
  findUserByName(name: string): Promise<UserRecord | undefined>;
  /** Inserts or replaces the user's password hash. */
  upsertUser(user: UserRecord): Promise<void>;
  /** Sets a new hash of the same password (a cost upgrade) unless the hash changed since `from` was read. */
  replacePasswordHash(name: string, from: string, to: string): Promise<boolean>;
}

export type TokenKind = 'access' | 'refresh';

/** An API token as stored: only a hash of its value, so a database leak yields no usable tokens. */
export interface StoredToken {
  /** SHA-256 of the token value, hex: the token's identity in the store and in listings. */
  id: string;
  kind: TokenKind;
  userName: string;
  /** Login provider the token was issued through (`local`, `tmos`). */
  provider: string;
  /** Client address at login. */
  address: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Lifetime in seconds as reported to clients (`token.timeout`). */
  timeoutSec: number;
  /** Starts at 1, bumped on every change. */
  generation: number;
}

export interface TokenQuery {
  /** Only tokens still valid at this time. */
  validAt: number;
  /** Only this user's tokens. */
  userName?: string;
}

export interface TokenExpiryUpdate {
  expiresAt: number;
  timeoutSec: number;
  updatedAt: number;
}

/** Tokens live in the store, not in memory, so every node of a deployment accepts every token. */
export interface TokenStore {
  /** Throws when the id is taken (a 256-bit random value makes that a bug, not a race). */
  insertToken(token: StoredToken): Promise<void>;
  /** Undefined when no token has that id; expired tokens are returned until purged. */
  findTokenById(id: string): Promise<StoredToken | undefined>;
  /** Newest first. */
  listTokens(query: TokenQuery): Promise<StoredToken[]>;
  /** Sets expiry and timeout and bumps generation; returns the token afterwards, undefined when missing. */
  updateTokenExpiry(id: string, update: TokenExpiryUpdate): Promise<StoredToken | undefined>;
  /** Returns false when the token did not exist. */
  deleteTokenById(id: string): Promise<boolean>;
  /** Deletes every token that expired before `before`; returns how many. */
  purgeExpiredTokens(before: number): Promise<number>;
}

export interface SettingStore {
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}

export interface LoginSessionRecord {
  /** SHA-256 (hex) of the cookie value; the value itself is never stored. */
  id: string;
  userName: string;
  /** Privileges at login: [object, permission] pairs (informational: requests check the privileges of now). */
  grants: [string, 'read' | 'write'][];
  address: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface LoginSessionStore {
  insertLoginSession(session: LoginSessionRecord): Promise<void>;
  /** Undefined when missing; expired sessions are returned (the caller decides what expiry means). */
  findLoginSession(id: string): Promise<LoginSessionRecord | undefined>;
  /** Slides the idle expiry; returns false when the session no longer exists. */
  touchLoginSession(id: string, lastSeenAt: number, expiresAt: number): Promise<boolean>;
  deleteLoginSession(id: string): Promise<boolean>;
  /** Ends every login session of a user (password changed, user deleted); returns the ended ids. */
  deleteLoginSessionsOfUser(userName: string): Promise<string[]>;
  /** Removes sessions that expired before `before`; returns their ids (their transactions die with them). */
  purgeExpiredLoginSessions(before: number): Promise<string[]>;
}

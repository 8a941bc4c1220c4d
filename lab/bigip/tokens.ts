// Login tokens of one emulated device, as `/mgmt/shared/authz/tokens` manages them.
import { randomBytes } from 'node:crypto';

export const DEFAULT_TOKEN_TIMEOUT_SEC = 1200;
/** BIG-IP refuses a PATCH above this (the documented maximum token lifetime). */
export const MAX_TOKEN_TIMEOUT_SEC = 36000;
/** Per-user cap on live tokens; BIG-IP ≥ 13.1 refuses logins past 100 ("maximum active login tokens") [unverified wording]. */
export const MAX_TOKENS_PER_USER = 100;

export interface TokenRecord {
  token: string;
  userName: string;
  timeoutSec: number;
  startMs: number;
  expiresAtMs: number;
  generation: number;
  lastUpdateMs: number;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 26 upper-case base32 characters, like real BIG-IP tokens. */
function newToken(): string {
  return Array.from(randomBytes(26), (byte) => BASE32[byte & 31]).join('');
}

export class TokenStore {
  private readonly byToken = new Map<string, TokenRecord>();

  /** A new token for `userName`, or null when the user already holds the maximum number of live tokens. */
  issue(userName: string): TokenRecord | null {
    const held = this.live().filter((record) => record.userName === userName).length;
    if (held >= MAX_TOKENS_PER_USER) return null;
    const now = Date.now();
    const record: TokenRecord = {
      token: newToken(),
      userName,
      timeoutSec: DEFAULT_TOKEN_TIMEOUT_SEC,
      startMs: now,
      expiresAtMs: now + DEFAULT_TOKEN_TIMEOUT_SEC * 1000,
      generation: 1,
      lastUpdateMs: now,
    };
    this.byToken.set(record.token, record);
    return record;
  }

  /** The live record for `token`; an expired one is forgotten and reads as absent. */
  find(token: string): TokenRecord | undefined {
    const record = this.byToken.get(token);
    if (record && record.expiresAtMs <= Date.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return record;
  }

  /** Sets a new lifetime counted from the token's start, as BIG-IP does. */
  setTimeout(token: string, timeoutSec: number): TokenRecord | undefined {
    const record = this.find(token);
    if (!record) return undefined;
    record.timeoutSec = timeoutSec;
    record.expiresAtMs = record.startMs + timeoutSec * 1000;
    record.generation += 1;
    record.lastUpdateMs = Date.now();
    return record;
  }

  revoke(token: string): TokenRecord | undefined {
    const record = this.find(token);
    if (record) this.byToken.delete(token);
    return record;
  }

  revokeAll(): void {
    this.byToken.clear();
  }

  live(): TokenRecord[] {
    const now = Date.now();
    for (const [token, record] of this.byToken) if (record.expiresAtMs <= now) this.byToken.delete(token);
    return [...this.byToken.values()];
  }
}

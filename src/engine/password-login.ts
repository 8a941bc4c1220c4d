// Password logins of local users, for both surfaces: lockout and throttle first, then one scrypt whether or not the
// user exists, then the audit trail. Failures are audited here rather than by the routes because what may be stored
// depends on the throttle: a throttled address's attempts are only counted, and summarized once its throttle ends.

import { createHmac, randomBytes } from 'node:crypto';
import type { Principal } from '../core/access.js';
import { truncate } from '../core/audit-bounds.js';
import { hashPassword, needsRehash, verifyPassword } from '../core/passwords.js';
import type { UserRecord } from '../store/store.js';
import { type LoginBlock, type LoginLimits, LoginThrottle } from './login-throttle.js';
import type { PasswordLoginStore } from './ports.js';

export interface LoginAttempt {
  name: string;
  password: string;
  address: string;
  /** The surface, as the audit events' subject: `sps` or `bigiq`. */
  surface: string;
  /** Extra audit details of a failure (e.g. the BIG-IQ login provider). */
  details?: Record<string, unknown>;
}

export type LoginRefusal = LoginBlock | { kind: 'credentials' };
export type LoginResult = { principal: Principal } | { refused: LoginRefusal };

/** What a refusal adds to the surface's "Authentication failed." message; empty for wrong credentials. */
export function refusalReason(refusal: LoginRefusal, name: string, address: string): string {
  if (refusal.kind === 'account') {
    return `Too many failed login attempts for user ${truncate(name)}; try again in ${refusal.retryAfterSec} seconds.`;
  }
  if (refusal.kind === 'address') {
    return `Too many failed login attempts from ${address}; try again in ${refusal.retryAfterSec} seconds.`;
  }
  return '';
}

// A client sending HTTP Basic on every request (BIG-IQ with --bigiq-basic-auth) would pay a full scrypt per request:
// credentials verified in the last minute are remembered by a keyed digest that includes the stored hash, so a
// password change or a deleted user invalidates them at once.
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 1_000;

export class PasswordLogins {
  readonly #store: PasswordLoginStore;
  readonly #limits: LoginLimits;
  readonly #principalOf: (name: string) => Promise<Principal | undefined>;
  readonly #now: () => number;
  readonly #throttle: LoginThrottle;
  // Unknown users cost one scrypt too (at the current cost), so response time does not tell which names exist.
  readonly #dummyHash: Promise<string>;
  readonly #verifiedKey = randomBytes(32);
  readonly #verified = new Map<string, number>();

  constructor(
    store: PasswordLoginStore,
    limits: LoginLimits,
    principalOf: (name: string) => Promise<Principal | undefined>,
    now: () => number,
  ) {
    this.#store = store;
    this.#limits = limits;
    this.#principalOf = principalOf;
    this.#now = now;
    this.#throttle = new LoginThrottle(limits, now);
    this.#dummyHash = hashPassword(randomBytes(16).toString('hex'));
  }

  async login(attempt: LoginAttempt): Promise<LoginResult> {
    await this.#reportEndedThrottles();
    const block = this.#throttle.check(attempt.name, attempt.address);
    // A throttled address is answered without a password check or an audit row: it is only counted.
    if (block?.kind === 'address') return { refused: block };
    if (block) return this.#fail(attempt, { locked: true });
    const user = await this.#store.findUserByName(attempt.name);
    const matches = await this.#matches(user, attempt.password);
    if (!user || !matches) return this.#fail(attempt);
    this.#throttle.recordSuccess(attempt.name);
    await this.#upgradeHash(user, attempt.password);
    const principal = await this.#principalOf(user.name);
    return principal ? { principal } : this.#fail(attempt);
  }

  /** A login refused before its password is looked at (e.g. an unknown BIG-IQ provider): counted and audited. */
  async refuse(attempt: LoginAttempt): Promise<LoginRefusal> {
    await this.#reportEndedThrottles();
    const block = this.#throttle.check(attempt.name, attempt.address);
    if (block?.kind === 'address') return block;
    const result = await this.#fail(attempt, block ? { locked: true } : {});
    return 'refused' in result ? result.refused : { kind: 'credentials' };
  }

  async #matches(user: UserRecord | undefined, password: string): Promise<boolean> {
    if (!user) {
      await verifyPassword(password, await this.#dummyHash);
      return false;
    }
    const key = createHmac('sha256', this.#verifiedKey)
      .update(`${user.name}\u0000${password}\u0000${user.passwordHash}`)
      .digest('base64');
    const now = this.#now();
    if ((this.#verified.get(key) ?? 0) > now) return true;
    if (!(await verifyPassword(password, user.passwordHash))) return false;
    if (this.#verified.size >= VERIFIED_MAX) this.#verified.clear();
    this.#verified.set(key, now + VERIFIED_TTL_MS);
    return true;
  }

  /** A hash made at a lower cost than today's is replaced, unless the password changed meanwhile. */
  async #upgradeHash(user: UserRecord, password: string): Promise<void> {
    if (!needsRehash(user.passwordHash)) return;
    await this.#store.replacePasswordHash(user.name, user.passwordHash, await hashPassword(password));
  }

  async #fail(attempt: LoginAttempt, extra: Record<string, unknown> = {}): Promise<{ refused: LoginRefusal }> {
    const { block, addressThrottled } = this.#throttle.recordFailure(attempt.name, attempt.address);
    const at = this.#now();
    const event = { at, actor: attempt.name, address: attempt.address, subject: attempt.surface };
    await this.#store.appendAudit({
      ...event,
      action: 'auth.login_failed',
      details: { ...attempt.details, ...extra },
    });
    if (addressThrottled) {
      await this.#store.appendAudit({
        ...event,
        action: 'auth.login_throttled',
        details: {
          failed_logins: this.#limits.maxFailedLoginsPerAddress,
          window_seconds: this.#limits.addressThrottleSec,
          until: new Date(at + this.#limits.addressThrottleSec * 1000).toISOString(),
        },
      });
    }
    return { refused: block ?? { kind: 'credentials' } };
  }

  /** One event per throttle that ended: how many attempts its address made meanwhile (refused unchecked). */
  async #reportEndedThrottles(): Promise<void> {
    for (const ended of this.#throttle.takeEnded()) {
      await this.#store.appendAudit({
        at: this.#now(),
        actor: 'curfew',
        address: ended.address,
        action: 'auth.login_throttle_ended',
        subject: 'auth',
        details: {
          refused: ended.refused,
          since: new Date(ended.since).toISOString(),
          until: new Date(ended.until).toISOString(),
        },
      });
    }
  }
}

// Limits on failed logins, kept in memory per node: an account is locked after a few failures from anywhere (so
// spreading guesses over addresses gains nothing), and an address is throttled after more failures across user names
// (so spraying many names from one place is slow, and a throttled address costs no password check and no audit row).
// Each node counts on its own: n nodes allow up to n times the limits.
import { createHash } from 'node:crypto';

export interface LoginLimits {
  /** Failed logins of one account, from any address, that lock it. */
  maxFailedLogins: number;
  /** The window those failures are counted in, and how long the lock lasts. */
  lockoutSec: number;
  /** Failed logins from one address, over any user names, that throttle it. */
  maxFailedLoginsPerAddress: number;
  /** The window those failures are counted in, and how long the address is refused. */
  addressThrottleSec: number;
}

/** Why a login was refused without its password being checked, and for how long more. */
export type LoginBlock = { kind: 'account' | 'address'; retryAfterSec: number };

/** An address that was throttled and whose throttle is over: what was refused meanwhile, for one audit event. */
export interface EndedThrottle {
  address: string;
  since: number;
  until: number;
  refused: number;
}

interface Entry {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

const MAX_KEYS = 10_000;

/**
 * Failures per key in a fixed window; `max` of them block the key for one window. Bounded: past MAX_KEYS, entries
 * whose window and block are over go first, then unblocked ones, then the oldest.
 */
class FailureCounter {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(max: number, windowMs: number, now: () => number) {
    this.#max = max;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  blockedMs(key: string): number {
    const entry = this.#entries.get(key);
    return entry ? Math.max(0, entry.blockedUntil - this.#now()) : 0;
  }

  /** Counts a failure; true when it is the one that blocks the key. */
  record(key: string): boolean {
    const now = this.#now();
    let entry = this.#entries.get(key);
    if (!entry || entry.windowStart + this.#windowMs <= now) {
      // A new window never lifts a block that is still running.
      entry = { failures: 0, windowStart: now, blockedUntil: entry?.blockedUntil ?? 0 };
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#bound(now);
    }
    entry.failures += 1;
    if (entry.failures < this.#max || entry.blockedUntil > now) return false;
    entry.blockedUntil = now + this.#windowMs;
    return true;
  }

  reset(key: string): void {
    this.#entries.delete(key);
  }

  #bound(now: number): void {
    if (this.#entries.size <= MAX_KEYS) return;
    const stale = (e: Entry) => e.windowStart + this.#windowMs <= now && e.blockedUntil <= now;
    for (const [key, entry] of this.#entries) if (stale(entry)) this.#entries.delete(key);
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= MAX_KEYS) return;
      if (entry.blockedUntil <= now) this.#entries.delete(key);
    }
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= MAX_KEYS) return;
      this.#entries.delete(key);
    }
  }
}

// User names arrive unbounded (up to a request body): accounts are counted by a fixed-size digest of the name.
const accountKey = (name: string): string => createHash('sha256').update(name).digest('base64');

export class LoginThrottle {
  readonly #accounts: FailureCounter;
  readonly #addresses: FailureCounter;
  readonly #throttled = new Map<string, { since: number; until: number; refused: number }>();
  readonly #now: () => number;

  constructor(limits: LoginLimits, now: () => number) {
    this.#accounts = new FailureCounter(limits.maxFailedLogins, limits.lockoutSec * 1000, now);
    this.#addresses = new FailureCounter(limits.maxFailedLoginsPerAddress, limits.addressThrottleSec * 1000, now);
    this.#now = now;
  }

  /** Why an attempt must be refused before its password is checked; undefined when it may be checked. */
  check(name: string, address: string): LoginBlock | undefined {
    const block = this.#blockOf(accountKey(name), address);
    const throttle = block?.kind === 'address' ? this.#throttled.get(address) : undefined;
    if (throttle) throttle.refused += 1;
    return block;
  }

  /**
   * Counts a failed attempt (wrong password, unknown user, or refused for a locked account) against the address, and
   * against the account unless it is locked already (a lock is not prolonged by attempts made during it). Returns the
   * block now in force, if any, and whether this failure started the address's throttle.
   */
  recordFailure(name: string, address: string): { block: LoginBlock | undefined; addressThrottled: boolean } {
    const account = accountKey(name);
    if (this.#accounts.blockedMs(account) === 0) this.#accounts.record(account);
    const addressThrottled = this.#addresses.record(address);
    if (addressThrottled) {
      const now = this.#now();
      if (this.#throttled.size >= MAX_KEYS) this.#throttled.clear();
      this.#throttled.set(address, { since: now, until: now + this.#addresses.blockedMs(address), refused: 0 });
    }
    return { block: this.#blockOf(account, address), addressThrottled };
  }

  /** The account's password was right: its failures are forgiven (the address's are not). */
  recordSuccess(name: string): void {
    this.#accounts.reset(accountKey(name));
  }

  /** A throttled address is answered as such even for a locked account: its attempts are counted, never audited. */
  #blockOf(account: string, address: string): LoginBlock | undefined {
    const addressMs = this.#addresses.blockedMs(address);
    if (addressMs > 0) return { kind: 'address', retryAfterSec: Math.ceil(addressMs / 1000) };
    const accountMs = this.#accounts.blockedMs(account);
    return accountMs > 0 ? { kind: 'account', retryAfterSec: Math.ceil(accountMs / 1000) } : undefined;
  }

  /** Throttles that are over, each returned once. */
  takeEnded(): EndedThrottle[] {
    const now = this.#now();
    const ended: EndedThrottle[] = [];
    for (const [address, throttle] of this.#throttled) {
      if (throttle.until > now) continue;
      this.#throttled.delete(address);
      ended.push({ address, ...throttle });
    }
    return ended;
  }
}

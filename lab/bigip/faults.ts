// Fault injection and request accounting for one emulated device.
import { type Random, seededRandom } from './synthetic.js';

/**
 * - `timeout`: the request is never answered.
 * - `http500`: every request gets a 500 with an iControl error body.
 * - `reset`: the TCP connection is destroyed without a response.
 * - `silent_nonkill`: `DELETE /mgmt/tm/apm/session/<id>` answers 200 but the session stays (the failure mode of
 *   docs/compat/bigip-device.md §4.1).
 * - `auth_fail`: every login and every credential is refused with 401.
 */
export type LabFault = 'none' | 'timeout' | 'http500' | 'reset' | 'silent_nonkill' | 'auth_fail';
export const LAB_FAULTS: readonly LabFault[] = ['none', 'timeout', 'http500', 'reset', 'silent_nonkill', 'auth_fail'];

/** What a request did, for counters. */
export type RequestKind = 'login' | 'list' | 'delete' | 'failover' | 'tokenDelete' | 'dataGroup' | 'other';
export type LabCounters = Record<RequestKind, number>;

export function emptyCounters(): LabCounters {
  return { login: 0, list: 0, delete: 0, failover: 0, tokenDelete: 0, dataGroup: 0, other: 0 };
}

/** Decides, request by request, whether the configured fault applies; `rate` < 1 hits a seeded, reproducible subset. */
export class FaultInjector {
  private fault: LabFault = 'none';
  private rate = 1;
  private random: Random;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** A `seed` restarts the draw sequence, so a run with a partial rate can be repeated exactly. */
  set(fault: LabFault, rate = 1, seed?: number): void {
    if (!LAB_FAULTS.includes(fault)) throw new Error(`unknown fault ${String(fault)}`);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`fault rate must be within 0..1, got ${rate}`);
    this.fault = fault;
    this.rate = rate;
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  current(): { fault: LabFault; rate: number } {
    return { fault: this.fault, rate: this.rate };
  }

  /** The fault for the next request: the configured one, or `none` when this request is spared. */
  draw(): LabFault {
    if (this.fault === 'none') return 'none';
    if (this.rate >= 1) return this.fault;
    return this.random() < this.rate ? this.fault : 'none';
  }
}

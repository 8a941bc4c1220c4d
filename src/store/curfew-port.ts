// The curfews part of the storage port: the rules (src/core/curfew.ts) and the per-device prevention state. store.ts
// re-exports it with the rest of the port.
//
// State changes are conditional updates: extend, lift and expire apply only to a curfew that is still active at the
// given time (state `active`, until null or later), so two nodes (or two operators) racing on one curfew never both
// succeed, and an expiry is reported by exactly one expireCurfews call. Every change bumps `generation`.
import type { Curfew, CurfewState, NewCurfew } from '../core/curfew.js';

export interface CurfewListQuery {
  /** Only curfews in these states; absent or empty: every state. */
  state?: readonly CurfewState[];
  /** Only curfews whose who (users, addresses, query) or reason contains this text, case-insensitively. */
  text?: string;
  limit: number;
  offset: number;
}

/** Whether a device's configuration keeps curfewed users from logging in again. */
export type PreventionStatus = 'in_sync' | 'drifted' | 'unreachable' | 'unsupported';

export interface PreventionState {
  deviceId: string;
  status: PreventionStatus;
  /** Hash of the records the device should hold (what was last pushed or compared); null when none. */
  recordsHash: string | null;
  /** Those records as text, for display and diffing; null when none. */
  recordsText: string | null;
  /** Epoch ms of the check. */
  checkedAt: number;
  /** What went wrong or what differs; null when in sync. */
  message: string | null;
}

/** A session a curfew caught on a device. */
export interface CurfewViolation {
  curfewId: string;
  deviceId: string;
  sessionId: string;
  user: string;
  clientIp: string;
  /** `killed`: an enforce curfew submitted its kill (taskId once submitted); `seen`: a monitor curfew recorded it. */
  action: 'killed' | 'seen';
  taskId: string | null;
  /** Epoch ms when it was first caught. */
  seenAt: number;
}

export interface CurfewStore {
  /** Writes a new curfew (state active, no violations, generation 1, updated as created); throws when the id is taken. */
  createCurfew(curfew: NewCurfew): Promise<Curfew>;
  /** Undefined when no curfew has that id. */
  getCurfew(id: string): Promise<Curfew | undefined>;
  /** Newest first (then by id). */
  listCurfews(query: CurfewListQuery): Promise<Curfew[]>;
  countCurfews(query?: Pick<CurfewListQuery, 'state' | 'text'>): Promise<number>;
  /**
   * Sets a new `until` (null: until lifted) on a curfew still active at `at`, recording `by` and `at` as its last
   * change. Returns the curfew afterwards; undefined when it is missing or no longer active (lifted, expired, or past
   * its until at `at`): the caller tells those apart with getCurfew.
   */
  extendCurfew(id: string, until: number | null, by: string, at: number): Promise<Curfew | undefined>;
  /** Lifts a curfew still active at `at` (state lifted, ended at `at` by `by`); undefined as for extendCurfew. */
  liftCurfew(id: string, by: string, at: number): Promise<Curfew | undefined>;
  /**
   * Marks every curfew whose until is at or before `now` expired (ended at its until) and returns them, oldest end
   * first. One conditional update: with several nodes calling it, each expiry is returned by exactly one call.
   */
  expireCurfews(now: number): Promise<Curfew[]>;
  /**
   * Adds `n` (≥ 0) to a curfew's violations, whatever its state (a kill may finish after a lift). Returns the curfew
   * afterwards; undefined when missing.
   */
  addViolations(id: string, n: number): Promise<Curfew | undefined>;
  /** Curfews active at `now` (state active, until null or later), oldest first. */
  listActiveCurfews(now: number): Promise<Curfew[]>;
  /** Inserts or replaces the state of each listed device. */
  putPreventionState(rows: readonly PreventionState[]): Promise<void>;
  /** Every device's prevention state, by device id. */
  listPreventionState(): Promise<PreventionState[]>;
  /**
   * Records caught sessions, one transaction: rows not yet recorded (per curfew, device and session) are inserted and
   * added to their curfew's violations; rows already recorded are returned as stored. With several nodes, each
   * caught session is `inserted` for exactly one caller.
   */
  claimViolations(
    rows: readonly CurfewViolation[],
  ): Promise<{ inserted: CurfewViolation[]; existing: CurfewViolation[] }>;
  /** Notes the kill task submitted for these sessions of one curfew. */
  setViolationTask(
    curfewId: string,
    sessions: readonly { deviceId: string; sessionId: string }[],
    taskId: string,
  ): Promise<void>;
  /** A curfew's caught sessions, newest first. */
  listViolations(curfewId: string, page: { limit: number; offset: number }): Promise<CurfewViolation[]>;
}

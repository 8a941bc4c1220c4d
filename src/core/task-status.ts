// The kill task state machine: the one place that says which status may follow which. The engine checks every
// transition against it, and the store's conditional updates and filters are derived from it.
import { DomainError } from './errors.js';
import type { TaskStatus } from './model.js';

/**
 * CREATED → STARTED when a node takes the task; STARTED → STARTED for a step change (devices resolved);
 * → CANCEL_REQUESTED while it is not final; FINISHED only from STARTED, so a cancel that landed first wins;
 * FAILED from any open status (resolution failed, devices failed, an internal error).
 */
const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  CREATED: ['STARTED', 'CANCEL_REQUESTED', 'FAILED'],
  STARTED: ['STARTED', 'CANCEL_REQUESTED', 'FINISHED', 'FAILED'],
  CANCEL_REQUESTED: ['CANCELED', 'FAILED'],
  FINISHED: [],
  FAILED: [],
  CANCELED: [],
};

const ALL_STATUSES = Object.keys(TRANSITIONS) as TaskStatus[];

/** Statuses nothing follows. */
export const FINAL_STATUSES: readonly TaskStatus[] = ALL_STATUSES.filter((s) => TRANSITIONS[s].length === 0);
/** Statuses a node still has work in (claimable tasks). */
export const OPEN_STATUSES: readonly TaskStatus[] = ALL_STATUSES.filter((s) => TRANSITIONS[s].length > 0);

export const isFinal = (status: TaskStatus): boolean => TRANSITIONS[status].length === 0;

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached: what a conditional update filters on. */
export function sourcesOf(to: TaskStatus): TaskStatus[] {
  return ALL_STATUSES.filter((from) => canTransition(from, to));
}

/** Throws when any of `from` may not move to `to`: a bug in the caller, never a client's error. */
export function checkTransition(from: readonly TaskStatus[], to: TaskStatus): void {
  const illegal = from.filter((status) => !canTransition(status, to));
  if (illegal.length > 0) {
    throw new DomainError('invalid', 'ILLEGAL_TRANSITION', `a task cannot go from ${illegal.join(', ')} to ${to}`);
  }
}

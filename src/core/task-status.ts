// The kill task state machine, shared by the engine and every surface that presents tasks.
import type { TaskStatus } from './model.js';

export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['FINISHED', 'FAILED', 'CANCELED']);

export const isFinal = (status: TaskStatus): boolean => FINAL_STATUSES.has(status);

const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  CREATED: ['STARTED', 'CANCEL_REQUESTED', 'CANCELED', 'FAILED'],
  STARTED: ['FINISHED', 'FAILED', 'CANCEL_REQUESTED'],
  CANCEL_REQUESTED: ['CANCELED', 'FINISHED', 'FAILED'],
  CANCELED: [],
  FINISHED: [],
  FAILED: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

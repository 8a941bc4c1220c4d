// A recorded session's history (GET /api/audit/sessions/<key>/events, SPS 6.x's events endpoint): when it started and
// was last seen, every kill task that touched it (who asked, from where, what the device said), and how it ended.
// Built from the session record and the kill tasks' targets; nothing else is stored for it.

import { VERDICT_OF_END_REASON } from '../../core/session-query.js';
import type { SessionKill, SessionWithDevice } from '../../engine/records.js';

const KILL_TASKS_HREF = '/api/kill-tasks';

export const HISTORY_EVENT_TYPES = [
  'started',
  'last_seen',
  'kill_requested',
  'killed',
  'already_gone',
  'kill_failed',
  'kill_canceled',
  'ended',
] as const;
export type HistoryEventType = (typeof HISTORY_EVENT_TYPES)[number];

export interface HistoryEvent {
  time: number;
  type: HistoryEventType;
  actor: { name: string; address: string } | null;
  task: { key: string; meta: { href: string } } | null;
  details: Record<string, unknown>;
}

const OUTCOME_EVENTS: Record<NonNullable<SessionKill['outcome']>, HistoryEventType> = {
  killed: 'killed',
  not_found: 'already_gone',
  failed: 'kill_failed',
  canceled: 'kill_canceled',
};

/** Events at the same instant keep the order a session lives them in. */
const RANK = new Map(HISTORY_EVENT_TYPES.map((type, index) => [type, index]));

const taskRef = (taskId: string) => ({ key: taskId, meta: { href: `${KILL_TASKS_HREF}/${taskId}` } });
const actorOf = (kill: SessionKill) => ({ name: kill.requestedBy, address: kill.requestedFrom });

/** The session's events, oldest first. `kills` are the kill tasks that touched it (store.listSessionKills). */
export function sessionHistory(session: SessionWithDevice, kills: readonly SessionKill[]): HistoryEvent[] {
  const plain = (time: number, type: HistoryEventType, details: Record<string, unknown> = {}): HistoryEvent => ({
    time,
    type,
    actor: null,
    task: null,
    details,
  });
  const events: HistoryEvent[] = [plain(session.startedAt, 'started'), plain(session.lastSeenAt, 'last_seen')];
  const killer = session.endReason === 'killed' ? killerOf(kills) : undefined;
  for (const kill of kills) {
    events.push({
      time: kill.requestedAt,
      type: 'kill_requested',
      actor: actorOf(kill),
      task: taskRef(kill.taskId),
      details: { action: kill.action, task_status: kill.taskStatus },
    });
    if (kill.outcome === null) continue;
    events.push({
      // The kill that ended the session is verified when the session's end is recorded: one instant, one time.
      time: kill === killer && session.endedAt !== null ? session.endedAt : kill.updatedAt,
      type: OUTCOME_EVENTS[kill.outcome],
      actor: actorOf(kill),
      task: taskRef(kill.taskId),
      details: { error_code: kill.errorCode, error_message: kill.errorMessage },
    });
  }
  if (session.endedAt !== null && session.endReason !== null) {
    events.push({
      ...plain(session.endedAt, 'ended', {
        end_reason: session.endReason,
        verdict: VERDICT_OF_END_REASON[session.endReason],
      }),
      ...(killer && { actor: actorOf(killer), task: taskRef(killer.taskId) }),
    });
  }
  return events.sort((a, b) => a.time - b.time || (RANK.get(a.type) ?? 0) - (RANK.get(b.type) ?? 0));
}

/** The kill whose device reported the session killed (the latest, should a resumed task report it twice). */
function killerOf(kills: readonly SessionKill[]): SessionKill | undefined {
  return kills.filter((kill) => kill.outcome === 'killed').at(-1);
}

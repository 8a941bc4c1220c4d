// Which kill tasks touched a session (its history on the SPS surface). Target rows keep session ids in JSON arrays, so
// candidates are found with LIKE on the JSON-quoted id (over-matching is harmless: SQLite's LIKE ignores ASCII case)
// and decided exactly on the parsed arrays.
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { KillAction, TaskStatus, TaskTarget } from '../../core/model.js';
import type { SessionKill, SessionKillStore, SessionRef } from '../store.js';
import { chunk, targetFromRow } from './rows.js';
import type { Database } from './schema.js';

const ID_COLUMNS = ['session_ids', 'attempted', 'killed', 'not_found', 'failed'] as const;
/** Refs per statement: each costs a device id and five patterns. */
const REFS_PER_QUERY = 200;

export function sessionKillStore(db: Kysely<Database>): SessionKillStore {
  return {
    async listSessionKills(sessions: readonly SessionRef[], limit: number): Promise<SessionKill[]> {
      const kills: SessionKill[] = [];
      for (const part of chunk(sessions, 1, REFS_PER_QUERY)) kills.push(...(await killsOf(db, part, limit)));
      const newestFirst = kills.sort((a, b) => b.requestedAt - a.requestedAt || b.taskId.localeCompare(a.taskId));
      return newestFirst.slice(0, limit).reverse();
    },
  };
}

async function killsOf(db: Kysely<Database>, refs: readonly SessionRef[], limit: number): Promise<SessionKill[]> {
  const rows = await db
    .selectFrom('task_targets as tt')
    .innerJoin('tasks as t', 't.id', 'tt.task_id')
    .selectAll('tt')
    .select(['t.action', 't.status as task_status', 't.requested_by', 't.requested_from', 't.created_at'])
    .where((eb) => eb.or(refs.map((ref) => touches(eb, ref))))
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit)
    .execute();
  return rows.flatMap((row) => {
    const target = targetFromRow(row);
    return refs
      .filter((ref) => ref.deviceId === target.deviceId && named(target, ref.sessionId))
      .map((ref) => ({
        ...ref,
        taskId: target.taskId,
        action: row.action as KillAction,
        requestedBy: row.requested_by,
        requestedFrom: row.requested_from,
        requestedAt: Number(row.created_at),
        taskStatus: row.task_status as TaskStatus,
        outcome: outcomeOf(target, ref.sessionId),
        updatedAt: target.updatedAt,
        errorCode: target.errorCode,
        errorMessage: target.errorMessage,
      }));
  });
}

/** The target row is on the session's device and one of its id lists may hold the session's id. */
function touches(eb: ExpressionBuilder<Database & { tt: Database['task_targets'] }, 'tt'>, ref: SessionRef) {
  const quoted = JSON.stringify(ref.sessionId).replace(/[!%_]/g, '!$&');
  const pattern = `%${quoted}%`;
  const likes: Expression<SqlBool>[] = ID_COLUMNS.map(
    (column) => sql<SqlBool>`${sql.ref(`tt.${column}`)} like ${pattern} escape '!'`,
  );
  return eb.and([eb('tt.device_id', '=', ref.deviceId), eb.or(likes)]);
}

function named(target: TaskTarget, sessionId: string): boolean {
  const lists = [target.sessionIds ?? [], target.attempted, target.killed, target.notFound, target.failed];
  return lists.some((ids) => ids.includes(sessionId));
}

function outcomeOf(target: TaskTarget, sessionId: string): SessionKill['outcome'] {
  if (target.killed.includes(sessionId)) return 'killed';
  if (target.notFound.includes(sessionId)) return 'not_found';
  if (target.failed.includes(sessionId)) return 'failed';
  // A device-level failure (unreachable, refused) fails every session the task meant to end there.
  if (target.status === 'failed') return 'failed';
  if (target.status === 'canceled') return 'canceled';
  return null;
}

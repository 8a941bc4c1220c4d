// Sessions curfews caught (migration 0012). The primary key decides which caller caught a session first: inserts that
// conflict change nothing, and only what a caller inserted is counted into its curfew's violations (same transaction).
import type { Kysely } from 'kysely';
import type { CurfewStore, CurfewViolation } from '../curfew-port.js';
import type { DialectTraits } from './dialect.js';
import { chunk } from './rows.js';
import type { CurfewViolationTable, Database } from './schema.js';

const COLUMNS = 8;

type ViolationStore = Pick<CurfewStore, 'claimViolations' | 'setViolationTask' | 'listViolations'>;

export function curfewViolationStore(db: Kysely<Database>, traits: DialectTraits): ViolationStore {
  return {
    async claimViolations(rows) {
      if (rows.length === 0) return { inserted: [], existing: [] };
      return db.transaction().execute(async (trx) => {
        const inserted: CurfewViolation[] = [];
        for (const part of chunk(rows, COLUMNS, traits.maxParams)) {
          const landed = await trx
            .insertInto('curfew_violations')
            .values(part.map(toRow))
            .onConflict((oc) => oc.columns(['curfew_id', 'device_id', 'session_id']).doNothing())
            .returningAll()
            .execute();
          inserted.push(...landed.map(fromRow));
        }
        const perCurfew = new Map<string, number>();
        for (const v of inserted) perCurfew.set(v.curfewId, (perCurfew.get(v.curfewId) ?? 0) + 1);
        for (const [id, n] of perCurfew) {
          await trx
            .updateTable('curfews')
            .set((eb) => ({ violations: eb('violations', '+', n), generation: eb('generation', '+', 1) }))
            .where('id', '=', id)
            .execute();
        }
        const landed = new Set(inserted.map(keyOf));
        const others = rows.filter((r) => !landed.has(keyOf(r)));
        const existing: CurfewViolation[] = [];
        for (const part of chunk(others, 3, traits.maxParams)) {
          const found = await trx
            .selectFrom('curfew_violations')
            .selectAll()
            .where((eb) =>
              eb.or(
                part.map((r) =>
                  eb.and([
                    eb('curfew_id', '=', r.curfewId),
                    eb('device_id', '=', r.deviceId),
                    eb('session_id', '=', r.sessionId),
                  ]),
                ),
              ),
            )
            .execute();
          existing.push(...found.map(fromRow));
        }
        return { inserted, existing };
      });
    },

    async setViolationTask(curfewId, sessions, taskId) {
      for (const part of chunk(sessions, 2, traits.maxParams - 2)) {
        await db
          .updateTable('curfew_violations')
          .set({ task_id: taskId })
          .where('curfew_id', '=', curfewId)
          .where((eb) =>
            eb.or(part.map((s) => eb.and([eb('device_id', '=', s.deviceId), eb('session_id', '=', s.sessionId)]))),
          )
          .execute();
      }
    },

    async listViolations(curfewId, { limit, offset }) {
      const rows = await db
        .selectFrom('curfew_violations')
        .selectAll()
        .where('curfew_id', '=', curfewId)
        .orderBy('seen_at', 'desc')
        .orderBy('device_id')
        .orderBy('session_id')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(fromRow);
    },
  };
}

const keyOf = (v: Pick<CurfewViolation, 'curfewId' | 'deviceId' | 'sessionId'>) =>
  `${v.curfewId}\u0000${v.deviceId}\u0000${v.sessionId}`;

function toRow(v: CurfewViolation): CurfewViolationTable {
  return {
    curfew_id: v.curfewId,
    device_id: v.deviceId,
    session_id: v.sessionId,
    user_name: v.user,
    client_ip: v.clientIp,
    action: v.action,
    task_id: v.taskId,
    seen_at: v.seenAt,
  };
}

function fromRow(row: CurfewViolationTable): CurfewViolation {
  return {
    curfewId: row.curfew_id,
    deviceId: row.device_id,
    sessionId: row.session_id,
    user: row.user_name,
    clientIp: row.client_ip,
    action: row.action as CurfewViolation['action'],
    taskId: row.task_id,
    seenAt: Number(row.seen_at),
  };
}

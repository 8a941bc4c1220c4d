// Per-device leases on task targets: nodes claim batches of pending devices of running tasks, renew them while they
// work, and write outcomes only while they hold them (see recordOutcomes' `owner`).
import { type Kysely, sql } from 'kysely';
import type { TaskTarget } from '../../core/model.js';
import type { KillAttempt, TargetLeaseStore } from '../store.js';
import { type DialectTraits, skipLockedFor } from './dialect.js';
import { chunk, targetFromRow } from './rows.js';
import type { Database } from './schema.js';

export function targetLeaseStore(db: Kysely<Database>, traits: DialectTraits): TargetLeaseStore {
  return {
    async claimTargets(owner: string, now: number, leaseMs: number, limit: number): Promise<TaskTarget[]> {
      if (limit <= 0) return [];
      const candidates = db
        .selectFrom('task_targets as tt')
        .innerJoin('tasks as t', 't.id', 'tt.task_id')
        .select(['tt.task_id', 'tt.device_id'])
        .where('t.status', '=', 'STARTED')
        .where('t.step', '=', 'KILL')
        .where('tt.status', '=', 'pending')
        .where((eb) => eb.or([eb('tt.lease_until', 'is', null), eb('tt.lease_until', '<', now)]))
        .orderBy('t.created_at')
        .orderBy('tt.task_id')
        .orderBy('tt.device_id')
        .limit(limit)
        .$call(skipLockedFor(traits, 'tt'));
      // The outer conditions repeat the inner ones: of two claimers racing for a row, only the first update matches.
      const rows = await db
        .updateTable('task_targets')
        .set({ lease_owner: owner, lease_until: now + leaseMs })
        .where(sql<boolean>`(task_id, device_id) in (${candidates})`)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .returningAll()
        .execute();
      return rows.map(targetFromRow).sort((a, b) => a.deviceId.localeCompare(b.deviceId));
    },

    async recordKillAttempts(attempts: readonly KillAttempt[], owner: string): Promise<KillAttempt[]> {
      if (attempts.length === 0) return [];
      const written = new Set<string>();
      await db.transaction().execute(async (trx) => {
        // One UPDATE … FROM (VALUES …) per chunk (both dialects name VALUES columns column1..n), not one per device.
        for (const part of chunk(attempts, 3, traits.maxParams - 1)) {
          const values = sql.join(part.map((a) => sql`(${a.taskId}, ${a.deviceId}, ${JSON.stringify(a.sessionIds)})`));
          const result = await sql<{ task_id: string; device_id: string }>`
            UPDATE task_targets SET attempted = v.column3
            FROM (VALUES ${values}) AS v
            WHERE task_targets.task_id = v.column1 AND task_targets.device_id = v.column2
              AND task_targets.lease_owner = ${owner} AND task_targets.status = 'pending'
            RETURNING task_targets.task_id, task_targets.device_id`.execute(trx);
          for (const row of result.rows) written.add(`${row.task_id}\u0000${row.device_id}`);
        }
      });
      return attempts.filter((a) => written.has(`${a.taskId}\u0000${a.deviceId}`));
    },

    async renewTargetLeases(owner: string, until: number): Promise<number> {
      const result = await db
        .updateTable('task_targets')
        .set({ lease_until: until })
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async releaseTargetLeases(owner: string): Promise<void> {
      await db
        .updateTable('task_targets')
        .set({ lease_owner: null, lease_until: null })
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .execute();
    },

    async cancelUnleasedTargets(taskId: string, now: number): Promise<number> {
      const result = await db
        .updateTable('task_targets')
        .set({
          status: 'canceled',
          error_code: 'canceled',
          error_message: 'task canceled before this device was processed',
          updated_at: now,
        })
        .where('task_id', '=', taskId)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async countPendingTargets(taskId: string): Promise<number> {
      const row = await db
        .selectFrom('task_targets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_id', '=', taskId)
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

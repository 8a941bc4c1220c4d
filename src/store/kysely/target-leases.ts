// Per-device leases on task targets: nodes claim batches of pending devices of running tasks, renew them while they
// work, and write outcomes only while they hold them (see recordOutcomes' `owner`).
import { type Kysely, sql } from 'kysely';
import type { TaskTarget } from '../../core/model.js';
import type { TargetLeaseStore } from '../store.js';
import { type DialectTraits, skipLockedFor } from './dialect.js';
import { targetFromRow } from './rows.js';
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

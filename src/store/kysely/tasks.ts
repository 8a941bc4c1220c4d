// Kill tasks, their per-device targets, and the lease that lets exactly one runner work a task at a time.
import { type Kysely, sql } from 'kysely';
import type { AuditEvent, KillTask, TaskTarget } from '../../core/model.js';
import { OPEN_STATUSES, sourcesOf } from '../../core/task-status.js';
import type { TargetOutcome, TaskPatch, TaskStore } from '../store.js';
import type { DialectTraits } from './dialect.js';
import type { InventoryGeneration } from './inventory-generation.js';
import { auditToRow, chunk, lastSeenAtOfEnding, targetFromRow, targetToRow, taskFromRow, taskToRow } from './rows.js';
import type { Database, TaskTable } from './schema.js';

const TARGET_COLUMNS = 12;
const CLAIM_CANDIDATES = 8;

const nowMicros = (): number => Date.now() * 1000;

export function taskStore(db: Kysely<Database>, traits: DialectTraits, generation: InventoryGeneration): TaskStore {
  const findTaskById = async (id: string): Promise<KillTask | undefined> => {
    const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? taskFromRow(row) : undefined;
  };

  return {
    findTaskById,

    async createTask(task: KillTask, audit: AuditEvent): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('tasks').values(taskToRow(task)).execute();
        await trx.insertInto('audit_events').values(auditToRow(audit)).execute();
      });
    },

    async listTasks({ limit, offset }): Promise<KillTask[]> {
      const rows = await db
        .selectFrom('tasks')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(taskFromRow);
    },

    async countTasks(): Promise<number> {
      const row = await db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async transitionTask(id: string, from: readonly string[], patch: TaskPatch): Promise<KillTask | undefined> {
      if (from.length === 0) return undefined;
      const result = await db
        .updateTable('tasks')
        .set((eb) => ({ ...patchToSet(patch), generation: eb('generation', '+', 1), updated_micros: nowMicros() }))
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? findTaskById(id) : undefined;
    },

    async requestCancel(id: string): Promise<KillTask | undefined> {
      await db
        .updateTable('tasks')
        .set((eb) => ({
          status: 'CANCEL_REQUESTED',
          generation: eb('generation', '+', 1),
          updated_micros: nowMicros(),
        }))
        .where('id', '=', id)
        .where('status', 'in', sourcesOf('CANCEL_REQUESTED'))
        .execute();
      return findTaskById(id);
    },

    async claimTask(owner: string, now: number, leaseMs: number): Promise<KillTask | undefined> {
      const candidates = await db
        .selectFrom('tasks')
        .select('id')
        .where('status', 'in', [...OPEN_STATUSES])
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('created_at')
        .limit(CLAIM_CANDIDATES)
        .execute();
      for (const { id } of candidates) {
        // Compare-and-set on the lease: of several claimers, only the one whose update matched gets the task.
        const result = await db
          .updateTable('tasks')
          .set({ lease_owner: owner, lease_until: now + leaseMs })
          .where('id', '=', id)
          .where('status', 'in', [...OPEN_STATUSES])
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .executeTakeFirst();
        if (result.numUpdatedRows > 0n) return findTaskById(id);
      }
      return undefined;
    },

    async renewLease(taskId: string, owner: string, until: number): Promise<boolean> {
      const result = await db
        .updateTable('tasks')
        .set({ lease_until: until })
        .where('id', '=', taskId)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async releaseLease(taskId: string, owner: string): Promise<void> {
      await db
        .updateTable('tasks')
        .set({ lease_owner: null, lease_until: null })
        .where('id', '=', taskId)
        .where('lease_owner', '=', owner)
        .execute();
    },

    async releaseLeasesOf(owner: string): Promise<void> {
      await db
        .updateTable('tasks')
        .set({ lease_owner: null, lease_until: null })
        .where('lease_owner', '=', owner)
        .execute();
      await db
        .updateTable('task_targets')
        .set({ lease_owner: null, lease_until: null })
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .execute();
    },

    async insertTargets(targets: TaskTarget[]): Promise<void> {
      if (targets.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const part of chunk(targets.map(targetToRow), TARGET_COLUMNS, traits.maxParams)) {
          await trx
            .insertInto('task_targets')
            .values(part)
            .onConflict((oc) => oc.columns(['task_id', 'device_id']).doNothing())
            .execute();
        }
      });
    },

    async listTargets(taskId: string): Promise<TaskTarget[]> {
      const rows = await db
        .selectFrom('task_targets')
        .selectAll()
        .where('task_id', '=', taskId)
        .orderBy('device_id')
        .execute();
      return rows.map(targetFromRow);
    },

    async listTargetsOfTasks(taskIds: readonly string[]): Promise<Map<string, TaskTarget[]>> {
      const byTask = new Map<string, TaskTarget[]>();
      for (const part of chunk(taskIds, 1, traits.maxParams)) {
        const rows = await db
          .selectFrom('task_targets')
          .selectAll()
          .where('task_id', 'in', part)
          .orderBy('device_id')
          .execute();
        for (const row of rows) {
          const list = byTask.get(row.task_id) ?? [];
          list.push(targetFromRow(row));
          byTask.set(row.task_id, list);
        }
      }
      return byTask;
    },

    recordOutcomes: (outcomes, endedAt, owner) => recordOutcomes(db, traits, generation, outcomes, endedAt, owner),
  };
}

function patchToSet(patch: TaskPatch): Partial<TaskTable> {
  const set: Partial<TaskTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.step !== undefined) set.step = patch.step;
  if (patch.result !== undefined) set.result = patch.result;
  if (patch.errorMessage !== undefined) set.error_message = patch.errorMessage;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
  return set;
}

const OUTCOME_COLUMNS = [
  'status',
  'killed',
  'not_found',
  'failed',
  'error_code',
  'error_message',
  'attempts',
  'updated_at',
] as const;

/**
 * One transaction: the outcomes as a multi-row upsert on existing targets (one statement per chunk, not per device),
 * and the inventory's sessions marked ended at `endedAt`: killed ids `killed`, ids already gone `closed`.
 * With `owner`, a row is updated only while it is pending under that owner's lease; only written outcomes end
 * sessions, and they are what is returned. Ending sessions moves the inventory generation, in the same transaction.
 */
async function recordOutcomes(
  db: Kysely<Database>,
  traits: DialectTraits,
  generation: InventoryGeneration,
  outcomes: readonly TargetOutcome[],
  endedAt: number,
  owner: string | undefined,
): Promise<TargetOutcome[]> {
  if (outcomes.length === 0) return [];
  const updatedAt = Date.now();
  const rows = outcomes.map((o) => targetToRow({ ...o, sessionIds: null, updatedAt, attempted: [] }));
  let bumped = false;
  try {
    return await db.transaction().execute(async (trx) => {
      const written = new Set<string>();
      for (const part of chunk(rows, TARGET_COLUMNS, traits.maxParams)) {
        const returned = await trx
          .insertInto('task_targets')
          .values(part)
          .onConflict((oc) => {
            const update = oc
              .columns(['task_id', 'device_id'])
              .doUpdateSet((eb) =>
                Object.fromEntries(OUTCOME_COLUMNS.map((column) => [column, eb.ref(`excluded.${column}`)])),
              );
            if (owner === undefined) return update;
            return update.where('task_targets.lease_owner', '=', owner).where('task_targets.status', '=', 'pending');
          })
          .returning(['task_id', 'device_id'])
          .execute();
        for (const r of returned) written.add(`${r.task_id}\u0000${r.device_id}`);
      }
      const kept = outcomes.filter((o) => written.has(`${o.taskId}\u0000${o.deviceId}`));
      if ((await endKilledSessions(trx, traits, kept, endedAt)) > 0) {
        bumped = true;
        await generation.bump(trx);
      }
      return kept;
    });
  } finally {
    if (bumped) generation.committed();
  }
}

async function endKilledSessions(
  trx: Kysely<Database>,
  traits: DialectTraits,
  outcomes: readonly TargetOutcome[],
  endedAt: number,
): Promise<number> {
  const pairs = (pick: (o: TargetOutcome) => readonly string[]) =>
    outcomes.flatMap((o) => pick(o).map((sessionId) => [o.deviceId, sessionId] as const));
  let ended = 0;
  // The rows of these devices no longer match their last listing: the next sync applies its listing in full.
  const touched = [...new Set(outcomes.filter((o) => o.killed.length + o.notFound.length > 0).map((o) => o.deviceId))];
  for (const part of chunk(touched, 1, traits.maxParams)) {
    await trx.updateTable('devices').set({ listing_hash: null }).where('id', 'in', part).execute();
  }
  // One UPDATE … FROM (VALUES …) per chunk for every device of the batch (both dialects name the columns
  // column1..n), not one statement per device: at a thousand devices the statements were most of the store's time.
  for (const part of chunk(
    pairs((o) => o.notFound),
    2,
    traits.maxParams - 2,
  )) {
    const result = await sql`
      UPDATE sessions SET ended_at = ${endedAt}, end_reason = 'closed', last_seen_at = ${lastSeenAtOfEnding}
      FROM (VALUES ${valuesOf(part)}) AS v
      WHERE sessions.device_id = v.column1 AND sessions.session_id = v.column2 AND sessions.ended_at IS NULL`.execute(
      trx,
    );
    ended += Number(result.numAffectedRows ?? 0);
  }
  // A sync between a crash and the resumed kill may have seen a killed session gone and called it closed: the kill's
  // verdict is the better knowledge, so it overrides `closed` (keeping the time the sync saw it end).
  for (const part of chunk(
    pairs((o) => o.killed),
    2,
    traits.maxParams - 2,
  )) {
    const result = await sql`
      UPDATE sessions SET ended_at = COALESCE(sessions.ended_at, ${endedAt}), end_reason = 'killed',
        last_seen_at = ${lastSeenAtOfEnding}
      FROM (VALUES ${valuesOf(part)}) AS v
      WHERE sessions.device_id = v.column1 AND sessions.session_id = v.column2
        AND (sessions.ended_at IS NULL OR sessions.end_reason = 'closed')`.execute(trx);
    ended += Number(result.numAffectedRows ?? 0);
  }
  return ended;
}

const valuesOf = (pairs: readonly (readonly [string, string])[]) =>
  sql.join(pairs.map(([deviceId, sessionId]) => sql`(${deviceId}, ${sessionId})`));

// Per-device work claiming: each target of a task carries its own lease, so any number of nodes share one task.
// The partial index finds claimable targets (pending ones) without reading a task's finished devices.
import { type Kysely, type Migration, sql } from 'kysely';

export const targetLeasesSchema: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('task_targets').addColumn('lease_owner', 'text').execute();
    await db.schema.alterTable('task_targets').addColumn('lease_until', 'bigint').execute();
    await db.schema
      .createIndex('task_targets_pending')
      .on('task_targets')
      .columns(['task_id', 'lease_until'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();
  },
};

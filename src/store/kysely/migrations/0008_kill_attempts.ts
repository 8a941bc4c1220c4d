// Write-ahead kill attempts: before a node sends deletes to a device, the session ids it is about to end are written
// on the task's target, so a task resumed after a crash attributes sessions gone since then to the kill.
import type { Kysely, Migration } from 'kysely';

export const killAttemptsSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('task_targets').addColumn('attempted', 'text').execute();
  },
};

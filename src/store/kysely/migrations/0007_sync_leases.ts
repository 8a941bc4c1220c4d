// Inventory sync partitioned between nodes: each device carries a sync lease, so one node at a time polls it.
import type { Kysely, Migration } from 'kysely';

export const syncLeasesSchema: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('devices').addColumn('sync_lease_owner', 'text').execute();
    await db.schema.alterTable('devices').addColumn('sync_lease_until', 'bigint').execute();
  },
};

// Balanced inventory sync: each node announces itself on every sync round, so nodes can count the live ones and each
// take a fair share of the devices (see sync-leases.ts).
import type { Kysely, Migration } from 'kysely';

export const syncNodesSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sync_nodes')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      // Epoch ms of the node's last round, and until when it counts as live (the end of the leases it took then).
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .addColumn('live_until', 'bigint', (c) => c.notNull())
      .execute();
  },
};

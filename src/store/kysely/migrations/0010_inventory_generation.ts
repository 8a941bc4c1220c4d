// The inventory generation: one number in a one-row table, moved in the same transaction as every change a session
// search can see (sessions inserted, changed, ended, revived or purged; devices added, changed or removed), so every
// node can key caches of search results on it (src/store/kysely/inventory-generation.ts). Numbered 0010: 0009 is
// reserved for another change.
import type { Kysely, Migration } from 'kysely';

export const inventoryGenerationSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('inventory_generation')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('generation', 'bigint', (c) => c.notNull())
      .execute();
    await (db as Kysely<{ inventory_generation: { id: number; generation: number } }>)
      .insertInto('inventory_generation')
      .values({ id: 1, generation: 0 })
      .execute();
  },
};

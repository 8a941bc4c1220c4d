// Curfews (src/core/curfew.ts): durable rules keeping users out until a time, and the per-device state of their
// prevention (whether a gateway's configuration keeps curfewed users from logging in again), which is independent of
// any one curfew: one row per device.
import type { Kysely, Migration } from 'kysely';

export const curfewsSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('curfews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // JSON: CurfewWho and CurfewWhere.
      .addColumn('who', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('until', 'bigint')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('set_by', 'text', (c) => c.notNull())
      .addColumn('set_from', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .addColumn('ended_by', 'text')
      .addColumn('violations', 'bigint', (c) => c.notNull())
      .addColumn('generation', 'integer', (c) => c.notNull())
      .execute();
    // Active curfews by end (enforcement, expiry); listings newest first.
    await db.schema.createIndex('curfews_state_until').on('curfews').columns(['state', 'until']).execute();
    await db.schema.createIndex('curfews_created').on('curfews').columns(['created_at', 'id']).execute();

    await db.schema
      .createTable('curfew_prevention')
      .addColumn('device_id', 'text', (c) => c.primaryKey())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('records_hash', 'text')
      .addColumn('records_text', 'text')
      .addColumn('checked_at', 'bigint', (c) => c.notNull())
      .addColumn('message', 'text')
      .execute();
  },
};

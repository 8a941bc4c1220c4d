// Session history: ended sessions stay (with when and why they ended) until retention purges them. Indexes are shaped
// so a planner without statistics (a fresh SQLite file) still picks them: active and ended rows each get a partial
// index, and the lookup indexes lead with their search column, then `ended_at`, so "active only" stays a range.
import { type Kysely, type Migration, sql } from 'kysely';

export const sessionHistorySchema: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('sessions').addColumn('ended_at', 'bigint').execute();
    await db.schema.alterTable('sessions').addColumn('end_reason', 'text').execute();
    await db.schema.dropIndex('sessions_user').execute();
    await db.schema.dropIndex('sessions_client_ip').execute();
    const index = (name: string) => db.schema.createIndex(name).on('sessions');
    await index('sessions_user').columns(['user_name', 'ended_at', 'started_at']).execute();
    await index('sessions_client_ip').columns(['client_ip', 'ended_at']).execute();
    await index('sessions_device').columns(['device_id', 'ended_at']).execute();
    // Active sessions newest first (the default listing); the history newest first, and by end (the retention purge).
    await index('sessions_active').column('started_at').where(sql.ref('ended_at'), 'is', null).execute();
    await index('sessions_history').column('started_at').where(sql.ref('ended_at'), 'is not', null).execute();
    await index('sessions_ended').column('ended_at').where(sql.ref('ended_at'), 'is not', null).execute();
  },
};

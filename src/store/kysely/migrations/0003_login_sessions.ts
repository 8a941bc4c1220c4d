// Cookie login sessions of the SPS surface (and the web console): hashed ids, sliding idle expiry.
import type { Kysely, Migration } from 'kysely';

export const loginSessionsSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('login_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('grants', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('login_sessions_user').on('login_sessions').column('user_name').execute();
    await db.schema.createIndex('login_sessions_expiry').on('login_sessions').column('expires_at').execute();
  },
};

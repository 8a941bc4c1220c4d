// Login tokens of the BIG-IQ surface (hashed; see src/engine/auth-service.ts).
import type { Kysely, Migration } from 'kysely';

export const tokensSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('auth_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('timeout_sec', 'integer', (c) => c.notNull())
      .addColumn('generation', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('auth_tokens_user').on('auth_tokens').columns(['user_name', 'created_at']).execute();
    await db.schema.createIndex('auth_tokens_expires').on('auth_tokens').column('expires_at').execute();
  },
};

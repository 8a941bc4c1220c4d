// Configuration in transactions (docs/decisions/0005): user keys, local groups, ACLs, one-use password objects,
// per-login transactions and the commit log with its revision counter.
import { randomBytes } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';

export const configurationSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('key', 'text').execute();
    await db.schema.alterTable('users').addColumn('password_changed_at', 'bigint').execute();
    await assignUserKeys(db as Kysely<{ users: { name: string; key: string | null } }>);
    await db.schema.createIndex('users_key').on('users').column('key').unique().execute();

    await db.schema
      .createTable('aaa_groups')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('members', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('aaa_acls')
      .addColumn('position', 'integer', (c) => c.primaryKey())
      .addColumn('group_name', 'text', (c) => c.notNull())
      .addColumn('objects', 'text', (c) => c.notNull())
      .addColumn('permission', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('password_objects')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('sealed', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_by', 'text')
      .execute();
    await db.schema.createIndex('password_objects_used_by').on('password_objects').column('used_by').unique().execute();
    await createTransactionTables(db);
  },
};

async function createTransactionTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('config_transactions')
    .addColumn('login_id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('base_revision', 'integer', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('config_commits')
    .addColumn('revision', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('paths', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('config_revision')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ config_revision: { id: number; revision: number } }>)
    .insertInto('config_revision')
    .values({ id: 1, revision: 0 })
    .execute();
}

/** Existing users get an SPS-style key (22 lowercase hex). */
async function assignUserKeys(db: Kysely<{ users: { name: string; key: string | null } }>): Promise<void> {
  const rows = await db.selectFrom('users').select('name').execute();
  for (const row of rows) {
    await db
      .updateTable('users')
      .set({ key: randomBytes(11).toString('hex') })
      .where('name', '=', row.name)
      .execute();
  }
}

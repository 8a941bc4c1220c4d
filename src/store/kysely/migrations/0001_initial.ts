// Schema migrations, written with Kysely's schema builder so one list serves every dialect.
import type { Kysely, Migration } from 'kysely';
import type { DialectTraits } from '../dialect.js';

export function initialSchema(traits: DialectTraits): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hostname', 'text', (c) => c.notNull().unique())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('credential_ref', 'text')
        .addColumn('verify_tls', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('cluster', 'text')
        .addColumn('access_group', 'text')
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('unknown'))
        .addColumn('failover', 'text', (c) => c.notNull().defaultTo('UNKNOWN'))
        .addColumn('last_sync_at', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      for (const table of ['clusters', 'access_groups']) {
        await db.schema
          .createTable(table)
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .execute();
      }
      await db.schema
        .createTable('credentials')
        .addColumn('ref', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('sealed_password', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('client_ip', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sessions_pk', ['device_id', 'session_id'])
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_name', 'started_at']).execute();
      await db.schema.createIndex('sessions_client_ip').on('sessions').column('client_ip').execute();
      await db.schema.createIndex('sessions_started').on('sessions').column('started_at').execute();
      await createTaskTables(db);
      await db.schema
        .createTable('audit_events')
        .addColumn('id', traits.serialType, (c) =>
          traits.name === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
      await db.schema
        .createTable('users')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

async function createTaskTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('selector', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('error_message', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_from', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('updated_micros', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .execute();
  await db.schema.createIndex('tasks_open').on('tasks').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('tasks_created').on('tasks').column('created_at').execute();
  await db.schema
    .createTable('task_targets')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('session_ids', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('killed', 'text', (c) => c.notNull())
    .addColumn('not_found', 'text', (c) => c.notNull())
    .addColumn('failed', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('task_targets_pk', ['task_id', 'device_id'])
    .execute();
}

/** API tokens (BIG-IQ login/exchange), hashed; shared by every node so any node accepts any token. */

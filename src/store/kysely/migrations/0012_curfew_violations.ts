// Sessions a curfew caught: one row per (curfew, device, session), written before the session's kill is submitted.
// The primary key is how several nodes (and a node restarted mid-tick) agree that a session was already caught:
// only the insert that lands counts a violation and submits the first kill.
import type { Kysely, Migration } from 'kysely';

export const curfewViolationsSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('curfew_violations')
      .addColumn('curfew_id', 'text', (c) => c.notNull().references('curfews.id').onDelete('cascade'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('client_ip', 'text', (c) => c.notNull())
      // 'killed' (enforce: a kill task was submitted) or 'seen' (monitor).
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text')
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('curfew_violations_pk', ['curfew_id', 'device_id', 'session_id'])
      .execute();
    await db.schema
      .createIndex('curfew_violations_seen')
      .on('curfew_violations')
      .columns(['curfew_id', 'seen_at'])
      .execute();
  },
};

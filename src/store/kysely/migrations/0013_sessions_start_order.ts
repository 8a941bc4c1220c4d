// The session search's default order (start time, then the key as a tie-break) served by one index: a sorted page of
// active sessions walks the index in order instead of sorting every row with the same start time (a fleet that synced
// at once has many). Replaces the start-time-only index of 0001.
import type { Kysely, Migration } from 'kysely';

export const sessionsStartOrderSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('sessions_started_key')
      .on('sessions')
      .columns(['started_at', 'device_id', 'session_id'])
      .execute();
    await db.schema.dropIndex('sessions_started').ifExists().execute();
  },
};

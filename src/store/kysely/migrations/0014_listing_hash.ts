// A digest of the listing each device's session rows were last brought in line with. A sync whose listing has the
// same digest changes nothing but the device's `last_sync_at` (one UPDATE instead of reading a thousand rows); every
// other writer of a device's sessions (a kill's outcomes) clears it.
import type { Kysely, Migration } from 'kysely';

export const listingHashSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').addColumn('listing_hash', 'text').execute();
  },
};

// Schema migrations, written with Kysely's schema builder so one list serves every dialect. One file per migration
// under migrations/, listed here in order; never edit a migration that has shipped, add the next one.
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { type DialectTraits, withMigrationLock } from './dialect.js';
import { initialSchema } from './migrations/0001_initial.js';
import { tokensSchema } from './migrations/0002_tokens.js';
import { loginSessionsSchema } from './migrations/0003_login_sessions.js';
import { configurationSchema } from './migrations/0004_configuration.js';
import { sessionHistorySchema } from './migrations/0005_session_history.js';
import { targetLeasesSchema } from './migrations/0006_target_leases.js';
import { syncLeasesSchema } from './migrations/0007_sync_leases.js';
import { killAttemptsSchema } from './migrations/0008_kill_attempts.js';
import { syncNodesSchema } from './migrations/0009_sync_nodes.js';
import { inventoryGenerationSchema } from './migrations/0010_inventory_generation.js';
import { curfewsSchema } from './migrations/0011_curfews.js';
import { curfewViolationsSchema } from './migrations/0012_curfew_violations.js';
import { sessionsStartOrderSchema } from './migrations/0013_sessions_start_order.js';
import { listingHashSchema } from './migrations/0014_listing_hash.js';

function migrationsFor(traits: DialectTraits): Record<string, Migration> {
  return {
    '0001_initial': initialSchema(traits),
    '0002_tokens': tokensSchema,
    '0003_login_sessions': loginSessionsSchema,
    '0004_configuration': configurationSchema,
    '0005_session_history': sessionHistorySchema,
    '0006_target_leases': targetLeasesSchema,
    '0007_sync_leases': syncLeasesSchema,
    '0008_kill_attempts': killAttemptsSchema,
    '0009_sync_nodes': syncNodesSchema,
    '0010_inventory_generation': inventoryGenerationSchema,
    '0011_curfews': curfewsSchema,
    '0012_curfew_violations': curfewViolationsSchema,
    '0013_sessions_start_order': sessionsStartOrderSchema,
    '0014_listing_hash': listingHashSchema,
  };
}

/**
 * Brings the schema up to date; throws with the failing migration's name. On PostgreSQL this runs under an advisory
 * lock, so several nodes starting at once migrate once (the others wait, then find nothing to do).
 */
export async function migrateToLatest(db: Kysely<unknown>, traits: DialectTraits): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(traits) };
  const migrator = new Migrator({ db, provider });
  await withMigrationLock(db, traits, async () => {
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

// The Store of src/store/open-store.ts (same migrations, same composition) over the node:sqlite prototype dialect.
import type { Kysely } from 'kysely';
import { SQLITE_TRAITS } from '../../src/store/kysely/dialect.js';
import { InventoryGeneration } from '../../src/store/kysely/inventory-generation.js';
import { migrateToLatest } from '../../src/store/kysely/migrations.js';
import { composeStore, DEFAULT_SESSION_HISTORY_DAYS } from '../../src/store/open-store.js';
import { SecretBox } from '../../src/store/secret-box.js';
import type { Store } from '../../src/store/store.js';
import { openNodeSqlite } from './dialect.js';

export async function openNodeSqliteStore(options: { dataDir: string | ':memory:' }): Promise<Store> {
  const box = options.dataDir === ':memory:' ? SecretBox.ephemeral() : SecretBox.fromDataDir(options.dataDir);
  const db = openNodeSqlite(options.dataDir);
  try {
    await migrateToLatest(db as Kysely<unknown>, SQLITE_TRAITS);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return composeStore(db, SQLITE_TRAITS, box, DEFAULT_SESSION_HISTORY_DAYS * 86_400_000, new InventoryGeneration(db));
}

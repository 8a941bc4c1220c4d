// The Store of src/store/open-store.ts (same migrations, same per-concern parts) over the node:sqlite prototype dialect.
// Kept here rather than exporting src's composition: src does not know this dialect.
import type { Kysely } from 'kysely';
import { auditStore, settingStore, userStore } from '../../src/store/kysely/accounts.js';
import { configStore } from '../../src/store/kysely/configuration.js';
import { credentialStore, deviceStore } from '../../src/store/kysely/devices.js';
import { SQLITE_TRAITS } from '../../src/store/kysely/dialect.js';
import { loginSessionStore } from '../../src/store/kysely/login-sessions.js';
import { migrateToLatest } from '../../src/store/kysely/migrations.js';
import { countSessionsBy } from '../../src/store/kysely/session-stats.js';
import { sessionStore } from '../../src/store/kysely/sessions.js';
import { syncLeaseStore } from '../../src/store/kysely/sync-leases.js';
import { targetLeaseStore } from '../../src/store/kysely/target-leases.js';
import { taskStore } from '../../src/store/kysely/tasks.js';
import { tokenStore } from '../../src/store/kysely/tokens.js';
import { DEFAULT_SESSION_HISTORY_DAYS } from '../../src/store/open-store.js';
import { SecretBox } from '../../src/store/secret-box.js';
import type { Store } from '../../src/store/store.js';
import { openNodeSqlite } from './dialect.js';

export async function openNodeSqliteStore(options: { dataDir: string | ':memory:' }): Promise<Store> {
  const box = options.dataDir === ':memory:' ? SecretBox.ephemeral() : SecretBox.fromDataDir(options.dataDir);
  const db = openNodeSqlite(options.dataDir);
  const traits = SQLITE_TRAITS;
  try {
    await migrateToLatest(db as Kysely<unknown>, traits);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const historyMs = DEFAULT_SESSION_HISTORY_DAYS * 86_400_000;
  return {
    dialect: traits.name,
    ...deviceStore(db),
    ...credentialStore(db, box),
    ...sessionStore(db, traits, { historyMs }),
    countSessionsBy: (query, field, size) => countSessionsBy(db, query, field, size),
    ...taskStore(db, traits),
    ...targetLeaseStore(db, traits),
    ...syncLeaseStore(db, traits),
    ...auditStore(db),
    ...userStore(db),
    ...tokenStore(db),
    ...settingStore(db),
    ...loginSessionStore(db),
    ...configStore(db, box),
    close: () => db.destroy(),
  };
}

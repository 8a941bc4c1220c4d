// Composition of the Kysely store: picks the dialect from configuration, migrates, and wires the per-concern parts.
import type { Kysely } from 'kysely';
import { auditStore, settingStore, userStore } from './kysely/accounts.js';
import { configStore } from './kysely/configuration.js';
import { credentialStore, deviceStore } from './kysely/devices.js';
import { type DialectTraits, openSqlite, SQLITE_TRAITS } from './kysely/dialect.js';
import { loginSessionStore } from './kysely/login-sessions.js';
import { migrateToLatest } from './kysely/migrations.js';
import type { Database } from './kysely/schema.js';
import { countSessionsBy } from './kysely/session-stats.js';
import { sessionStore } from './kysely/sessions.js';
import { taskStore } from './kysely/tasks.js';
import { tokenStore } from './kysely/tokens.js';
import { SecretBox } from './secret-box.js';
import type { Store } from './store.js';

export interface StoreOptions {
  /** Directory for the SQLite database and the secret key; `:memory:` for a throwaway store (tests). */
  dataDir: string | ':memory:';
  /**
   * Days ended sessions stay searchable (default 7; 0 keeps none). Expired history is purged by inventory sync, at
   * most once a minute.
   */
  sessionHistoryDays?: number;
}

export const DEFAULT_SESSION_HISTORY_DAYS = 7;
const DAY_MS = 86_400_000;

export async function openStore(options: StoreOptions): Promise<Store> {
  const db = openSqlite(options.dataDir);
  const box = options.dataDir === ':memory:' ? SecretBox.ephemeral() : SecretBox.fromDataDir(options.dataDir);
  await migrateToLatest(db as Kysely<unknown>, SQLITE_TRAITS);
  const historyMs = (options.sessionHistoryDays ?? DEFAULT_SESSION_HISTORY_DAYS) * DAY_MS;
  return composeStore(db, SQLITE_TRAITS, box, historyMs);
}

function composeStore(db: Kysely<Database>, traits: DialectTraits, box: SecretBox, historyMs: number): Store {
  return {
    dialect: traits.name,
    ...deviceStore(db),
    ...credentialStore(db, box),
    ...sessionStore(db, traits, { historyMs }),
    countSessionsBy: (query, field, size) => countSessionsBy(db, query, field, size),
    ...taskStore(db, traits),
    ...auditStore(db),
    ...userStore(db),
    ...tokenStore(db),
    ...settingStore(db),
    ...loginSessionStore(db),
    ...configStore(db, box),
    close: () => db.destroy(),
  };
}

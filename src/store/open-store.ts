// Composition of the Kysely store: picks the dialect from configuration, migrates, and wires the per-concern parts.
import type { Kysely } from 'kysely';
import { auditStore, settingStore, userStore } from './kysely/accounts.js';
import { configStore } from './kysely/configuration.js';
import { curfewViolationStore } from './kysely/curfew-violations.js';
import { curfewStore } from './kysely/curfews.js';
import { credentialStore, deviceStore } from './kysely/devices.js';
import { type DialectTraits, openDatabase } from './kysely/dialect.js';
import { InventoryGeneration } from './kysely/inventory-generation.js';
import { loginSessionStore } from './kysely/login-sessions.js';
import { migrateToLatest } from './kysely/migrations.js';
import type { Database } from './kysely/schema.js';
import { sessionKillStore } from './kysely/session-kills.js';
import { countSessionsBy } from './kysely/session-stats.js';
import { sessionStore } from './kysely/sessions.js';
import { syncLeaseStore } from './kysely/sync-leases.js';
import { targetLeaseStore } from './kysely/target-leases.js';
import { taskStore } from './kysely/tasks.js';
import { tokenStore } from './kysely/tokens.js';
import { SecretBox } from './secret-box.js';
import type { Store } from './store.js';

export interface StoreOptions {
  /**
   * Database URL. `postgres://user:password@host:port/database` (or `postgresql://`) puts the store on PostgreSQL;
   * absent, the store is SQLite in `dataDir`. The dialect follows the URL's scheme; other schemes are refused.
   */
  url?: string;
  /**
   * SQLite: directory of the database (`curfew.db`). Every dialect: home of `secret.key` unless `secretKey` is given.
   * `:memory:` gives a throwaway SQLite store and an ephemeral key (tests).
   */
  dataDir?: string | ':memory:';
  /**
   * Base64 of the 32-byte key that seals device passwords (CURFEW_SECRET_KEY). Nodes sharing one PostgreSQL must
   * share it; when absent, `<dataDir>/secret.key` is used (created on first start).
   */
  secretKey?: string;
  /**
   * Days ended sessions stay searchable (default 7; 0 keeps none). Expired history is purged by inventory sync, at
   * most once a minute.
   */
  sessionHistoryDays?: number;
  /**
   * False opens an existing store only, creating nothing: SQLite fails without `<dataDir>/curfew.db`, and no data
   * dir or secret.key is made (a missing key fails when a device password is sealed or opened). Default true.
   */
  create?: boolean;
  /**
   * How long (ms) `inventoryGeneration()` answers from the value it last read when nothing changed through this store
   * (default INVENTORY_GENERATION_MAX_AGE_MS, 200): how late a node may see other nodes' inventory changes.
   */
  inventoryGenerationMaxAgeMs?: number;
}

export const DEFAULT_SESSION_HISTORY_DAYS = 7;
const DAY_MS = 86_400_000;

export async function openStore(options: StoreOptions): Promise<Store> {
  const box = secretBoxOf(options);
  const { db, traits } = openDatabase(options);
  try {
    await migrateToLatest(db as Kysely<unknown>, traits);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const historyMs = (options.sessionHistoryDays ?? DEFAULT_SESSION_HISTORY_DAYS) * DAY_MS;
  return composeStore(db, traits, box, historyMs, new InventoryGeneration(db, options.inventoryGenerationMaxAgeMs));
}

function secretBoxOf(options: StoreOptions): SecretBox {
  if (options.secretKey !== undefined) return SecretBox.fromBase64(options.secretKey);
  if (options.dataDir === ':memory:') return SecretBox.ephemeral();
  if (options.dataDir !== undefined) return SecretBox.fromDataDir(options.dataDir, { create: options.create ?? true });
  throw new Error('openStore needs a secret key (CURFEW_SECRET_KEY) or a data dir to keep secret.key in');
}

/** The store's parts over one migrated database; exported for bench/node-sqlite, which opens it over another driver. */
export function composeStore(
  db: Kysely<Database>,
  traits: DialectTraits,
  box: SecretBox,
  historyMs: number,
  generation: InventoryGeneration,
): Store {
  return {
    dialect: traits.name,
    ...deviceStore(db),
    ...credentialStore(db, box),
    ...sessionStore(db, traits, generation, { historyMs }),
    countSessionsBy: (query, field, size) => countSessionsBy(db, query, field, size),
    ...taskStore(db, traits, generation),
    ...sessionKillStore(db),
    ...targetLeaseStore(db, traits),
    ...syncLeaseStore(db, traits),
    ...curfewStore(db, traits),
    ...curfewViolationStore(db, traits),
    ...auditStore(db),
    ...userStore(db),
    ...tokenStore(db),
    ...settingStore(db),
    ...loginSessionStore(db),
    ...configStore(db, box, generation),
    close: () => db.destroy(),
  };
}

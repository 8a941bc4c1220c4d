// Where a command's store lives: SQLite in the data dir (the default), or PostgreSQL from `--db` / CURFEW_DB_URL. The
// key that seals device passwords comes from CURFEW_SECRET_KEY when set (nodes sharing one PostgreSQL must share it),
// else from `<dataDir>/secret.key`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreOptions } from '../store/open-store.js';

export const DB_OPTION = '--db <url>';
export const DB_OPTION_HELP =
  'PostgreSQL URL, postgres://user@host:port/database (default: CURFEW_DB_URL; neither: SQLite in the data dir)';

export function storeOptionsFor(
  dataDir: string,
  db: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): StoreOptions {
  const url = db || env.CURFEW_DB_URL || undefined;
  const secretKey = env.CURFEW_SECRET_KEY || undefined;
  return { dataDir, ...(url !== undefined && { url }), ...(secretKey !== undefined && { secretKey }) };
}

/**
 * For commands on an existing inventory (list, remove): a clear error instead of creating an empty data dir, database
 * and secret key. With PostgreSQL the database is the server's and the data dir is optional (it only may hold
 * secret.key), so there is nothing to check here.
 */
export function requireExistingStore(options: StoreOptions): void {
  const { url, dataDir } = options;
  if (url !== undefined || dataDir === undefined || dataDir === ':memory:') return;
  const firstStart = `start a node with curfew serve --data-dir ${dataDir} first`;
  if (!existsSync(dataDir)) throw new Error(`no data directory at ${dataDir} (${firstStart})`);
  if (!existsSync(join(dataDir, 'curfew.db'))) throw new Error(`no curfew database in ${dataDir} (${firstStart})`);
}

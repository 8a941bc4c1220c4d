// Where a command's store lives: SQLite in the data dir (the default), or PostgreSQL from `--db` / CURFEW_DB_URL. The
// key that seals device passwords comes from CURFEW_SECRET_KEY when set (nodes sharing one PostgreSQL must share it),
// else from `<dataDir>/secret.key`.
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

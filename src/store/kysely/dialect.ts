// Everything that differs between SQL engines lives here; the rest of the store is dialect-neutral Kysely.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectTraits {
  name: DialectName;
  /** Column type of an auto-incrementing integer key. */
  serialType: 'integer' | 'serial';
  /** Largest number of bound parameters one statement may carry. */
  maxParams: number;
}

export const SQLITE_TRAITS: DialectTraits = { name: 'sqlite', serialType: 'integer', maxParams: 32_000 };

/** Opens (creating if needed) `<dataDir>/curfew.db` in WAL mode; `:memory:` gives a private in-memory database. */
export function openSqlite(dataDir: string | ':memory:'): Kysely<Database> {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'curfew.db');
  }
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/** Distinct SQL texts kept prepared; IN lists of varying length make new texts, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew, and preparing costs more than running a typical point query (measured: a third
 * of a task read's CPU). Statements are reused by SQL text; better-sqlite3 statements are safe to reuse because each
 * Kysely call runs one to completion.
 */
function withStatementCache(database: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = database.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** True when the error is a unique/primary-key violation, whichever engine raised it. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

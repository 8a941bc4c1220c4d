// Prototype, not used by src: Kysely's SQLite dialect over node:sqlite (DatabaseSync, built into Node ≥ 22.5) in place
// of better-sqlite3, opened as src/store/kysely/dialect.ts opens better-sqlite3 (WAL, synchronous NORMAL, foreign keys,
// busy timeout, a bounded statement cache). Evaluated in docs/decisions/0010-sqlite-driver.md.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { Database } from '../../src/store/kysely/schema.js';
import { createPrivateFile, ensurePrivateDir } from '../../src/store/private-files.js';

// node:sqlite's types come with @types/node ≥ 22; the project keeps @types/node 20 while Node 20 is supported
// (docs/decisions/0009-node-versions.md), so the part used here is declared locally and the module is loaded at run
// time (Node 20 has none: loading it there throws ERR_UNKNOWN_BUILTIN_MODULE).
type Row = Record<string, unknown>;
interface StatementSync {
  all(...parameters: unknown[]): Row[];
  iterate(...parameters: unknown[]): IterableIterator<Row>;
  run(...parameters: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  /** The result columns; none for a statement that returns no rows (Node ≥ 22.16 / 23.11). */
  columns(): unknown[];
}
export interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqlite {
  DatabaseSync: new (
    path: string,
    options?: { readOnly?: boolean; enableForeignKeyConstraints?: boolean; timeout?: number },
  ) => DatabaseSync;
}

export function loadNodeSqlite(): NodeSqlite {
  return createRequire(import.meta.url)('node:sqlite') as NodeSqlite;
}

/** Distinct SQL texts kept prepared, as in src (IN lists of varying length make new texts). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The two things Kysely's SqliteDriver needs from a statement that node:sqlite does differently from better-sqlite3:
 * parameters are spread, not passed as one array, and there is no `reader` flag (a statement that has result columns
 * reads, `insert … returning` included). Rows come back with a null prototype: copied into plain objects, so they
 * compare and print as better-sqlite3's do (assert.deepStrictEqual checks prototypes).
 */
function adapt(statement: StatementSync): SqliteStatement {
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => withSqliteCode(() => statement.all(...parameters).map((row) => ({ ...row }))),
    run: (parameters) => withSqliteCode(() => statement.run(...parameters)),
    *iterate(parameters) {
      for (const row of withSqliteCode(() => statement.iterate(...parameters))) yield { ...row };
    },
  };
}

/** SQLite's extended result codes that src's isUniqueViolation knows by better-sqlite3's names. */
const CODE_NAMES = new Map([
  [1555, 'SQLITE_CONSTRAINT_PRIMARYKEY'],
  [2067, 'SQLITE_CONSTRAINT_UNIQUE'],
]);

/**
 * node:sqlite throws every SQLite error as `code: 'ERR_SQLITE_ERROR'` with the number in `errcode`; better-sqlite3
 * names it in `code` (SQLITE_CONSTRAINT_UNIQUE), which is what the store's conflict handling reads. Adopting node:sqlite
 * in src would teach isUniqueViolation the numbers instead.
 */
function withSqliteCode<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    const name = CODE_NAMES.get((err as { errcode?: number }).errcode ?? 0);
    if (name) Object.assign(err as object, { code: name });
    throw err;
  }
}

export function nodeSqliteDatabase(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
        statement = adapt(database.prepare(sql));
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** `<dataDir>/curfew.db` (created 0600 in a 0700 dir) or a private in-memory database, as src's openSqlite. */
export function openNodeSqlite(dataDir: string | ':memory:'): Kysely<Database> {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    file = join(dataDir, 'curfew.db');
    ensurePrivateDir(dataDir);
    createPrivateFile(file);
  }
  const { DatabaseSync } = loadNodeSqlite();
  const database = new DatabaseSync(file, { enableForeignKeyConstraints: true, timeout: 5000 });
  database.exec('pragma journal_mode = WAL');
  database.exec('pragma synchronous = NORMAL');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: nodeSqliteDatabase(database) }) });
}

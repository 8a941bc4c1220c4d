// Everything that differs between SQL engines lives here; the rest of the store is dialect-neutral Kysely.
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { createPrivateFile, ensurePrivateDir } from '../private-files.js';
import type { NotifyChannel } from '../store.js';
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
/** The wire protocol allows 65,535 parameters per statement; half of it keeps statements (and plans) reasonable. */
export const POSTGRES_TRAITS: DialectTraits = { name: 'postgres', serialType: 'serial', maxParams: 30_000 };

/** The database `url` names (PostgreSQL), else SQLite in `dataDir`, with the traits of its dialect. */
export function openDatabase(where: { url?: string; dataDir?: string | ':memory:'; create?: boolean }): {
  db: Kysely<Database>;
  traits: DialectTraits;
} {
  if (where.url !== undefined) {
    const dialect = dialectOfUrl(where.url);
    if (dialect === 'postgres') return { db: openPostgres(where.url), traits: POSTGRES_TRAITS };
  }
  if (where.dataDir === undefined) throw new Error('the store needs a database URL or a data dir');
  return { db: openSqlite(where.dataDir, { create: where.create ?? true }), traits: SQLITE_TRAITS };
}

/** Which engine a database URL names: `postgres://` or `postgresql://`; anything else is refused, never guessed. */
export function dialectOfUrl(url: string): DialectName {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  throw new Error(`unsupported database URL "${redactUrl(url)}": expected postgres://… (omit it to use SQLite)`);
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

/**
 * Opens `<dataDir>/curfew.db` in WAL mode, creating it (and the data dir) unless `create` is false; `:memory:` gives a
 * private in-memory database.
 */
export function openSqlite(
  dataDir: string | ':memory:',
  { create = true }: { create?: boolean } = {},
): Kysely<Database> {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    file = join(dataDir, 'curfew.db');
    if (create) {
      ensurePrivateDir(dataDir);
      // SQLite gives -wal and -shm the mode of the database file (os_unix.c, findCreateFileMode), whatever the umask:
      // a database created 0600 keeps its WAL and shared-memory files 0600 too.
      createPrivateFile(file);
    }
  }
  const database = new SQLite(file, { fileMustExist: !create && file !== ':memory:' });
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

const INT8_OID = 20;

/**
 * Epoch-ms times, micros and counts are int8 (bigint); pg returns those as strings so as not to lose precision above
 * 2^53. Every value curfew stores is far below that, so this pool parses them to numbers — per pool, not through
 * `pg.types` (which is global to the process).
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} does not fit a JavaScript number`);
  return n;
}

/** Type parsers of curfew's pools only; every other type keeps pg's default parser. */
const POSTGRES_TYPES = new pg.TypeOverrides();
POSTGRES_TYPES.setTypeParser(INT8_OID, 'text', parseInt8);

/**
 * Connections per node. Kill fan-out and sync write in short transactions; 10 keeps several nodes well under the
 * server's max_connections. Migration takes two at start (one holds the lock).
 */
const POSTGRES_POOL_SIZE = 10;

/** A pool on `url` (credentials, host, database and `?options=-c search_path=…` all come from the URL). */
export function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: POSTGRES_POOL_SIZE, types: POSTGRES_TYPES });
  // An idle connection that breaks (server restart, network) is dropped by the pool; the next query opens a new one.
  // Without a listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Arbitrary, fixed: every curfew node of one database takes the same lock. */
const MIGRATION_LOCK_KEY = 0x6375_7266; // 'curf'

/**
 * Runs `migrate` while holding a session-level advisory lock on PostgreSQL, so nodes starting together migrate once:
 * the first one applies the migrations, the others wait and then find nothing to do. SQLite needs no lock (one
 * process owns the file; a second migrator waits on SQLite's own write lock).
 */
export async function withMigrationLock(
  db: Kysely<unknown>,
  traits: DialectTraits,
  migrate: () => Promise<void>,
): Promise<void> {
  if (traits.name !== 'postgres') return migrate();
  // The lock lives on one dedicated connection for the whole migration; the migrator uses other pool connections.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
    try {
      await migrate();
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn);
    }
  });
}

/** True when the error is a unique/primary-key violation, whichever engine raised it. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/**
 * Applied to the select that picks rows to claim: on PostgreSQL the rows are locked and rows another node is claiming
 * right now are skipped (`FOR UPDATE OF <alias> SKIP LOCKED`), so concurrent claimers never wait on each other. SQLite
 * has one writer per file (one process), so its claiming update is a compare-and-set on its own.
 */
export function skipLockedFor(traits: DialectTraits, alias: string) {
  return <Q extends { forUpdate(of?: never): Q; skipLocked(): Q }>(query: Q): Q =>
    traits.name === 'postgres' ? query.forUpdate(alias as never).skipLocked() : query;
}

/**
 * Listens on `channel` of the database at `url` (one dedicated client, outside the pool, since LISTEN is per
 * connection) and publishes to it with `pg_notify`. Channel names are fixed identifiers of curfew's own.
 */
export async function openNotifyChannel(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
): Promise<NotifyChannel> {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  client.on('notification', (message) => {
    if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
  });
  await client.query(`listen ${channel}`);
  return {
    async notify(payload: string) {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      // Closing a client whose connection already broke: there is nothing left to release.
      await client.end().catch(() => undefined);
    },
  };
}

// One running node per data dir. Two nodes on one data dir would share node-id, TLS files and (with SQLite) the store:
// a second `curfew serve` would re-point the lab devices of the first to its own ports and then fail on the busy port.
//
// The lock is a POSIX record lock (fcntl) that SQLite takes on `serve.lock.db` for `BEGIN EXCLUSIVE` with
// `locking_mode=EXCLUSIVE`, kept for the life of the process: the kernel drops it when the process dies, however it
// dies (SIGKILL included), so a stale lock never blocks a restart, and no native dependency beyond better-sqlite3 is
// needed. `serve.lock` beside it only describes the holder (pid, since when, address) for the error message; its
// content grants nothing.
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { createPrivateFile, ensurePrivateDir, writePrivateFile } from '../store/private-files.js';

export const LOCK_DATABASE = 'serve.lock.db';
export const HOLDER_FILE = 'serve.lock';

export interface LockHolder {
  pid: number;
  /** ISO time the holder took the lock. */
  since: string;
  /** Where the holder listens: its URL once listening, the configured host:port before. */
  address: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `pid ${holder.pid}, since ${holder.since}, at ${holder.address}`
      : `its ${HOLDER_FILE} does not say which process`;
    super(
      `the data dir ${dataDir} is in use by another curfew serve (${who}); one node per data dir: stop that node ` +
        'or give this one another --data-dir',
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  /** Records where the holder listens, once it does. */
  setAddress(address: string): void;
  /** Gives the lock up (idempotent); the process exiting does the same. */
  release(): void;
}

/**
 * Lock databases held by this process. better-sqlite3 closes a Database that is garbage collected, which would drop
 * the lock while the node runs; this set keeps them reachable until released.
 */
const held = new Set<SQLite.Database>();

/**
 * Takes the data dir's lock (creating the dir, 0700, when missing), or throws DataDirInUseError naming the holder;
 * changes nothing in the dir when the lock is held.
 */
export function lockDataDir(dataDir: string, address: string): DataDirLock {
  ensurePrivateDir(dataDir);
  const database = openExclusive(join(dataDir, LOCK_DATABASE));
  if (!database) throw new DataDirInUseError(dataDir, readHolder(dataDir));
  held.add(database);
  const holder: LockHolder = { pid: process.pid, since: new Date().toISOString(), address };
  writeHolder(dataDir, holder);
  return {
    setAddress(next) {
      if (held.has(database)) writeHolder(dataDir, { ...holder, address: next });
    },
    release() {
      if (!held.delete(database)) return;
      // Before the lock goes: once it is free, the file may already be the next holder's.
      rmSync(join(dataDir, HOLDER_FILE), { force: true });
      database.close();
    },
  };
}

/** The lock database with its exclusive lock taken, or undefined when another connection holds it. */
function openExclusive(file: string): SQLite.Database | undefined {
  createPrivateFile(file);
  // timeout 0: a held lock is reported at once (SQLITE_BUSY) instead of being waited for.
  const database = new SQLite(file, { timeout: 0 });
  try {
    // MEMORY: no -journal file appears beside the lock database.
    database.pragma('journal_mode = MEMORY');
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('BEGIN EXCLUSIVE');
    return database;
  } catch (err) {
    database.close();
    if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  }
}

/** Written aside and renamed into place, so a reader never sees half a file. */
function writeHolder(dataDir: string, holder: LockHolder): void {
  const aside = join(dataDir, `${HOLDER_FILE}.${process.pid}.tmp`);
  writePrivateFile(aside, `${JSON.stringify(holder)}\n`);
  renameSync(aside, join(dataDir, HOLDER_FILE));
}

/** The holder as it described itself; undefined when the file is missing or unreadable (it may be mid-start). */
export function readHolder(dataDir: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.since !== 'string' || typeof parsed.address !== 'string') {
      return undefined;
    }
    return { pid: parsed.pid, since: parsed.since, address: parsed.address };
  } catch {
    // Missing or half-written (a holder mid-start): described as unknown, the OS lock still decides.
    return undefined;
  }
}

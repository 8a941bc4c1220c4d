// A data dir holds password hashes, the audit log, the inventory, sealed device passwords and their key: nothing in
// it is for other local users. Modes are given explicitly at creation rather than through a process-wide umask, so
// they hold for every caller (the CLI, tests and benchmarks calling startServer or openStore) and a umask does not
// leak into files curfew writes elsewhere (`curfew lab --out`).
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) as 0700; an existing directory is left as it is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates `file` as 0600 with `content` unless it exists (then returns false). Never opens an existing file: closing
 * any descriptor of a file drops the process's POSIX locks on it, and SQLite holds such locks on its files.
 */
export function createPrivateFile(file: string, content = ''): boolean {
  try {
    writeFileSync(file, content, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Writes `file` (replacing it) as 0600, also when it existed with a looser mode. Not for files SQLite has open. */
export function writePrivateFile(file: string, content: string): void {
  writeFileSync(file, content, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Sets `path` to `mode` when group or others have any access to it; true when it was changed. */
export function tightenMode(path: string, mode: number): boolean {
  if (!existsSync(path) || (statSync(path).mode & 0o077) === 0) return false;
  chmodSync(path, mode);
  return true;
}

// Files a node keeps in its data directory besides the database: identity, admin bootstrap, TLS material.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePassword, hashPassword, MIN_PASSWORD_LENGTH } from '../core/passwords.js';
import { createSelfSignedCert } from '../http/tls.js';
import {
  createPrivateFile,
  ensurePrivateDir,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  tightenMode,
  writePrivateFile,
} from '../store/private-files.js';
import type { Store } from '../store/store.js';

/** Reads `<dataDir>/<name>`, creating it (0600) with `make()` on first use. */
function readOrCreate(dataDir: string, name: string, make: () => string): string {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, name);
  if (!existsSync(file)) createPrivateFile(file, make());
  return readFileSync(file, 'utf8').trim();
}

/** What curfew keeps in a data dir (relative paths); directories end with `/`. */
const DATA_DIR_ENTRIES = [
  'curfew.db',
  'curfew.db-wal',
  'curfew.db-shm',
  'node-id',
  'secret.key',
  'serve.lock',
  'serve.lock.db',
  'tls/',
  'tls/key.pem',
  'tls/cert.pem',
];

/**
 * Takes group and other access away from the data dir and curfew's files in it (data dirs of earlier versions were
 * 0755 with 0644 files). Returns the paths it changed, for a warning.
 */
export function tightenDataDir(dataDir: string): string[] {
  const tightened = tightenMode(dataDir, PRIVATE_DIR_MODE) ? [dataDir] : [];
  for (const entry of DATA_DIR_ENTRIES) {
    const path = join(dataDir, entry);
    if (tightenMode(path, entry.endsWith('/') ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE)) tightened.push(path);
  }
  return tightened;
}

/** This node's id in task leases: stable across restarts, so a restarted node takes its own tasks back at once. */
export const nodeIdOf = (dataDir: string): string => readOrCreate(dataDir, 'node-id', () => `node-${randomUUID()}`);

/** The server's machine id (BIG-IQ `ownerMachineId`), shared by every node of one deployment through the store. */
export async function machineIdOf(store: Store): Promise<string> {
  const existing = await store.getSetting('machine_id');
  if (existing) return existing;
  const id = randomUUID();
  await store.setSetting('machine_id', id);
  return id;
}

/**
 * Creates the `admin` account on first start: its password comes from CURFEW_ADMIN_PASSWORD or is generated and
 * returned (to be printed once). Returns undefined when admin already exists or the password came from the env.
 */
export async function bootstrapAdmin(store: Store, envPassword: string | undefined): Promise<string | undefined> {
  if (await store.findUserByName('admin')) return undefined;
  if (envPassword) {
    const length = [...envPassword].length;
    if (length < MIN_PASSWORD_LENGTH) {
      throw new Error(
        `CURFEW_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters long (it has ${length}): choose a longer one, or unset it to have one generated.`,
      );
    }
  }
  const password = envPassword || generatePassword();
  await store.upsertUser({ name: 'admin', passwordHash: await hashPassword(password), createdAt: Date.now() });
  return envPassword ? undefined : password;
}

export interface TlsMaterial {
  cert: string;
  key: string;
}

/** The operator's certificate when given, else a self-signed one created once in `<dataDir>/tls/`. */
export async function tlsMaterial(dataDir: string, certFile?: string, keyFile?: string): Promise<TlsMaterial> {
  if (certFile || keyFile) {
    if (!certFile || !keyFile) throw new Error('--tls-cert and --tls-key go together');
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    ensurePrivateDir(dir);
    const made = await createSelfSignedCert('curfew', ['localhost', '127.0.0.1', '::1']);
    writePrivateFile(keyPath, made.key);
    writePrivateFile(certPath, made.cert);
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

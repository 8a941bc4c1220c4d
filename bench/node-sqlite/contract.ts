// The store contract (test/store.contract.ts, as test/store-sqlite.test.ts runs it on better-sqlite3) on the node:sqlite
// prototype. Node ≥ 22.16 only, so not under test/ (npm test also runs on Node 20):
//   node --import tsx --test bench/node-sqlite/contract.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { storeContract } from '../../test/store.contract.js';
import { openNodeSqliteStore } from './open-store.js';

storeContract('node:sqlite in memory', () => openNodeSqliteStore({ dataDir: ':memory:' }));

const dir = mkdtempSync(join(tmpdir(), 'curfew-node-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A data dir of its own per store opened, as test/store-sqlite.test.ts does: some contract tests count every device.
storeContract('node:sqlite file (WAL)', () => openNodeSqliteStore({ dataDir: mkdtempSync(join(dir, 'store-')) }));

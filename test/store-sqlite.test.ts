import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStore } from '../src/store/open-store.js';
import { storeContract } from './store.contract.js';

storeContract('sqlite in memory', () => openStore({ dataDir: ':memory:' }));

const dir = mkdtempSync(join(tmpdir(), 'curfew-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
storeContract('sqlite file (WAL)', () => openStore({ dataDir: mkdtempSync(join(dir, 'store-')) }));

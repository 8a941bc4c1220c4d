import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../src/store/open-store.js';
import { storeContract } from './store.contract.js';
import { device, putDevices } from './support/factories.js';

storeContract('sqlite in memory', () => openStore({ dataDir: ':memory:' }));

const dir = mkdtempSync(join(tmpdir(), 'curfew-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
storeContract('sqlite file (WAL)', () => openStore({ dataDir: mkdtempSync(join(dir, 'store-')) }));

it('sees inventory changes made through another store on the same database within its max age', async () => {
  const shared = mkdtempSync(join(tmpdir(), 'curfew-store-'));
  const maxAgeMs = 300;
  const reader = await openStore({ dataDir: shared, inventoryGenerationMaxAgeMs: maxAgeMs });
  const writer = await openStore({ dataDir: shared });
  try {
    const readAt = performance.now();
    const before = await reader.inventoryGeneration();
    await putDevices(writer, device());
    const after = await writer.inventoryGeneration();
    assert.ok(after > before, 'the writer sees its own change at once');
    // The reader answers from memory until its read is maxAgeMs old (unless the machine was slower than that).
    const kept = await reader.inventoryGeneration();
    if (performance.now() - readAt < maxAgeMs) assert.equal(kept, before);
    await sleep(maxAgeMs);
    assert.equal(await reader.inventoryGeneration(), after);
  } finally {
    await reader.close();
    await writer.close();
    rmSync(shared, { recursive: true, force: true });
  }
});

// A node that starts logs in to every device and opens its connection before any kill needs it: the first kill after
// a restart costs only its own round trips (no login on the kill path).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LabFleet } from '../lab/bigip/emulator.js';
import { registerLabDevices } from '../src/cli/lab-fleet.js';
import { selectorOf } from '../src/core/kill-request.js';
import type { Engine } from '../src/engine/engine.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { newEngine, waitForFinal } from './support/engine-harness.js';

describe('warm connections at start', () => {
  let fleet: LabFleet;
  let store: Store;
  let engine: Engine;
  before(async () => {
    fleet = await LabFleet.start({ devices: 6, sessionsPerDevice: 3, haPairs: true, password: 'admin' });
    store = await openStore({ dataDir: ':memory:' });
    process.env.CURFEW_LAB_PASSWORD = 'admin';
    // The devices are in the inventory before the node starts, as after a restart.
    await registerLabDevices(newEngine(store, 'setup'), fleet.devices);
    engine = newEngine(store, 'node-a');
  });
  after(async () => {
    await engine.stop();
    await store.close();
    await fleet.stop();
  });

  it('logs in to every device and learns its HA role before the first sync or kill', async () => {
    await engine.start();
    assert.equal(await engine.warmer.warmAll(), fleet.devices.length);
    for (const d of fleet.devices) {
      const counters = fleet.counters(d.id);
      assert.deepEqual([counters.login, counters.list], [1, 0], `${d.hostname}: one login, no listing yet`);
      assert.equal((await engine.fleet.devices()).find((x) => x.id === d.id)?.failover, d.failover);
    }
  });

  it('kills without logging in again', async () => {
    const task = await engine.tasks.submit(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), {
      name: 'admin',
      address: '::1',
    });
    const done = await waitForFinal(store, task.id);
    assert.equal(done.status, 'FINISHED');
    // Clusters resolve to their ACTIVE unit, known from the warm-up: only those were asked.
    const targets = await engine.tasks.targetsOf([task.id]);
    const asked = new Set((targets.get(task.id) ?? []).map((t) => t.deviceId));
    assert.deepEqual(asked, new Set(fleet.devices.filter((d) => d.failover === 'ACTIVE').map((d) => d.id)));
    for (const d of fleet.devices) assert.equal(fleet.counters(d.id).login, 1, `${d.hostname} logged in again`);
  });
});

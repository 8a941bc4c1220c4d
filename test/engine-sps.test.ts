// The kill path over a mixed fleet: one KILL_BY_USER task ends the user's sessions on BIG-IP devices and SPS appliances.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LabFleet } from '../lab/bigip/emulator.js';
import { SpsLabFleet } from '../lab/sps/emulator.js';
import { registerLabDevices } from '../src/cli/lab-fleet.js';
import { selectorOf } from '../src/core/kill-request.js';
import type { Engine } from '../src/engine/engine.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { newEngine, waitForFinal } from './support/engine-harness.js';
import { countActiveSessions } from './support/factories.js';

const admin = { name: 'admin', address: '127.0.0.1' };
const victim = 'mallory';

describe('KILL_BY_USER over a mixed fleet of BIG-IP devices and SPS appliances', () => {
  let bigip: LabFleet;
  let sps: SpsLabFleet;
  let store: Store;
  let engine: Engine;

  before(async () => {
    process.env.CURFEW_LAB_PASSWORD = 'admin';
    const common = { sessionsPerDevice: 6, users: ['alice', 'bob'], password: 'admin' };
    bigip = await LabFleet.start({ ...common, devices: 3, haPairs: false });
    sps = await SpsLabFleet.start({ ...common, devices: 3 });
    store = await openStore({ dataDir: ':memory:' });
    engine = newEngine(store);
    await engine.start();
    await registerLabDevices(engine, bigip.devices);
    await registerLabDevices(engine, sps.devices, 'sps');
    for (const d of bigip.devices) bigip.addSession(d.id, { user: victim, clientIp: '192.0.2.1' });
    for (const d of sps.devices) {
      sps.addSession(d.id, { user: victim, clientIp: '192.0.2.2' });
      sps.addSession(d.id, { user: victim, clientIp: '192.0.2.3', protocol: 'RDP' });
    }
    const synced = await engine.sync.syncAll();
    assert.ok(
      synced.every((result) => result.ok),
      JSON.stringify(synced.filter((result) => !result.ok)),
    );
  });
  after(async () => {
    await engine.stop();
    await store.close();
    await Promise.all([bigip.stop(), sps.stop()]);
  });

  it('registers both kinds side by side', async () => {
    const kinds = (await store.listDevices()).map((d) => d.kind).sort();
    assert.deepEqual(kinds, ['bigip', 'bigip', 'bigip', 'sps', 'sps', 'sps']);
    assert.equal(await countActiveSessions(store, { user: victim }), 3 + 3 * 2);
  });

  it('ends the user’s sessions on every device of both kinds, verified, and leaves the others alone', async () => {
    const task = await engine.submitKill(selectorOf({ action: 'KILL_BY_USER', userName: victim, all: true }), admin);
    const done = await waitForFinal(store, task.id);
    assert.deepEqual([done.status, done.result, done.step], ['FINISHED', 'COMPLETE', 'DONE']);

    const targets = new Map((await store.listTargets(task.id)).map((t) => [t.deviceId, t]));
    assert.equal(targets.size, 6);
    for (const d of bigip.devices) {
      assert.deepEqual([targets.get(d.id)?.status, targets.get(d.id)?.killed.length], ['done', 1], d.hostname);
      assert.equal(bigip.sessions(d.id).filter((s) => s.user === victim).length, 0, d.hostname);
      assert.equal(bigip.sessions(d.id).length, 6, `${d.hostname} lost other users' sessions`);
    }
    for (const d of sps.devices) {
      const target = targets.get(d.id);
      assert.deepEqual([target?.status, target?.killed.length], ['done', 2], d.hostname);
      for (const id of target?.killed ?? []) assert.match(id, /^svc\//);
      assert.equal(sps.sessions(d.id).filter((s) => s.user === victim).length, 0, d.hostname);
      assert.equal(sps.sessions(d.id).length, 6, `${d.hostname} lost other users' sessions`);
    }
    assert.equal(await countActiveSessions(store, { user: victim }), 0);
  });
});

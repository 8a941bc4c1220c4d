// Inventory sync: the store mirrors the devices' sessions and HA roles, on demand and on an interval.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectorOf } from '../src/core/kill-request.js';
import { DeviceActivity } from '../src/engine/device-activity.js';
import { InventorySync } from '../src/engine/inventory-sync.js';
import { type Harness, startHarness, waitForFinal } from './support/engine-harness.js';
import { countActiveSessions } from './support/factories.js';

describe('inventory sync', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ devices: 4, sessionsPerDevice: 6, users: ['alice', 'bob'] });
  });
  after(() => h.close());

  it('mirrors every device: sessions on ACTIVE units, none on STANDBY, roles recorded', async () => {
    for (const d of h.fleet.devices) {
      const stored = await h.store.listSessions({ deviceIds: [d.id], limit: 100, offset: 0 });
      const onDevice = h.fleet.sessions(d.id);
      assert.deepEqual(stored.map((s) => s.sessionId).sort(), onDevice.map((s) => s.sessionId).sort());
      const device = await h.store.findDeviceById(d.id);
      assert.equal(device?.failover, d.failover);
      assert.equal(device?.state, 'online');
      assert.ok(device?.lastSyncAt);
    }
  });

  it('picks up new sessions and drops ended ones on demand, keeping first-seen start times', async () => {
    const [first] = h.fleet.devices;
    assert.ok(first);
    const before = await h.store.listSessions({ deviceIds: [first.id], limit: 100, offset: 0 });
    const sid = h.fleet.addSession(first.id, { user: 'eve', clientIp: '203.0.113.9' });
    await h.engine.sync.syncAll();
    const after = await h.store.listSessions({ deviceIds: [first.id], limit: 100, offset: 0 });
    assert.equal(after.length, before.length + 1);
    const kept = after.find((s) => s.sessionId === before[0]?.sessionId);
    assert.equal(kept?.startedAt, before[0]?.startedAt);
    assert.equal(after.find((s) => s.sessionId === sid)?.user, 'eve');
  });

  it('records an unreachable device without losing what it last listed', async () => {
    const [, , third] = h.fleet.devices;
    assert.ok(third);
    const count = await countActiveSessions(h.store, { deviceIds: [third.id] });
    h.fleet.setFault(third.id, 'reset');
    await h.engine.sync.syncAll();
    const device = await h.store.findDeviceById(third.id);
    assert.equal(device?.state, 'unreachable');
    assert.ok(device?.lastError);
    assert.equal(await countActiveSessions(h.store, { deviceIds: [third.id] }), count);
    h.fleet.setFault(third.id, 'none');
  });

  it('follows a failover: the kill goes to the unit that became ACTIVE', async () => {
    const cluster = 'cluster-1';
    h.fleet.failover(cluster);
    await h.engine.sync.syncAll();
    const members = h.fleet.devices.filter((d) => d.cluster === cluster);
    const nowActive = members.find((d) => h.fleet.device(d.id).failover === 'ACTIVE');
    assert.ok(nowActive);
    assert.equal((await h.store.findDeviceById(nowActive.id))?.failover, 'ACTIVE');
    const task = await h.engine.submitKill(selectorOf({ action: 'KILL_ALL_SESSIONS', clusterNames: [cluster] }), {
      name: 'admin',
      address: '::1',
    });
    const done = await waitForFinal(h.store, task.id);
    assert.equal(done.status, 'FINISHED');
    const targets = await h.store.listTargets(task.id);
    assert.deepEqual(
      targets.map((t) => t.deviceId),
      [nowActive.id],
    );
    assert.equal(h.fleet.sessions(nowActive.id).length, 0);
    assert.equal(await countActiveSessions(h.store, { deviceIds: members.map((m) => m.id) }), 0);
  });

  it('runs on its interval when one is set', async () => {
    const sync = new InventorySync(
      h.store,
      h.engine.connections,
      h.engine.events,
      { intervalMs: 30, concurrency: 4 },
      'test-node',
      new DeviceActivity(),
    );
    const [, , , fourth] = h.fleet.devices;
    assert.ok(fourth);
    const seen = new Promise<void>((resolve) => {
      const onSync = (e: { deviceId: string }) => {
        if (e.deviceId === fourth.id) {
          h.engine.events.off('sync', onSync);
          resolve();
        }
      };
      h.engine.events.on('sync', onSync);
    });
    sync.start();
    await seen;
    await sync.stop();
  });

  it('syncs every device at start, not one interval later', async () => {
    const sync = new InventorySync(
      h.store,
      h.engine.connections,
      h.engine.events,
      { intervalMs: 3_600_000, concurrency: 4 },
      'test-node',
      new DeviceActivity(),
    );
    const seen = new Set<string>();
    const all = new Promise<void>((resolve) => {
      const onSync = (e: { deviceId: string }) => {
        seen.add(e.deviceId);
        if (seen.size === h.fleet.devices.length) {
          h.engine.events.off('sync', onSync);
          resolve();
        }
      };
      h.engine.events.on('sync', onSync);
    });
    sync.start();
    await all; // with an hour's interval, only the start round can get here
    await sync.stop();
  });

  it('leaves a device alone while a kill works on it (the kill lists it itself)', async () => {
    const activity = new DeviceActivity();
    const sync = new InventorySync(
      h.store,
      h.engine.connections,
      h.engine.events,
      { intervalMs: 0, concurrency: 4 },
      'test-node',
      activity,
    );
    const [busy] = h.fleet.devices;
    assert.ok(busy);
    activity.begin(busy.id);
    const results = await sync.syncAll();
    assert.deepEqual(
      results.map((r) => r.deviceId).sort(),
      h.fleet.devices
        .filter((d) => d.id !== busy.id)
        .map((d) => d.id)
        .sort(),
    );
    activity.end(busy.id);
    assert.ok((await sync.syncAll()).some((r) => r.deviceId === busy.id));
  });

  it('shares the devices with another node, half each, and takes them all back when it stops', async () => {
    const own = h.engine.sync;
    const peer = new InventorySync(
      h.store,
      h.engine.connections,
      h.engine.events,
      { intervalMs: 0, concurrency: 4 },
      'peer-node',
      new DeviceActivity(),
    );
    const polled = (results: { deviceId: string }[]) => results.map((r) => r.deviceId).sort();
    const all = h.fleet.devices.map((d) => d.id).sort();
    assert.deepEqual(polled(await own.syncAll()), all, 'alone, a node holds every device');
    assert.deepEqual(await peer.syncAll(), [], 'a node that joins finds every device held');
    assert.deepEqual(polled(await own.syncAll()), all, 'the holder polls its excess once more, then hands it off');
    const peerShare = polled(await peer.syncAll());
    const ownShare = polled(await own.syncAll());
    assert.deepEqual([peerShare.length, ownShare.length], [2, 2], 'half each');
    assert.deepEqual([...peerShare, ...ownShare].sort(), all, 'every device polled by one of them');
    await peer.stop();
    assert.deepEqual(polled(await own.syncAll()), all, 'a node stopping hands its devices back at once');
  });
});

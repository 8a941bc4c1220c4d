// Curfew enforcement in the engine over emulated BIG-IPs (access policy with the deny list on, and off) and SPS
// appliances: sessions caught and killed with verified tasks, deny lists written and cleared, monitor mode, expiry,
// and no requests to devices outside every curfew's scope.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { LabFleet, LabLogonDenied } from '../lab/bigip/emulator.js';
import { SpsLabFleet } from '../lab/sps/emulator.js';
import { registerLabDevices } from '../src/cli/lab-fleet.js';
import type { Engine } from '../src/engine/engine.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { newEngine, waitForFinal } from './support/engine-harness.js';
import { eventually } from './support/eventually.js';

const admin = { name: 'admin', address: '127.0.0.1' };
const DENY_LIST = '/Common/curfew_denied_users';
const INTERVAL_MS = 150;

describe('curfews enforced by the engine', () => {
  let bigip: LabFleet;
  let sps: SpsLabFleet;
  let store: Store;
  let engine: Engine;
  const victim = 'mallory';

  before(async () => {
    process.env.CURFEW_LAB_PASSWORD = 'admin';
    const common = { sessionsPerDevice: 3, users: ['alice', 'bob'], password: 'admin' };
    bigip = await LabFleet.start({ ...common, devices: 4, haPairs: false, accessGroups: 2 });
    sps = await SpsLabFleet.start({ ...common, devices: 2 });
    store = await openStore({ dataDir: ':memory:' });
    engine = newEngine(store, 'test-node', { curfews: { intervalMs: INTERVAL_MS } });
    await engine.start();
    await registerLabDevices(engine, bigip.devices);
    await registerLabDevices(engine, sps.devices, 'sps');
    await engine.sync.syncAll();
  });
  after(async () => {
    await engine.stop();
    await store.close();
    await Promise.all([bigip.stop(), sps.stop()]);
  });
  beforeEach(async () => {
    for (const c of await store.listActiveCurfews(Date.now())) await engine.curfews.lift(c.id, admin);
    bigip.setPolicy({ installed: true });
  });

  const victimSessions = () => [
    ...bigip.devices.flatMap((d) => bigip.sessions(d.id).filter((s) => s.user === victim)),
    ...sps.devices.flatMap((d) => sps.sessions(d.id).filter((s) => s.user === victim)),
  ];

  it('kills the user everywhere, fills the deny lists, kills a session that appears where nothing prevents it', async () => {
    const [first, second] = bigip.devices;
    const [appliance] = sps.devices;
    assert.ok(first && second && appliance);
    bigip.addSession(first.id, { user: victim, clientIp: '192.0.2.1' });
    sps.addSession(appliance.id, { user: victim, clientIp: '192.0.2.2' });

    const curfew = await engine.curfews.set(
      { users: [victim], fleet: true, duration: '2m', reason: 'incident 7' },
      admin,
    );
    await eventually('the victim gone from every device', () => victimSessions().length === 0);
    for (const d of bigip.devices) {
      const records = await eventually(
        `deny list on ${d.id}`,
        () => bigip.dataGroupRecords(d.id, DENY_LIST) ?? undefined,
      );
      assert.deepEqual(
        records.map((r) => r.name),
        [victim],
      );
      assert.match(records[0]?.data ?? '', new RegExp(`^${curfew.id};\\d{4}-`));
    }
    // The access policy refuses the curfewed user at logon.
    assert.throws(() => bigip.addSession(second.id, { user: victim, clientIp: '192.0.2.9' }), LabLogonDenied);

    // Where nothing prevents it (policy not installed, or SPS), a new session is killed on sight.
    bigip.setPolicy({ installed: false }, second.id);
    bigip.addSession(second.id, { user: victim, clientIp: '192.0.2.3' });
    sps.addSession(appliance.id, { user: victim, clientIp: '192.0.2.4' });
    await eventually('the re-login killed', () => victimSessions().length === 0);

    const violations = await engine.curfews.violations(curfew.id, { limit: 50, offset: 0 });
    assert.equal(violations.length, 4);
    assert.ok(violations.every((v) => v.action === 'killed' && v.taskId !== null));
    for (const taskId of new Set(violations.map((v) => v.taskId ?? ''))) {
      const task = await waitForFinal(store, taskId);
      assert.equal(task.status, 'FINISHED', `${taskId}: ${task.errorMessage}`);
      assert.equal(task.selector.curfewId, curfew.id);
      assert.equal(task.requestedBy, 'curfew');
    }
    assert.equal((await engine.curfews.get(curfew.id))?.violations, 4);

    const prevention = new Map((await engine.curfews.prevention()).map((p) => [p.deviceId, p]));
    assert.equal(prevention.get(first.id)?.status, 'in_sync');
    assert.equal(prevention.get(appliance.id)?.status, 'unsupported');

    await engine.curfews.lift(curfew.id, admin);
    await eventually('deny lists emptied', () =>
      bigip.devices.every((d) => (bigip.dataGroupRecords(d.id, DENY_LIST) ?? []).length === 0),
    );
    bigip.addSession(second.id, { user: victim, clientIp: '192.0.2.5' });
    const lifted = bigip.addSession(first.id, { user: victim, clientIp: '192.0.2.6' });
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 3));
    assert.ok(
      bigip.sessions(first.id).some((s) => s.sessionId === lifted),
      'a lifted curfew lets the user back in',
    );
    const audit = (await store.listAudit({ limit: 200, offset: 0 })).filter((e) => e.subject === curfew.id);
    const actions = new Set(audit.map((e) => e.action));
    for (const action of ['curfew.set', 'curfew.violation', 'curfew.lift']) assert.ok(actions.has(action), action);
  });

  it('monitor mode records without killing; expiry ends a curfew by itself', async () => {
    const [device] = bigip.devices;
    assert.ok(device);
    const watched = 'watched-user';
    const id = bigip.addSession(device.id, { user: watched, clientIp: '198.51.100.1' });
    const monitor = await engine.curfews.set(
      { users: ['watched-*'], devices: [device.id], duration: '1s', reason: 'watch', mode: 'monitor' },
      admin,
    );
    const seen = await eventually('a monitor violation', async () => {
      const list = await engine.curfews.violations(monitor.id, { limit: 5, offset: 0 });
      return list.length > 0 ? list : undefined;
    });
    assert.equal(seen[0]?.action, 'seen');
    assert.ok(
      bigip.sessions(device.id).some((s) => s.sessionId === id),
      'monitor never kills',
    );
    const expired = await eventually('the curfew expired', async () => {
      const c = await engine.curfews.get(monitor.id);
      return c?.state === 'expired' ? c : undefined;
    });
    assert.equal(expired.endedAt, monitor.until);
    const audit = (await store.listAudit({ limit: 200, offset: 0 })).filter((e) => e.subject === monitor.id);
    assert.ok(audit.some((e) => e.action === 'curfew.expire'));
  });

  it('sends no request to devices outside every active curfew', async () => {
    const [inside, ...outside] = bigip.devices;
    assert.ok(inside);
    const curfew = await engine.curfews.set({ users: ['nobody'], devices: [inside.id], reason: 'scope' }, admin);
    await eventually('the deny list written', () => (bigip.dataGroupRecords(inside.id, DENY_LIST) ?? []).length === 1);
    bigip.resetCounters();
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 5));
    for (const d of outside) {
      const counters = bigip.counters(d.id);
      const total = Object.values(counters).reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
      assert.equal(total, 0, `${d.id} got ${JSON.stringify(counters)}`);
    }
    const insideCounters = bigip.counters(inside.id);
    assert.ok(
      Object.values(insideCounters).some((n) => typeof n === 'number' && n > 0),
      'the device in scope is listed',
    );
    await engine.curfews.lift(curfew.id, admin);
  });
});

// The kill path end to end: task row → runner → BIG-IP connector → emulated devices → verified outcomes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectorOf } from '../src/core/kill-request.js';
import { type Harness, newEngine, startHarness, syncEveryDevice, waitForFinal } from './support/engine-harness.js';
import { countActiveSessions } from './support/factories.js';

const admin = { name: 'admin', address: '127.0.0.1' };

describe('KILL_BY_USER over 24 emulated devices, 10 % of them faulty', () => {
  let h: Harness;
  const victim = 'mallory';
  before(async () => {
    // 24 standalone devices, each with 10 sessions of other users plus 2 of the victim.
    h = await startHarness({ devices: 24, sessionsPerDevice: 10, haPairs: false, users: ['alice', 'bob', 'carol'] });
    for (const d of h.fleet.devices) {
      h.fleet.addSession(d.id, { user: victim, clientIp: '192.0.2.1' });
      h.fleet.addSession(d.id, { user: victim, clientIp: '192.0.2.2' });
    }
    await syncEveryDevice(h.engine);
  });
  after(() => h.close());

  it('ends with exact per-device outcomes and the user gone from every healthy device', async () => {
    const [timeoutDevice, errorDevice, silentDevice] = h.fleet.devices;
    assert.ok(timeoutDevice && errorDevice && silentDevice);
    h.fleet.setFault(timeoutDevice.id, 'timeout');
    h.fleet.setFault(errorDevice.id, 'http500');
    h.fleet.setFault(silentDevice.id, 'silent_nonkill');
    const victimIds = (deviceId: string) =>
      h.fleet
        .sessions(deviceId)
        .filter((s) => s.user === victim)
        .map((s) => s.sessionId)
        .sort();
    const timeoutIds = victimIds(timeoutDevice.id);
    const silentIds = h.fleet
      .sessions(silentDevice.id)
      .filter((s) => s.user === victim)
      .map((s) => s.sessionId)
      .sort();

    const task = await h.engine.submitKill(selectorOf({ action: 'KILL_BY_USER', userName: victim, all: true }), admin);
    const done = await waitForFinal(h.store, task.id);
    assert.equal(done.status, 'FAILED');
    assert.equal(done.step, 'KILL');
    assert.equal(done.result, 'FAILED');
    assert.equal(done.errorMessage, 'Failed to kill sessions on 3 of 24 devices');

    const targets = new Map((await h.store.listTargets(task.id)).map((t) => [t.deviceId, t]));

    assert.equal(targets.size, 24);
    assert.deepEqual(pick(targets.get(timeoutDevice.id)), ['failed', 'timeout', 0, 2, 2]);
    assert.deepEqual(
      [...(targets.get(timeoutDevice.id)?.failed ?? [])].sort(),
      timeoutIds,
      'unreachable: the sessions still alive',
    );
    assert.deepEqual(pick(targets.get(errorDevice.id)), ['failed', 'device_error', 0, 2, 2]);
    assert.deepEqual(pick(targets.get(silentDevice.id)), ['failed', 'kill_unverified', 0, 2, 2]);
    assert.deepEqual([...(targets.get(silentDevice.id)?.failed ?? [])].sort(), silentIds);

    for (const d of h.fleet.devices.slice(3)) {
      const t = targets.get(d.id);
      assert.equal(t?.status, 'done', d.hostname);
      assert.equal(t?.killed.length, 2, d.hostname);
      assert.equal(t?.failed.length, 0);
      const left = h.fleet.sessions(d.id);
      assert.equal(left.filter((s) => s.user === victim).length, 0, `${d.hostname} still has the victim`);
      assert.equal(left.length, 10, `${d.hostname} lost other users' sessions`);
    }
    assert.equal(h.fleet.sessions(silentDevice.id).filter((s) => s.user === victim).length, 2);
    const inventory = await countActiveSessions(h.store, { user: victim });
    assert.equal(inventory, 2 * 3, 'the inventory keeps the victim only where the kill failed');
  });
});

async function pollStore(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** [status, errorCode, killed, failed, attempts] — attempts is 2 for retried transient failures. */
function pick(
  t: { status: string; errorCode: string | null; killed: string[]; failed: string[]; attempts: number } | undefined,
) {
  if (!t) return undefined;
  return [t.status, t.errorCode, t.killed.length, t.failed.length, t.attempts];
}

describe('explicit session lists, unknown devices and cancel', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ devices: 4, sessionsPerDevice: 5, haPairs: false });
  });
  after(() => h.close());

  it('kills listed ids and reports ids the device does not have as not_found', async () => {
    const [d] = h.fleet.devices;
    assert.ok(d);
    const [s1, s2] = h.fleet.sessions(d.id).map((s) => s.sessionId);
    assert.ok(s1 && s2);
    const task = await h.engine.submitKill(
      selectorOf({
        action: 'KILL_BY_LIST_OF_SESSIONS',
        sessions: [{ deviceId: d.id, sessionIds: [s1, s2, 'deadbeef'] }],
      }),
      admin,
    );
    const done = await waitForFinal(h.store, task.id);
    assert.deepEqual([done.status, done.result, done.step], ['FINISHED', 'COMPLETE', 'DONE']);
    const [target] = await h.store.listTargets(task.id);
    assert.deepEqual(target?.killed.sort(), [s1, s2].sort());
    assert.deepEqual(target?.notFound, ['deadbeef']);
    assert.equal(h.fleet.sessions(d.id).length, 3);
  });

  it('fails the task, not the request, for an unknown device, and kills nothing', async () => {
    const [d] = h.fleet.devices;
    assert.ok(d);
    const before = h.fleet.sessions(d.id).length;
    const task = await h.engine.submitKill(
      selectorOf({ action: 'KILL_ALL_SESSIONS', deviceIds: [d.id, '901695c8-f405-489f-9996-54f7b21da642'] }),
      admin,
    );
    const done = await waitForFinal(h.store, task.id);
    assert.deepEqual([done.status, done.step, done.result], ['FAILED', 'RESOLVE_DEVICES', 'PENDING']);
    assert.equal(done.errorMessage, 'device 901695c8-f405-489f-9996-54f7b21da642 not found');
    assert.ok(done.endedAt);
    assert.equal(h.fleet.sessions(d.id).length, before);
  });

  it('cancels: devices in flight finish, the rest are marked canceled', async () => {
    h.fleet.setLatency(150);
    const slow = newEngine(h.store, 'slow-node', { runner: { globalConcurrency: 1, pollMs: 50, flushMs: 5 } });
    await h.engine.stop();
    await slow.start();
    try {
      const task = await slow.submitKill(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), admin);
      // One device at a time: cancel once the first device is done, while the others wait.
      await pollStore(async () => (await h.store.listTargets(task.id)).some((t) => t.status === 'done'));
      assert.equal((await slow.cancelTask(task.id, admin))?.task.status, 'CANCEL_REQUESTED');
      const done = await waitForFinal(h.store, task.id);
      assert.equal(done.status, 'CANCELED');
      const statuses = (await h.store.listTargets(task.id)).map((t) => t.status);
      assert.ok(statuses.includes('canceled'), statuses.join());
      assert.ok(statuses.includes('done'), statuses.join());
      const audit = await h.store.listAudit({ limit: 5, offset: 0, action: 'task.cancel' });
      assert.equal(audit[0]?.subject, task.id);
    } finally {
      await slow.stop();
      h.fleet.setLatency(0);
    }
  });
});

describe('outcomes are the device truth under partial failures', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ devices: 2, sessionsPerDevice: 50, haPairs: false, users: ['alice', 'bob'] });
  });
  after(() => h.close());

  it('a device failing 30 % of requests: killed and failed are exactly what it lost and kept', async () => {
    const [flaky] = h.fleet.devices;
    assert.ok(flaky);
    const before = new Set(h.fleet.sessions(flaky.id).map((s) => s.sessionId));
    assert.equal(before.size, 50);
    h.fleet.setFault(flaky.id, 'http500', 0.3);
    try {
      const task = await h.engine.submitKill(selectorOf({ action: 'KILL_ALL_SESSIONS', deviceIds: [flaky.id] }), admin);
      await waitForFinal(h.store, task.id);
      const [target] = await h.store.listTargets(task.id);
      assert.ok(target);
      const left = new Set(h.fleet.sessions(flaky.id).map((s) => s.sessionId));
      const lost = [...before].filter((id) => !left.has(id));
      assert.ok(lost.length > 0, 'the device lost some sessions');
      assert.deepEqual([...target.killed].sort(), lost.sort(), 'killed = what the device lost');
      assert.deepEqual([...target.failed].sort(), [...left].sort(), 'failed = what the device kept');
      assert.deepEqual(target.notFound, []);
      assert.equal(target.status, left.size === 0 ? 'done' : 'failed');
    } finally {
      h.fleet.setFault(flaky.id, 'none');
    }
  });
});

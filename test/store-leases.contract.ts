// Per-device leases (several nodes sharing one task): claiming, renewal, owner-only outcome writes, conditional
// conclusion. Part of the store conformance suite, so it runs on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newKillTask, selectorOf } from '../src/core/kill-request.js';
import type { Store, TargetOutcome } from '../src/store/store.js';
import { device, pendingTarget, putDevices } from './support/factories.js';

const actor = { name: 'admin', address: '127.0.0.1' };

const done = (taskId: string, deviceId: string): TargetOutcome => ({
  taskId,
  deviceId,
  status: 'done',
  killed: [],
  notFound: [],
  failed: [],
  errorCode: null,
  errorMessage: null,
  attempts: 1,
});

async function runningTask(store: Store, devices: number): Promise<string> {
  const task = newKillTask(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor, 7_000);
  await store.createTask(task, {
    at: 1,
    actor: 'admin',
    address: '::1',
    action: 'task.create',
    subject: task.id,
    details: {},
  });
  await store.insertTargets(Array.from({ length: devices }, (_, i) => pendingTarget(task.id, `dev-${i}`)));
  await store.transitionTask(task.id, ['CREATED'], { status: 'STARTED', step: 'KILL' });
  return task.id;
}

export function targetLeaseContract(store: () => Store): void {
  it('gives each pending device of a running task to one claimer at a time', async () => {
    const s = store();
    const taskId = await runningTask(s, 10);
    const claims = await Promise.all(['n1', 'n2', 'n3'].map((n) => s.claimTargets(n, 100_000, 1_000, 4)));
    const claimed = claims.flat().filter((t) => t.taskId === taskId);
    assert.equal(claimed.length, 10);
    assert.equal(new Set(claimed.map((t) => t.deviceId)).size, 10, 'no device claimed twice');
    assert.deepEqual(await s.claimTargets('n4', 100_500, 1_000, 10), [], 'live leases are not claimable');
    assert.equal(await s.renewTargetLeases('n1', 102_000), claims[0]?.length);
    const expired = await s.claimTargets('n4', 101_500, 1_000, 10);
    assert.equal(expired.length, 10 - (claims[0]?.length ?? 0), 'expired leases are taken over; renewed ones kept');
    await s.transitionTask(taskId, ['STARTED'], { status: 'FINISHED' });
    assert.deepEqual(await s.claimTargets('n5', 999_000, 1_000, 10), [], 'devices of final tasks are never claimed');
  });

  it('writes an outcome only under the lease that holds the device, once', async () => {
    const s = store();
    const taskId = await runningTask(s, 2);
    const [first] = await s.claimTargets('old', 200_000, 1_000, 1);
    assert.ok(first);
    const [taken] = await s.claimTargets('new', 202_000, 1_000, 2);
    assert.equal(taken?.deviceId, first.deviceId, 'the expired device is claimed again');
    assert.deepEqual(await s.recordOutcomes([done(taskId, first.deviceId)], 1, 'old'), [], 'lost lease: dropped');
    assert.equal((await s.recordOutcomes([done(taskId, first.deviceId)], 1, 'new')).length, 1);
    assert.deepEqual(await s.recordOutcomes([done(taskId, first.deviceId)], 1, 'new'), [], 'written once');
    assert.equal(await s.countPendingTargets(taskId), 1);
    await s.releaseTargetLeases('new');
    assert.equal(await s.cancelUnleasedTargets(taskId, 203_000), 1);
    assert.equal(await s.countPendingTargets(taskId), 0);
  });

  it('concludes a task once when nodes race (conditional transition)', async () => {
    const s = store();
    const taskId = await runningTask(s, 0);
    const results = await Promise.all(
      [1, 2, 3].map(() => s.transitionTask(taskId, ['STARTED'], { status: 'FINISHED', step: 'DONE' })),
    );
    assert.equal(results.filter((r) => r?.status === 'FINISHED').length, 1);
    assert.equal(await s.transitionTask('missing', ['STARTED'], { status: 'FAILED' }), undefined);
  });

  it('gives each device to one sync claimer at a time; the holder renews, expired leases are taken over', async () => {
    const s = store();
    const mine = Array.from({ length: 9 }, (_, i) => device({ hostname: `sync-lease-${i}.lab` }));
    await putDevices(s, ...mine);
    const ids = new Set(mine.map((d) => d.id));
    const ours = (devices: { id: string }[]) => devices.filter((d) => ids.has(d.id)).map((d) => d.id);
    const t0 = 5_000_000;
    const claims = await Promise.all(['s1', 's2', 's3'].map((n) => s.claimSyncDevices(n, t0, 1_000)));
    const claimed = claims.flatMap(ours);
    assert.equal(claimed.length, 9, 'every device claimed');
    assert.equal(new Set(claimed).size, 9, 'no device claimed twice');
    const holder = ['s1', 's2', 's3'].findIndex((_, i) => ours(claims[i] ?? []).length > 0);
    const held = ours(claims[holder] ?? []).sort();
    const holderName = `s${holder + 1}`;
    assert.deepEqual(ours(await s.claimSyncDevices('s4', t0 + 500, 1_000)), [], 'live leases are not claimable');
    assert.deepEqual(ours(await s.claimSyncDevices(holderName, t0 + 900, 1_000)).sort(), held, 'the holder renews');
    const others = claimed.filter((id) => !held.includes(id)).sort();
    const expiredOnly = ours(await s.claimSyncDevices('s4', t0 + 1_500, 1_000)).sort();
    assert.deepEqual(expiredOnly, others, 'renewed leases are kept, expired ones taken over');
    const takenOver = ours(await s.claimSyncDevices('s4', t0 + 2_000, 1_000));
    assert.equal(takenOver.length, 9, 'expired leases are taken over');
    await s.releaseSyncLeases('s4');
    assert.equal(ours(await s.claimSyncDevices('s5', t0 + 2_100, 1_000)).length, 9, 'released leases are free');
    const listed = await s.claimSyncDevices('s5', t0 + 2_200, 1_000);
    assert.equal(listed.find((d) => d.id === mine[0]?.id)?.hostname, 'sync-lease-0.lab', 'claims return devices');
    await s.releaseSyncLeases('s5');
  });
}

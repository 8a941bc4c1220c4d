// Per-device leases (several nodes sharing one task): claiming, renewal, owner-only outcome writes, conditional
// conclusion. Part of the store conformance suite, so it runs on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newKillTask, selectorOf } from '../src/core/kill-request.js';
import type { TaskTarget } from '../src/core/model.js';
import type { Store, TargetOutcome } from '../src/store/store.js';

const actor = { name: 'admin', address: '127.0.0.1' };

const pendingTarget = (taskId: string, deviceId: string): TaskTarget => ({
  taskId,
  deviceId,
  sessionIds: null,
  status: 'pending',
  killed: [],
  notFound: [],
  failed: [],
  errorCode: null,
  errorMessage: null,
  attempts: 0,
  updatedAt: 1,
});

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
  await store.updateTask(task.id, { status: 'STARTED', step: 'KILL' });
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
    await s.updateTask(taskId, { status: 'FINISHED' });
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
}

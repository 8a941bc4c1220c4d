// Per-device leases (several nodes sharing one task): claiming, renewal, owner-only outcome writes, conditional
// conclusion; and sync leases balanced across nodes. Part of the store conformance suite, so it runs on SQLite and on
// PostgreSQL.
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
}

/** A sync round of `owner` as the engine runs it: claim, poll (nothing here), hand off what is above its share. */
async function syncRound(s: Store, owner: string, now: number, leaseMs: number): Promise<string[]> {
  const claim = await s.claimSyncDevices(owner, now, leaseMs);
  if (claim.handOff.length > 0) await s.handOffSyncDevices(owner, claim.handOff, now);
  return claim.devices.map((d) => d.id).filter((id) => !claim.handOff.includes(id));
}

/** Asserts that `held` (per owner) never holds a device twice, and returns how many each owner holds. */
function disjoint(held: Record<string, string[]>): Record<string, number> {
  const all = Object.values(held).flat();
  assert.equal(new Set(all).size, all.length, 'no device held by two owners');
  return Object.fromEntries(Object.entries(held).map(([owner, ids]) => [owner, ids.length]));
}

/** Sync leases, each test on a store of its own: fair shares are counted over every device of the store. */
export function syncLeaseContract(open: () => Promise<Store>): void {
  const withStore = async (run: (s: Store) => Promise<void>) => {
    const s = await open();
    try {
      await run(s);
    } finally {
      await s.close();
    }
  };

  it('gives each device to one sync claimer at a time when claimers race, and every device to someone', () =>
    withStore(async (s) => {
      await putDevices(s, ...Array.from({ length: 9 }, (_, i) => device({ hostname: `race-${i}.lab` })));
      const t0 = 5_000_000;
      const claims = await Promise.all(['s1', 's2', 's3'].map((n) => s.claimSyncDevices(n, t0, 1_000)));
      const claimed = claims.flatMap((c) => c.devices.map((d) => d.id));
      assert.equal(new Set(claimed).size, claimed.length, 'no device claimed twice');
      assert.equal(claimed.length, 9, 'every device claimed (the shares always cover the devices)');
      const late = await s.claimSyncDevices('s4', t0 + 500, 1_000);
      assert.deepEqual(late, { devices: [], handOff: [] }, 'live leases are not claimable');
    }));

  it('renews the holder, hands off only its own devices, takes over expired and released ones', () =>
    withStore(async (s) => {
      const mine = Array.from({ length: 6 }, (_, i) => device({ hostname: `sync-lease-${i}.lab` }));
      await putDevices(s, ...mine);
      const ids = mine.map((d) => d.id);
      const t0 = 6_000_000;
      const first = await s.claimSyncDevices('a', t0, 1_000);
      assert.deepEqual(
        first.devices.map((d) => d.hostname),
        mine.map((d) => d.hostname),
        'a single node holds every device (by hostname)',
      );
      assert.deepEqual(first.handOff, []);
      assert.deepEqual(await s.claimSyncDevices('b', t0 + 500, 1_000), { devices: [], handOff: [] });
      // b is live now: a's share is 3 of 6. It renews all six (it polls them this round) and lists three to hand off.
      const renewed = await s.claimSyncDevices('a', t0 + 900, 1_000);
      assert.deepEqual(
        renewed.devices.map((d) => d.id),
        ids,
        'the holder renews every device it holds',
      );
      assert.deepEqual(renewed.handOff, ids.slice(3), 'the devices above its share, last by hostname');
      assert.equal(await s.handOffSyncDevices('b', ids, t0 + 950), 0, 'only the holder hands a device off');
      // a renewed until t0 + 1900; b's leases and liveness ended at t0 + 1500.
      assert.deepEqual(await s.claimSyncDevices('b', t0 + 1_600, 1_000), { devices: [], handOff: [] });
      assert.equal(await s.handOffSyncDevices('a', [ids[4] ?? '', ids[5] ?? ''], t0 + 1_650), 2);
      const handedOff = await s.claimSyncDevices('b', t0 + 1_700, 1_000);
      assert.deepEqual(
        handedOff.devices.map((d) => d.id),
        [ids[4], ids[5]],
        'handed-off devices are free at once',
      );
      // a stops renewing: after t0 + 1900 its leases end and it no longer counts, so b's share is every device.
      const takenOver = await s.claimSyncDevices('b', t0 + 2_000, 1_000);
      assert.deepEqual(
        takenOver.devices.map((d) => d.id),
        ids,
        'expired leases are taken over',
      );
      await s.releaseSyncLeases('b');
      const released = await s.claimSyncDevices('c', t0 + 2_100, 1_000);
      assert.equal(released.devices.length, 6, 'released leases are free, and the node that released them withdrew');
      assert.equal(released.devices[0]?.hostname, 'sync-lease-0.lab', 'claims return devices');
    }));

  it("balances 30 devices over 3 nodes (10 each) and spreads a dead node's devices over the others", () =>
    withStore(async (s) => {
      const fleet = Array.from({ length: 30 }, (_, i) =>
        device({ hostname: `fleet-${String(i).padStart(2, '0')}.lab` }),
      );
      await putDevices(s, ...fleet);
      const leaseMs = 1_000;
      const t0 = 7_000_000;
      const owners = ['n1', 'n2', 'n3'];
      const round = async (at: number, who: string[]) => {
        const held = await Promise.all(who.map((o) => syncRound(s, o, at, leaseMs)));
        return Object.fromEntries(who.map((o, i) => [o, held[i] ?? []]));
      };
      // The first round starts sticky (whoever claims first sees itself alone); the next two balance.
      let held: Record<string, string[]> = {};
      for (let i = 0; i < 3; i++) {
        held = await round(t0 + i * 300, owners);
        disjoint(held);
      }
      assert.deepEqual(disjoint(held), { n1: 10, n2: 10, n3: 10 }, 'a third each');
      assert.equal(Object.values(held).flat().length, 30);
      const steady = await round(t0 + 900, owners);
      assert.deepEqual(steady, held, 'balanced nodes keep their devices (no hand-off)');
      // n3 stops: until its leases end (t0 + 1900) its devices stay with it and the others keep their shares.
      const dead = held.n3 ?? [];
      const whileLeased = await round(t0 + 1_200, ['n1', 'n2']);
      assert.deepEqual(disjoint(whileLeased), { n1: 10, n2: 10 });
      assert.ok(
        !Object.values(whileLeased)
          .flat()
          .some((id) => dead.includes(id)),
        'live leases are kept',
      );
      const after = await round(t0 + 2_000, ['n1', 'n2']);
      assert.deepEqual(disjoint(after), { n1: 15, n2: 15 }, "the dead node's devices are spread over the others");
      assert.equal(new Set(Object.values(after).flat()).size, 30, 'every device held');
      assert.equal((after.n1 ?? []).filter((id) => dead.includes(id)).length, 5);
      const later = await round(t0 + 2_300, ['n1', 'n2']);
      assert.deepEqual(later, after, 'and they keep them');
    }));
}

// Store conformance, a session's history part: sessions found by their native id on any device, and the kill tasks
// that touched a session. Called from storeContract with its store; every case uses its own devices.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { newKillTask, selectorOf } from '../src/core/kill-request.js';
import type { Device } from '../src/core/model.js';
import type { Store } from '../src/store/store.js';
import { device, pendingTarget, putDevices, recordKill } from './support/factories.js';

const actor = { name: 'responder', address: '192.0.2.1' };

async function withSessions(store: Store, d: Device, ids: string[], at = 1000): Promise<void> {
  const listed = ids.map((sessionId) => ({
    deviceId: d.id,
    sessionId,
    user: 'alice',
    clientIp: '10.0.0.1',
    startedAt: at,
    protocol: 'SSH',
  }));
  await store.replaceDeviceSessions(d.id, listed, at);
}

async function listTask(store: Store, d: Device, sessionIds: string[], createdAt: number) {
  const task = newKillTask(
    selectorOf({ action: 'KILL_BY_LIST_OF_SESSIONS', sessions: [{ deviceId: d.id, sessionIds }] }),
    actor,
    createdAt,
  );
  await store.createTask(task, {
    at: createdAt,
    actor: actor.name,
    address: actor.address,
    action: 'task.create',
    subject: task.id,
    details: {},
  });
  await store.insertTargets([{ ...pendingTarget(task.id, d.id), sessionIds }]);
  return task;
}

export function sessionHistoryContract(current: () => Store): void {
  it('finds the sessions with a native id on every device that has one, by hostname', async () => {
    const store = current();
    const native = `svc/${randomUUID()}/ssh:1`;
    const [b, a, c] = [
      device({ hostname: `b-${native.slice(4, 12)}` }),
      device({ hostname: `a-${native.slice(4, 12)}` }),
      device(),
    ];
    await putDevices(store, a, b, c);
    await withSessions(store, a, [native, 'other']);
    await withSessions(store, b, [native]);
    await withSessions(store, c, ['other']);
    await recordKill(store, b, [native], 1500);
    const found = await store.findSessionsByNativeId(native, 10);
    assert.deepEqual(
      found.map((s) => [s.device.hostname, s.endReason]),
      [
        [a.hostname, null],
        [b.hostname, 'killed'],
      ],
    );
    assert.equal((await store.findSessionsByNativeId(native, 1)).length, 1);
    assert.deepEqual(await store.findSessionsByNativeId(`${native}x`, 10), []);
  });

  it('lists the kill tasks that touched a session, with each outcome, exactly (ids with LIKE wildcards too)', async () => {
    const store = current();
    const d = device();
    const other = device();
    await putDevices(store, d, other);
    const tricky = 'svc/a_b%c!d"e/p:1';
    await withSessions(store, d, [tricky, 'svc/aXbYc!d"e/p:1', 'plain']);
    const first = await listTask(store, d, [tricky], 2000);
    const second = await listTask(store, d, [tricky, 'plain'], 3000);
    const unrelated = await listTask(store, d, ['svc/aXbYc!d"e/p:1'], 4000);
    await listTask(store, other, [tricky], 5000);
    const outcome = { status: 'done' as const, errorCode: null, errorMessage: null, attempts: 1 };
    await store.recordOutcomes(
      [
        { ...outcome, taskId: first.id, deviceId: d.id, killed: [], notFound: [], failed: [tricky], status: 'failed' },
        { ...outcome, taskId: second.id, deviceId: d.id, killed: [tricky], notFound: ['plain'], failed: [] },
      ],
      3500,
    );
    const kills = await store.listSessionKills([{ deviceId: d.id, sessionId: tricky }], 10);
    assert.deepEqual(
      kills.map((k) => [k.taskId, k.outcome, k.requestedBy, k.requestedAt, k.action]),
      [
        [first.id, 'failed', 'responder', 2000, 'KILL_BY_LIST_OF_SESSIONS'],
        [second.id, 'killed', 'responder', 3000, 'KILL_BY_LIST_OF_SESSIONS'],
      ],
    );
    assert.deepEqual(
      (await store.listSessionKills([{ deviceId: d.id, sessionId: tricky }], 1)).map((k) => k.taskId),
      [second.id],
      'the newest when limited',
    );
    const pending = await store.listSessionKills([{ deviceId: d.id, sessionId: 'svc/aXbYc!d"e/p:1' }], 10);
    assert.deepEqual(
      pending.map((k) => [k.taskId, k.outcome, k.taskStatus]),
      [[unrelated.id, null, 'CREATED']],
    );
    const both = await store.listSessionKills(
      [
        { deviceId: d.id, sessionId: 'plain' },
        { deviceId: other.id, sessionId: tricky },
      ],
      10,
    );
    assert.deepEqual(
      both.map((k) => [k.deviceId, k.sessionId, k.outcome]),
      [
        [d.id, 'plain', 'not_found'],
        [other.id, tricky, null],
      ],
    );
  });
}

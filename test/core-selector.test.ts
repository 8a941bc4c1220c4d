import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newKillTask, selectorOf, validateSelector } from '../src/core/kill-request.js';
import { clustersOf, planKill, resolveSelector, verifyKill } from '../src/core/selector.js';
import { canTransition, checkTransition, FINAL_STATUSES, isFinal, sourcesOf } from '../src/core/task-status.js';
import { device } from './support/factories.js';

const a1 = device({ id: 'a1', cluster: 'blue', accessGroup: 'g1', failover: 'ACTIVE' });
const a2 = device({ id: 'a2', cluster: 'blue', accessGroup: 'g1', failover: 'STANDBY' });
const b1 = device({ id: 'b1', cluster: 'red', accessGroup: 'g2' });
const b2 = device({ id: 'b2', cluster: 'red', accessGroup: 'g2' });
const solo = device({ id: 's1', accessGroup: 'g2' });
const inventory = {
  devices: [a1, a2, b1, b2, solo],
  clusterNames: ['empty-cluster'],
  accessGroupNames: ['empty-group'],
};
const ids = (r: ReturnType<typeof resolveSelector>) => r.targets.map((t) => t.deviceId).sort();

describe('selector resolution', () => {
  it('derives clusters and their ACTIVE member from the inventory', () => {
    const clusters = clustersOf(inventory.devices);
    assert.deepEqual(clusters.get('blue'), { name: 'blue', members: ['a1', 'a2'], active: 'a1' });
    assert.deepEqual(clusters.get('red'), { name: 'red', members: ['b1', 'b2'], active: null });
  });

  it('resolves a cluster to its ACTIVE member, or to all members while none is known', () => {
    const r = resolveSelector(
      selectorOf({ action: 'KILL_BY_USER', userName: 'u', clusterNames: ['blue', 'red'] }),
      inventory,
    );
    assert.deepEqual(ids(r), ['a1', 'b1', 'b2']);
  });

  it('unions access groups, clusters and device references without duplicates', () => {
    const r = resolveSelector(
      selectorOf({
        action: 'KILL_ALL_SESSIONS',
        accessGroupNames: ['g2'],
        clusterNames: ['blue'],
        deviceIds: ['a1', 's1'],
      }),
      inventory,
    );
    assert.deepEqual(ids(r), ['a1', 'b1', 'b2', 's1']);
  });

  it('sends a STANDBY member named by group or reference to its ACTIVE peer', () => {
    const r = resolveSelector(selectorOf({ action: 'KILL_ALL_SESSIONS', deviceIds: ['a2'] }), inventory);
    assert.deepEqual(ids(r), ['a1']);
    const g = resolveSelector(selectorOf({ action: 'KILL_ALL_SESSIONS', accessGroupNames: ['g1'] }), inventory);
    assert.deepEqual(ids(g), ['a1']);
  });

  it('selects every device for `all`', () => {
    const r = resolveSelector(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), inventory);
    assert.deepEqual(ids(r), ['a1', 'b1', 'b2', 's1']);
  });

  it('reports unknown devices, clusters and groups, and knows configured empty ones', () => {
    const r = resolveSelector(
      selectorOf({
        action: 'KILL_ALL_SESSIONS',
        deviceIds: ['nope'],
        clusterNames: ['empty-cluster', 'ghost'],
        accessGroupNames: ['empty-group', 'phantom'],
      }),
      inventory,
    );
    assert.deepEqual(r.unknownDevices, ['nope']);
    assert.deepEqual(r.unknownClusters, ['ghost']);
    assert.deepEqual(r.unknownAccessGroups, ['phantom']);
  });

  it('keeps explicit session lists per device, merging repeated devices', () => {
    const r = resolveSelector(
      selectorOf({
        action: 'KILL_BY_LIST_OF_SESSIONS',
        sessions: [
          { deviceId: 'b1', sessionIds: ['aaaa0001', 'aaaa0002'] },
          { deviceId: 'b1', sessionIds: ['aaaa0002', 'aaaa0003'] },
          { deviceId: 'ghost', sessionIds: ['x'] },
        ],
      }),
      inventory,
    );
    assert.deepEqual(r.targets, [
      { deviceId: 'b1', sessionIds: ['aaaa0001', 'aaaa0002', 'aaaa0003'] },
      { deviceId: 'ghost', sessionIds: ['x'] },
    ]);
    assert.deepEqual(r.unknownDevices, ['ghost']);
  });
});

describe('kill planning and verification', () => {
  const listed = [
    { sessionId: 's1', user: 'alice', clientIp: '10.0.0.1' },
    { sessionId: 's2', user: 'Alice', clientIp: '10.0.0.2' },
    { sessionId: 's3', user: 'bob', clientIp: '10.0.0.1' },
  ];

  it('matches the user exactly and case-sensitively', () => {
    const plan = planKill(selectorOf({ action: 'KILL_BY_USER', userName: 'alice', all: true }), null, listed);
    assert.deepEqual(plan, { toKill: ['s1'], notFound: [] });
  });

  it('narrows by client IP when asked', () => {
    const plan = planKill(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true, clientIp: '10.0.0.1' }), null, listed);
    assert.deepEqual(plan.toKill, ['s1', 's3']);
  });

  it('splits explicit ids into present and already gone', () => {
    const plan = planKill(selectorOf({ action: 'KILL_BY_LIST_OF_SESSIONS' }), ['s3', 'zz'], listed);
    assert.deepEqual(plan, { toKill: ['s3'], notFound: ['zz'] });
  });

  it('trusts only the re-list: leftovers fail, reported-missing ids are not_found', () => {
    const verdict = verifyKill({ toKill: ['s1', 's2', 's3'], notFound: ['zz'] }, ['s2'], ['s3']);
    assert.deepEqual(verdict, { killed: ['s1'], notFound: ['zz', 's3'], failed: ['s2'] });
  });
});

describe('kill requests and task states', () => {
  const actor = { name: 'admin', address: '127.0.0.1' };

  it('rejects a kill without scope, a user kill without user, and empty session lists', () => {
    assert.throws(
      () => validateSelector(selectorOf({ action: 'KILL_ALL_SESSIONS' })),
      (err: unknown) => (err as { code?: string }).code === 'SCOPE_MISSING',
    );
    assert.throws(() => validateSelector(selectorOf({ action: 'KILL_BY_USER', all: true })), /userName/);
    assert.throws(
      () =>
        validateSelector(
          selectorOf({ action: 'KILL_BY_LIST_OF_SESSIONS', sessions: [{ deviceId: 'a', sessionIds: [] }] }),
        ),
      /sessionIds are missing/,
    );
  });

  it('creates tasks in CREATED / RESOLVE_DEVICES with the requester recorded', () => {
    const task = newKillTask(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor, 1000);
    assert.equal(task.status, 'CREATED');
    assert.equal(task.step, 'RESOLVE_DEVICES');
    assert.equal(task.result, 'PENDING');
    assert.equal(task.requestedBy, 'admin');
    assert.equal(task.requestedFrom, '127.0.0.1');
  });

  it('allows only the documented transitions', () => {
    assert.ok(canTransition('CREATED', 'STARTED'));
    assert.ok(canTransition('STARTED', 'CANCEL_REQUESTED'));
    assert.ok(canTransition('CANCEL_REQUESTED', 'CANCELED'));
    assert.ok(!canTransition('FINISHED', 'STARTED'));
    assert.ok(!canTransition('CANCELED', 'FINISHED'));
    assert.ok(isFinal('FAILED') && !isFinal('CANCEL_REQUESTED'));
    assert.ok(!canTransition('CANCEL_REQUESTED', 'FINISHED'), 'a requested cancel is not overtaken by success');
    assert.deepEqual(sourcesOf('CANCEL_REQUESTED'), ['CREATED', 'STARTED']);
    assert.deepEqual([...FINAL_STATUSES].sort(), ['CANCELED', 'FAILED', 'FINISHED']);
    assert.throws(() => checkTransition(['STARTED', 'FINISHED'], 'FAILED'), /from FINISHED to FAILED/);
  });
});

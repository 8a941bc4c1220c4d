// Small builders for domain objects in tests, and the fleet writes tests make through the store's public paths.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { newKillTask, selectorOf } from '../../src/core/kill-request.js';
import type { Device, TaskTarget } from '../../src/core/model.js';
import { objectPath } from '../../src/engine/config/config-model.js';
import type { FleetOp, SessionQuery, Store } from '../../src/store/store.js';

export function device(overrides: Partial<Device> = {}): Device {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    hostname: `bigip-${id.slice(0, 8)}.lab`,
    address: '127.0.0.1',
    port: 443,
    kind: 'bigip',
    credentialRef: null,
    verifyTls: true,
    cluster: null,
    accessGroup: null,
    state: 'unknown',
    failover: 'UNKNOWN',
    lastSyncAt: null,
    lastError: null,
    ...overrides,
  };
}

/** A device of a task that no node has worked on yet. */
export function pendingTarget(taskId: string, deviceId: string): TaskTarget {
  return {
    taskId,
    deviceId,
    sessionIds: null,
    status: 'pending',
    killed: [],
    notFound: [],
    failed: [],
    attempted: [],
    errorCode: null,
    errorMessage: null,
    attempts: 0,
    updatedAt: 1,
  };
}

/** The configuration paths a fleet op writes (credentials belong to their device's path). */
function pathsOf(op: FleetOp): string[] {
  switch (op.op) {
    case 'putCluster':
      return [objectPath('clusters', op.cluster.name)];
    case 'deleteCluster':
      return [objectPath('clusters', op.name)];
    case 'putAccessGroup':
      return [objectPath('access_groups', op.group.name)];
    case 'deleteAccessGroup':
      return [objectPath('access_groups', op.name)];
    case 'insertDevice':
    case 'updateDevice':
      return [objectPath('devices', op.device.id)];
    case 'deleteDevice':
      return [objectPath('devices', op.id)];
    default:
      return [];
  }
}

/**
 * Fleet changes through the store's one fleet-write path, as the CLI and the lab make them (`writeFleet`): one database
 * transaction, a new revision and a commit record naming the objects written. Returns the new revision; throws
 * DomainError conflict (DEVICE_EXISTS) when an id or hostname is taken, writing nothing.
 */
export function writeFleetOps(store: Pick<Store, 'writeFleet'>, ...ops: FleetOp[]): Promise<number> {
  return store.writeFleet({
    ops,
    paths: [...new Set(ops.flatMap(pathsOf))],
    at: Date.now(),
    actor: 'test',
    address: '::1',
    message: 'test fleet write',
    audit: [],
  });
}

/**
 * Adds devices in one fleet write, with the clusters and access groups they name that do not exist yet (existing ones
 * keep their description). Credentials are not written: a test that needs one adds a `putCredential` op itself.
 */
export async function putDevices(
  store: Pick<Store, 'writeFleet' | 'listClusters' | 'listAccessGroups'>,
  ...devices: Device[]
): Promise<number> {
  const clusters = new Set((await store.listClusters()).map((c) => c.name));
  const groups = new Set((await store.listAccessGroups()).map((g) => g.name));
  const ops: FleetOp[] = [];
  for (const { cluster, accessGroup } of devices) {
    if (cluster && !clusters.has(cluster)) {
      clusters.add(cluster);
      ops.push({ op: 'putCluster', cluster: { name: cluster, description: '' } });
    }
    if (accessGroup && !groups.has(accessGroup)) {
      groups.add(accessGroup);
      ops.push({ op: 'putAccessGroup', group: { name: accessGroup, description: '' } });
    }
  }
  ops.push(...devices.map((device): FleetOp => ({ op: 'insertDevice', device })));
  return writeFleetOps(store, ...ops);
}

/** Removes devices with their sessions and credentials in one fleet write, as `curfew devices remove` does. */
export function removeDevices(store: Pick<Store, 'writeFleet'>, ...devices: Device[]): Promise<number> {
  return writeFleetOps(
    store,
    ...devices.flatMap((d): FleetOp[] => [
      { op: 'deleteDevice', id: d.id },
      ...(d.credentialRef ? [{ op: 'deleteCredential' as const, ref: d.credentialRef }] : []),
    ]),
  );
}

/** How many active sessions match, read through listSessions (as the kill path reads a device's sessions). */
export async function countActiveSessions(
  store: Pick<Store, 'listSessions'>,
  query: Pick<SessionQuery, 'deviceIds' | 'user' | 'clientIp'>,
): Promise<number> {
  return (await store.listSessions({ ...query, limit: 1_000_000, offset: 0 })).length;
}

/** A kill task that killed `killed` on device `d` at `at`: the store's own path for sessions ending as killed. */
export async function recordKill(store: Store, d: Device, killed: string[], at: number): Promise<void> {
  const actor = { name: 'admin', address: '::1' };
  const task = newKillTask(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor, 100);
  await store.createTask(task, {
    at,
    actor: 'admin',
    address: '::1',
    action: 'task.create',
    subject: task.id,
    details: {},
  });
  await store.insertTargets([pendingTarget(task.id, d.id)]);
  const outcome = {
    taskId: task.id,
    deviceId: d.id,
    status: 'done' as const,
    killed,
    notFound: [],
    failed: [],
    errorCode: null,
    errorMessage: null,
    attempts: 1,
  };
  assert.equal((await store.recordOutcomes([outcome], at)).length, 1);
  await store.transitionTask(task.id, ['CREATED'], { status: 'FAILED' });
}

// Small builders for domain objects in tests.
import { randomUUID } from 'node:crypto';
import type { Device, TaskTarget } from '../../src/core/model.js';

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

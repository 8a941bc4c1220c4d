// Row ↔ domain mapping. Numbers from bigint columns are normalised with Number() (pg returns them as strings).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { boundAuditEvent } from '../../core/audit-bounds.js';
import type {
  AuditEvent,
  Device,
  DeviceKind,
  DeviceState,
  FailoverState,
  KillSelector,
  KillTask,
  Session,
  TaskResult,
  TaskStatus,
  TaskStep,
  TaskTarget,
} from '../../core/model.js';
import type { AuditTable, DeviceTable, SessionTable, TaskTable, TaskTargetTable } from './schema.js';

const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function deviceFromRow(row: DeviceTable): Device {
  return {
    id: row.id,
    hostname: row.hostname,
    address: row.address,
    port: num(row.port),
    kind: row.kind as DeviceKind,
    credentialRef: row.credential_ref,
    verifyTls: num(row.verify_tls) === 1,
    cluster: row.cluster,
    accessGroup: row.access_group,
    state: row.state as DeviceState,
    failover: row.failover as FailoverState,
    lastSyncAt: numOrNull(row.last_sync_at),
    lastError: row.last_error,
  };
}

export function deviceToRow(d: Device): DeviceTable {
  return {
    id: d.id,
    hostname: d.hostname,
    address: d.address,
    port: d.port,
    kind: d.kind,
    credential_ref: d.credentialRef,
    verify_tls: d.verifyTls ? 1 : 0,
    cluster: d.cluster,
    access_group: d.accessGroup,
    state: d.state,
    failover: d.failover,
    last_sync_at: d.lastSyncAt,
    last_error: d.lastError,
  };
}

export function sessionFromRow(row: SessionTable): Session {
  return {
    deviceId: row.device_id,
    sessionId: row.session_id,
    user: row.user_name,
    clientIp: row.client_ip,
    startedAt: num(row.started_at),
    protocol: row.protocol,
    lastSeenAt: num(row.last_seen_at),
  };
}

export function taskFromRow(row: TaskTable): KillTask {
  return {
    id: row.id,
    selector: JSON.parse(row.selector) as KillSelector,
    status: row.status as TaskStatus,
    step: row.step as TaskStep,
    result: row.result as TaskResult,
    errorMessage: row.error_message,
    requestedBy: row.requested_by,
    requestedFrom: row.requested_from,
    createdAt: num(row.created_at),
    startedAt: numOrNull(row.started_at),
    endedAt: numOrNull(row.ended_at),
    generation: num(row.generation),
    updatedMicros: num(row.updated_micros),
  };
}

export function taskToRow(t: KillTask): TaskTable {
  return {
    id: t.id,
    action: t.selector.action,
    selector: JSON.stringify(t.selector),
    status: t.status,
    step: t.step,
    result: t.result,
    error_message: t.errorMessage,
    requested_by: t.requestedBy,
    requested_from: t.requestedFrom,
    created_at: t.createdAt,
    started_at: t.startedAt,
    ended_at: t.endedAt,
    generation: t.generation,
    updated_micros: t.updatedMicros,
    lease_owner: null,
    lease_until: null,
  };
}

export function targetFromRow(row: TaskTargetTable): TaskTarget {
  return {
    taskId: row.task_id,
    deviceId: row.device_id,
    sessionIds: row.session_ids === null ? null : (JSON.parse(row.session_ids) as string[]),
    status: row.status as TaskTarget['status'],
    killed: JSON.parse(row.killed) as string[],
    notFound: JSON.parse(row.not_found) as string[],
    failed: JSON.parse(row.failed) as string[],
    attempted: row.attempted ? (JSON.parse(row.attempted) as string[]) : [],
    errorCode: row.error_code,
    errorMessage: row.error_message,
    attempts: num(row.attempts),
    updatedAt: num(row.updated_at),
  };
}

export function targetToRow(t: TaskTarget): TaskTargetTable {
  return {
    task_id: t.taskId,
    device_id: t.deviceId,
    session_ids: t.sessionIds === null ? null : JSON.stringify(t.sessionIds),
    status: t.status,
    killed: JSON.stringify(t.killed),
    not_found: JSON.stringify(t.notFound),
    failed: JSON.stringify(t.failed),
    attempted: JSON.stringify(t.attempted),
    error_code: t.errorCode,
    error_message: t.errorMessage,
    attempts: t.attempts,
    updated_at: t.updatedAt,
  };
}

/** Bounded on the way out too: rows written before the bounds existed may hold megabytes. */
export function auditFromRow(row: Omit<AuditTable, 'id'> & { id: number }): AuditEvent {
  return boundAuditEvent({
    id: num(row.id),
    at: num(row.at),
    actor: row.actor,
    address: row.address,
    action: row.action,
    subject: row.subject,
    details: JSON.parse(row.details) as Record<string, unknown>,
  });
}

/** An audit event as stored: bounded here, so no writer can store an unbounded client-supplied value. */
export function auditToRow(event: AuditEvent): Omit<AuditTable, 'id'> {
  const e = boundAuditEvent(event);
  return {
    at: e.at,
    actor: e.actor,
    address: e.address,
    action: e.action,
    subject: e.subject,
    details: JSON.stringify(e.details),
  };
}

/** Splits rows into chunks that keep one statement under the dialect's parameter limit. */
export function chunk<T>(rows: readonly T[], columns: number, maxParams: number): T[][] {
  const size = Math.max(1, Math.floor(maxParams / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** An SPS-style object key: 22 lowercase hex characters. */
export const newUserKey = (): string => randomBytes(11).toString('hex');

/**
 * `last_seen_at` for a session row being ended: its device's last listing when that is later than the row's own value
 * (sync records sightings per device, see applyListing), else the row's value. Plain SQL both dialects run.
 */
export const lastSeenAtOfEnding = sql<number>`COALESCE((SELECT CASE WHEN d.last_sync_at > sessions.last_seen_at THEN d.last_sync_at END FROM devices d WHERE d.id = sessions.device_id), sessions.last_seen_at)`;

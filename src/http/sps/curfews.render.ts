// How curfews, their caught sessions and the devices' prevention state look on the SPS surface (curfew extension):
// `{key, body, meta}` objects with snake_case bodies and ISO times, and the response schemas that serialize them.
import { type Curfew, type CurfewState, isActive } from '../../core/curfew.js';
import type { Device } from '../../core/model.js';
import type { CurfewViolation, PreventionState } from '../../engine/services/curfews.js';
import { displaySessionId, sessionKey } from './session-ids.js';
import { SESSIONS_HREF } from './sessions.render.js';

export const CURFEWS_HREF = '/api/curfews';
export const PREVENTION_HREF = `${CURFEWS_HREF}/prevention`;
/** A curfew this close to its end is flagged `expiring`, so a console can offer to extend it in time. */
export const EXPIRING_WITHIN_MS = 15 * 60_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const curfewHref = (id: string) => `${CURFEWS_HREF}/${encodeURIComponent(id)}`;

/**
 * The state a client should see at `now`. The store marks a curfew expired on the enforcer's next round (every few
 * seconds); one already past its `until` is shown expired (ended at its until) rather than active with no time left.
 */
function seenState(curfew: Curfew, now: number): { state: CurfewState; endedAt: number | null } {
  if (curfew.state === 'active' && !isActive(curfew, now)) return { state: 'expired', endedAt: curfew.until };
  return { state: curfew.state, endedAt: curfew.endedAt };
}

export function curfewBody(curfew: Curfew, now: number) {
  const { state, endedAt } = seenState(curfew, now);
  const remainingMs = state === 'active' && curfew.until !== null ? curfew.until - now : null;
  return {
    id: curfew.id,
    who: { users: curfew.who.users, ips: curfew.who.ips, query: curfew.who.query },
    where: {
      fleet: curfew.where.all,
      access_groups: curfew.where.accessGroupNames,
      clusters: curfew.where.clusterNames,
      devices: curfew.where.deviceIds,
    },
    until: iso(curfew.until),
    reason: curfew.reason,
    mode: curfew.mode,
    set_by: curfew.setBy,
    set_from: curfew.setFrom,
    created: iso(curfew.createdAt),
    updated: iso(curfew.updatedAt),
    updated_by: curfew.updatedBy,
    state,
    ended: iso(endedAt),
    ended_by: curfew.endedBy,
    violations: curfew.violations,
    remaining_seconds: remainingMs === null ? null : Math.ceil(remainingMs / 1000),
    expiring: remainingMs !== null && remainingMs <= EXPIRING_WITHIN_MS,
  };
}

export function curfewObject(curfew: Curfew, now: number) {
  const href = curfewHref(curfew.id);
  return {
    key: curfew.id,
    body: curfewBody(curfew, now),
    meta: { href, parent: CURFEWS_HREF, violations: `${href}/violations` },
  };
}

/** A caught session; its key is the session's key under /api/audit/sessions (the session may have ended since). */
export function violationObject(violation: CurfewViolation, devices: ReadonlyMap<string, Device>) {
  const hostname = devices.get(violation.deviceId)?.hostname ?? null;
  const key = sessionKey(violation.deviceId, violation.sessionId);
  return {
    key,
    body: {
      device: { key: violation.deviceId, hostname },
      session_id: displaySessionId(hostname ?? violation.deviceId, violation.sessionId),
      user: violation.user,
      client_ip: violation.clientIp,
      action: violation.action,
      task_id: violation.taskId,
      seen: new Date(violation.seenAt).toISOString(),
    },
    meta: {
      href: `${SESSIONS_HREF}/${key}`,
      task: violation.taskId === null ? null : `/api/kill-tasks/${violation.taskId}`,
    },
  };
}

/**
 * One device's prevention state. A device no curfew has ever scoped has no row: it holds nothing to keep in sync and
 * was never checked (status null), which is not the same as a verified `in_sync`.
 */
export function preventionObject(device: Device, row: PreventionState | undefined) {
  return {
    key: device.id,
    body: {
      device: { key: device.id, hostname: device.hostname, kind: device.kind },
      status: row?.status ?? null,
      records: row?.recordsText ?? null,
      checked: row ? iso(row.checkedAt) : null,
      message: row ? row.message : 'Not checked yet: no curfew has applied to this device.',
    },
    meta: { parent: PREVENTION_HREF, device: `/api/configuration/devices/${device.id}` },
  };
}

// Response schemas: they also decide what is serialized, so every field above is listed.
const string = { type: 'string' } as const;
const strings = { type: 'array', items: string } as const;
const nullableString = { type: ['string', 'null'] } as const;
const anyMeta = { type: 'object', additionalProperties: true } as const;
const time = (description: string) => ({ type: ['string', 'null'], format: 'date-time', description }) as const;

export const curfewBodySchema = {
  type: 'object',
  properties: {
    id: string,
    who: {
      type: 'object',
      description: 'Who is kept out; the parts combine as OR',
      properties: {
        users: { ...strings, description: 'Exact names, or patterns with * and ? (case-insensitive)' },
        ips: { ...strings, description: 'Client addresses or CIDR blocks, IPv4 or IPv6' },
        query: { ...nullableString, description: 'A session search query (the q language of /api/audit/sessions)' },
      },
    },
    where: {
      type: 'object',
      description: 'The devices it applies to: a union of the scopes',
      properties: {
        fleet: { type: 'boolean', description: 'Every device in the inventory' },
        access_groups: strings,
        clusters: strings,
        devices: { ...strings, description: 'Device keys' },
      },
    },
    until: time('When it ends; null: until lifted'),
    reason: string,
    mode: { type: 'string', enum: ['enforce', 'monitor'], description: 'enforce ends sessions; monitor only counts' },
    set_by: string,
    set_from: { ...string, description: 'Client address it was set from' },
    created: time('When it was set'),
    updated: time('Last change to the rule (set, extended, lifted, expired)'),
    updated_by: { ...nullableString, description: 'Who made that change; null after an expiry' },
    state: { type: 'string', enum: ['active', 'lifted', 'expired'] },
    ended: time('When it was lifted or expired; null while active'),
    ended_by: { ...nullableString, description: 'Who lifted it' },
    violations: { type: 'integer', description: 'Sessions ended (enforce) or seen (monitor) because of it' },
    remaining_seconds: { type: ['integer', 'null'], description: 'Seconds left, for an active curfew with an until' },
    expiring: { type: 'boolean', description: 'Active with at most 15 minutes left' },
  },
} as const;

export const curfewObjectSchema = {
  type: 'object',
  properties: { key: string, body: curfewBodySchema, meta: anyMeta },
  required: ['key', 'body', 'meta'],
} as const;

export const violationObjectSchema = {
  type: 'object',
  properties: {
    key: { ...string, description: 'The session key (/api/audit/sessions/<key>)' },
    body: {
      type: 'object',
      properties: {
        device: { type: 'object', properties: { key: string, hostname: nullableString } },
        session_id: { ...string, description: '<device hostname>/<native id>' },
        user: string,
        client_ip: string,
        action: { type: 'string', enum: ['killed', 'seen'], description: 'killed: enforce; seen: monitor' },
        task_id: { ...nullableString, description: 'The kill task that ended it (enforce), once submitted' },
        seen: time('When the curfew first caught it'),
      },
    },
    meta: anyMeta,
  },
} as const;

export const preventionObjectSchema = {
  type: 'object',
  properties: {
    key: { ...string, description: 'The device key' },
    body: {
      type: 'object',
      properties: {
        device: { type: 'object', properties: { key: string, hostname: string, kind: string } },
        status: {
          type: ['string', 'null'],
          enum: ['in_sync', 'drifted', 'unreachable', 'unsupported', null],
          description: 'Whether the device keeps curfewed users from logging in again; null: never checked',
        },
        records: { ...nullableString, description: 'The user names the device should hold, comma-separated' },
        checked: time('When it was last checked'),
        message: { ...nullableString, description: 'What went wrong or what differs' },
      },
    },
    meta: anyMeta,
  },
} as const;

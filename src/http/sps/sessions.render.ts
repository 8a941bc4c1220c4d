// How a recorded session looks on the SPS surface (docs/compat/sps.md §6.1): the body, `fields` projections, CSV rows
// and the page links of a search.
import { ORIGIN, VERDICT_OF_END_REASON } from '../../core/session-query.js';
import type { SessionWithDevice } from '../../engine/records.js';
import { displaySessionId, sessionKey } from './session-ids.js';

export const SESSIONS_HREF = '/api/audit/sessions';
const DEVICES_HREF = '/api/configuration/devices';

/** Every path `fields` may name: top-level body members and their sub-members. */
export const SESSION_FIELDS: readonly string[] = [
  'active',
  'protocol',
  'client',
  'client.ip',
  'client.name',
  'client.port',
  'start_time',
  'end_time',
  'last_seen_time',
  'duration',
  'user',
  'user.name',
  'gateway_username',
  'device',
  'device.key',
  'device.name',
  'device.kind',
  'cluster',
  'access_group',
  'origin',
  'verdict',
  'end_reason',
  'session_id',
];
/** CSV columns when `fields` is not given (a CSV row always starts with `key`). */
export const DEFAULT_CSV_FIELDS: readonly string[] = [
  'session_id',
  'verdict',
  'user.name',
  'client.ip',
  'device.name',
  'protocol',
  'start_time',
  'end_time',
];

/**
 * Body fields whose values move while the inventory generation does not (search-cache.ts): an active session's
 * `duration` grows with the clock, and every sync refreshes `last_seen_time`, changed or not.
 */
const CLOCK_FIELDS: ReadonlySet<string> = new Set(['duration', 'last_seen_time']);

/** Whether a projection (`fields`, CSV columns) shows a value that moves without the inventory generation. */
export function showsClock(fields: readonly string[]): boolean {
  return fields.some((field) => CLOCK_FIELDS.has(field));
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function keyOf(session: SessionWithDevice): string {
  return sessionKey(session.device.id, session.sessionId);
}

export function sessionBody(s: SessionWithDevice, now: number) {
  return {
    active: s.endedAt === null,
    protocol: s.protocol,
    // Gateways report no client port or name; the name is the address, as in SPS samples without reverse DNS.
    client: { ip: s.clientIp, name: s.clientIp, port: null },
    start_time: iso(s.startedAt),
    end_time: iso(s.endedAt),
    last_seen_time: iso(s.lastSeenAt),
    duration: Math.max(0, Math.floor(((s.endedAt ?? now) - s.startedAt) / 1000)),
    user: { name: s.user },
    gateway_username: s.user,
    device: {
      key: s.device.id,
      name: s.device.hostname,
      kind: s.device.kind,
      meta: { href: `${DEVICES_HREF}/${s.device.id}` },
    },
    cluster: s.device.cluster,
    access_group: s.device.accessGroup,
    origin: ORIGIN,
    verdict: s.endReason === null ? 'ACTIVE' : VERDICT_OF_END_REASON[s.endReason],
    end_reason: s.endReason,
    session_id: displaySessionId(s.device.hostname, s.sessionId),
  };
}

export type SessionBody = ReturnType<typeof sessionBody>;

function valueAt(body: SessionBody, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | null)?.[part], body);
}

/** The body reduced to the given paths, nested as in the full body (`client.ip` → `{client: {ip}}`). */
export function projectBody(body: SessionBody, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const path of fields) {
    const parts = path.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      target[part] ??= {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts[parts.length - 1] as string] = valueAt(body, path);
  }
  return out;
}

/** RFC 4180: CRLF line ends; a field with a comma, quote or line break is quoted, its quotes doubled. */
export function csvDocument(fields: readonly string[], rows: readonly SessionWithDevice[], now: number): string {
  const header = ['key', ...fields];
  const lines = rows.map((row) => {
    const body = sessionBody(row, now);
    return [keyOf(row), ...fields.map((path) => valueAt(body, path))];
  });
  return [header, ...lines]
    .map((line) => line.map(csvField).join(','))
    .join('\r\n')
    .concat('\r\n');
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface PageRequest {
  limit: number;
  offset: number;
  fields: readonly string[];
  /** The other parameters the links carry unchanged (q, sort, start, end), in this order. */
  carried: readonly [string, string][];
}

/** SPS page links: `/api/audit/sessions?limit=…&offset=…&fields=…` plus the query's own parameters. */
export function pageMeta(page: PageRequest, matchCount: number, window: number) {
  const reachable = Math.min(matchCount, window);
  const link = (offset: number) => {
    const params: [string, string][] = [
      ['limit', String(page.limit)],
      ['offset', String(offset)],
      ['fields', page.fields.join(',')],
      ...page.carried,
    ];
    return `${SESSIONS_HREF}?${params.map(([name, value]) => `${name}=${encodeQueryValue(value)}`).join('&')}`;
  };
  const step = page.limit;
  const last = step === 0 || reachable === 0 ? 0 : Math.floor((reachable - 1) / step) * step;
  return {
    fields: [...page.fields],
    first: link(0),
    href: SESSIONS_HREF,
    last: link(last),
    limit: page.limit,
    match_count: matchCount,
    next: step > 0 && page.offset + step < reachable ? link(page.offset + step) : null,
    offset: page.offset,
    parent: '/api/audit',
    previous: step > 0 && page.offset > 0 ? link(Math.max(0, page.offset - step)) : null,
  };
}

/** Percent-encodes a query value but keeps `,` `:` `/` (legal in a query, RFC 3986) so links stay readable. */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

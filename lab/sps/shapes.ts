// SPS REST response bodies and headers, in the shapes of docs/compat/sps.md §1, §2 and §6. Keys that no documented
// sample shows are kept to a minimum; the few choices made where SPS documents nothing say so.
import type { RecordedSession } from './device.js';

const SPS_VERSION = '7.0.5';
export const AUTHENTICATION_PATH = '/api/authentication';
export const SESSIONS_PATH = '/api/audit/sessions';
export const ACTIVE_SESSIONS_PATH = '/api/active-sessions';
export const INFO_PATH = '/api/info';

export interface Meta {
  href: string;
  parent: string;
}

/** `href` is the resource itself, `parent` the path one segment up (`/api/active-sessions` → `/api`). */
export function metaOf(path: string): Meta {
  return { href: path, parent: path.slice(0, path.lastIndexOf('/')) || '/' };
}

/** `{"error":{"type","message","details"},"meta":{…}}` (§2.7); `details` is always an object. */
export function errorBody(type: string, message: string, path: string, details: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { type, message, details }, meta: metaOf(path) });
}

/** A body that is only the meta object: the login (§1.1) and a terminated session (§6.5), as neither is documented. */
export function metaBody(path: string): string {
  return JSON.stringify({ meta: metaOf(path) });
}

/** The form SafeguardJava parses from the first Set-Cookie (§1.4); `expires` is RFC 1123 in GMT. */
export function loginCookie(sessionId: string, expiresAtMs: number): string {
  return `session_id=${sessionId}; expires=${new Date(expiresAtMs).toUTCString()}; Path=/; Secure; HttpOnly`;
}

/** `GET /api/info`: the two fields the official clients read (§7); the rest of the body is not documented. */
export function infoBody(): string {
  return JSON.stringify({
    body: { firmware_version: SPS_VERSION, version: SPS_VERSION },
    key: 'info',
    meta: metaOf(INFO_PATH),
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The session body of §6.1, trimmed to the documented keys this lab can fill. The user names sit in `user`, named as in
 * the syslog fields (`gateway_username`, `server_username`); `start_time` sits beside `creation_time` and `verdict` in
 * `recording`, where the sample's trailing note places them. Those three placements are inferred, not documented.
 */
export function sessionBody(session: RecordedSession, nodeId: string): Record<string, unknown> {
  const href = `${SESSIONS_PATH}/${session.key}`;
  const active = session.endMs === null;
  const endpoint = (ip: string, port: number) => ({ ip, name: ip, port });
  return {
    active,
    alerts: { href: `${href}/alerts` },
    channels: { href: `${href}/channels` },
    client: endpoint(session.clientIp, session.clientPort),
    creation_time: iso(session.startMs),
    duration: Math.round(((session.endMs ?? Date.now()) - session.startMs) / 1000),
    end_time: session.endMs === null ? null : iso(session.endMs),
    events: { href: `${href}/events` },
    hidden: false,
    indexing: { href: `${href}/indexing` },
    node_id: nodeId,
    origin: 'RECORDING',
    phantom: false,
    protocol: session.protocol,
    recording: {
      archived: false,
      audit_trail: { archive: null, download: { href: `${href}/audit_trail` } },
      auth_method: 'password',
      connection_policy: session.connectionPolicy,
      session_id: session.sessionId,
      target: endpoint(session.targetIp, session.targetPort),
      verdict: session.verdict,
    },
    start_time: iso(session.startMs),
    user: { gateway_username: session.gatewayUser, server_username: session.serverUser },
  };
}

export function singleSessionBody(session: RecordedSession, nodeId: string): string {
  return JSON.stringify({
    body: sessionBody(session, nodeId),
    key: session.key,
    meta: metaOf(`${SESSIONS_PATH}/${session.key}`),
  });
}

export interface ListItem {
  key: string;
  meta: { href: string };
  body?: Record<string, unknown>;
}

/** The listing meta of §6.1: page links (not sibling links), `fields` as requested, `match_count` before paging. */
export interface ListingMeta {
  fields: string[];
  first: string;
  href: string;
  last: string;
  limit: number;
  match_count: number;
  next: string | null;
  offset: number;
  parent: string;
  previous: string | null;
}

export function listItem(key: string, body?: Record<string, unknown>): ListItem {
  const item: ListItem = { key, meta: { href: `${SESSIONS_PATH}/${key}` } };
  if (body) item.body = body;
  return item;
}

export function listingBody(items: readonly ListItem[], meta: ListingMeta): string {
  return JSON.stringify({ items, meta });
}

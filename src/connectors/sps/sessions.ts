// Sessions on SPS (docs/compat/sps.md §6): ongoing sessions through the audit search with `active:true`, paged; each
// one ended by `DELETE /api/active-sessions?id=<svc/… session id>`.
import { ConnectorError, type DeleteReport, type DeviceSession } from '../connector.js';
import { deleteEach } from '../delete-each.js';
import type { CookieAuth } from './auth.js';
import { type JsonResponse, spsErrorMessage, spsErrorType, unexpectedShape } from './client.js';

const SESSIONS_PATH = '/api/audit/sessions';
const ACTIVE_SESSIONS_PATH = '/api/active-sessions';
/** The documented maximum page size. */
const PAGE_LIMIT = 500;
/** The basic search never returns results past this many matches (§6.3). */
const RESULT_WINDOW = 10_000;
/** Top-level body fields, which serve whether `fields` takes top-level names or dotted paths. */
const FIELDS = ['active', 'client', 'creation_time', 'protocol', 'recording', 'start_time', 'user'];
/** Full reads attempted when the match count changes between pages. */
const MAX_READS = 3;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function pagePath(offset: number): string {
  const query = new URLSearchParams({ q: 'active:true', fields: FIELDS.join(','), limit: String(PAGE_LIMIT) });
  return `${SESSIONS_PATH}?${query}&offset=${offset}`;
}

/**
 * One item's body as a DeviceSession: the id is `recording.session_id` (what DELETE takes), the user the gateway user
 * (who authenticated to SPS) before the server account. Items without a session id cannot be killed and are skipped;
 * so are closed ones, in case an appliance ignores part of the query.
 */
function toDeviceSession(body: Json): DeviceSession | null {
  const sessionId = text(isRecord(body.recording) ? body.recording.session_id : undefined);
  if (sessionId === '' || body.active === false) return null;
  const user = isRecord(body.user) ? body.user : {};
  const session: DeviceSession = {
    sessionId,
    user: text(user.gateway_username) || text(user.server_username),
    clientIp: text(isRecord(body.client) ? body.client.ip : undefined),
    protocol: text(body.protocol) || 'sps',
  };
  const startedAt = Date.parse(text(body.start_time) || text(body.creation_time));
  if (Number.isFinite(startedAt)) session.startedAt = startedAt;
  return session;
}

export interface SessionPage {
  sessions: DeviceSession[];
  /** Items on this page, kept or skipped. */
  itemCount: number;
  matchCount: number;
}

export function parseSessionPage(response: JsonResponse, what: string): SessionPage {
  const { body } = response;
  const items = isRecord(body) ? body.items : undefined;
  const matchCount = isRecord(body) && isRecord(body.meta) ? body.meta.match_count : undefined;
  if (!Array.isArray(items)) throw unexpectedShape(what, response, 'no "items" list');
  if (typeof matchCount !== 'number') throw unexpectedShape(what, response, 'no "meta.match_count"');
  const sessions: DeviceSession[] = [];
  for (const item of items) {
    const session = isRecord(item) && isRecord(item.body) ? toDeviceSession(item.body) : null;
    if (session) sessions.push(session);
  }
  return { sessions, itemCount: items.length, matchCount };
}

/** All pages of one read, or null when the match count moved meanwhile (a page boundary may have skipped one). */
async function readAllPages(auth: CookieAuth): Promise<DeviceSession[] | null> {
  const byId = new Map<string, DeviceSession>();
  let offset = 0;
  let expected: number | undefined;
  do {
    const path = pagePath(offset);
    const response = await auth.send('GET', path);
    const page = parseSessionPage(response, `GET ${path}`);
    if (page.matchCount > RESULT_WINDOW) {
      throw unexpectedShape(`GET ${path}`, response, `${page.matchCount} active sessions; search pages stop at 10000`);
    }
    expected ??= page.matchCount;
    if (page.matchCount !== expected) return null;
    if (page.itemCount === 0 && offset < expected) throw unexpectedShape(`GET ${path}`, response, 'an empty page');
    for (const session of page.sessions) byId.set(session.sessionId, session);
    offset += page.itemCount;
  } while (offset < expected);
  return [...byId.values()];
}

/**
 * Every ongoing session. A listing must be complete, since the engine takes "no longer listed" as "killed": a read whose
 * match count changes between pages is repeated, and more than 10000 matches (unreachable by paging) is an error.
 */
export async function listSessions(auth: CookieAuth): Promise<DeviceSession[]> {
  for (let read = 1; read <= MAX_READS; read++) {
    const sessions = await readAllPages(auth);
    if (sessions) return sessions;
  }
  throw new ConnectorError('device_error', `GET ${SESSIONS_PATH}: active sessions kept changing while paging`);
}

/** One DELETE per id, percent-encoded; only `404 SessionCouldNotBeFound` means the appliance has no such session. */
export function killSessions(
  auth: CookieAuth,
  sessionIds: readonly string[],
  concurrency: number,
): Promise<DeleteReport> {
  return deleteEach(sessionIds, concurrency, async (sessionId) => {
    const path = `${ACTIVE_SESSIONS_PATH}?id=${encodeURIComponent(sessionId)}`;
    const response = await auth.send('DELETE', path, { accept: [404] });
    if (response.status !== 404) return 'accepted';
    if (spsErrorType(response.body) === 'SessionCouldNotBeFound') return 'missing';
    const message = spsErrorMessage(response.body) ?? 'no SPS error body';
    throw new ConnectorError('device_error', `DELETE ${path}: HTTP 404: ${message}`, { status: 404 });
  });
}

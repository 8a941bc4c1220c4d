// The SPS REST subset curfew needs (docs/compat/sps.md §1, §6), as pure handlers over one emulated appliance's state.
import type { LabFault } from '../bigip/faults.js';
import type { SpsDevice, SpsRequestKind } from './device.js';
import { QueryError, searchSessions } from './search.js';
import {
  ACTIVE_SESSIONS_PATH,
  AUTHENTICATION_PATH,
  errorBody,
  INFO_PATH,
  infoBody,
  loginCookie,
  metaBody,
  SESSIONS_PATH,
  singleSessionBody,
} from './shapes.js';

export const SPS_ADMIN = 'admin';

export interface SpsRequest {
  method: string;
  /** Without a trailing slash. */
  path: string;
  query: URLSearchParams;
  /** The `session_id` cookie (or header) value. */
  loginId: string | undefined;
  authorization: string | undefined;
  /** The fault drawn for this request (`timeout` and `reset` never reach the handlers). */
  fault: LabFault;
}

export interface Reply {
  status: number;
  /** JSON text; every SPS answer has a body. */
  body: string;
  headers: Record<string, string>;
}

interface RouteContext {
  device: SpsDevice;
  request: SpsRequest;
  password: string;
  /** The path segment after a prefix route: the session key. */
  param: string;
}

interface Endpoint {
  kind: SpsRequestKind;
  handle: (context: RouteContext) => Reply;
  /** Reachable without credentials (only the login, which checks Basic itself). */
  open?: true;
  /** Error type of an internal failure here; the generic one elsewhere. */
  serverError?: string;
}

type Methods = Partial<Record<string, Endpoint>>;

/** A failure that ends a handler early with a ready reply. */
class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

const ok = (body: string, headers: Record<string, string> = {}): Reply => ({ status: 200, body, headers });

function fail(
  request: SpsRequest,
  status: number,
  type: string,
  message: string,
  details: Record<string, unknown> = {},
): ReplyError {
  return new ReplyError({ status, body: errorBody(type, message, request.path, details), headers: {} });
}

const AUTHENTICATION_FAILURE = 'Authenticating the user with the given credentials has failed.';

function basicCredentialsMatch(authorization: string, password: string): boolean {
  const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
  return decoded === `${SPS_ADMIN}:${password}`;
}

/** `GET /api/authentication` with Basic: a new login whose cookie is the first (and only) Set-Cookie. */
function login(context: RouteContext): Reply {
  const { request, device } = context;
  const valid =
    request.fault !== 'auth_fail' &&
    request.authorization?.startsWith('Basic ') === true &&
    basicCredentialsMatch(request.authorization, context.password);
  if (!valid) throw fail(request, 401, 'AuthenticationFailure', AUTHENTICATION_FAILURE);
  const issued = device.logins.issue();
  return ok(metaBody(AUTHENTICATION_PATH), { 'set-cookie': loginCookie(issued.id, issued.expiresAtMs) });
}

/** A live `session_id` cookie, else Basic credentials (accepted on every endpoint, §1.5). */
function authenticate(context: RouteContext): void {
  const { request, device } = context;
  const usable = request.fault !== 'auth_fail';
  if (usable && request.loginId !== undefined && device.logins.touch(request.loginId)) return;
  if (request.authorization?.startsWith('Basic ')) {
    if (usable && basicCredentialsMatch(request.authorization, context.password)) return;
    throw fail(request, 401, 'AuthenticationFailure', AUTHENTICATION_FAILURE);
  }
  const message =
    'The requested resource cannot be retrieved because the client is not authenticated and the resource requires authorization to access it.';
  throw fail(request, 401, 'Unauthenticated', message, { path: request.path });
}

function listSessions(context: RouteContext): Reply {
  const { device, request } = context;
  try {
    return ok(searchSessions(device.audit.all(), device.identity.id, request.query));
  } catch (error) {
    if (error instanceof QueryError) throw fail(request, 400, 'InvalidQuery', error.message);
    throw error;
  }
}

function getSession(context: RouteContext): Reply {
  const session = context.device.audit.findByKey(context.param);
  if (!session) throw fail(context.request, 404, 'NotFound', 'The requested object does not exist.');
  return ok(singleSessionBody(session, context.device.identity.id));
}

/** `DELETE /api/active-sessions?id=`: URLSearchParams has decoded the id once, so raw and encoded `/` `:` both work. */
function terminateSession(context: RouteContext): Reply {
  const { device, request } = context;
  const sessionId = request.query.get('id');
  if (!sessionId) throw fail(request, 400, 'SessionIdMissing', 'No session ID is given in the "id" query parameter.');
  const session = device.audit.findBySessionId(sessionId);
  if (!session || session.endMs !== null) {
    const message = 'No ongoing session has this ID. Select an ongoing session at the Active Connections page.';
    throw fail(request, 404, 'SessionCouldNotBeFound', message);
  }
  if (request.fault !== 'silent_nonkill') device.audit.end(session, Date.now(), 'TERMINATED');
  return ok(metaBody(ACTIVE_SESSIONS_PATH));
}

const EXACT_ROUTES = new Map<string, Methods>([
  [AUTHENTICATION_PATH, { GET: { kind: 'login', handle: login, open: true } }],
  [INFO_PATH, { GET: { kind: 'other', handle: () => ok(infoBody()) } }],
  [SESSIONS_PATH, { GET: { kind: 'list', handle: listSessions } }],
  [
    ACTIVE_SESSIONS_PATH,
    { DELETE: { kind: 'delete', handle: terminateSession, serverError: 'SessionTerminationFailed' } },
  ],
]);

const PREFIX_ROUTES: [string, Methods][] = [[`${SESSIONS_PATH}/`, { GET: { kind: 'other', handle: getSession } }]];

function lookup(path: string): { methods: Methods; param: string } | null {
  const methods = EXACT_ROUTES.get(path);
  if (methods) return { methods, param: '' };
  for (const [prefix, prefixMethods] of PREFIX_ROUTES) {
    const param = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (param !== '' && !param.includes('/')) return { methods: prefixMethods, param };
  }
  return null;
}

export interface ResolvedRoute {
  kind: SpsRequestKind;
  /** Answers the request; throws only on a bug in the emulator. */
  run(device: SpsDevice, request: SpsRequest, password: string): Reply;
}

/** Order of checks: injected 500, then credentials (except for the login), then path and method. */
function answer(context: RouteContext, methods: Methods | undefined): Reply {
  const { request } = context;
  const endpoint = methods?.[request.method];
  if (request.fault === 'http500') {
    const type = endpoint?.serverError ?? 'InternalServerError';
    throw fail(request, 500, type, 'The request could not be completed due to internal errors (injected fault).');
  }
  if (!endpoint?.open) authenticate(context);
  if (!methods) throw fail(request, 404, 'NotFound', 'The requested object does not exist.');
  if (!endpoint) {
    throw fail(request, 405, 'MethodNotAllowed', `The ${request.method} method is not allowed on ${request.path}.`);
  }
  return endpoint.handle(context);
}

export function resolveRoute(method: string, path: string): ResolvedRoute {
  const found = lookup(path);
  const allow = found ? Object.keys(found.methods).join(', ') : undefined;
  return {
    kind: found?.methods[method]?.kind ?? 'other',
    run(device, request, password) {
      const context: RouteContext = { device, request, password, param: found?.param ?? '' };
      let reply: Reply;
      try {
        reply = answer(context, found?.methods);
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        reply = error.reply;
      }
      // Every SPS answer names the methods the resource takes (§1.8).
      if (allow) reply.headers.allow = allow;
      return reply;
    },
  };
}

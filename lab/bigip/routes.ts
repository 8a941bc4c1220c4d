// The iControl REST subset of docs/compat/bigip-device.md, as pure handlers over one emulated device's state.
import {
  DATA_GROUP_COLLECTION,
  DATA_GROUP_COLLECTION_METHODS,
  DATA_GROUP_OBJECT_METHODS,
} from './data-group-routes.js';
import type { LabDevice } from './device.js';
import type { RequestKind } from './faults.js';
import {
  fail,
  jsonObject,
  type LabRequest,
  type Methods,
  ok,
  type Reply,
  ReplyError,
  type RouteContext,
  tmFail,
} from './route-kit.js';
import {
  accessInfoBody,
  deviceInfoBody,
  failoverStatusBody,
  loginBody,
  tokenBody,
  tokenCollectionBody,
  versionBody,
} from './shapes.js';
import { MAX_TOKEN_TIMEOUT_SEC, type TokenRecord } from './tokens.js';

export type { LabRequest, Reply } from './route-kit.js';

export const LAB_ADMIN = 'admin';

function login(context: RouteContext): Reply {
  const { username, password, loginProviderName } = jsonObject(context);
  const valid =
    context.request.fault !== 'auth_fail' &&
    username === LAB_ADMIN &&
    password === context.password &&
    (loginProviderName === undefined || loginProviderName === 'tmos');
  if (!valid) throw fail(context, 401, 'Authentication failed.');
  const record = context.device.tokens.issue(LAB_ADMIN);
  if (!record) throw fail(context, 401, 'maximum active login tokens');
  return ok(loginBody(record));
}

function basicCredentialsMatch(authorization: string, password: string): boolean {
  const decoded = Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8');
  return decoded === `${LAB_ADMIN}:${password}`;
}

/** X-F5-Auth-Token or Basic (admin only), as BIG-IP accepts on every endpoint. */
function authenticate(context: RouteContext): void {
  const { request, device } = context;
  if (request.fault === 'auth_fail') throw fail(context, 401, 'Authentication failed.');
  if (request.authToken !== undefined) {
    if (!device.tokens.find(request.authToken)) throw fail(context, 401, 'X-F5-Auth-Token does not exist.');
    return;
  }
  if (request.authorization?.startsWith('Basic ')) {
    if (!basicCredentialsMatch(request.authorization, context.password)) {
      throw fail(context, 401, 'Authentication failed.');
    }
    return;
  }
  const from = request.remoteAddress;
  throw fail(
    context,
    401,
    `Authorization failed: no user authentication header or token detected. Uri:${request.path} Referrer:${from} Sender:${from}`,
  );
}

function tokenTimeout(context: RouteContext): number {
  const { timeout } = jsonObject(context);
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TOKEN_TIMEOUT_SEC) {
    throw fail(context, 400, `timeout must be an integer between 1 and ${MAX_TOKEN_TIMEOUT_SEC}`);
  }
  return timeout;
}

function tokenReply(context: RouteContext, record: TokenRecord | undefined): Reply {
  if (!record) throw fail(context, 404, 'Token not found.');
  return ok(tokenBody(record));
}

function listSessions(context: RouteContext): Reply {
  const top = context.request.query.get('$top');
  const limit = top === null ? 0 : Number(top);
  if (!Number.isInteger(limit) || limit < 0) throw tmFail(400, `Invalid $top value: ${top}`);
  return ok(accessInfoBody(context.device.servedSessions?.values() ?? [], limit));
}

/**
 * The 200 with an empty body and the 404 wording are unverified (docs/compat/bigip-device.md §9); clients must re-list
 * anyway.
 */
function deleteSession(context: RouteContext): Reply {
  const sessions = context.device.servedSessions;
  const sessionId = context.param;
  if (!sessions?.has(sessionId)) {
    throw tmFail(404, `01020036:3: The requested access session (${sessionId}) was not found.`);
  }
  if (context.request.fault !== 'silent_nonkill') sessions.delete(sessionId);
  return ok('');
}

const EXACT_ROUTES = new Map<string, Methods>([
  ['/mgmt/shared/authn/login', { POST: { kind: 'login', handle: login, open: true } }],
  [
    '/mgmt/shared/authz/tokens',
    { GET: { kind: 'other', handle: (c) => ok(tokenCollectionBody(c.device.tokens.live())) } },
  ],
  ['/mgmt/tm/apm/access-info', { GET: { kind: 'list', handle: listSessions } }],
  [
    '/mgmt/tm/cm/failover-status',
    { GET: { kind: 'failover', handle: (c) => ok(failoverStatusBody(c.device.failover)) } },
  ],
  [DATA_GROUP_COLLECTION, DATA_GROUP_COLLECTION_METHODS],
  ['/mgmt/tm/sys/version', { GET: { kind: 'other', handle: () => ok(versionBody()) } }],
  [
    '/mgmt/shared/identified-devices/config/device-info',
    { GET: { kind: 'other', handle: (c) => ok(deviceInfoBody(c.device)) } },
  ],
]);

const PREFIX_ROUTES: [string, Methods][] = [
  [
    '/mgmt/shared/authz/tokens/',
    {
      GET: { kind: 'other', handle: (c) => tokenReply(c, c.device.tokens.find(c.param)) },
      PATCH: { kind: 'other', handle: (c) => tokenReply(c, c.device.tokens.setTimeout(c.param, tokenTimeout(c))) },
      DELETE: { kind: 'tokenDelete', handle: (c) => tokenReply(c, c.device.tokens.revoke(c.param)) },
    },
  ],
  ['/mgmt/tm/apm/session/', { DELETE: { kind: 'delete', handle: deleteSession } }],
  [`${DATA_GROUP_COLLECTION}/`, DATA_GROUP_OBJECT_METHODS],
];

export interface ResolvedRoute {
  kind: RequestKind;
  /** Answers the request; throws only on a bug in the emulator. */
  run(device: LabDevice, request: LabRequest, password: string): Reply;
}

function lookup(path: string): { methods: Methods; param: string } | null {
  const methods = EXACT_ROUTES.get(path);
  if (methods) return { methods, param: '' };
  for (const [prefix, prefixMethods] of PREFIX_ROUTES) {
    const param = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (param !== '' && !param.includes('/')) return { methods: prefixMethods, param: decodePathSegment(param) };
  }
  return null;
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function resolveRoute(method: string, path: string): ResolvedRoute {
  const found = lookup(path);
  const endpoint = found?.methods[method];
  return {
    kind: endpoint?.kind ?? 'other',
    run(device, request, password) {
      const context: RouteContext = { device, request, password, param: found?.param ?? '' };
      try {
        if (request.fault === 'http500') throw fail(context, 500, 'Internal Server Error (injected fault).');
        if (!found) {
          const message = `URI path ${path} not registered.  Please verify URI is supported and wait for /available suffix to be responsive.`;
          throw fail(context, 404, message);
        }
        if (!endpoint) throw fail(context, 405, `Method ${method} is not supported for ${path}.`);
        if (!endpoint.open) authenticate(context);
        return endpoint.handle(context);
      } catch (error) {
        if (error instanceof ReplyError) return error.reply;
        throw error;
      }
    },
  };
}

// SPS authentication (docs/compat/sps.md §1): GET /api/authentication with Basic → `session_id` cookie; the cookie or
// Basic on every other request. Login sessions slide on use and end after the idle timeout or their maximum age; what
// the user may do is looked up on every request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type LoginRefusal, refusalReason } from '../../engine/password-login.js';
import type { LoginSessionRecord } from '../../engine/records.js';
import type { AppDeps } from '../app.js';
import { parentOf } from './envelope.js';
import { SPS_MESSAGES, SpsError, spsErrorSchema } from './errors.js';

const TAGS = ['SPS auth'];
const AUTH_HREF = '/api/authentication';

export interface SpsLogin {
  record: LoginSessionRecord;
  /** Where the session came from: a cookie (slid and re-sent) or HTTP Basic (a derived, cookie-less session). */
  via: 'cookie' | 'basic';
}

function decodeBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The first Set-Cookie, in the form SafeguardJava parses: `session_id=…; expires=<RFC 1123>; Path=/; Secure; HttpOnly`. */
function setSessionCookie(reply: FastifyReply, value: string, expiresAt: number): void {
  const cookie = `session_id=${value}; expires=${new Date(expiresAt).toUTCString()}; Path=/; Secure; HttpOnly; SameSite=Strict`;
  const existing = reply.getHeader('set-cookie');
  const others = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  reply.header('set-cookie', [cookie, ...others.filter((c) => !c.startsWith('session_id='))]);
}

/** The 401 of a refused login; a lockout or throttle says why and for how long (also as Retry-After). */
function loginRefused(reply: FastifyReply, refusal: LoginRefusal, user: string, address: string): SpsError {
  if (refusal.kind === 'credentials') {
    return new SpsError(401, 'AuthenticationFailure', SPS_MESSAGES.AuthenticationFailure);
  }
  reply.header('retry-after', String(refusal.retryAfterSec));
  return new SpsError(
    401,
    'AuthenticationFailure',
    `${SPS_MESSAGES.AuthenticationFailure} ${refusalReason(refusal, user, address)}`,
    { retry_after: refusal.retryAfterSec },
  );
}

/** Attaches a live login to the request with the user's privileges as of now; a login whose user is gone ends. */
async function attachLogin(
  deps: AppDeps,
  request: FastifyRequest,
  record: LoginSessionRecord,
  via: SpsLogin['via'],
): Promise<boolean> {
  const principal = await deps.auth.principalOf(record.userName);
  if (!principal) {
    await deps.loginSessions.end(record.id);
    return false;
  }
  request.principal = principal;
  request.spsLogin = { record, via };
  return true;
}

/** Authenticates every non-public SPS route: a valid `session_id` cookie (or header), else HTTP Basic. */
export function spsAuthHook(deps: AppDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.routeOptions.config.public) return;
    const cookie = request.cookies.session_id ?? headerValue(request.headers.session_id);
    if (cookie) {
      const resolved = await deps.loginSessions.resolve(cookie);
      if ('record' in resolved) refuseCrossSiteWrite(request);
      if ('record' in resolved && (await attachLogin(deps, request, resolved.record, 'cookie'))) {
        setSessionCookie(reply, cookie, resolved.record.expiresAt);
        return;
      }
    }
    const basic = decodeBasic(request.headers.authorization);
    if (basic) return authenticateBasic(deps, request, reply, basic);
    throw new SpsError(401, 'Unauthenticated', SPS_MESSAGES.Unauthenticated, { path: request.url.split('?')[0] });
  };
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF defence for cookie logins (the console): a browser sends the cookie by itself, so an unsafe request must come
 * from this origin. Browsers send `Origin` on every unsafe request and `Sec-Fetch-Site` on most; scripts send neither
 * and keep working. The cookie is also `SameSite=Strict`; this check also covers browsers that ignore that, and
 * sibling sites (same-site, other origin).
 */
function refuseCrossSiteWrite(request: FastifyRequest): void {
  if (!UNSAFE_METHODS.has(request.method)) return;
  const origin = headerValue(request.headers.origin);
  const crossSite = headerValue(request.headers['sec-fetch-site']) === 'cross-site';
  const originHost = origin === undefined ? undefined : hostOf(origin);
  const sameOrigin =
    origin === undefined ||
    (originHost !== undefined && originHost === hostOf(`${request.protocol}://${request.host}`));
  if (!crossSite && sameOrigin) return;
  throw new SpsError(403, 'Forbidden', 'Cross-site requests cannot change anything with a session cookie.', {
    path: request.url.split('?')[0],
    origin: origin ?? null,
  });
}

/** `host[:port]` of a URL with default ports dropped, so `Host: example.com:443` matches `https://example.com`. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    // Not a URL: treated like an absent header by the caller.
    return undefined;
  }
}

/** Basic on a request without a valid cookie: one derived login session per credentials and address. */
async function authenticateBasic(
  deps: AppDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  basic: { user: string; password: string },
): Promise<void> {
  const value = await deps.loginSessions.basicSessionValue(request.headers.authorization ?? '', request.ip);
  const existing = await deps.loginSessions.resolve(value);
  if ('record' in existing && (await attachLogin(deps, request, existing.record, 'basic'))) return;
  const result = await deps.auth.login({ ...credentialsOf(basic), address: request.ip, surface: 'sps' });
  if ('refused' in result) throw loginRefused(reply, result.refused, basic.user, request.ip);
  const opened = await deps.loginSessions.open(result.principal, request.ip, value);
  request.principal = result.principal;
  request.spsLogin = { record: opened.record, via: 'basic' };
}

const credentialsOf = (basic: { user: string; password: string }) => ({ name: basic.user, password: basic.password });

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const metaOnly = {
  type: 'object',
  properties: { meta: { type: 'object', additionalProperties: true } },
  required: ['meta'],
} as const;

export async function registerSpsAuthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const login = async (request: FastifyRequest, reply: FastifyReply) => {
    const basic = decodeBasic(request.headers.authorization);
    if (!basic)
      throw new SpsError(
        401,
        'AuthenticationFailure',
        `${SPS_MESSAGES.AuthenticationFailure} Send HTTP Basic credentials.`,
      );
    const result = await deps.auth.signIn({ ...credentialsOf(basic), address: request.ip, surface: 'sps' });
    if ('refused' in result) throw loginRefused(reply, result.refused, basic.user, request.ip);
    const opened = await deps.loginSessions.open(result.principal, request.ip);
    setSessionCookie(reply, opened.value, opened.record.expiresAt);
    const remaining = deps.loginSessions.remainingSec(opened.record);
    return { meta: { href: AUTH_HREF, parent: '/api', remaining_seconds: remaining } };
  };
  const loginSchema = {
    tags: TAGS,
    summary: 'Log in with HTTP Basic; answers with the session_id cookie (login_method is accepted and ignored)',
    security: [{ basic: [] }],
    querystring: { type: 'object', properties: { login_method: { type: 'string' }, type: { type: 'string' } } },
    response: { 200: metaOnly, 401: spsErrorSchema },
  };
  app.get(AUTH_HREF, { schema: loginSchema, config: { public: true } }, login);
  app.post(
    AUTH_HREF,
    { schema: { ...loginSchema, summary: 'Log in (extension: same as GET)' }, config: { public: true } },
    login,
  );

  app.delete(
    AUTH_HREF,
    {
      schema: {
        tags: TAGS,
        summary: 'Log out (extension): ends the login session and its transaction',
        response: { 200: metaOnly },
      },
    },
    async (request) => {
      if (request.spsLogin) await deps.loginSessions.signOut(request.spsLogin.record, request.ip);
      return { meta: { href: AUTH_HREF, parent: '/api' } };
    },
  );

  app.get(
    `${AUTH_HREF}/login_methods`,
    {
      schema: { tags: TAGS, summary: 'Permitted login methods (unauthenticated)', security: [] },
      config: { public: true },
    },
    async () => ({
      login_methods: [{ name: 'local', type: 'password', description: 'Local user database (HTTP Basic)' }],
      meta: { href: `${AUTH_HREF}/login_methods`, parent: AUTH_HREF },
    }),
  );

  app.get(
    `${AUTH_HREF}/types`,
    {
      schema: { tags: TAGS, summary: 'Authentication types (SPS 5.x/6.x form, unauthenticated)', security: [] },
      config: { public: true },
    },
    async () => ({
      types: { basic: { href: AUTH_HREF } },
      meta: { href: `${AUTH_HREF}/types`, parent: parentOf(`${AUTH_HREF}/types`) },
    }),
  );
}

// BIG-IQ authentication (docs/compat/bigiq.md §1): token login and exchange, token management, provider discovery, and
// the hook that authenticates every other /mgmt request by X-F5-Auth-Token (or HTTP Basic, when enabled).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access.js';
import { isTokenId } from '../../engine/auth-service.js';
import { type LoginRefusal, refusalReason } from '../../engine/password-login.js';
import type { StoredToken } from '../../engine/records.js';
import type { AppDeps } from '../app.js';
import {
  findLoginProvider,
  LOCAL_PROVIDER,
  LOGIN_PROVIDERS,
  loginResponse,
  loginResponseSchema,
  providersSchema,
  TOKENS_PATH,
  tokenCollection,
  tokenCollectionSchema,
  tokenItem,
  tokenItemSchema,
} from './auth.views.js';
import { BigiqError, bigiqErrorSchema, sendBigiqError } from './errors.js';
import { parseQuery } from './odata.js';

const TAGS = ['BIG-IQ auth'];
const AUTH_FAILED = 'Authentication failed.';
const errors = { 400: bigiqErrorSchema, 401: bigiqErrorSchema } as const;

// Body schemas check only presence and types (a 400). Anything about the values (empty or wrong credentials, an
// unknown provider) must reach the handler, which answers F5's exact 401 "Authentication failed.".
const loginBodySchema = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    password: { type: 'string' },
    loginProviderName: { type: 'string', description: '`local` (default) or `tmos`' },
    loginReference: {
      type: 'object',
      properties: { link: { type: 'string', description: 'A provider link from GET /info/system' } },
      required: ['link'],
    },
  },
  required: ['username', 'password'],
} as const;

const exchangeBodySchema = {
  type: 'object',
  properties: {
    refreshToken: { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] },
  },
  required: ['refreshToken'],
} as const;

// Scripts send the timeout as a number or as a numeric string ({"timeout":"36000"}); both are accepted.
const patchBodySchema = {
  type: 'object',
  properties: { timeout: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }] } },
  required: ['timeout'],
} as const;

const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', description: 'The token value, or its id from the listing' } },
  required: ['token'],
} as const;

interface LoginBody {
  username: string;
  password: string;
  loginProviderName?: string;
  loginReference?: { link: string };
}

/** The request as F5 echoes it in `originalRequestBody`, with secrets masked. */
const maskedBody = (body: unknown): string =>
  JSON.stringify(body, (key, value: unknown) =>
    (key === 'password' || key === 'token') && typeof value === 'string' ? '******' : value,
  );

export async function registerBigiqAuthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post(
    '/mgmt/shared/authn/login',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'Log in: returns an access token (X-F5-Auth-Token) and a refresh token',
        description: 'An extra `Authorization: Basic` header (sent by some clients) is ignored.',
        security: [],
        body: loginBodySchema,
        response: { 200: loginResponseSchema, ...errors },
      },
    },
    async (request, reply) => login(deps, request, reply),
  );

  app.post(
    '/mgmt/shared/authn/exchange',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'A new access token for a refresh token (whose lifetime does not restart)',
        security: [],
        body: exchangeBodySchema,
        response: { 200: loginResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as { refreshToken: { token: string } };
      const pair = await deps.auth.exchange(body.refreshToken.token, request.ip);
      if (!pair) return sendBigiqError(reply, 401, AUTH_FAILED, { originalRequestBody: maskedBody(body) });
      return loginResponse(pair, findLoginProvider(pair.refresh.token.provider, undefined) ?? LOCAL_PROVIDER);
    },
  );

  app.get(
    '/info/system',
    {
      config: { public: true },
      schema: {
        tags: TAGS,
        summary: 'Login providers (unauthenticated)',
        security: [],
        response: { 200: providersSchema },
      },
    },
    async () => ({ providers: LOGIN_PROVIDERS }),
  );

  registerTokenRoutes(app, deps);
}

async function login(deps: AppDeps, request: FastifyRequest, reply: FastifyReply) {
  const body = request.body as LoginBody;
  const provider = findLoginProvider(body.loginProviderName, body.loginReference?.link);
  const address = request.ip;
  const attempt = {
    name: body.username,
    password: body.password,
    address,
    surface: 'bigiq',
    details: { provider: provider?.name ?? null },
  };
  if (!provider) return loginRefused(reply, await deps.auth.refuseLogin(attempt), body, address);
  const result = await deps.auth.signIn(attempt);
  if ('refused' in result) return loginRefused(reply, result.refused, body, address);
  return loginResponse(await deps.auth.issueTokens(result.principal, provider.name, address), provider);
}

// Decision: a lockout or throttle is still a 401 (clients treat any 401 on login as a failed login), but its message
// says why and for how long, and a Retry-After header says when to come back.
function loginRefused(reply: FastifyReply, refusal: LoginRefusal, body: LoginBody, address: string) {
  const extra = { originalRequestBody: maskedBody(body) };
  if (refusal.kind === 'credentials') return sendBigiqError(reply, 401, AUTH_FAILED, extra);
  reply.header('retry-after', String(refusal.retryAfterSec));
  return sendBigiqError(reply, 401, `${AUTH_FAILED} ${refusalReason(refusal, body.username, address)}`, extra);
}

function registerTokenRoutes(app: FastifyInstance, deps: AppDeps): void {
  const itemSchema = (summary: string, extra: Record<string, unknown> = {}) => ({
    tags: TAGS,
    summary,
    params: tokenParams,
    response: { 200: tokenItemSchema, ...errors, 404: bigiqErrorSchema },
    ...extra,
  });

  app.get(
    TOKENS_PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'Live tokens: all of them for admin, your own otherwise',
        response: { 200: tokenCollectionSchema, 401: bigiqErrorSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tokens = await deps.auth.listTokens(principal.isAdmin ? undefined : principal.name);
      return tokenCollection(tokens, parseQuery(request.query as Record<string, string>));
    },
  );

  app.get(`${TOKENS_PATH}/:token`, { schema: itemSchema('One token') }, async (request) => {
    const ref = (request.params as { token: string }).token;
    return render(await visibleToken(deps, request, ref), ref);
  });

  app.patch(
    `${TOKENS_PATH}/:token`,
    {
      schema: itemSchema('Set an access token to expire `timeout` seconds from now (at most 36000)', {
        body: patchBodySchema,
      }),
    },
    async (request) => {
      const ref = (request.params as { token: string }).token;
      const token = await visibleToken(deps, request, ref);
      const timeout = Number((request.body as { timeout: number | string }).timeout);
      return render((await deps.auth.setTokenTimeout(token.id, timeout)) ?? notFound(), ref);
    },
  );

  app.delete(`${TOKENS_PATH}/:token`, { schema: itemSchema('Revoke a token (log out)') }, async (request) => {
    const ref = (request.params as { token: string }).token;
    const token = await visibleToken(deps, request, ref);
    return render((await deps.auth.revokeToken(token.id)) ?? notFound(), ref);
  });
}

/** Echo the secret only when the client named the token by it; a listing id stays an id. */
const render = (token: StoredToken, ref: string) => tokenItem(token, isTokenId(ref) ? undefined : ref);

function notFound(): never {
  throw new BigiqError(404, 'Object not found: no such token, or it has expired.');
}

/** Someone else's token answers exactly like a missing one, so its existence is not revealed. */
async function visibleToken(deps: AppDeps, request: FastifyRequest, ref: string): Promise<StoredToken> {
  const principal = principalOf(request);
  const token = await deps.auth.findToken(ref);
  return token && (principal.isAdmin || token.userName === principal.name) ? token : notFound();
}

function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new BigiqError(401, AUTH_FAILED);
  return request.principal;
}

/**
 * onRequest hook of the BIG-IQ scope: every route not marked `config.public` needs X-F5-Auth-Token (header names
 * are case-insensitive) or, when enabled, HTTP Basic. Sets request.principal, or answers 401 in F5's words.
 */
export function bigiqAuthHook(deps: AppDeps) {
  return async function bigiqAuth(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (request.routeOptions.config.public) return undefined;
    const outcome = await authenticate(deps, request);
    if (typeof outcome === 'string') return sendBigiqError(reply, 401, outcome);
    request.principal = outcome;
    return undefined;
  };
}

/** The caller's principal, or the 401 message that explains why there is none. */
async function authenticate(deps: AppDeps, request: FastifyRequest): Promise<Principal | string> {
  const header = request.headers['x-f5-auth-token'];
  const token = Array.isArray(header) ? header[0] : header;
  if (token) {
    const resolved = await deps.auth.resolveAccessToken(token);
    if ('principal' in resolved) return resolved.principal;
    return resolved.error === 'expired'
      ? 'java.security.GeneralSecurityException: Invalid registered claims.'
      : 'X-F5-Auth-Token does not exist.';
  }
  const basic = /^Basic\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (basic?.[1] && deps.bigiq.basicAuth) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return AUTH_FAILED;
    const name = decoded.slice(0, colon);
    const result = await deps.auth.login({
      name,
      password: decoded.slice(colon + 1),
      address: request.ip,
      surface: 'bigiq',
    });
    if ('principal' in result) return result.principal;
    return `${AUTH_FAILED} ${refusalReason(result.refused, name, request.ip)}`.trim();
  }
  return `Authorization failed: no user authentication header or token detected. Uri:${request.url} Referrer:${request.ip} Sender:${request.ip}`;
}

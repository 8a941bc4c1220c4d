// The SPS compatible surface (/api): cookie or Basic auth, SPS envelopes and errors, Allow and Content-Language on
// every answer, `meta.remaining_seconds` on every body of a logged-in client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAllowed, type Permission, type Principal } from '../../core/access.js';
import { isDomainError } from '../../core/errors.js';
import type { AppDeps } from '../app.js';
import { registerAaaRoutes } from './aaa.routes.js';
import { registerAuditLogRoutes } from './audit-log.routes.js';
import { registerSpsAuthRoutes, type SpsLogin, spsAuthHook } from './auth.routes.js';
import { lenientJsonBodies } from './config-routes.js';
import { registerCurfewRoutes } from './curfews.routes.js';
import { registerSpsDiscoveryRoutes } from './discovery.routes.js';
import { SpsError, sendSpsError } from './errors.js';
import { registerEventRoutes } from './events.routes.js';
import { registerFleetRoutes } from './fleet.routes.js';
import { registerKillTaskRoutes } from './kill-tasks.routes.js';
import { registerPasswordRoutes } from './passwords.routes.js';
import { registerSpsSessionRoutes } from './sessions.routes.js';
import { registerTransactionRoutes } from './transaction.routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The SPS login session of the request (cookie or Basic), once the auth hook accepted it. */
    spsLogin: SpsLogin | null;
  }
  interface FastifyContextConfig {
    /** A route that only answers 405 Method Not Allowed. */
    refusesMethod?: boolean;
  }
}

/** Methods registered per SPS route pattern, for the `Allow` header and /api/endpoints. */
export type RouteMethods = Map<string, Set<string>>;

export async function registerSps(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  const routes: RouteMethods = new Map();
  scope.decorateRequest('spsLogin', null);
  scope.addHook('onRoute', (route) => {
    // 405 answers are not methods a path serves: keep them out of Allow and /api/endpoints.
    if (route.config?.refusesMethod) return;
    const methods = routes.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) if (method !== 'HEAD') methods.add(method);
    routes.set(route.url, methods);
  });
  scope.addHook('onRequest', spsAuthHook(deps));
  scope.addHook('preSerialization', async (request: FastifyRequest, _reply, payload: unknown) => {
    const meta = (payload as { meta?: Record<string, unknown> } | null)?.meta;
    if (meta && request.spsLogin && meta.remaining_seconds === undefined) {
      meta.remaining_seconds = deps.loginSessions.remainingSec(request.spsLogin.record);
    }
    return payload;
  });
  scope.addHook('onSend', async (request, reply, payload) => {
    const allowed = routes.get(request.routeOptions.url ?? '');
    if (allowed && !reply.hasHeader('allow')) reply.header('allow', [...allowed].sort().join(', '));
    reply.header('content-language', 'en');
    return payload;
  });
  await registerSpsAuthRoutes(scope, deps);
  await registerSpsDiscoveryRoutes(scope, deps, routes);
  await registerSpsSessionRoutes(scope, deps);
  // curfew's extensions for the console (and scripts): kill tasks, the audit trail, live events.
  await registerKillTaskRoutes(scope, deps);
  await registerAuditLogRoutes(scope, deps);
  await registerEventRoutes(scope, deps);
  // Curfews: a scope of their own, for bodies as scripts send them (a bare lift, curl's form type).
  await scope.register(async (curfews) => registerCurfewRoutes(curfews, deps));
  // Configuration: its own scope, for bodies as scripts send them (empty POST /api/transaction, curl's form type).
  await scope.register(async (config) => {
    lenientJsonBodies(config);
    await registerTransactionRoutes(config, deps);
    await registerAaaRoutes(config, deps);
    await registerPasswordRoutes(config, deps);
    await registerFleetRoutes(config, deps);
  });
}

/** Registers 405 answers for the methods a path does not serve (e.g. GET on /api/active-sessions). */
export function methodNotAllowed(
  app: FastifyInstance,
  path: string,
  methods: readonly ('GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH')[],
  allowed: string,
): void {
  for (const method of methods) {
    app.route({
      method,
      url: path,
      schema: { hide: true },
      config: { refusesMethod: true },
      handler: async () => {
        throw new SpsError(405, 'MethodNotAllowed', `The ${method} method is not allowed on ${path}.`, { allowed });
      },
    });
  }
}

/** Throws 403 Forbidden unless the caller holds the privilege (write implies read). */
export function requireSpsPrivilege(request: FastifyRequest, object: string, permission: Permission): Principal {
  const principal = request.principal;
  if (principal && isAllowed(principal, object, permission)) return principal;
  throw new SpsError(403, 'Forbidden', `You need ${permission} privilege on ${object} to do this.`, {
    path: request.url.split('?')[0],
    object,
    permission,
  });
}

export function renderSpsNotFound(request: FastifyRequest, reply: FastifyReply): void {
  sendSpsError(
    reply,
    new SpsError(404, 'NotFound', 'The requested object does not exist.', { path: request.url.split('?')[0] }),
  );
}

const DOMAIN_ERRORS = {
  invalid: [400, 'SemanticError'],
  not_found: [404, 'NotFound'],
  conflict: [409, 'TransactionConflict'],
  forbidden: [403, 'Forbidden'],
  unauthenticated: [401, 'Unauthenticated'],
  unavailable: [503, 'InternalError'],
} as const;

/** Every failure on /api leaves as an SPS error body; a 500 only for a bug, and it is logged. */
export function renderSpsError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof SpsError) {
    sendSpsError(reply, error);
    return;
  }
  if (isDomainError(error)) {
    const [status, type] = DOMAIN_ERRORS[error.kind];
    sendSpsError(reply, new SpsError(status, type, error.message, { code: error.code, ...error.details }));
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    sendSpsError(
      reply,
      new SpsError(400, 'SyntaxError', `Invalid request: ${fastifyError.message}`, {
        validation: fastifyError.validation,
      }),
    );
    return;
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    sendSpsError(reply, new SpsError(400, 'SyntaxError', clientErrorMessage(fastifyError)));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  sendSpsError(reply, new SpsError(500, 'InternalError', 'Internal error; the server log has the details.'));
}

function clientErrorMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'The request body is not valid JSON.';
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'The request body is too large.';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Unsupported Content-Type; send application/json.';
  return error.message;
}

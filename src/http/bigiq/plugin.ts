// The BIG-IQ compatible surface (/mgmt, /info): token auth on every route but login, F5's error body everywhere.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../core/access.js';
import { isDomainError } from '../../core/errors.js';
import type { AppDeps } from '../app.js';
import { jsonBodyParser } from '../json-body.js';
import { bigiqAuthHook, registerBigiqAuthRoutes } from './auth.routes.js';
import { BigiqError, sendBigiqError } from './errors.js';
import { registerKillSessionsRoutes } from './kill-sessions.routes.js';
import { ODataError } from './odata.js';
import { registerResolverRoutes } from './resolver.routes.js';
import { registerSystemRoutes } from './system.routes.js';

export { requirePrivilege } from './authorize.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once a surface's auth hook accepted the request. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Route answers without authentication (login, provider discovery). */
    public?: boolean;
  }
}

export async function registerBigiq(scope: FastifyInstance, deps: AppDeps): Promise<void> {
  scope.decorateRequest('principal', null);
  // Scripts often POST JSON with curl's default form content type; BIG-IQ reads the body as JSON regardless.
  scope.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'string' },
    jsonBodyParser(scope),
  );
  scope.addHook('onRequest', bigiqAuthHook(deps));
  await registerBigiqAuthRoutes(scope, deps);
  await registerSystemRoutes(scope, deps);
  await registerKillSessionsRoutes(scope, deps);
  await registerResolverRoutes(scope, deps);
}

export function renderBigiqNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void request;
  sendBigiqError(reply, 404, 'Public URI path not registered');
}

const DOMAIN_STATUS = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 401,
  unauthenticated: 401,
  unavailable: 503,
} as const;

/** Every failure on the BIG-IQ surface leaves as F5's error body; a 500 only for a bug, and it is logged. */
export function renderBigiqError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof BigiqError) {
    sendBigiqError(reply, error.status, error.message, error.extra);
    return;
  }
  if (error instanceof ODataError) {
    sendBigiqError(reply, 400, error.message);
    return;
  }
  if (isDomainError(error)) {
    sendBigiqError(reply, DOMAIN_STATUS[error.kind], error.message);
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    sendBigiqError(reply, 400, `Invalid request: ${fastifyError.message}`);
    return;
  }
  const clientError = clientErrorMessage(fastifyError);
  if (clientError) {
    sendBigiqError(reply, 400, clientError);
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  sendBigiqError(reply, 500, 'Internal Server Error');
}

function clientErrorMessage(error: FastifyError): string | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Found invalid JSON body in the request.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Unsupported Content-Type ${String(error.message).replace(/^Unsupported Media Type: /, '')}; send application/json.`;
    default:
      return error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
        ? error.message
        : undefined;
  }
}

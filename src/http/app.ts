// The HTTP application factory. It never listens: the CLI does, and tests use app.inject().

import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { AuthService } from '../engine/auth-service.js';
import type { ConfigService } from '../engine/config/transactions.js';
import type { Engine } from '../engine/engine.js';
import type { LoginSessions } from '../engine/login-sessions.js';
import { registerBigiq, renderBigiqError, renderBigiqNotFound } from './bigiq/plugin.js';
import { registerHealth } from './health.routes.js';
import { registerOpenApi } from './openapi.js';
import { registerSps, renderSpsError, renderSpsNotFound } from './sps/plugin.js';
import { defaultWebRoot, registerWeb } from './web.js';

export interface BigiqOptions {
  /** Accept HTTP Basic on /mgmt (off by default, like a real BIG-IQ). */
  basicAuth: boolean;
  /** Status of a kill-sessions POST: 202 (default; BIGREST requires it) or 200 (the reference's wording). */
  killPostStatus: 200 | 202;
}

export interface AppDeps {
  engine: Engine;
  auth: AuthService;
  loginSessions: LoginSessions;
  /** Configuration transactions (AAA and fleet); its `dropTransactions` must be LoginSessions' `onEnded`. */
  config: ConfigService;
  /** The server's own machine id (BIG-IQ `ownerMachineId`). */
  machineId: string;
  version: string;
  bigiq: BigiqOptions;
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string; key: string } | null;
  /** Hears of every route as it is registered (tests enumerate the routes of both surfaces with it). */
  onRoute?: (route: RouteOptions) => void;
  /** Where the built web console is (default: the package's dist/web); null serves no console. */
  webRoot?: string | null;
}

export const DEFAULT_BIGIQ_OPTIONS: BigiqOptions = { basicAuth: false, killPostStatus: 202 };

/** Token values travel in some URLs (`/mgmt/shared/authz/tokens/<token>`): keep them out of request logs. */
export function redactUrl(url: string): string {
  return url.replace(/(\/mgmt\/shared\/authz\/tokens\/)[^/?]+/, '$1[redacted]');
}

function loggerOptions(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger || typeof logger !== 'object') return logger ?? false;
  return {
    ...logger,
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: redactUrl(request.url),
        ip: request.ip,
      }),
    },
  };
}

const isSpsPath = (url: string): boolean => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(options.logger),
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    bodyLimit: 1024 * 1024,
    // Session keys grow with device and native ids (an SPS appliance's are ~103 characters, over the default 100):
    // no router limit below the HTTP parser's own on the request line.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // Validation errors are rendered by each surface in its own error format.
    ajv: { customOptions: { allErrors: false, coerceTypes: false } },
  }) as unknown as FastifyInstance;
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  await registerOpenApi(app, deps);
  await app.register(cookie);
  // One not-found and one error handler for the app; each surface renders its own body by path.
  app.setNotFoundHandler((request, reply) =>
    isSpsPath(request.url) ? renderSpsNotFound(request, reply) : renderBigiqNotFound(request, reply),
  );
  app.setErrorHandler((error, request, reply) =>
    isSpsPath(request.url)
      ? renderSpsError(error as Error, request, reply)
      : renderBigiqError(error as Error, request, reply),
  );
  await registerHealth(app, deps);
  await app.register(async (scope) => registerBigiq(scope, deps));
  await app.register(async (scope) => registerSps(scope, deps));
  if (options.webRoot !== null) {
    const root = options.webRoot ?? defaultWebRoot();
    if (!(await registerWeb(app, root))) app.log.warn(`no web console at ${root}: run npm run build:web`);
  }
  return app;
}

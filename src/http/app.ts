// The HTTP application factory. It never listens: the CLI does, and tests use app.inject().

import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type RouteOptions } from 'fastify';
import type { AuthService } from '../engine/auth-service.js';
import type { ConfigService } from '../engine/config/transactions.js';
import type { Engine } from '../engine/engine.js';
import type { EngineEvents } from '../engine/events.js';
import type { LoginSessions } from '../engine/login-sessions.js';
import type { AuditService } from '../engine/services/audit.js';
import type { CurfewService } from '../engine/services/curfews.js';
import type { FleetQueries } from '../engine/services/fleet.js';
import type { SessionService } from '../engine/services/sessions.js';
import type { TaskService } from '../engine/services/tasks.js';
import { registerBigiq, renderBigiqError, renderBigiqNotFound } from './bigiq/plugin.js';
import { registerHealth } from './health.routes.js';
import { registerJsonBodies } from './json-body.js';
import { DebugRequestLogs, loggerOptions } from './logging.js';
import { registerOpenApi } from './openapi.js';
import { registerSps, renderSpsError, renderSpsNotFound } from './sps/plugin.js';
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts, listenerOptions, registerSecurityHeaders } from './transport.js';
import { defaultWebRoot, registerWeb } from './web.js';

export interface BigiqOptions {
  /** Accept HTTP Basic on /mgmt (off by default, like a real BIG-IQ). */
  basicAuth: boolean;
  /** Status of a kill-sessions POST: 202 (default; BIGREST requires it) or 200 (the reference's wording). */
  killPostStatus: 200 | 202;
}

/** Everything the edges may use: the engine's services and events, never the store or the engine itself. */
export interface AppDeps {
  tasks: TaskService;
  sessions: SessionService;
  audit: AuditService;
  fleet: FleetQueries;
  /** Curfews: set, read, extend, lift, caught sessions, prevention state. */
  curfews: CurfewService;
  /** Live engine events (the SSE stream). */
  events: EngineEvents;
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
  /** Deadlines for slow clients; DEFAULT_HTTP_TIMEOUTS for what is not given. */
  timeouts?: Partial<HttpTimeouts>;
  /** Hears of every route as it is registered (tests enumerate the routes of both surfaces with it). */
  onRoute?: (route: RouteOptions) => void;
  /** Where the built web console is (default: the package's dist/web); null serves no console. */
  webRoot?: string | null;
}

/** Largest request body (docs/security.md). */
export const MAX_BODY_BYTES = 1024 * 1024;

export const DEFAULT_BIGIQ_OPTIONS: BigiqOptions = { basicAuth: false, killPostStatus: 202 };

export { redactUrl } from './logging.js';

const isSpsPath = (url: string): boolean => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/** The engine's part of AppDeps. */
export function engineDeps(
  engine: Engine,
): Pick<AppDeps, 'tasks' | 'sessions' | 'audit' | 'fleet' | 'curfews' | 'events'> {
  return {
    curfews: engine.curfews,
    tasks: engine.tasks,
    sessions: engine.sessions,
    audit: engine.audit,
    fleet: engine.fleet,
    events: engine.events,
  };
}

export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const https = options.https ?? null;
  const app = Fastify({
    logger: loggerOptions(options.logger),
    logController: new DebugRequestLogs(),
    ...listenerOptions(https, { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts }),
    bodyLimit: MAX_BODY_BYTES,
    // Session keys grow with device and native ids (an SPS appliance's are ~103 characters, over the default 100):
    // no router limit below the HTTP parser's own on the request line.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // Validation errors are rendered by each surface in its own error format.
    ajv: { customOptions: { allErrors: false, coerceTypes: false } },
  }) as unknown as FastifyInstance;
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  registerJsonBodies(app);
  registerSecurityHeaders(app, https !== null);
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

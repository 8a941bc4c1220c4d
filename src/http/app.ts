// The HTTP application factory. It never listens: the CLI does, and tests use app.inject().
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Engine } from '../engine/engine.js';
import type { AuthService } from '../engine/auth-service.js';
import { registerBigiq, renderBigiqError, renderBigiqNotFound } from './bigiq/plugin.js';
import { registerHealth } from './health.routes.js';
import { registerOpenApi } from './openapi.js';

export interface BigiqOptions {
  /** Accept HTTP Basic on /mgmt (off by default, like a real BIG-IQ). */
  basicAuth: boolean;
  /** Status of a kill-sessions POST: 202 (default; BIGREST requires it) or 200 (the reference's wording). */
  killPostStatus: 200 | 202;
}

export interface AppDeps {
  engine: Engine;
  auth: AuthService;
  /** The server's own machine id (BIG-IQ `ownerMachineId`). */
  machineId: string;
  version: string;
  bigiq: BigiqOptions;
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string; key: string } | null;
}

export const DEFAULT_BIGIQ_OPTIONS: BigiqOptions = { basicAuth: false, killPostStatus: 202 };

export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    // Validation errors are rendered by each surface in its own error format.
    ajv: { customOptions: { allErrors: false, coerceTypes: false } },
  }) as unknown as FastifyInstance;
  await registerOpenApi(app, deps);
  app.setNotFoundHandler((request, reply) => renderBigiqNotFound(request, reply));
  app.setErrorHandler((error, request, reply) => renderBigiqError(error as Error, request, reply));
  await registerHealth(app, deps);
  await app.register(async (scope) => registerBigiq(scope, deps));
  return app;
}

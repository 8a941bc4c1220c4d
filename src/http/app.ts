// The HTTP application factory. It never listens: the CLI does, and tests use app.inject().
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { registerBigiqEcho } from './bigiq/echo.routes.js';
import { registerHealth } from './health.routes.js';

export interface AppDeps {
  engine: Engine;
  /** The server's own machine id (BIG-IQ `ownerMachineId`). */
  machineId: string;
  version: string;
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  https?: { cert: string; key: string } | null;
}

export async function buildApp(deps: AppDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  await registerHealth(app, deps);
  await registerBigiqEcho(app, deps);
  return app;
}

// Liveness for load balancers and scripts: unauthenticated, so it says nothing about the fleet.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app.js';

const healthSchema = {
  tags: ['curfew'],
  summary: 'Liveness (unauthenticated)',
  security: [],
  response: {
    200: {
      type: 'object',
      properties: { status: { type: 'string' }, version: { type: 'string' } },
      required: ['status', 'version'],
    },
  },
} as const;

export async function registerHealth(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', { schema: healthSchema }, async () => ({ status: 'ok', version: deps.version }));
}

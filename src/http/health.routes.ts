// Liveness and a summary of the fleet, for load balancers and operators.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app.js';

const healthSchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string' },
        version: { type: 'string' },
        devices: { type: 'integer' },
        devicesOnline: { type: 'integer' },
        sessions: { type: 'integer' },
      },
      required: ['status', 'version', 'devices', 'devicesOnline', 'sessions'],
    },
  },
} as const;

export async function registerHealth(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', { schema: healthSchema }, async () => {
    const store = deps.engine.store;
    const [devices, sessions] = await Promise.all([store.listDevices(), store.countSessions({})]);
    return {
      status: 'ok',
      version: deps.version,
      devices: devices.length,
      devicesOnline: devices.filter((d) => d.state === 'online').length,
      sessions,
    };
  });
}

// BIG-IQ's liveness probes: clients (XSOAR, BIGREST) GET these before anything else.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';

const echoSchema = {
  response: {
    200: {
      type: 'object',
      properties: {
        kind: { type: 'string' },
        selfLink: { type: 'string' },
        generation: { type: 'integer' },
        lastUpdateMicros: { type: 'integer' },
      },
      required: ['kind', 'selfLink', 'generation', 'lastUpdateMicros'],
    },
  },
} as const;

export async function registerBigiqEcho(app: FastifyInstance, _deps: AppDeps): Promise<void> {
  for (const path of ['/mgmt/shared/echo', '/mgmt/shared/echo-query']) {
    app.get(path, { schema: echoSchema }, async () => ({
      kind: 'shared:echo:echoworkerstate',
      selfLink: `https://localhost${path}`,
      generation: 0,
      lastUpdateMicros: Date.now() * 1000,
    }));
  }
}

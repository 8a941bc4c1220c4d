// OpenAPI generated from the route schemas (one source of truth), browsable at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app.js';
import { DOCS_CSP } from './transport.js';

export async function registerOpenApi(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'curfew',
        version: deps.version,
        description:
          'Control plane for active access sessions. BIG-IQ compatible API under /mgmt (token auth: POST /mgmt/shared/authn/login, then X-F5-Auth-Token).',
      },
      components: {
        securitySchemes: {
          f5AuthToken: { type: 'apiKey', in: 'header', name: 'X-F5-Auth-Token' },
          basic: { type: 'http', scheme: 'basic' },
        },
      },
      security: [{ f5AuthToken: [] }],
    },
  });
  // Swagger UI is never framed (clickjacking); it loads only its own files.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
}

// Password objects (docs/compat/sps.md §5.6): POST {"plain": …} stores one and answers its key; GET by key shows
// whether it is used, never the secret; listing, PUT and DELETE are not permitted (405). A password object needs no
// transaction: it is inert until a committed user or device references it, and it can be referenced once.
import type { FastifyInstance } from 'fastify';
import { PASSWORDS } from '../../core/access.js';
import type { AppDeps } from '../app.js';
import {
  allow,
  errorResponses,
  guard,
  keyParams,
  keySchema,
  loginOf,
  noSchemaValidation,
  objectSchema,
} from './config-routes.js';
import { TRANSACTION_HREF } from './envelope.js';
import { SpsError } from './errors.js';
import { methodNotAllowed } from './plugin.js';

const TAGS = ['SPS passwords'];
const MAX_PASSWORD_LENGTH = 1024;

export async function registerPasswordRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post(
    PASSWORDS,
    {
      onRequest: guard(PASSWORDS, 'write'),
      validatorCompiler: noSchemaValidation,
      schema: {
        tags: TAGS,
        summary: 'Store a password object; reference its key once, from a user or a device',
        body: {
          type: 'object',
          properties: { plain: { type: 'string', description: 'The password' } },
          required: ['plain'],
        },
        response: { 201: keySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const plain = (request.body as { plain?: unknown } | undefined)?.plain;
      if (typeof plain !== 'string' || plain === '' || plain.length > MAX_PASSWORD_LENGTH) {
        throw new SpsError(
          400,
          'SemanticError',
          `Send the password as {"plain": "<password>"}: a non-empty string of at most ${MAX_PASSWORD_LENGTH} characters.`,
        );
      }
      const key = await deps.config.createPassword(plain, loginOf(request));
      allow(reply, 'POST');
      return reply
        .code(201)
        .send({ key, meta: { href: `${PASSWORDS}/${key}`, parent: PASSWORDS, transaction: TRANSACTION_HREF } });
    },
  );

  app.get(
    `${PASSWORDS}/:key`,
    {
      onRequest: guard(PASSWORDS, 'read'),
      schema: {
        tags: TAGS,
        summary: 'Properties of a password object (whether it is used); never the password',
        params: keyParams,
        response: { 200: objectSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { key } = request.params as { key: string };
      const info = await deps.config.passwordInfo(key);
      if (!info) {
        throw new SpsError(404, 'NotFound', `There is no password object "${key}".`, { path: `${PASSWORDS}/${key}` });
      }
      allow(reply, 'GET');
      // Password objects cannot be listed, so they have no sibling links.
      return {
        body: { used: info.used },
        key,
        meta: { href: `${PASSWORDS}/${key}`, parent: PASSWORDS, transaction: TRANSACTION_HREF },
      };
    },
  );

  methodNotAllowed(app, PASSWORDS, ['GET', 'PUT', 'DELETE'], 'POST');
  methodNotAllowed(app, `${PASSWORDS}/:key`, ['PUT', 'DELETE'], 'GET');
}

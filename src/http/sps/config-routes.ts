// Shared pieces of the configuration routes (transactions, AAA, passwords, fleet): privilege guards that run before
// the body is read, lenient JSON bodies, the acting login, response schemas, and what a commit ends.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../../core/access.js';
import type { CommitOutcome, LoginRef } from '../../engine/config/transactions.js';
import type { AppDeps } from '../app.js';
import { jsonBodyParser } from '../json-body.js';
import { SPS_MESSAGES, SpsError, spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';

/** Route-level onRequest hook: 403 before the body is parsed or validated, so a denied caller learns nothing. */
export function guard(object: string, permission: Permission) {
  return async (request: FastifyRequest): Promise<void> => {
    requireSpsPrivilege(request, object, permission);
  };
}

/** The login session (and actor) a configuration request belongs to. */
export function loginOf(request: FastifyRequest): LoginRef {
  const login = request.spsLogin;
  if (!login) {
    throw new SpsError(401, 'Unauthenticated', SPS_MESSAGES.Unauthenticated, { path: request.url.split('?')[0] });
  }
  return { loginId: login.record.id, userName: login.record.userName, address: request.ip };
}

/**
 * Bodies as scripts send them: JSON under application/json, text/plain or curl's default form type, and an empty body
 * (with or without Content-Length) as no body — `POST /api/transaction` must work bare (docs/compat/sps.md §4.2).
 */
export function lenientJsonBodies(scope: FastifyInstance): void {
  scope.removeContentTypeParser(['application/json', 'text/plain']);
  scope.addContentTypeParser(
    ['application/json', 'text/plain', 'application/x-www-form-urlencoded'],
    { parseAs: 'string' },
    jsonBodyParser(scope),
  );
}

/** Config routes validate bodies themselves (SemanticError with a useful message); the schema documents them. */
export const noSchemaValidation = () => () => true;

/**
 * Users whose password changed or who were deleted lose their login sessions and tokens at once. (Changed privileges
 * need nothing here: every request looks them up as of the committed revision.)
 */
export async function endLoginsAfterCommit(deps: AppDeps, outcome: CommitOutcome): Promise<void> {
  for (const name of outcome.endLoginsOf) {
    await deps.loginSessions.endAllOf(name);
    await deps.auth.revokeTokensOf(name);
  }
}

/** `Allow` of a path whose other methods answer 405. */
export function allow(reply: FastifyReply, methods: string): void {
  reply.header('allow', methods);
}

const anyObject = { type: 'object', additionalProperties: true } as const;

export const metaOnlySchema = {
  type: 'object',
  properties: { meta: anyObject },
  required: ['meta'],
} as const;

export const keySchema = {
  type: 'object',
  properties: { key: { type: 'string' }, meta: anyObject },
  required: ['key', 'meta'],
} as const;

export const objectSchema = {
  type: 'object',
  properties: { body: {}, key: { type: 'string' }, meta: anyObject },
  required: ['key', 'body', 'meta'],
} as const;

export const listingSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: { type: 'object', properties: { key: { type: 'string' }, meta: anyObject }, required: ['key', 'meta'] },
    },
    meta: anyObject,
  },
  required: ['items', 'meta'],
} as const;

export const keyParams = {
  type: 'object',
  properties: { key: { type: 'string', description: 'The object key' } },
  required: ['key'],
} as const;

/** Error answers of every configuration route. */
export const errorResponses = {
  400: spsErrorSchema,
  401: spsErrorSchema,
  403: spsErrorSchema,
  404: spsErrorSchema,
  409: spsErrorSchema,
} as const;

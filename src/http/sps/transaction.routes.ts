// Transactions (docs/compat/sps.md §4): one per login session. GET shows the status in both the 7.x `body` shape and
// the older top-level `transaction` shape; POST opens (any body, or none); PUT {"status":"commit"} commits; DELETE
// rolls back; /changes lists the pending changes. The first configuration write opens a transaction by itself.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConfigTransactionRecord } from '../../engine/records.js';
import type { AppDeps } from '../app.js';
import { endLoginsAfterCommit, errorResponses, loginOf, noSchemaValidation } from './config-routes.js';
import { TRANSACTION_HREF } from './envelope.js';
import { SPS_MESSAGES, SpsError } from './errors.js';

const TAGS = ['SPS transactions'];
const CHANGES_HREF = `${TRANSACTION_HREF}/changes`;
const anyObject = { type: 'object', additionalProperties: true } as const;

const statusSchema = {
  type: 'object',
  properties: {
    body: {
      type: 'object',
      properties: { status: { type: 'string', enum: ['open', 'closed'] }, commit_message: { type: 'string' } },
      required: ['status', 'commit_message'],
    },
    key: { type: 'string' },
    meta: anyObject,
    transaction: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
  },
  required: ['body', 'key', 'meta', 'transaction'],
} as const;

const changesSchema = {
  type: 'object',
  properties: {
    changes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['create', 'replace', 'delete'] },
          path: { type: 'string' },
          old_value: {},
          new_value: {},
        },
        required: ['type', 'path'],
      },
    },
    meta: anyObject,
  },
  required: ['changes', 'meta'],
} as const;

function statusBody(transaction: ConfigTransactionRecord | undefined, extra: Record<string, unknown> = {}) {
  const status = transaction ? 'open' : 'closed';
  return {
    body: { status, commit_message: 'optional' },
    key: 'transaction',
    meta: { href: TRANSACTION_HREF, parent: '/api', changes: (transaction?.changes.length ?? 0) > 0, ...extra },
    transaction: { status },
  };
}

function noTransaction(request: FastifyRequest): SpsError {
  return new SpsError(409, 'NoTransaction', SPS_MESSAGES.NoTransaction, { path: request.url.split('?')[0] });
}

/** The commit message from `commit_message` (SPS) or `message` (seen in scripts); null when neither is given. */
function commitRequest(body: unknown): string | null {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (fields.status !== 'commit') {
    throw new SpsError(
      400,
      'SemanticError',
      'Commit with {"status": "commit"} (optionally with "commit_message"); roll back with DELETE /api/transaction.',
    );
  }
  const message = fields.commit_message ?? fields.message ?? null;
  if (message !== null && typeof message !== 'string') {
    throw new SpsError(400, 'SemanticError', 'The commit message must be a string.');
  }
  return message;
}

const respond = { 200: statusSchema, ...errorResponses };

export async function registerTransactionRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  registerStatusRoutes(app, deps);
  registerEndRoutes(app, deps);
}

/** GET and POST (open) on the transaction, and its changelog. */
function registerStatusRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get(
    TRANSACTION_HREF,
    { schema: { tags: TAGS, summary: 'Status of your transaction (open or closed)', response: respond } },
    async (request) => statusBody(await deps.config.transaction(loginOf(request).loginId)),
  );

  app.post(
    TRANSACTION_HREF,
    {
      validatorCompiler: noSchemaValidation,
      schema: {
        tags: TAGS,
        summary: 'Open a transaction (any body, or none; an open one is kept)',
        response: respond,
      },
    },
    async (request) => statusBody(await deps.config.open(loginOf(request))),
  );

  app.get(
    CHANGES_HREF,
    {
      schema: {
        tags: TAGS,
        summary: 'The pending changes of your transaction, in order',
        response: { 200: changesSchema, ...errorResponses },
      },
    },
    async (request) => {
      const transaction = await deps.config.transaction(loginOf(request).loginId);
      if (!transaction) throw noTransaction(request);
      return {
        changes: transaction.changes,
        meta: { href: CHANGES_HREF, parent: TRANSACTION_HREF, transaction: TRANSACTION_HREF },
      };
    },
  );
}

/** PUT (commit) and DELETE (roll back). */
function registerEndRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.put(
    TRANSACTION_HREF,
    {
      validatorCompiler: noSchemaValidation,
      schema: {
        tags: TAGS,
        summary: 'Commit: {"status": "commit", "commit_message": "…"} ("message" is accepted too)',
        body: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['commit'] },
            commit_message: { type: 'string' },
            message: { type: 'string' },
          },
          required: ['status'],
        },
        response: respond,
      },
    },
    async (request) => {
      const message = commitRequest(request.body);
      const outcome = await deps.config.commit(loginOf(request), message);
      if (!outcome) throw noTransaction(request);
      await endLoginsAfterCommit(deps, outcome);
      return statusBody(undefined, { revision: outcome.revision });
    },
  );

  app.delete(
    TRANSACTION_HREF,
    { schema: { tags: TAGS, summary: 'Roll back: drop every pending change', response: respond } },
    async (request) => {
      await deps.config.rollback(loginOf(request));
      return statusBody(undefined);
    },
  );
}

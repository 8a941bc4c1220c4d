// SPS errors: `{"error": {"type", "message", "details"}, "meta": {...}}` (docs/compat/sps.md §2.7, §3). `type` is the
// stable, documented name clients branch on; `details` is always an object.
import type { FastifyReply } from 'fastify';
import { parentOf } from './envelope.js';

export type SpsErrorType =
  | 'Unauthenticated'
  | 'AuthenticationFailure'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NoTransaction'
  | 'TransactionConflict'
  | 'SemanticError'
  | 'SyntaxError'
  | 'InvalidQuery'
  | 'SessionIdMissing'
  | 'SessionCouldNotBeFound'
  | 'SessionIdAmbiguous'
  | 'SessionTerminationFailed'
  | 'InternalError';

/** Thrown by SPS routes; rendered by the surface's error handler. */
export class SpsError extends Error {
  readonly status: number;
  readonly type: SpsErrorType;
  readonly details: Record<string, unknown>;

  constructor(status: number, type: SpsErrorType, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SpsError';
    this.status = status;
    this.type = type;
    this.details = details;
  }
}

export const SPS_MESSAGES = {
  Unauthenticated:
    'The requested resource cannot be retrieved because the client is not authenticated and the resource requires authorization to access it.',
  AuthenticationFailure: 'Authenticating the user with the given credentials has failed.',
  NotFound: 'The requested object does not exist.',
  NoTransaction: 'No open Transaction is available. You must open a transaction first.',
  SemanticError:
    'You tried to reuse a password object. You can use a password object for only one purpose, that is, you cannot reference a password object twice.',
  SessionIdMissing: 'No session id is given in the id query parameter.',
  SessionCouldNotBeFound: 'There is no ongoing session with the given id.',
  SessionTerminationFailed: 'The session could not be terminated due to internal errors.',
} as const;

export function sendSpsError(reply: FastifyReply, error: SpsError): FastifyReply {
  const href = reply.request.url.split('?')[0] ?? '/api';
  if (error.status === 405 && error.details.allowed) reply.header('allow', String(error.details.allowed));
  return reply
    .code(error.status)
    .type('application/json')
    .send({
      error: { type: error.type, message: error.message, details: error.details },
      meta: { href, parent: parentOf(href) },
    });
}

export const spsErrorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
      required: ['type', 'message', 'details'],
    },
    meta: { type: 'object', additionalProperties: true },
  },
  required: ['error', 'meta'],
} as const;

// BIG-IQ's REST framework error body: {code, message, referer, restOperationId, errorStack, kind}. Clients detect
// errors by the `code` key and read `message`, so every /mgmt error goes through here.
import type { FastifyReply, FastifyRequest } from 'fastify';

let nextOperationId = Math.floor(Math.random() * 1_000_000) + 1_000_000;

/** An error a BIG-IQ route wants rendered with a given status and verbatim message. */
export class BigiqError extends Error {
  readonly status: number;
  readonly extra: Record<string, unknown>;

  constructor(status: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'BigiqError';
    this.status = status;
    this.extra = extra;
  }
}

export interface BigiqErrorBody {
  code: number;
  message: string;
  referer: string;
  restOperationId: number;
  errorStack: string[];
  kind: ':resterrorresponse';
  [extra: string]: unknown;
}

export function bigiqErrorBody(
  status: number,
  message: string,
  request: FastifyRequest,
  extra: Record<string, unknown> = {},
): BigiqErrorBody {
  return {
    code: status,
    message,
    referer: request.ip,
    restOperationId: nextOperationId++,
    errorStack: [],
    kind: ':resterrorresponse',
    ...extra,
  };
}

export function sendBigiqError(
  reply: FastifyReply,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=UTF-8')
    .send(bigiqErrorBody(status, message, reply.request, extra));
}

/** The JSON schema of the error body, for route `response` schemas and OpenAPI. */
export const bigiqErrorSchema = {
  type: 'object',
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    referer: { type: 'string' },
    restOperationId: { type: 'integer' },
    errorStack: { type: 'array', items: { type: 'string' } },
    kind: { type: 'string' },
    originalRequestBody: { type: 'string' },
  },
  required: ['code', 'message', 'referer', 'restOperationId', 'errorStack', 'kind'],
  additionalProperties: true,
} as const;

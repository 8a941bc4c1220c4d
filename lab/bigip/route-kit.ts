// What every iControl route handler shares: the request and reply, and the error replies in the device's shapes.
import type { LabDevice } from './device.js';
import type { LabFault, RequestKind } from './faults.js';
import { frameworkError, tmError } from './shapes.js';

export interface LabRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authToken: string | undefined;
  authorization: string | undefined;
  body: string;
  remoteAddress: string;
  /** The fault drawn for this request (`timeout` and `reset` never reach the handlers). */
  fault: LabFault;
}

export interface Reply {
  status: number;
  /** JSON text, or '' for an empty body. */
  body: string;
}

export interface RouteContext {
  device: LabDevice;
  request: LabRequest;
  password: string;
  /** The path segment after a prefix route, e.g. the session id. */
  param: string;
}

export interface Endpoint {
  kind: RequestKind;
  handle: (context: RouteContext) => Reply;
  /** Reachable without credentials (only the login). */
  open?: true;
}

export type Methods = Partial<Record<string, Endpoint>>;

/** A failure that ends a handler early with a ready reply. */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export const ok = (body: string): Reply => ({ status: 200, body });

export function fail(context: RouteContext, status: number, message: string): ReplyError {
  const { device, request } = context;
  return new ReplyError({
    status,
    body: frameworkError(status, message, request.remoteAddress, device.nextOperationId()),
  });
}

export function tmFail(status: number, message: string): ReplyError {
  return new ReplyError({ status, body: tmError(status, message) });
}

export function jsonObject(context: RouteContext): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(context.request.body);
  } catch {
    throw fail(context, 400, 'Found invalid JSON body in the request.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail(context, 400, 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

// Request logs (docs/security.md "Logging"): one debug line per request, never a credential. Tokens travel in URLs
// (`/mgmt/shared/authz/tokens/<token>`, `?token=` from scripts) and in headers; the serializers drop or mask them.
import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';

const REDACTED = '[redacted]';
const TOKEN_PATH = /^(\/mgmt\/shared\/authz\/tokens)(\/[^/?]+)?/;
/** Query parameter names (or values mentioning them, like `$filter=token eq '…'`) that may carry a credential. */
const CREDENTIAL = /token|passw|secret|session_?id|cookie|authori[sz]ation|api_?key|refresh/i;

/** A request URL fit for a log: credentials in the path and the query replaced by [redacted]. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  const tokenPath = TOKEN_PATH.exec(path);
  const safePath = tokenPath?.[2] ? path.replace(TOKEN_PATH, `$1/${REDACTED}`) : path;
  if (question < 0) return safePath;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return pair;
      const name = pair.slice(0, equals);
      // A filter on the token collection can name a token by its selfLink alone (`selfLink eq '*<token>'`).
      const filtersTokens = tokenPath !== null && decoded(name) === '$filter';
      return filtersTokens || CREDENTIAL.test(decoded(pair)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${safePath}?${query}`;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: redaction checks the raw text instead.
    return text;
  }
}

// Headers are not serialized at all; these paths mask them should anything log a request's headers anyway.
const REDACT_PATHS = ['authorization', 'cookie', '["x-f5-auth-token"]', '["set-cookie"]'].flatMap((header) =>
  ['req.headers', 'res.headers', 'headers'].map((parent) => `${parent}${header.startsWith('[') ? '' : '.'}${header}`),
);

/** Logger options with the redacting serializers (`true` is Fastify's default logger with them); absent is none. */
export function loggerOptions(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  return {
    ...(typeof logger === 'object' && logger),
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: redactUrl(request.url),
        ip: request.ip,
      }),
    },
  };
}

/**
 * Fastify's per-request lines ("incoming request", "request completed") at debug instead of info: at info a lightly
 * used node wrote 2,000 lines in 17 minutes. A request that fails while its answer streams stays an error.
 */
export class DebugRequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply);
    else if (!this.isLogDisabled(request)) {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}

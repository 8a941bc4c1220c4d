// JSON request bodies on both surfaces. Two things Fastify's default parser does not do: an empty body sent with a
// JSON content type is "no body" (f5-cloud-libs and Ansible revoke their tokens with exactly that), and nesting is
// capped before parsing, because deep values overflow the stack of whatever walks them later (schema validation,
// the masked echo of a failed login) and answer 500s.
import type { FastifyBodyParser, FastifyInstance } from 'fastify';

/** Deepest nesting of arrays and objects a body may have (docs/security.md). */
export const MAX_JSON_DEPTH = 64;

/** A body nested deeper than MAX_JSON_DEPTH; each surface's error handler renders it as a 400 with this message. */
export class JsonTooDeepError extends Error {
  override readonly name = 'JsonTooDeepError';
  readonly code = 'CURFEW_JSON_TOO_DEEP';
  readonly statusCode = 400;

  constructor() {
    super(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/** Whether `[`/`{` outside strings nest deeper than `limit`: one linear pass, nothing allocated. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (OPEN.has(code)) {
      depth += 1;
      if (depth > limit) return true;
    } else if (CLOSE.has(code)) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * A string body parser: blank → no body, too deep → JsonTooDeepError, otherwise Fastify's own JSON parser (which
 * refuses `__proto__` and `constructor.prototype` keys) and its FST_ERR_CTP_INVALID_JSON_BODY for bad JSON.
 */
export function jsonBodyParser(app: FastifyInstance): FastifyBodyParser<string> {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
      done(new JsonTooDeepError(), undefined);
      return;
    }
    parseJson(request, body, done);
  };
}

/** Replaces the instance's application/json parser (children inherit it; scopes that add their own use jsonBodyParser). */
export function registerJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBodyParser(app));
}

// Recorded sessions on the SPS surface (docs/compat/sps.md §6): search and read them under /api/audit/sessions (active
// and ended, from curfew's inventory and its history), and end one with DELETE /api/active-sessions.
import type { FastifyInstance } from 'fastify';
import { ACTIVE_SESSIONS } from '../../core/access.js';
import type { AppDeps } from '../app.js';
import { registerSpsActiveSessionRoutes, SESSION_TAGS } from './active-sessions.routes.js';
import { spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';
import { csvAnswer, jsonAnswer, SearchCache, sendAnswer } from './search-cache.js';
import { registerSessionItemRoutes } from './session-item.routes.js';
import { registerSessionStatsRoutes } from './session-stats.routes.js';
import { parseListQuery, RESULT_WINDOW, type SessionListQuery } from './sessions.params.js';
import {
  csvDocument,
  keyOf,
  pageMeta,
  projectBody,
  SESSIONS_HREF,
  sessionBody,
  showsClock,
} from './sessions.render.js';

const string = { type: 'string' } as const;
const link = { type: ['string', 'null'] } as const;
const href = { type: 'object', properties: { href: string } } as const;

const listQuerystring = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 4096, description: 'Lucene-like filter, e.g. user:alice AND active:true' },
    fields: { type: 'string', description: 'Comma-separated body fields to return with each item' },
    limit: { type: 'string', description: 'Page size, default and maximum 500' },
    offset: { type: 'string', description: 'Ignored above 10000' },
    sort: { type: 'string', description: 'Comma-separated fields, - for descending; default -start_time' },
    start: { type: 'string', description: 'Sessions started at or after this ISO 8601 time' },
    end: { type: 'string', description: 'Sessions ended before this ISO 8601 time' },
    format: { type: 'string', description: 'json (default) or csv' },
  },
} as const;

const listSchema = {
  tags: SESSION_TAGS,
  summary: 'Search recorded sessions, active and ended (format=csv answers text/csv)',
  querystring: listQuerystring,
  response: {
    200: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { key: string, meta: href, body: { type: 'object', additionalProperties: true } },
          },
        },
        meta: {
          type: 'object',
          additionalProperties: true,
          properties: {
            fields: { type: 'array', items: string },
            first: string,
            href: string,
            last: string,
            limit: { type: 'integer' },
            match_count: { type: 'integer' },
            next: link,
            offset: { type: 'integer' },
            parent: string,
            previous: link,
          },
        },
      },
    },
    400: spsErrorSchema,
    401: spsErrorSchema,
    403: spsErrorSchema,
  },
};

/** What a search answer depends on besides the inventory: the parameters as sent (validated when first answered). */
const searchKey = ({ q, fields, limit, offset, sort, start, end, format }: SessionListQuery) =>
  `search\u0000${JSON.stringify([q, fields, limit, offset, sort, start, end, format])}`;

export async function registerSpsSessionRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { sessions } = deps;
  const cache = new SearchCache();

  app.get<{ Querystring: SessionListQuery }>(SESSIONS_HREF, { schema: listSchema }, async (request, reply) => {
    requireSpsPrivilege(request, ACTIVE_SESSIONS, 'read');
    // Read before the search: the answer is then at least as new as the generation it is kept under.
    const generation = await sessions.generation();
    const key = searchKey(request.query);
    const kept = cache.get(generation, key);
    if (kept) return sendAnswer(deps, request, reply, kept);
    const params = parseListQuery(request.query);
    const { rows, matchCount } = await sessions.search(params.search);
    const now = Date.now();
    if (params.format === 'csv') {
      const answer = csvAnswer(csvDocument(params.csvFields, rows, now));
      cache.set(generation, key, answer, showsClock(params.csvFields));
      return sendAnswer(deps, request, reply, answer);
    }
    const items = rows.map((row) => {
      const key = keyOf(row);
      const body = params.fields.length > 0 ? { body: projectBody(sessionBody(row, now), params.fields) } : {};
      return { key, meta: { href: `${SESSIONS_HREF}/${key}` }, ...body };
    });
    const answer = jsonAnswer(reply, { items, meta: pageMeta(params.page, matchCount, RESULT_WINDOW) });
    cache.set(generation, key, answer, showsClock(params.fields));
    return sendAnswer(deps, request, reply, answer);
  });

  await registerSessionItemRoutes(app, deps);
  await registerSessionStatsRoutes(app, deps, cache);
  await registerSpsActiveSessionRoutes(app, deps);
}

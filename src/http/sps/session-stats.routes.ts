// GET /api/audit/sessions/stats?field=<f>&q=…&size=N (docs/compat/sps.md §6.3): how many sessions match
// the search, per value of one field, the most frequent first. The console's per-device, per-cluster and per-group
// counts, and the blast radius of a kill before it is confirmed.
import type { FastifyInstance } from 'fastify';
import { ACTIVE_SESSIONS } from '../../core/access.js';
import type { SessionCountField } from '../../engine/records.js';
import type { AppDeps } from '../app.js';
import { SESSION_TAGS } from './active-sessions.routes.js';
import { SpsError, spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';
import { jsonAnswer, type SearchCache, sendAnswer } from './search-cache.js';
import { searchQueryOf, wholeNumberParam } from './sessions.params.js';
import { SESSIONS_HREF } from './sessions.render.js';

const STATS_HREF = `${SESSIONS_HREF}/stats`;
const DEFAULT_SIZE = 10;
const MAX_SIZE = 1000;

/** Field names as the session body and the query language spell them → what the store counts by. */
const STATS_FIELDS: ReadonlyMap<string, SessionCountField> = new Map([
  ['user', 'user'],
  ['user.name', 'user'],
  ['client.ip', 'clientIp'],
  ['protocol', 'protocol'],
  ['device', 'device'],
  ['device.name', 'device'],
  ['cluster', 'cluster'],
  ['access_group', 'accessGroup'],
]);

interface StatsQuery {
  field?: string;
  q?: string;
  size?: string;
  start?: string;
  end?: string;
}

const statsSchema = {
  tags: SESSION_TAGS,
  summary: 'Session counts per value of a field (the most frequent first), for the sessions a search matches',
  querystring: {
    type: 'object',
    properties: {
      field: { type: 'string', description: `One of ${[...STATS_FIELDS.keys()].join(', ')}` },
      q: { type: 'string', maxLength: 4096, description: 'The same query language as /api/audit/sessions' },
      size: { type: 'string', description: `How many values (top N), default ${DEFAULT_SIZE}, at most ${MAX_SIZE}` },
      start: { type: 'string', description: 'Sessions started at or after this ISO 8601 time' },
      end: { type: 'string', description: 'Sessions ended before this ISO 8601 time' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        field: { type: 'string' },
        total: { type: 'integer', description: 'Sessions the search matches' },
        distinct: { type: 'integer', description: 'Distinct values of the field among them' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              value: { type: ['string', 'null'] },
              key: { type: 'string', description: 'The device key (field=device only)' },
              count: { type: 'integer' },
            },
          },
        },
        meta: { type: 'object', additionalProperties: true },
      },
    },
    400: spsErrorSchema,
    401: spsErrorSchema,
    403: spsErrorSchema,
  },
};

/** Counts are kept with the search pages, under the same inventory generation (search-cache.ts). */
export async function registerSessionStatsRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  cache: SearchCache,
): Promise<void> {
  app.get<{ Querystring: StatsQuery }>(STATS_HREF, { schema: statsSchema }, async (request, reply) => {
    requireSpsPrivilege(request, ACTIVE_SESSIONS, 'read');
    const { field: name = '' } = request.query;
    const field = STATS_FIELDS.get(name);
    if (!field) {
      throw new SpsError(400, 'InvalidQuery', `field is one of ${[...STATS_FIELDS.keys()].join(', ')}.`, {
        parameter: 'field',
      });
    }
    const size = Math.min(wholeNumberParam('size', request.query.size) ?? DEFAULT_SIZE, MAX_SIZE);
    const generation = await deps.sessions.generation();
    const { q, start, end } = request.query;
    const key = `stats\u0000${JSON.stringify([name, size, q, start, end])}`;
    const kept = cache.get(generation, key);
    if (kept) return sendAnswer(deps, request, reply, kept);
    const { total, distinct, buckets } = await deps.sessions.countBy(searchQueryOf(request.query), field, size);
    const payload = { field: name, total, distinct, items: buckets, meta: { href: STATS_HREF, parent: SESSIONS_HREF } };
    const answer = jsonAnswer(reply, payload);
    cache.set(generation, key, answer, false);
    return sendAnswer(deps, request, reply, answer);
  });
}

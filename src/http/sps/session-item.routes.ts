// One recorded session on the SPS surface: GET /api/audit/sessions/<id> (its body) and /<id>/events (its history),
// where <id> is a key, a session_id or the bare native id SPS clients send (src/http/sps/session-lookup.ts), in one
// path segment (percent-encoded) or raw with its slashes (`/api/audit/sessions/svc/rpokH8fD9kx6CaxNLznKx2/test:12`).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACTIVE_SESSIONS } from '../../core/access.js';
import type { SessionWithDevice } from '../../engine/records.js';
import type { SessionService } from '../../engine/services/sessions.js';
import type { AppDeps } from '../app.js';
import { SESSION_TAGS } from './active-sessions.routes.js';
import { SPS_MESSAGES, SpsError, spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';
import { HISTORY_EVENT_TYPES, sessionHistory } from './session-history.js';
import { findSessionById } from './session-lookup.js';
import { keyOf, SESSIONS_HREF, sessionBody } from './sessions.render.js';
import { sessionBodySchema } from './sessions.schema.js';

/** Kill tasks shown in one history: the newest ones, should a session have been targeted over and over. */
const MAX_KILLS = 100;
const EVENTS = '/events';

const string = { type: 'string' } as const;
const href = { type: 'object', properties: { href: string } } as const;
const errors = { 401: spsErrorSchema, 403: spsErrorSchema, 404: spsErrorSchema, 409: spsErrorSchema };
const idDescription =
  'A key from /api/audit/sessions, a session_id (<device>/<native id>), or the bare native id (svc/…:n) while ' +
  'exactly one device holds it (else 409 SessionIdAmbiguous naming the candidates).';

const sessionSchema = {
  200: {
    type: 'object',
    properties: {
      key: string,
      body: { ...sessionBodySchema, properties: { ...sessionBodySchema.properties, events: href } },
      meta: { type: 'object', additionalProperties: true },
    },
    required: ['key', 'body', 'meta'],
  },
  ...errors,
};

const historySchema = {
  200: {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            key: string,
            body: {
              type: 'object',
              properties: {
                time: { type: 'string', format: 'date-time' },
                type: { type: 'string', enum: [...HISTORY_EVENT_TYPES] },
                actor: { type: ['object', 'null'], properties: { name: string, address: string } },
                task: { type: ['object', 'null'], properties: { key: string, meta: href } },
                details: { type: 'object', additionalProperties: true },
              },
            },
          },
        },
      },
      meta: { type: 'object', additionalProperties: true },
    },
    required: ['items', 'meta'],
  },
  ...errors,
};

const segmentParams = { type: 'object', properties: { key: { ...string, description: idDescription } } } as const;
const rawParams = {
  type: 'object',
  properties: { '*': { ...string, description: `${idDescription} Raw, with its slashes; /events after it.` } },
} as const;

/** The session `id` names, for a caller who may read sessions; 404 NotFound otherwise. */
async function readable(sessions: SessionService, request: FastifyRequest, id: string): Promise<SessionWithDevice> {
  requireSpsPrivilege(request, ACTIVE_SESSIONS, 'read');
  const session = await findSessionById(sessions, id, { activeOnly: false });
  if (!session) throw new SpsError(404, 'NotFound', SPS_MESSAGES.NotFound, { path: request.url.split('?')[0] });
  return session;
}

function sessionObject(session: SessionWithDevice) {
  const key = keyOf(session);
  const self = `${SESSIONS_HREF}/${key}`;
  const body = { ...sessionBody(session, Date.now()), events: { href: `${self}${EVENTS}` } };
  return { key, body, meta: { href: self, parent: SESSIONS_HREF } };
}

async function historyListing(sessions: SessionService, session: SessionWithDevice) {
  const ref = { deviceId: session.device.id, sessionId: session.sessionId };
  const events = sessionHistory(session, await sessions.killsOf([ref], MAX_KILLS));
  const self = `${SESSIONS_HREF}/${keyOf(session)}`;
  return {
    items: events.map(({ time, ...event }, index) => ({
      key: String(index + 1),
      body: { time: new Date(time).toISOString(), ...event },
    })),
    meta: { href: `${self}${EVENTS}`, parent: self, match_count: events.length },
  };
}

export async function registerSessionItemRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'sessions'>) {
  const { sessions } = deps;
  const one = async (request: FastifyRequest, id: string) => sessionObject(await readable(sessions, request, id));
  const history = async (request: FastifyRequest, id: string) =>
    historyListing(sessions, await readable(sessions, request, id));

  const tags = SESSION_TAGS;
  app.get<{ Params: { key: string } }>(
    `${SESSIONS_HREF}/:key`,
    { schema: { tags, summary: 'One recorded session', params: segmentParams, response: sessionSchema } },
    (request) => one(request, request.params.key),
  );
  app.get<{ Params: { key: string } }>(
    `${SESSIONS_HREF}/:key${EVENTS}`,
    {
      schema: {
        tags,
        summary: 'A session’s history: started, last seen, kill tasks (who, which task, outcome), ended',
        params: segmentParams,
        response: historySchema,
      },
    },
    (request) => history(request, request.params.key),
  );
  // The guide's ids with raw slashes span several segments; none of them ends in /events (they end in `:<n>`).
  app.get<{ Params: { '*': string } }>(
    `${SESSIONS_HREF}/*`,
    {
      schema: {
        tags,
        summary: 'One recorded session by a raw id with slashes (…/events: its history)',
        params: rawParams,
        response: { ...sessionSchema, 200: { anyOf: [sessionSchema[200], historySchema[200]] } },
      },
    },
    (request) => {
      const id = request.params['*'].replace(/\/+$/, '');
      return id.endsWith(EVENTS) ? history(request, id.slice(0, -EVENTS.length)) : one(request, id);
    },
  );
}

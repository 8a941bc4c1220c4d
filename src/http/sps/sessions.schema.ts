// The JSON schema of a recorded session's body on the SPS surface (sessions.render.ts builds it), shared by routes.
import { ORIGIN } from '../../core/session-query.js';

const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const href = { type: 'object', properties: { href: string } } as const;

export const sessionBodySchema = {
  type: 'object',
  properties: {
    active: { type: 'boolean', description: 'The session is still open.' },
    protocol: string,
    client: {
      type: 'object',
      properties: { ip: string, name: string, port: { type: ['integer', 'null'] } },
    },
    start_time: { type: 'string', format: 'date-time' },
    end_time: { type: ['string', 'null'], format: 'date-time', description: 'null while active' },
    last_seen_time: { type: 'string', format: 'date-time', description: 'Last time the gateway listed it' },
    duration: { type: 'integer', description: 'Seconds, up to now while active' },
    user: { type: 'object', properties: { name: string } },
    gateway_username: string,
    device: { type: 'object', properties: { key: string, name: string, kind: string, meta: href } },
    cluster: nullableString,
    access_group: nullableString,
    origin: { type: 'string', enum: [ORIGIN] },
    verdict: { type: 'string', enum: ['ACTIVE', 'CLOSED', 'TERMINATED'] },
    end_reason: { type: ['string', 'null'], enum: ['closed', 'killed', null] },
    session_id: { type: 'string', description: 'The id DELETE /api/active-sessions?id= takes: <device>/<native id>' },
  },
} as const;

// GET /api/audit/log (curfew extension): the audit trail — who did what, when, from where — newest first, in pages.
// Logins and logouts, failed logins, kill tasks and cancels, configuration commits and rollbacks, device changes.
// Read privilege on /special/audit; admin has it.
import type { FastifyInstance } from 'fastify';
import { AUDIT } from '../../core/access.js';
import type { AuditEvent } from '../../core/model.js';
import type { AppDeps } from '../app.js';
import { spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';
import { wholeNumberParam } from './sessions.params.js';

export const AUDIT_LOG_HREF = '/api/audit/log';
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

interface AuditLogQuery {
  limit?: string;
  offset?: string;
  actor?: string;
  action?: string;
}

const eventBody = {
  type: 'object',
  properties: {
    time: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'Login name (or "curfew" for the server itself)' },
    address: { type: 'string', description: 'Client address of the request' },
    action: {
      type: 'string',
      description: 'e.g. auth.login, auth.login_failed, auth.logout, task.create, task.cancel, config.commit',
    },
    subject: { type: 'string', description: 'What it acted on: a task id, a device, a revision' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const listSchema = {
  tags: ['SPS audit (extension)'],
  summary: 'The audit trail, newest first (limit, offset; exact actor and action filters)',
  querystring: {
    type: 'object',
    properties: {
      limit: { type: 'string', description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}` },
      offset: { type: 'string' },
      actor: { type: 'string' },
      action: { type: 'string' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: { type: 'object', properties: { key: { type: 'string' }, body: eventBody } },
        },
        meta: { type: 'object', additionalProperties: true },
      },
    },
    400: spsErrorSchema,
    401: spsErrorSchema,
    403: spsErrorSchema,
  },
};

export async function registerAuditLogRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Querystring: AuditLogQuery }>(AUDIT_LOG_HREF, { schema: listSchema }, async (request) => {
    requireSpsPrivilege(request, AUDIT, 'read');
    const { actor, action } = request.query;
    const limit = Math.min(wholeNumberParam('limit', request.query.limit) ?? DEFAULT_LIMIT, MAX_LIMIT);
    const offset = wholeNumberParam('offset', request.query.offset) ?? 0;
    const filters = { ...(actor && { actor }), ...(action && { action }) };
    // One row more than the page tells whether there is a next page without counting the whole trail.
    const events = await deps.audit.list({ limit: limit + 1, offset, ...filters });
    const link = (at: number) =>
      `${AUDIT_LOG_HREF}?${new URLSearchParams({ limit: String(limit), offset: String(at), ...filters })}`;
    return {
      items: events.slice(0, limit).map(auditItem),
      meta: {
        href: AUDIT_LOG_HREF,
        parent: '/api/audit',
        limit,
        offset,
        next: events.length > limit ? link(offset + limit) : null,
        previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      },
    };
  });
}

function auditItem(event: AuditEvent) {
  const key = String(event.id ?? '');
  return {
    key,
    body: {
      time: new Date(event.at).toISOString(),
      actor: event.actor,
      address: event.address,
      action: event.action,
      subject: event.subject,
      details: event.details,
    },
  };
}

// /api/curfews (curfew extension of the SPS surface): keep users out until a time. List, set, read, extend and lift
// curfews, read the sessions one caught, and every device's prevention state (docs/curfews.md#api). Read on
// /special/curfews to look, write to change. Bodies are read by core (parseCurfewInput, parseExtension), whose
// messages come back as 400 SemanticError; the schemas here document them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CURFEWS, type Permission } from '../../core/access.js';
import { CURFEW_STATES, type CurfewState } from '../../core/curfew.js';
import { DomainError } from '../../core/errors.js';
import { CURFEW_NOT_FOUND } from '../../engine/services/curfews.js';
import type { AppDeps } from '../app.js';
import { lenientJsonBodies } from './config-routes.js';
import {
  CURFEWS_HREF,
  curfewObject,
  curfewObjectSchema,
  PREVENTION_HREF,
  preventionObject,
  preventionObjectSchema,
  violationObject,
  violationObjectSchema,
} from './curfews.render.js';
import { SpsError, spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';
import { wholeNumberParam } from './sessions.params.js';

const TAGS = ['SPS curfews (extension)'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

const anyMeta = { type: 'object', additionalProperties: true } as const;
const errors = { 400: spsErrorSchema, 401: spsErrorSchema, 403: spsErrorSchema, 404: spsErrorSchema };
const idParams = {
  type: 'object',
  properties: { id: { type: 'string', description: 'The curfew key' } },
  required: ['id'],
} as const;
const pageQuery = {
  limit: { type: 'string', description: `Page size, default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}` },
  offset: { type: 'string', description: 'Items to skip' },
} as const;
const listOf = (items: object) => ({
  type: 'object',
  properties: { items: { type: 'array', items }, meta: anyMeta },
  required: ['items', 'meta'],
});

const list = (values: object) => ({ type: 'array', items: { type: 'string' }, ...values });
/** What POST /api/curfews takes (parseCurfewInput); described, not enforced, so its messages are the ones sent. */
const SET_BODY = {
  type: 'object',
  description:
    'Who (users, ips, query: at least one; they combine as OR), where (fleet, or accessGroups, clusters, devices), ' +
    'until when (until or duration; neither: until lifted), why (reason) and how (mode). Unknown fields are refused.',
  properties: {
    users: list({ description: 'User names; * and ? make a case-insensitive pattern' }),
    ips: list({ description: 'Client addresses or CIDR blocks, IPv4 or IPv6' }),
    query: { type: 'string', description: 'A session search query (the q language of /api/audit/sessions)' },
    fleet: { type: 'boolean', description: 'true: every device in the inventory' },
    all: { type: 'boolean', description: 'The same as fleet' },
    accessGroups: list({ description: 'Access group names' }),
    clusters: list({ description: 'Cluster names' }),
    devices: list({ description: 'Device keys' }),
    until: { type: ['string', 'null'], description: 'ISO 8601 time, e.g. 2026-12-31T18:00:00Z' },
    duration: { type: 'string', description: 'From now: ISO 8601 (PT2H, P1DT12H, P2W) or short (90s, 2m, 4h, 7d)' },
    reason: { type: 'string', description: 'Why (required, at most 1024 characters)' },
    mode: {
      type: 'string',
      enum: ['enforce', 'monitor'],
      description: 'enforce (default) ends sessions; monitor counts',
    },
  },
  required: ['reason'],
} as const;
const EXTEND_BODY = {
  type: 'object',
  description: 'The new end: {"until": ISO time}, {"duration": "PT2H"} (from now), or {"until": null} (until lifted)',
  properties: { until: SET_BODY.properties.until, duration: SET_BODY.properties.duration },
} as const;

/** Read or write on /special/curfews, before the body is parsed: a refused caller learns nothing from validation. */
const guard = (permission: Permission) => async (request: FastifyRequest) => {
  requireSpsPrivilege(request, CURFEWS, permission);
};
const actorOf = (request: FastifyRequest) => ({ name: request.principal?.name ?? '', address: request.ip });

/** Registers into `app` and changes its body parsers: give it a scope of its own. */
export async function registerCurfewRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'curfews' | 'tasks'>) {
  // Scripts send these bodies as curl does (form content type) or not at all (a bare lift).
  lenientJsonBodies(app);
  registerList(app, deps);
  registerPrevention(app, deps);
  registerOne(app, deps);
  registerChanges(app, deps);
}

function registerList(app: FastifyInstance, { curfews }: Pick<AppDeps, 'curfews'>) {
  app.get<{ Querystring: { state?: string; q?: string; limit?: string; offset?: string } }>(
    CURFEWS_HREF,
    {
      onRequest: guard('read'),
      schema: {
        tags: TAGS,
        summary: 'Curfews, newest first (state, q, limit, offset); meta has the total and the count per state',
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string', maxLength: 64, description: 'Comma list of active, lifted, expired' },
            q: {
              type: 'string',
              maxLength: 256,
              description: "Text the curfew's users, addresses, query or reason contain (case-insensitive)",
            },
            ...pageQuery,
          },
        },
        response: { 200: listOf(curfewObjectSchema), ...errors },
      },
    },
    async (request) => {
      const state = statesOf(request.query.state);
      const { limit, offset } = pageOf(request.query);
      const [page, ...counts] = await Promise.all([
        curfews.page({ ...(state && { state }), ...(request.query.q && { text: request.query.q }), limit, offset }),
        ...CURFEW_STATES.map((s) => curfews.page({ state: [s], limit: 0, offset: 0 })),
      ]);
      const now = Date.now();
      return {
        items: page.curfews.map((c) => curfewObject(c, now)),
        meta: {
          href: CURFEWS_HREF,
          parent: '/api',
          limit,
          offset,
          total: page.total,
          counts: Object.fromEntries(CURFEW_STATES.map((s, i) => [s, counts[i]?.total ?? 0])),
          prevention: PREVENTION_HREF,
        },
      };
    },
  );
}

function registerPrevention(app: FastifyInstance, { curfews, tasks }: Pick<AppDeps, 'curfews' | 'tasks'>) {
  // A static path: the router prefers it to /api/curfews/:id whatever the order (and curfew keys are UUIDs).
  app.get(
    PREVENTION_HREF,
    {
      onRequest: guard('read'),
      schema: {
        tags: TAGS,
        summary: "Every device's prevention state: whether it keeps curfewed users from logging in again",
        response: { 200: listOf(preventionObjectSchema), ...errors },
      },
    },
    async () => {
      const [rows, devices] = await Promise.all([curfews.prevention(), tasks.devices()]);
      const byDevice = new Map(rows.map((row) => [row.deviceId, row]));
      const items = [...devices.values()]
        .sort((a, b) => a.hostname.localeCompare(b.hostname))
        .map((device) => preventionObject(device, byDevice.get(device.id)));
      const counts: Record<string, number> = {};
      for (const item of items) {
        const status = item.body.status ?? 'unchecked';
        counts[status] = (counts[status] ?? 0) + 1;
      }
      return { items, meta: { href: PREVENTION_HREF, parent: CURFEWS_HREF, total: items.length, counts } };
    },
  );
}

function registerOne(app: FastifyInstance, { curfews, tasks }: Pick<AppDeps, 'curfews' | 'tasks'>) {
  app.get<{ Params: { id: string } }>(
    `${CURFEWS_HREF}/:id`,
    {
      onRequest: guard('read'),
      schema: { tags: TAGS, summary: 'One curfew', params: idParams, response: { 200: curfewObjectSchema, ...errors } },
    },
    async (request) => {
      const curfew = await curfews.get(request.params.id);
      if (!curfew) throw curfewNotFound(request.params.id);
      return curfewObject(curfew, Date.now());
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: string; offset?: string } }>(
    `${CURFEWS_HREF}/:id/violations`,
    {
      onRequest: guard('read'),
      schema: {
        tags: TAGS,
        summary: 'The sessions a curfew caught, newest first (limit, offset): killed (enforce) or seen (monitor)',
        params: idParams,
        querystring: { type: 'object', properties: pageQuery },
        response: { 200: listOf(violationObjectSchema), ...errors },
      },
    },
    async (request) => {
      const { limit, offset } = pageOf(request.query);
      const [caught, devices] = await Promise.all([
        curfews.violations(request.params.id, { limit, offset }),
        tasks.devices(),
      ]);
      const href = `${CURFEWS_HREF}/${request.params.id}/violations`;
      return {
        items: caught.map((v) => violationObject(v, devices)),
        meta: { href, parent: `${CURFEWS_HREF}/${request.params.id}`, limit, offset },
      };
    },
  );
}

function registerChanges(app: FastifyInstance, { curfews }: Pick<AppDeps, 'curfews'>) {
  // Bodies are validated by core, with messages a client can act on; the schemas document them.
  const bodyByCore = { validatorCompiler: () => () => true };

  app.post(
    CURFEWS_HREF,
    {
      onRequest: guard('write'),
      ...bodyByCore,
      schema: {
        tags: TAGS,
        summary: 'Set a curfew; answers 201 with it',
        body: SET_BODY,
        response: { 201: curfewObjectSchema, ...errors },
      },
    },
    async (request, reply) => {
      const curfew = await curfews.set(request.body ?? {}, actorOf(request));
      return reply.code(201).send(curfewObject(curfew, Date.now()));
    },
  );

  app.post<{ Params: { id: string } }>(
    `${CURFEWS_HREF}/:id/extend`,
    {
      onRequest: guard('write'),
      ...bodyByCore,
      schema: {
        tags: TAGS,
        summary: 'Set a new end on an active curfew (earlier or later); 409 once it has ended',
        params: idParams,
        body: EXTEND_BODY,
        response: { 200: curfewObjectSchema, ...errors, 409: spsErrorSchema },
      },
    },
    async (request) => {
      const curfew = await curfews.extend(request.params.id, request.body ?? {}, actorOf(request));
      return curfewObject(curfew, Date.now());
    },
  );

  app.post<{ Params: { id: string } }>(
    `${CURFEWS_HREF}/:id/lift`,
    {
      onRequest: guard('write'),
      ...bodyByCore,
      schema: {
        tags: TAGS,
        summary: 'Lift an active curfew now (body {} or none); 409 once it has ended. Its history stays.',
        params: idParams,
        body: { type: 'object', description: 'Nothing: {} or no body', properties: {} },
        response: { 200: curfewObjectSchema, ...errors, 409: spsErrorSchema },
      },
    },
    async (request) => {
      const body = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Object.keys(body).length > 0)) {
        throw new SpsError(400, 'SemanticError', 'Lift takes no fields: send {} or no body.');
      }
      return curfewObject(await curfews.lift(request.params.id, actorOf(request)), Date.now());
    },
  );
}

function pageOf(query: { limit?: string; offset?: string }) {
  return {
    limit: Math.min(wholeNumberParam('limit', query.limit) ?? DEFAULT_LIMIT, MAX_LIMIT),
    offset: wholeNumberParam('offset', query.offset) ?? 0,
  };
}

/** `?state=active,lifted`: undefined (every state) when absent or empty; 400 InvalidQuery for another name. */
function statesOf(value: string | undefined): CurfewState[] | undefined {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(CURFEW_STATES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new SpsError(400, 'InvalidQuery', `Unknown state(s) ${unknown.join(', ')}; known: active, lifted, expired.`, {
      parameter: 'state',
      unknown,
    });
  }
  return names.length > 0 ? ([...new Set(names)] as CurfewState[]) : undefined;
}

/** The same 404 the service answers for extend, lift and violations (details.code CURFEW_NOT_FOUND). */
const curfewNotFound = (id: string) => new DomainError('not_found', CURFEW_NOT_FOUND, `Curfew ${id} not found.`);

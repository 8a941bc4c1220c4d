// /api/kill-tasks (curfew extension of the SPS surface): kill tasks with the SPS login (cookie or Basic), for the
// console and for scripts that already speak /api. The request body and the task body are BIG-IQ's
// (docs/api-bigiq.md), so one shape serves both surfaces; each task also carries `progress`, its per-device tally.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACTIVE_SESSIONS, CURFEWS } from '../../core/access.js';
import { isDomainError } from '../../core/errors.js';
import type { Device, KillTask, TaskTarget } from '../../core/model.js';
import type { AppDeps } from '../app.js';
import { asksForCurfew, KILL_REQUEST_SCHEMA, keepOut, readKillCurfew, readKillRequest } from '../kill-request.js';
import { progressOf, renderTask, TASKS_PATH } from '../kill-task-body.js';
import { SpsError, spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';
import { wholeNumberParam } from './sessions.params.js';

const HREF = '/api/kill-tasks';
const TAGS = ['SPS kill tasks (extension)'];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 500;

const anyObject = { type: 'object', additionalProperties: true } as const;
const taskObject = {
  type: 'object',
  properties: { key: { type: 'string' }, body: anyObject, meta: anyObject },
  required: ['key', 'body', 'meta'],
} as const;
const errors = { 400: spsErrorSchema, 401: spsErrorSchema, 403: spsErrorSchema, 404: spsErrorSchema };
const keyParams = { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] } as const;

export async function registerKillTaskRoutes(
  app: FastifyInstance,
  deps: Pick<AppDeps, 'tasks' | 'curfews' | 'machineId'>,
) {
  const { tasks } = deps;
  /** Task objects for a page of tasks: their targets in one query, whatever the page size. */
  const taskObjectsOf = async (list: readonly KillTask[], detail: boolean) => {
    const [targets, devices] = await Promise.all([tasks.targetsOf(list.map((t) => t.id)), tasks.devices()]);
    return list.map((task) => taskObjectFor(task, targets.get(task.id) ?? [], devices, detail));
  };
  const taskObjectFor = (task: KillTask, targets: TaskTarget[], devices: Map<string, Device>, detail: boolean) => {
    const body = renderTask(task, targets, { ownerMachineId: deps.machineId, devices });
    // A listing stays small whatever the tasks killed: per-session ids only in the detail.
    const shown = detail ? body : Object.fromEntries(Object.entries(body).filter(([name]) => name !== 'deviceResults'));
    return {
      key: task.id,
      body: { ...shown, progress: progressOf(targets) },
      meta: { href: `${HREF}/${task.id}`, parent: HREF, bigiq: `${TASKS_PATH}/${task.id}` },
    };
  };
  const taskObjectOf = async (task: KillTask) => (await taskObjectsOf([task], true))[0];
  const findTask = async (request: FastifyRequest<{ Params: { key: string } }>) => {
    const task = await tasks.find(request.params.key);
    if (!task) throw taskNotFound(request.url);
    return task;
  };

  app.post(
    HREF,
    {
      schema: {
        tags: TAGS,
        summary:
          'Create a kill task (the BIG-IQ kill-sessions body, with "fleet", and "curfew": kill now and keep out); ' +
          'answers 201 with the task (and curfewId)',
        body: KILL_REQUEST_SCHEMA,
        response: { 201: taskObject, ...errors },
      },
      // parseKillRequest validates, with BIG-IQ's messages.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const principal = requireSpsPrivilege(request, ACTIVE_SESSIONS, 'write');
      if (asksForCurfew(request.body)) requireSpsPrivilege(request, CURFEWS, 'write');
      const selector = selectorFrom(request.body);
      // A bad curfew refuses the request here, before anything is killed (400 SemanticError, details.code).
      const curfewInput = await readKillCurfew(deps.curfews, request.body, selector);
      const actor = { name: principal.name, address: request.ip };
      const task = await tasks.submit(selector, actor);
      const kept = await keepOut(deps.curfews, curfewInput, actor);
      const created = await taskObjectOf(task);
      if (!created || !kept) return reply.code(201).send(created);
      return reply.code(201).send({
        ...created,
        body: { ...created.body, ...kept },
        meta: { ...created.meta, ...('curfewId' in kept && { curfew: `/api/curfews/${kept.curfewId}` }) },
      });
    },
  );

  app.get<{ Querystring: { limit?: string; offset?: string } }>(
    HREF,
    {
      schema: {
        tags: TAGS,
        summary: 'Kill tasks, newest first (limit, offset); per-device ids only in the single task',
        querystring: { type: 'object', properties: { limit: { type: 'string' }, offset: { type: 'string' } } },
        response: { 200: anyObject, ...errors },
      },
    },
    async (request) => {
      requireSpsPrivilege(request, ACTIVE_SESSIONS, 'read');
      const limit = Math.min(wholeNumberParam('limit', request.query.limit) ?? DEFAULT_LIMIT, MAX_LIMIT);
      const offset = wholeNumberParam('offset', request.query.offset) ?? 0;
      const { tasks: page, total } = await tasks.page(offset, limit);
      return {
        items: await taskObjectsOf(page, false),
        meta: { href: HREF, parent: '/api', limit, offset, match_count: total },
      };
    },
  );

  app.get<{ Params: { key: string } }>(
    `${HREF}/:key`,
    {
      schema: {
        tags: TAGS,
        summary: 'One kill task, with per-device results',
        params: keyParams,
        response: { 200: taskObject, ...errors },
      },
    },
    async (request) => {
      requireSpsPrivilege(request, ACTIVE_SESSIONS, 'read');
      return taskObjectOf(await findTask(request));
    },
  );

  app.patch<{ Params: { key: string } }>(
    `${HREF}/:key`,
    {
      schema: {
        tags: TAGS,
        summary: 'Cancel: {"status": "CANCEL_REQUESTED"}; devices already done stay done',
        params: keyParams,
        body: { type: 'object', properties: { status: { type: 'string', enum: ['CANCEL_REQUESTED'] } } },
        response: { 200: taskObject, ...errors },
      },
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const principal = requireSpsPrivilege(request, ACTIVE_SESSIONS, 'write');
      if ((request.body as { status?: unknown } | null)?.status !== 'CANCEL_REQUESTED') {
        throw new SpsError(400, 'SemanticError', 'Only {"status": "CANCEL_REQUESTED"} can be set on a kill task.');
      }
      const existing = await findTask(request);
      const result = await tasks.cancel(existing.id, { name: principal.name, address: request.ip });
      if (!result) throw taskNotFound(request.url);
      if (result.outcome === 'final') {
        throw new SpsError(400, 'SemanticError', `The task is ${result.task.status} and can no longer be canceled.`);
      }
      return taskObjectOf(result.task);
    },
  );
}

/** The request's selector; its validation messages (BIG-IQ's) become SPS errors. */
function selectorFrom(body: unknown) {
  try {
    return readKillRequest(body);
  } catch (err) {
    if (!isDomainError(err)) throw err;
    throw new SpsError(400, 'SemanticError', err.message);
  }
}

const taskNotFound = (path: string) => new SpsError(404, 'NotFound', 'There is no kill task with that key.', { path });

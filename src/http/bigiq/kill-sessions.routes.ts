// /mgmt/cm/access/tasks/kill-sessions: create, list, read and cancel kill tasks (docs/compat/bigiq.md §6–7).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ACTIVE_SESSIONS, CURFEWS } from '../../core/access.js';
import { isDomainError } from '../../core/errors.js';
import type { KillTask } from '../../core/model.js';
import { isFinal } from '../../core/task-status.js';
import type { AppDeps } from '../app.js';
import { asksForCurfew, KILL_REQUEST_SCHEMA, keepOut, readKillCurfew, readKillRequest } from '../kill-request.js';
import { renderTask, TASK_COLLECTION_KIND, TASK_KIND, TASK_NAME, TASKS_PATH, taskSelfLink } from '../kill-task-body.js';
import { requirePrivilege } from './authorize.js';
import { BigiqError, bigiqErrorSchema } from './errors.js';
import { collection } from './links.js';
import { applyQuery, type ODataQuery, parseQuery } from './odata.js';

const TAGS = ['BIG-IQ kill-sessions'];
const JSON_TYPE = 'application/json; charset=utf-8';
const FINAL_BODIES_MAX = 1000;
const CANCEL_SPELLINGS = new Set(['CANCEL_REQUESTED', 'CANCELED', 'CANCELLED']);

const taskSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'A kill-sessions task (kind cm:access:tasks:kill-sessions:accesskillsessionstaskitemstate)',
} as const;
const odataQuerystring = {
  type: 'object',
  properties: {
    $filter: { type: 'string' },
    $select: { type: 'string' },
    $top: { type: 'string' },
    $skip: { type: 'string' },
    $orderby: { type: 'string' },
    $expand: { type: 'string' },
  },
} as const;

const taskNotFound = (id: string) => new BigiqError(404, `Object not found - ${taskSelfLink(id)}`);

const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

export type KillSessionsDeps = Pick<AppDeps, 'tasks' | 'curfews' | 'machineId' | 'bigiq'>;

export async function registerKillSessionsRoutes(app: FastifyInstance, deps: KillSessionsDeps): Promise<void> {
  const { tasks } = deps;

  // A task in a final status never changes again: its JSON is kept (bounded), so clients that keep polling a finished
  // task cost no database work.
  const finalBodies = new Map<string, string>();
  const rememberFinal = (id: string, json: string) => {
    if (finalBodies.size >= FINAL_BODIES_MAX) finalBodies.delete(finalBodies.keys().next().value as string);
    finalBodies.set(id, json);
  };
  const render = async (list: KillTask[]) => {
    const [targets, devices] = await Promise.all([tasks.targetsOf(list.map((t) => t.id)), tasks.devices()]);
    const context = { ownerMachineId: deps.machineId, devices };
    return list.map((t) => renderTask(t, targets.get(t.id) ?? [], context));
  };

  const findTask = async (id: string): Promise<KillTask> => {
    const task = await tasks.find(id);
    if (!task) throw taskNotFound(id);
    return task;
  };

  app.post(
    TASKS_PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'Create a kill-sessions task (with "curfew": kill now and keep out; the answer carries curfewId)',
        body: KILL_REQUEST_SCHEMA,
        response: { 200: taskSchema, 202: taskSchema, 400: bigiqErrorSchema, 401: bigiqErrorSchema },
      },
      // Validation is parseKillRequest's: BIG-IQ's exact messages, with originalRequestBody.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const principal = requirePrivilege(request, ACTIVE_SESSIONS, 'write');
      if (asksForCurfew(request.body)) requirePrivilege(request, CURFEWS, 'write');
      const id = randomUUID();
      const now = Date.now();
      const filledIn = {
        id,
        status: 'CREATED',
        name: TASK_NAME,
        generation: 1,
        lastUpdateMicros: now * 1000,
        kind: TASK_KIND,
        selfLink: taskSelfLink(id),
      };
      const selector = await orBigiqError(request.body, filledIn, () => readKillRequest(request.body));
      const curfewInput = await orBigiqError(request.body, filledIn, () =>
        readKillCurfew(deps.curfews, request.body, selector),
      );
      const actor = { name: principal.name, address: request.ip };
      const task = await tasks.submit(selector, actor, { id, now });
      // The kill first (what the operator needs most), then the curfew that keeps the user out from now on.
      const kept = await keepOut(deps.curfews, curfewInput, actor);
      const [body] = await render([task]);
      return reply.code(deps.bigiq.killPostStatus).send({ ...body, ...kept });
    },
  );

  app.get(
    TASKS_PATH,
    {
      schema: {
        tags: TAGS,
        summary: 'List kill-sessions tasks (OData $filter, $select, $top, $skip, $orderby)',
        querystring: odataQuerystring,
        response: { 400: bigiqErrorSchema, 401: bigiqErrorSchema },
      },
    },
    async (request, reply) => {
      requirePrivilege(request, ACTIVE_SESSIONS, 'read');
      const query = parseQuery(request.query as Record<string, string>);
      const selfLink = `https://localhost${TASKS_PATH}`;
      if (Object.keys(query).every((option) => option === 'top' || option === 'skip' || option === 'expand')) {
        // The common poll (a page, no filter or select) is assembled from each task's JSON, kept for final tasks.
        const { tasks: page, total } = await tasks.page(query.skip ?? 0, query.top);
        const items = await renderJson(page);
        const wrapper = JSON.stringify(collection(TASK_COLLECTION_KIND, selfLink, [], total));
        return reply.type(JSON_TYPE).send(wrapper.replace('"items":[]', `"items":[${items.join(',')}]`));
      }
      const { items, totalItems } = await listTasks(query);
      return collection(TASK_COLLECTION_KIND, selfLink, items, totalItems);
    },
  );

  /** Each task's JSON: kept ones for final tasks, the others rendered now (their targets read in one query). */
  async function renderJson(page: KillTask[]): Promise<string[]> {
    const missing = page.filter((t) => !finalBodies.has(t.id));
    const rendered = new Map((await render(missing)).map((body, i) => [missing[i]?.id ?? '', body]));
    return page.map((task) => {
      const kept = finalBodies.get(task.id);
      if (kept) return kept;
      const json = JSON.stringify(rendered.get(task.id));
      if (isFinal(task.status)) rememberFinal(task.id, json);
      return json;
    });
  }

  /** Without $filter or $orderby the page comes straight from the database, newest first. */
  async function listTasks(query: ODataQuery) {
    if (query.filter === undefined && query.orderBy === undefined) {
      const { tasks: page, total } = await tasks.page(query.skip ?? 0, query.top);
      return {
        items: applyQuery(await render(page), { ...(query.select && { select: query.select }) }).items,
        totalItems: total,
      };
    }
    const { tasks: all } = await tasks.page(0);
    return applyQuery(await render(all), query);
  }

  app.get(
    `${TASKS_PATH}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Read one kill-sessions task ($select supported)',
        params: idParams,
        querystring: odataQuerystring,
        response: { 200: taskSchema, 401: bigiqErrorSchema, 404: bigiqErrorSchema },
      },
    },
    async (request, reply) => {
      requirePrivilege(request, ACTIVE_SESSIONS, 'read');
      const { id } = request.params as { id: string };
      const query = parseQuery(request.query as Record<string, string>);
      const cached = query.select ? undefined : finalBodies.get(id);
      if (cached) return reply.type(JSON_TYPE).send(cached);
      const task = await findTask(id);
      const [body] = await render([task]);
      if (query.select) return applyQuery([body as Record<string, unknown>], { select: query.select }).items[0];
      const json = JSON.stringify(body);
      if (isFinal(task.status)) rememberFinal(id, json);
      return reply.type(JSON_TYPE).send(json);
    },
  );

  app.patch(
    `${TASKS_PATH}/:id`,
    {
      schema: {
        tags: TAGS,
        summary: 'Cancel a task: {"status":"CANCEL_REQUESTED"} (CANCELED and CANCELLED accepted)',
        params: idParams,
        body: { type: 'object', properties: { status: { type: 'string' } } },
        response: { 200: taskSchema, 400: bigiqErrorSchema, 401: bigiqErrorSchema, 404: bigiqErrorSchema },
      },
      validatorCompiler: () => () => true,
    },
    async (request) => {
      const principal = requirePrivilege(request, ACTIVE_SESSIONS, 'write');
      const { id } = request.params as { id: string };
      const status = (request.body as { status?: unknown } | null | undefined)?.status;
      if (typeof status !== 'string' || !CANCEL_SPELLINGS.has(status)) {
        throw new BigiqError(400, 'Only {"status":"CANCEL_REQUESTED"} can be set on a kill-sessions task.', {
          originalRequestBody: JSON.stringify(request.body ?? null),
        });
      }
      const result = await tasks.cancel(id, { name: principal.name, address: request.ip });
      if (!result) throw taskNotFound(id);
      if (result.outcome === 'final')
        throw new BigiqError(400, `Task ${id} is ${result.task.status} and can no longer be canceled.`);
      const [body] = await render([result.task]);
      return body;
    },
  );
}

/**
 * What `read` makes of the request (its selector, its curfew); a refused request is a 400 with the message and
 * `originalRequestBody` (the request as the server filled it in, per BIG-IQ), and no task exists.
 */
async function orBigiqError<T>(body: unknown, filledIn: Record<string, unknown>, read: () => T | Promise<T>) {
  try {
    return await read();
  } catch (err) {
    if (!isDomainError(err)) throw err;
    const original =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, ...filledIn } : filledIn;
    throw new BigiqError(400, err.message, { originalRequestBody: JSON.stringify(original) });
  }
}

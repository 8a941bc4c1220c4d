// GET /api/events (curfew extension): live engine events as server-sent events, for the console and for scripts
// (`curl -N`). Events: `task` (a kill task changed), `targets` (device outcomes of kill tasks landed), `sync` (a
// device was listed); data is JSON. A comment line every HEARTBEAT_MS keeps proxies from timing the stream out and
// checks that the login is still valid: a stream ends with its login session (logout, idle timeout, maximum age) or
// its read privilege (revoked by a commit), on server stop, and when the client stops reading.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ACTIVE_SESSIONS, isAllowed } from '../../core/access.js';
import type { KillTask } from '../../core/model.js';
import type { EngineEventMap } from '../../engine/events.js';
import type { TargetOutcome } from '../../engine/records.js';
import type { AppDeps } from '../app.js';
import { spsErrorSchema } from './errors.js';
import { requireSpsPrivilege } from './plugin.js';

export const EVENTS_HREF = '/api/events';
export const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off (it reconnects and refetches) rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** What a `task` event carries: the task's state, named as in the task body. */
function taskEvent(task: KillTask) {
  return {
    id: task.id,
    action: task.selector.action,
    status: task.status,
    currentStep: task.step,
    result: task.result,
    errorMessage: task.errorMessage,
    username: task.requestedBy,
  };
}

/** What a `targets` event carries per device: counts, plus the failed ids (few, and what needs attention). */
function targetEvent(outcome: TargetOutcome) {
  return {
    taskId: outcome.taskId,
    deviceId: outcome.deviceId,
    status: outcome.status,
    killed: outcome.killed.length,
    notFound: outcome.notFound.length,
    failedIds: outcome.failed,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    attempts: outcome.attempts,
  };
}

const schema = {
  tags: ['SPS events (extension)'],
  summary: 'Server-sent events: task, targets and sync (text/event-stream; JSON data)',
  response: { 401: spsErrorSchema, 403: spsErrorSchema },
};

export async function registerEventRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const open = new Set<() => void>();
  // Open streams would keep the listener from closing: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(EVENTS_HREF, { schema }, async (request, reply) => {
    requireSpsPrivilege(request, ACTIVE_SESSIONS, 'read');
    const loginId = request.spsLogin?.record.id;
    reply.hijack();
    const res = reply.raw;
    // Hijacked: headers the hooks set (the slid session cookie) are written by hand.
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    const end = streamEvents(res, deps, () => {
      clearInterval(heartbeat);
      open.delete(end);
    });
    open.add(end);
    const beat = async () => {
      const login = loginId === undefined ? undefined : await deps.loginSessions.find(loginId);
      const live = login !== undefined && login.expiresAt > Date.now();
      const principal = live ? await deps.auth.principalOf(login.userName) : undefined;
      if (!principal || !isAllowed(principal, ACTIVE_SESSIONS, 'read')) end();
      else res.write(': heartbeat\n\n');
    };
    const heartbeat = setInterval(() => void beat().catch(end), HEARTBEAT_MS);
    res.on('close', end);
  });
}

type StreamedEvent = Exclude<keyof EngineEventMap, 'listed'>;

/** Subscribes the response to the engine's events; returns the function that ends the stream (idempotent). */
function streamEvents(res: ServerResponse, deps: AppDeps, onEnd: () => void): () => void {
  const send = (event: string, data: unknown) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) return end();
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  // Listings stay in the engine (curfew enforcement); the stream carries what happened to tasks and devices.
  const listeners: { [E in StreamedEvent]: (...args: EngineEventMap[E]) => void } = {
    task: (task) => send('task', taskEvent(task)),
    targets: (outcomes) => send('targets', outcomes.map(targetEvent)),
    sync: (sync) => send('sync', sync),
  };
  const { events } = deps;
  events.on('task', listeners.task);
  events.on('targets', listeners.targets);
  events.on('sync', listeners.sync);
  let ended = false;
  function end(): void {
    if (ended) return;
    ended = true;
    events.off('task', listeners.task);
    events.off('targets', listeners.targets);
    events.off('sync', listeners.sync);
    onEnd();
    res.end();
  }
  // The reconnection delay for EventSource, and a first line so clients see the stream is open.
  res.write('retry: 3000\n: connected\n\n');
  return end;
}

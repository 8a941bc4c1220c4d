// DELETE /api/active-sessions?id=<session_id> (docs/compat/sps.md §6.5): ends one ongoing session through a kill task,
// so it is audited and verified like every kill, and answers once the task has ended (bounded).
import type { FastifyInstance } from 'fastify';
import { ACTIVE_SESSIONS } from '../../core/access.js';
import { isFinal } from '../../core/task-status.js';
import type { SessionWithDevice, Termination } from '../../engine/services/sessions.js';
import type { AppDeps } from '../app.js';
import { TASKS_PATH } from '../kill-task-body.js';
import { SPS_MESSAGES, SpsError, spsErrorSchema } from './errors.js';
import { methodNotAllowed, requireSpsPrivilege } from './plugin.js';
import { displaySessionId } from './session-ids.js';
import { findSessionById } from './session-lookup.js';

export const SESSION_TAGS = ['SPS sessions'];
const HREF = '/api/active-sessions';
/** How long the DELETE waits for the kill; a slower kill answers 500 naming the task, which carries on. */
export const KILL_WAIT_MS = 15_000;

const deleteSchema = {
  tags: SESSION_TAGS,
  summary: 'End an ongoing session; answers when the verified kill is done',
  description:
    'id is the session_id shown by /api/audit/sessions (<device>/<native id>), raw or percent-encoded; a key; or ' +
    'the bare native id (svc/…:n) while exactly one device holds it as an ongoing session (else 409 ' +
    'SessionIdAmbiguous naming the candidates). The answer carries the kill task (key, meta.task) as an extension.',
  querystring: { type: 'object', properties: { id: { type: 'string' } } },
  response: {
    200: {
      type: 'object',
      properties: { key: { type: 'string' }, meta: { type: 'object', additionalProperties: true } },
      required: ['meta'],
    },
    400: spsErrorSchema,
    401: spsErrorSchema,
    403: spsErrorSchema,
    404: spsErrorSchema,
    409: spsErrorSchema,
    500: spsErrorSchema,
  },
};

export async function registerSpsActiveSessionRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'sessions'>) {
  app.delete<{ Querystring: { id?: string } }>(HREF, { schema: deleteSchema }, async (request) => {
    const principal = requireSpsPrivilege(request, ACTIVE_SESSIONS, 'write');
    const id = request.query.id;
    if (!id) throw new SpsError(400, 'SessionIdMissing', SPS_MESSAGES.SessionIdMissing);
    const session = await findSessionById(deps.sessions, id, { activeOnly: true });
    if (!session) throw new SpsError(404, 'SessionCouldNotBeFound', SPS_MESSAGES.SessionCouldNotBeFound, { id });
    const ended = await deps.sessions.terminate(session, { name: principal.name, address: request.ip }, KILL_WAIT_MS);
    // FINISHED means the device no longer lists the session (killed, or already gone): see decision 0002.
    if (ended.task?.status !== 'FINISHED') throw terminationFailed(ended, session);
    const { taskId } = ended;
    return { key: taskId, meta: { href: HREF, parent: '/api', task: `${TASKS_PATH}/${taskId}` } };
  });

  methodNotAllowed(app, HREF, ['GET', 'POST', 'PUT', 'PATCH'], 'DELETE');
}

function terminationFailed({ taskId, task, target }: Termination, session: SessionWithDevice): SpsError {
  const timedOut = !task || !isFinal(task.status);
  const reason = timedOut
    ? `The kill did not end within ${KILL_WAIT_MS / 1000} seconds; follow the task.`
    : (target?.errorMessage ?? task.errorMessage);
  return new SpsError(500, 'SessionTerminationFailed', SPS_MESSAGES.SessionTerminationFailed, {
    task: { key: taskId, href: `${TASKS_PATH}/${taskId}`, status: task?.status ?? null },
    session_id: displaySessionId(session.device.hostname, session.sessionId),
    device: { key: session.device.id, name: session.device.hostname, error: target?.errorCode ?? null },
    reason,
  });
}

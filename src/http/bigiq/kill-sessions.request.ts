// Reading a kill-sessions POST body into a selector, with BIG-IQ's validation messages verbatim
// (docs/compat/bigiq.md §7.4), plus curfew's `fleet` extension (docs/decisions/0007): a scope that needs no inventory
// to name it.
import type { KillAction, KillSelector, SessionList } from '../../core/model.js';
import { BigiqError } from './errors.js';
import { deviceIdFromLink, machineIdLink } from './links.js';

export const SCOPE_MISSING =
  'Request should have atleast one of these fields populated: accessGroupNames , clusterNames , deviceReferences';

const ACTIONS: readonly KillAction[] = ['KILL_BY_USER', 'KILL_ALL_SESSIONS', 'KILL_BY_LIST_OF_SESSIONS'];

type Body = Record<string, unknown>;

const reference = { type: 'object', properties: { link: { type: 'string' } } } as const;
const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } as const;
/**
 * The body's JSON schema, for OpenAPI on both surfaces. Types are described, not enforced: the verbatim BIG-IQ messages
 * come from parseKillRequest.
 */
export const KILL_REQUEST_SCHEMA = {
  type: 'object',
  description:
    'KILL_BY_USER needs userName; KILL_ALL_SESSIONS and KILL_BY_USER need one of accessGroupNames, clusterNames, deviceReferences, or "fleet": true (curfew extension); KILL_BY_LIST_OF_SESSIONS needs sessions.',
  properties: {
    action: {
      type: 'string',
      enum: ['KILL_BY_USER', 'KILL_ALL_SESSIONS', 'KILL_BY_LIST_OF_SESSIONS', 'KILL_BY_SESSIONS'],
    },
    userName: {
      type: 'string',
      description: 'Case sensitive field name. user name of user whose active sessions needs to be killed.',
    },
    accessGroupNames: {
      ...stringOrList,
      description: 'One or more access group names. All sessions in these groups will be killed by invoking task.',
    },
    clusterNames: {
      ...stringOrList,
      description: 'One or more cluster names. All sessions in these bigip clusters will be killed by invoking task.',
    },
    deviceReferences: {
      type: 'array',
      items: reference,
      description: 'Reference link to one or more devices in which active access sessions live.',
    },
    fleet: {
      type: 'boolean',
      description:
        'curfew extension, KILL_BY_USER and KILL_ALL_SESSIONS: true = every device in the inventory (each cluster through its ACTIVE unit), each listed live. Combines with other scopes as a union.',
    },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        properties: { deviceReference: reference, sessionIds: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
} as const;

/** Raised with the message only; the route adds `originalRequestBody`. */
class RequestError extends Error {}

/**
 * Validates the body and returns the selector it asks for. Throws BigiqError(400) with `originalRequestBody` (the
 * request as the server filled it in, per BIG-IQ) so no task exists when the request is refused.
 */
export function parseKillRequest(body: unknown, filledIn: Body): KillSelector {
  try {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new RequestError('Request body must be a JSON object.');
    return selectorFrom(body as Body);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    const original =
      typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, ...filledIn } : filledIn;
    throw new BigiqError(400, err.message, { originalRequestBody: JSON.stringify(original) });
  }
}

function selectorFrom(body: Body): KillSelector {
  const action = actionOf(body);
  const userName = optionalString(body, 'userName');
  const fleet = fleetFlag(body, action);
  const base = {
    accessGroupNames: stringList(body, 'accessGroupNames'),
    clusterNames: stringList(body, 'clusterNames'),
    deviceIds: deviceReferences(body.deviceReferences),
    sessions: [] as SessionList[],
  };
  if (action === 'KILL_BY_LIST_OF_SESSIONS') {
    return { action, ...base, deviceIds: [], sessions: sessionLists(body.sessions) };
  }
  // Without `fleet` a request keeps BIG-IQ's own refusal, so BIG-IQ clients see no difference.
  if (!fleet && base.accessGroupNames.length + base.clusterNames.length + base.deviceIds.length === 0)
    throw new RequestError(SCOPE_MISSING);
  const scope = fleet ? { ...base, all: true } : base;
  if (action === 'KILL_ALL_SESSIONS') return { action, ...scope };
  if (userName === undefined || userName === '') throw new RequestError('userName is missing.');
  return { action, ...scope, userName };
}

/**
 * `"fleet": true` asks every device in the inventory, whatever other scopes say (a union with the whole fleet is the
 * whole fleet). An explicit session list has its own devices, so `fleet` there is a mistake worth refusing.
 */
function fleetFlag(body: Body, action: KillAction): boolean {
  const value = body.fleet;
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new RequestError('fleet must be a boolean.');
  if (value && action === 'KILL_BY_LIST_OF_SESSIONS')
    throw new RequestError('fleet applies to KILL_BY_USER and KILL_ALL_SESSIONS only.');
  return value;
}

/**
 * The reference's cluster example sends `KILL_BY_SESSIONS` with a `userName`: that body means kill-by-user
 * (docs/decisions/0003). With `sessions` it can only mean the list action.
 */
function actionOf(body: Body): KillAction {
  const action = body.action;
  if (action === undefined || action === null || action === '') throw new RequestError('action is missing.');
  if (typeof action !== 'string') throw new RequestError('action must be a string.');
  if ((ACTIONS as readonly string[]).includes(action)) return action as KillAction;
  if (action === 'KILL_BY_SESSIONS') {
    if (body.userName !== undefined) return 'KILL_BY_USER';
    if (body.sessions !== undefined) return 'KILL_BY_LIST_OF_SESSIONS';
  }
  throw new RequestError(`action ${action} is not supported; use one of ${ACTIONS.join(', ')}.`);
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new RequestError(`${field} must be a string.`);
  return value;
}

/** The reference types these as "string" while every example sends arrays: accept both. */
function stringList(body: Body, field: string): string[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) throw new RequestError(`${field} must be an array of strings.`);
  return [...new Set(list as string[])].filter((name) => name !== '');
}

function deviceReferences(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.map((reference, index) => deviceIdOf(reference, `deviceReferences[${index}]`)))];
}

function deviceIdOf(reference: unknown, where: string): string {
  const link = typeof reference === 'object' && reference !== null ? (reference as Body).link : undefined;
  if (typeof link !== 'string') throw new RequestError(`${where} must be an object with a "link".`);
  const id = deviceIdFromLink(link);
  if (!id) throw new RequestError(`${where}.link is not a machineid-resolver reference: ${link}`);
  return id;
}

function sessionLists(value: unknown): SessionList[] {
  if (!Array.isArray(value) || value.length === 0) throw new RequestError('sessions are missing.');
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw new RequestError(`sessions[${index}] must be an object.`);
    const { deviceReference, sessionIds } = entry as Body;
    if (deviceReference === undefined || deviceReference === null) throw new RequestError('deviceReference is missing');
    const deviceId = deviceIdOf(deviceReference, `sessions[${index}].deviceReference`);
    if (sessionIds === undefined || sessionIds === null || (Array.isArray(sessionIds) && sessionIds.length === 0)) {
      throw new RequestError(`sessionIds are missing for ${machineIdLink(deviceId)}`);
    }
    if (!Array.isArray(sessionIds) || !sessionIds.every((id) => typeof id === 'string' && id !== '')) {
      throw new RequestError(`sessions[${index}].sessionIds must be an array of session id strings.`);
    }
    return { deviceId, sessionIds: [...new Set(sessionIds as string[])] };
  });
}

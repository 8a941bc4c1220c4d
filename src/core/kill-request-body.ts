// The kill request body (BIG-IQ's kill-sessions shape, which both surfaces accept) read into a selector: the one set
// of rules, with BIG-IQ's validation messages verbatim (docs/compat/bigiq.md §7.4), plus curfew's `fleet` extension
// (docs/decisions/0007). Each surface renders the DomainError('invalid', 'KILL_REQUEST', message) in its own format.
import { DomainError } from './errors.js';
import type { KillAction, KillSelector, SessionList } from './model.js';

export const SCOPE_MISSING =
  'Request should have atleast one of these fields populated: accessGroupNames , clusterNames , deviceReferences';

const ACTIONS: readonly KillAction[] = ['KILL_BY_USER', 'KILL_ALL_SESSIONS', 'KILL_BY_LIST_OF_SESSIONS'];

type Body = Record<string, unknown>;

/** How the body names devices: by link (a machineid-resolver reference on the BIG-IQ surface). */
export interface DeviceLinks {
  idOf(link: string): string | undefined;
  linkOf(deviceId: string): string;
}

const invalid = (message: string) => new DomainError('invalid', 'KILL_REQUEST', message);

/** Validates a kill request body and returns the selector it asks for; throws DomainError('invalid') otherwise. */
export function parseKillBody(body: unknown, links: DeviceLinks): KillSelector {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('Request body must be a JSON object.');
  return selectorFrom(body as Body, links);
}

function selectorFrom(body: Body, links: DeviceLinks): KillSelector {
  const action = actionOf(body);
  const userName = optionalString(body, 'userName');
  const fleet = fleetFlag(body, action);
  const base = {
    accessGroupNames: stringList(body, 'accessGroupNames'),
    clusterNames: stringList(body, 'clusterNames'),
    deviceIds: deviceReferences(body.deviceReferences, links),
    sessions: [] as SessionList[],
  };
  if (action === 'KILL_BY_LIST_OF_SESSIONS') {
    return { action, ...base, deviceIds: [], sessions: sessionLists(body.sessions, links) };
  }
  // Without `fleet` a request keeps BIG-IQ's own refusal, so BIG-IQ clients see no difference.
  if (!fleet && base.accessGroupNames.length + base.clusterNames.length + base.deviceIds.length === 0)
    throw invalid(SCOPE_MISSING);
  const scope = fleet ? { ...base, all: true } : base;
  if (action === 'KILL_ALL_SESSIONS') return { action, ...scope };
  if (userName === undefined || userName === '') throw invalid('userName is missing.');
  return { action, ...scope, userName };
}

/**
 * `"fleet": true` asks every device in the inventory, whatever other scopes say (a union with the whole fleet is the
 * whole fleet). An explicit session list has its own devices, so `fleet` there is a mistake worth refusing.
 */
function fleetFlag(body: Body, action: KillAction): boolean {
  const value = body.fleet;
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalid('fleet must be a boolean.');
  if (value && action === 'KILL_BY_LIST_OF_SESSIONS')
    throw invalid('fleet applies to KILL_BY_USER and KILL_ALL_SESSIONS only.');
  return value;
}

/**
 * The reference's cluster example sends `KILL_BY_SESSIONS` with a `userName`: that body means kill-by-user
 * (docs/decisions/0003). With `sessions` it can only mean the list action.
 */
function actionOf(body: Body): KillAction {
  const action = body.action;
  if (action === undefined || action === null || action === '') throw invalid('action is missing.');
  if (typeof action !== 'string') throw invalid('action must be a string.');
  if ((ACTIONS as readonly string[]).includes(action)) return action as KillAction;
  if (action === 'KILL_BY_SESSIONS') {
    if (body.userName !== undefined) return 'KILL_BY_USER';
    if (body.sessions !== undefined) return 'KILL_BY_LIST_OF_SESSIONS';
  }
  throw invalid(`action ${action} is not supported; use one of ${ACTIONS.join(', ')}.`);
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string.`);
  return value;
}

/** The reference types these as "string" while every example sends arrays: accept both. */
function stringList(body: Body, field: string): string[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) throw invalid(`${field} must be an array of strings.`);
  return [...new Set(list as string[])].filter((name) => name !== '');
}

function deviceReferences(value: unknown, links: DeviceLinks): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.map((reference, index) => deviceIdOf(reference, `deviceReferences[${index}]`, links)))];
}

function deviceIdOf(reference: unknown, where: string, links: DeviceLinks): string {
  const link = typeof reference === 'object' && reference !== null ? (reference as Body).link : undefined;
  if (typeof link !== 'string') throw invalid(`${where} must be an object with a "link".`);
  const id = links.idOf(link);
  if (!id) throw invalid(`${where}.link is not a machineid-resolver reference: ${link}`);
  return id;
}

function sessionLists(value: unknown, links: DeviceLinks): SessionList[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('sessions are missing.');
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw invalid(`sessions[${index}] must be an object.`);
    const { deviceReference, sessionIds } = entry as Body;
    if (deviceReference === undefined || deviceReference === null) throw invalid('deviceReference is missing');
    const deviceId = deviceIdOf(deviceReference, `sessions[${index}].deviceReference`, links);
    if (sessionIds === undefined || sessionIds === null || (Array.isArray(sessionIds) && sessionIds.length === 0)) {
      throw invalid(`sessionIds are missing for ${links.linkOf(deviceId)}`);
    }
    if (!Array.isArray(sessionIds) || !sessionIds.every((id) => typeof id === 'string' && id !== '')) {
      throw invalid(`sessions[${index}].sessionIds must be an array of session id strings.`);
    }
    return { deviceId, sessionIds: [...new Set(sessionIds as string[])] };
  });
}

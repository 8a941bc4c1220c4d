// The kill request body both surfaces accept (BIG-IQ's kill-sessions shape): its JSON schema for OpenAPI, and the
// reader that names devices by machineid-resolver links. The rules are core's (core/kill-request-body.ts).
import type { CurfewInput } from '../core/curfew.js';
import { parseKillCurfew } from '../core/kill-curfew.js';
import { type DeviceLinks, parseKillBody } from '../core/kill-request-body.js';
import type { KillSelector } from '../core/model.js';
import type { CurfewService } from '../engine/services/curfews.js';
import { deviceIdFromLink, machineIdLink } from './bigiq/links.js';

const MACHINE_ID_LINKS: DeviceLinks = { idOf: deviceIdFromLink, linkOf: machineIdLink };

/** The selector a kill request body asks for; throws DomainError('invalid', 'KILL_REQUEST') with BIG-IQ's message. */
export function readKillRequest(body: unknown): KillSelector {
  return parseKillBody(body, MACHINE_ID_LINKS);
}

/** Whether the body asks to "kill now and keep out" (a `curfew` field): the request then needs write on curfews too. */
export function asksForCurfew(body: unknown): boolean {
  const field = (body as Record<string, unknown> | null | undefined)?.curfew;
  return field !== undefined && field !== null;
}

/**
 * The body's "and keep out" curfew, its scopes checked against the inventory; undefined when it asks for none. Throws
 * DomainError('invalid', 'CURFEW_REQUEST'): read before the kill is submitted, so a bad curfew refuses the whole request.
 */
export async function readKillCurfew(
  curfews: Pick<CurfewService, 'checkScopes'>,
  body: unknown,
  selector: KillSelector,
): Promise<CurfewInput | undefined> {
  const input = parseKillCurfew(body, selector, Date.now());
  if (input) await curfews.checkScopes(input);
  return input;
}

/**
 * Sets the curfew a kill asked for, after the kill was submitted. The kill is under way whatever happens here, so a
 * failure (a device removed since the check, the database) is reported next to the task, never instead of it.
 */
export async function keepOut(
  curfews: Pick<CurfewService, 'setInput'>,
  input: CurfewInput | undefined,
  actor: { name: string; address: string },
): Promise<{ curfewId: string } | { curfewError: string } | undefined> {
  if (!input) return undefined;
  try {
    return { curfewId: (await curfews.setInput(input, actor)).id };
  } catch (err) {
    return {
      curfewError: `The kill was submitted, but its curfew was not set: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

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
    curfew: {
      type: 'object',
      description:
        'curfew extension, KILL_BY_USER only: kill now and keep out. Sets a curfew on userName over the same scopes ' +
        '(docs/curfews.md#api); needs write on /special/curfews. The answer carries its id as curfewId.',
      properties: {
        duration: { type: 'string', description: 'From now: ISO 8601 (PT2H, P1DT12H) or short (90s, 2m, 4h, 7d)' },
        until: { type: 'string', description: 'Or an end time, ISO 8601; neither: until lifted' },
        reason: { type: 'string', description: 'Why (required)' },
        mode: { type: 'string', enum: ['enforce', 'monitor'], description: 'Default enforce' },
      },
      required: ['reason'],
    },
  },
} as const;

// The kill request body both surfaces accept (BIG-IQ's kill-sessions shape): its JSON schema for OpenAPI, and the
// reader that names devices by machineid-resolver links. The rules are core's (core/kill-request-body.ts).
import { type DeviceLinks, parseKillBody } from '../core/kill-request-body.js';
import type { KillSelector } from '../core/model.js';
import { deviceIdFromLink, machineIdLink } from './bigiq/links.js';

const MACHINE_ID_LINKS: DeviceLinks = { idOf: deviceIdFromLink, linkOf: machineIdLink };

/** The selector a kill request body asks for; throws DomainError('invalid', 'KILL_REQUEST') with BIG-IQ's message. */
export function readKillRequest(body: unknown): KillSelector {
  return parseKillBody(body, MACHINE_ID_LINKS);
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
  },
} as const;

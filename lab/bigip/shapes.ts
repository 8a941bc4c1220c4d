// iControl REST response bodies, in the shapes of docs/compat/bigip-device.md. Keys not confirmed there are kept to a
// minimum.
import { type DataGroup, fullPath } from './data-groups.js';
import type { LabDevice } from './device.js';
import type { LabSession } from './session-set.js';
import type { TokenRecord } from './tokens.js';

export const BIGIP_VERSION = '15.1.0';
const BIGIP_BUILD = '0.0.31';
const SELF = 'https://localhost';
const ACCESS_INFO_PREFIX = `${SELF}/mgmt/tm/apm/access-info/`;

/** Error body of the REST framework (authentication, unknown URI, bad JSON). */
export function frameworkError(code: number, message: string, referer: string, restOperationId: number): string {
  return JSON.stringify({ code, message, referer, restOperationId, kind: ':resterrorresponse' });
}

/** Error body of a tmsh-backed `/mgmt/tm` endpoint, e.g. an object that is not found. */
export function tmError(code: number, message: string): string {
  return JSON.stringify({ code, message, errorStack: [], apiError: 3 });
}

function tokenState(record: TokenRecord): Record<string, unknown> {
  return {
    token: record.token,
    name: record.token,
    userName: record.userName,
    authProviderName: 'tmos',
    timeout: record.timeoutSec,
    startTime: new Date(record.startMs).toISOString(),
    address: '127.0.0.1',
    partition: '[All]',
    generation: record.generation,
    lastUpdateMicros: record.lastUpdateMs * 1000,
    expirationMicros: record.expiresAtMs * 1000,
    kind: 'shared:authz:tokens:authtokenitemstate',
    selfLink: `${SELF}/mgmt/shared/authz/tokens/${record.token}`,
  };
}

export function loginBody(record: TokenRecord): string {
  return JSON.stringify({
    username: record.userName,
    loginReference: { link: `${SELF}/mgmt/cm/system/authn/providers/tmos/login` },
    loginProviderName: 'tmos',
    token: tokenState(record),
    generation: 0,
    lastUpdateMicros: 0,
  });
}

export function tokenBody(record: TokenRecord): string {
  return JSON.stringify(tokenState(record));
}

export function tokenCollectionBody(records: readonly TokenRecord[]): string {
  return JSON.stringify({
    items: records.map(tokenState),
    generation: records.length,
    kind: 'shared:authz:tokens:authtokencollectionstate',
    lastUpdateMicros: Date.now() * 1000,
    selfLink: `${SELF}/mgmt/shared/authz/tokens`,
  });
}

/**
 * `GET /mgmt/tm/apm/access-info`: `entries` keyed by `https://localhost/mgmt/tm/apm/access-info/<sid>`, absent when there is
 * no session. Built as a string because fleets list thousands of sessions per device; `limit` 0 means all.
 */
export function accessInfoBody(sessions: Iterable<LabSession>, limit: number): string {
  let body = `{"kind":"tm:apm:access-info:access-infostats","selfLink":"${SELF}/mgmt/tm/apm/access-info?ver=${BIGIP_VERSION}"`;
  let listed = 0;
  for (const session of sessions) {
    if (limit > 0 && listed >= limit) break;
    body += listed === 0 ? ',"entries":{' : ',';
    body += `${JSON.stringify(ACCESS_INFO_PREFIX + session.sessionId)}:{"nestedStats":{"entries":{`;
    body += `"clientIp":{"description":${JSON.stringify(session.clientIp)}},`;
    body += `"logonUser":{"description":${JSON.stringify(session.user)}}}}}`;
    listed += 1;
  }
  return listed === 0 ? `${body}}` : `${body}}}`;
}

/** Shape from a 14.1 fixture (docs/compat/bigip-device.md §6); the STANDBY color and wording are unverified. */
export function failoverStatusBody(failover: 'ACTIVE' | 'STANDBY'): string {
  const active = failover === 'ACTIVE';
  const details = `${SELF}/mgmt/tm/cm/failoverStatus/0/details`;
  return JSON.stringify({
    kind: 'tm:cm:failover-status:failover-statusstats',
    selfLink: `${SELF}/mgmt/tm/cm/failover-status?ver=${BIGIP_VERSION}`,
    entries: {
      [`${SELF}/mgmt/tm/cm/failover-status/0`]: {
        nestedStats: {
          entries: {
            color: { description: active ? 'green' : 'gray' },
            [details]: {
              nestedStats: {
                entries: {
                  [`${details}/0`]: {
                    nestedStats: {
                      entries: {
                        details: { description: `${active ? 'active' : 'standby'} for /Common/traffic-group-1` },
                      },
                    },
                  },
                },
              },
            },
            status: { description: failover },
            summary: { description: active ? '1/1 active' : '1/1 standby' },
          },
        },
      },
    },
  });
}

export function versionBody(): string {
  const stats = {
    Build: BIGIP_BUILD,
    Edition: 'Final',
    Product: 'BIG-IP',
    Title: 'Main Package',
    Version: BIGIP_VERSION,
  };
  const entries = Object.fromEntries(Object.entries(stats).map(([key, value]) => [key, { description: value }]));
  return JSON.stringify({
    kind: 'tm:sys:version:versionstats',
    selfLink: `${SELF}/mgmt/tm/sys/version?ver=${BIGIP_VERSION}`,
    entries: { [`${SELF}/mgmt/tm/sys/version/0`]: { nestedStats: { entries } } },
  });
}

export function deviceInfoBody(device: LabDevice): string {
  return JSON.stringify({
    baseMac: '00:00:00:00:00:00',
    build: BIGIP_BUILD,
    edition: 'Final',
    hostname: device.identity.hostname,
    machineId: device.identity.id,
    managementAddress: '127.0.0.1',
    platform: 'Z100',
    product: 'BIG-IP',
    version: BIGIP_VERSION,
    kind: 'shared:resolver:device-groups:deviceinfostate',
    selfLink: `${SELF}/mgmt/shared/identified-devices/config/device-info`,
  });
}

const DATA_GROUP_PATH = '/mgmt/tm/ltm/data-group/internal';

/** One internal data group; `records` is left out when empty, as BIG-IP does. */
function dataGroupState(group: DataGroup): Record<string, unknown> {
  return {
    kind: 'tm:ltm:data-group:internal:internalstate',
    name: group.name,
    partition: group.partition,
    fullPath: fullPath(group.partition, group.name),
    generation: group.generation,
    selfLink: `${SELF}${DATA_GROUP_PATH}/~${group.partition}~${group.name}?ver=${BIGIP_VERSION}`,
    type: group.type,
    ...(group.records.length > 0 && { records: group.records.map((record) => ({ ...record })) }),
  };
}

export function dataGroupBody(group: DataGroup): string {
  return JSON.stringify(dataGroupState(group));
}

export function dataGroupCollectionBody(groups: readonly DataGroup[]): string {
  return JSON.stringify({
    kind: 'tm:ltm:data-group:internal:internalcollectionstate',
    selfLink: `${SELF}${DATA_GROUP_PATH}?ver=${BIGIP_VERSION}`,
    items: groups.map(dataGroupState),
  });
}

// HA role in one round trip: `GET /mgmt/tm/cm/failover-status` (docs/compat/bigip-device.md §6).
import type { FailoverState } from '../../core/model.js';
import { ConnectorError, type DeviceHealth } from '../connector.js';
import type { TokenAuth } from './auth.js';
import { type JsonResponse, unexpectedShape } from './client.js';
import { nestedEntries } from './sessions.js';

const FAILOVER_STATUS_PATH = '/mgmt/tm/cm/failover-status';
/** Stats keys copied into the health details when present. */
const DETAIL_KEYS = ['status', 'color', 'summary'] as const;

function failoverState(status: string | undefined): FailoverState {
  return status === 'ACTIVE' || status === 'STANDBY' ? status : 'UNKNOWN';
}

/** The first entry's stats hold `status.description` = ACTIVE / STANDBY (other values, e.g. OFFLINE, read as UNKNOWN). */
export function parseFailoverStatus(response: JsonResponse): DeviceHealth {
  const entries = (response.body as { entries?: unknown } | undefined)?.entries;
  const first = typeof entries === 'object' && entries !== null ? Object.values(entries)[0] : undefined;
  const stats = nestedEntries(first);
  if (!stats) throw unexpectedShape(`GET ${FAILOVER_STATUS_PATH}`, response, 'no failover-status entry');
  const details: Record<string, string> = {};
  for (const key of DETAIL_KEYS) {
    const value = (stats[key] as { description?: unknown } | undefined)?.description;
    if (typeof value === 'string') details[key] = value;
  }
  return { failover: failoverState(details.status), details };
}

/** A device without the endpoint (404) is not known to be in a cluster: UNKNOWN rather than an error. */
export async function readHealth(auth: TokenAuth): Promise<DeviceHealth> {
  try {
    return parseFailoverStatus(await auth.send('GET', FAILOVER_STATUS_PATH));
  } catch (error) {
    if (error instanceof ConnectorError && error.status === 404) return { failover: 'UNKNOWN', details: {} };
    throw error;
  }
}

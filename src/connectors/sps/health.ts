// Health in one round trip: `GET /api/info` (docs/compat/sps.md §7). Appliances here are standalone, so the HA role is
// UNKNOWN: the selector only consults failover inside clusters, and SPS clusters do not fail sessions over.
import { ConnectorError, type DeviceHealth } from '../connector.js';
import type { CookieAuth } from './auth.js';
import { type JsonResponse, unexpectedShape } from './client.js';

const INFO_PATH = '/api/info';
/** Fields of `body` copied into the health details when present; the official clients read these two. */
const DETAIL_KEYS = ['firmware_version', 'version'] as const;

export function parseInfo(response: JsonResponse): DeviceHealth {
  const { body } = response;
  if (typeof body !== 'object' || body === null)
    throw unexpectedShape(`GET ${INFO_PATH}`, response, 'not a JSON object');
  const info = (body as { body?: unknown }).body;
  const details: Record<string, string> = {};
  for (const key of DETAIL_KEYS) {
    const value = typeof info === 'object' && info !== null ? (info as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'string') details[key] = value;
  }
  return { failover: 'UNKNOWN', details };
}

/** An appliance without the endpoint (404) has still authenticated us: healthy, with no details. */
export async function readHealth(auth: CookieAuth): Promise<DeviceHealth> {
  try {
    return parseInfo(await auth.send('GET', INFO_PATH));
  } catch (error) {
    if (error instanceof ConnectorError && error.status === 404) return { failover: 'UNKNOWN', details: {} };
    throw error;
  }
}

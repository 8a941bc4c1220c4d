// APM sessions over iControl REST (docs/compat/bigip-device.md §2, §4.1): list via access-info, kill one DELETE per
// session id.
import { ConnectorError, type DeleteReport, type DeviceSession } from '../connector.js';
import { deleteEach } from '../delete-each.js';
import type { TokenAuth } from './auth.js';
import { type JsonResponse, unexpectedShape } from './client.js';

const ACCESS_INFO_PATH = '/mgmt/tm/apm/access-info';
const SESSION_PATH = '/mgmt/tm/apm/session/';

type Stats = Record<string, unknown>;

function isRecord(value: unknown): value is Stats {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `entries.<key>.description` of a stats object, or '' when absent. */
function description(stats: Stats | undefined, key: string): string {
  const entry = stats?.[key];
  const value = isRecord(entry) ? entry.description : undefined;
  return typeof value === 'string' ? value : '';
}

/** The `nestedStats.entries` of one stats entry. */
export function nestedEntries(entry: unknown): Stats | undefined {
  const nested = isRecord(entry) ? entry.nestedStats : undefined;
  const entries = isRecord(nested) ? nested.entries : undefined;
  return isRecord(entries) ? entries : undefined;
}

/** Entries are keyed `https://localhost/mgmt/tm/apm/access-info/<sid>`; a missing `entries` key means no session. */
export function parseAccessInfo(response: JsonResponse): DeviceSession[] {
  const { body } = response;
  if (!isRecord(body)) throw unexpectedShape(`GET ${ACCESS_INFO_PATH}`, response, 'not a JSON object');
  if (body.entries === undefined) return [];
  if (!isRecord(body.entries)) throw unexpectedShape(`GET ${ACCESS_INFO_PATH}`, response, '"entries" is not an object');
  const sessions: DeviceSession[] = [];
  for (const [key, entry] of Object.entries(body.entries)) {
    const stats = nestedEntries(entry);
    sessions.push({
      sessionId: key.slice(key.lastIndexOf('/') + 1),
      user: description(stats, 'logonUser'),
      clientIp: description(stats, 'clientIp'),
      protocol: 'apm',
    });
  }
  return sessions;
}

export async function listSessions(auth: TokenAuth): Promise<DeviceSession[]> {
  // A steady device answers the same bytes every round: the client then hands back the sessions read last time.
  const response = await auth.send('GET', ACCESS_INFO_PATH, undefined, {
    reuse: { key: ACCESS_INFO_PATH, derive: parseAccessInfo },
  });
  return (response.derived as readonly DeviceSession[]).map((s) => ({ ...s }));
}

/** One DELETE per id (docs/compat/bigip-device.md §4.1); a 404 means the device does not have the session. */
export function killSessions(
  auth: TokenAuth,
  sessionIds: readonly string[],
  concurrency: number,
): Promise<DeleteReport> {
  return deleteEach(sessionIds, concurrency, async (sessionId) => {
    try {
      await auth.send('DELETE', SESSION_PATH + encodeURIComponent(sessionId));
      return 'accepted';
    } catch (error) {
      if (error instanceof ConnectorError && error.status === 404) return 'missing';
      throw error;
    }
  });
}

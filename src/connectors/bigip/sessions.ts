// APM sessions over iControl REST (bigip-device.md §2, §4.1): list via access-info, kill one DELETE per session id.
import { ConnectorError, type DeleteReport, type DeviceSession } from '../connector.js';
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
  return parseAccessInfo(await auth.send('GET', ACCESS_INFO_PATH));
}

/** Failures that concern the device as a whole rather than one session. */
function isDeviceWide(error: ConnectorError): boolean {
  return error.code === 'unreachable' || error.code === 'timeout' || error.code === 'auth_failed';
}

/** Progress of one killSessions call, shared by its workers. */
interface DeleteRun {
  ids: string[];
  next: number;
  /** Deletes the device answered (accepted, 404, or another HTTP error). */
  answered: number;
  /** Consecutive device-wide failures; reset by any answer. */
  streak: number;
  lastDeviceWide: ConnectorError | null;
  report: DeleteReport;
}

async function deleteOne(auth: TokenAuth, run: DeleteRun, sessionId: string): Promise<void> {
  const failure = await auth.send('DELETE', SESSION_PATH + encodeURIComponent(sessionId)).then(
    () => null,
    (error: unknown) => error,
  );
  if (failure === null) {
    run.report.accepted.push(sessionId);
  } else if (!(failure instanceof ConnectorError)) {
    throw failure;
  } else if (failure.status === 404) {
    run.report.missing.push(sessionId);
  } else {
    run.report.errors.push({ sessionId, message: failure.message });
    if (isDeviceWide(failure)) {
      run.lastDeviceWide = failure;
      run.streak += 1;
      return;
    }
  }
  run.answered += 1;
  run.streak = 0;
}

/**
 * One DELETE per id, at most `concurrency` at a time. A 404 means the device does not have the session. After a streak of
 * device-wide failures (unreachable, timeout, auth) the remaining ids are not attempted, so a dead device costs one wave of
 * timeouts instead of one per session; when the device answered no delete at all, that failure is thrown so the caller can
 * retry the device as a whole. Success is only the device's claim: callers verify by listing again.
 */
export async function killSessions(
  auth: TokenAuth,
  sessionIds: readonly string[],
  concurrency: number,
): Promise<DeleteReport> {
  const run: DeleteRun = {
    ids: [...new Set(sessionIds)],
    next: 0,
    answered: 0,
    streak: 0,
    lastDeviceWide: null,
    report: { accepted: [], missing: [], errors: [] },
  };
  const giveUpAfter = Math.max(3, concurrency);
  const worker = async (): Promise<void> => {
    while (run.next < run.ids.length && run.streak < giveUpAfter) {
      await deleteOne(auth, run, run.ids[run.next++] as string);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, run.ids.length) }, worker));

  if (run.lastDeviceWide && run.answered === 0) throw run.lastDeviceWide;
  for (const sessionId of run.ids.slice(run.next)) {
    run.report.errors.push({
      sessionId,
      message: `not attempted after repeated failures: ${run.lastDeviceWide?.message}`,
    });
  }
  return run.report;
}

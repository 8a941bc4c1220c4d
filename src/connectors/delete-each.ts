// Per-session deletes with bounded concurrency and a device-wide give-up, shared by the vendor drivers.
import { ConnectorError, type DeleteReport } from './connector.js';

/**
 * Deletes one session: resolves `accepted` or `missing` (the device says it has no such session), rejects with a
 * ConnectorError for any other failure. Anything else it throws is a bug and propagates.
 */
export type DeleteOne = (sessionId: string) => Promise<'accepted' | 'missing'>;

/** Failures that concern the device as a whole rather than one session. */
function isDeviceWide(error: ConnectorError): boolean {
  return error.code === 'unreachable' || error.code === 'timeout' || error.code === 'auth_failed';
}

/** Progress of one deleteEach call, shared by its workers. */
interface DeleteRun {
  ids: string[];
  next: number;
  /** Deletes the device answered (accepted, missing, or another HTTP error). */
  answered: number;
  /** Consecutive device-wide failures; reset by any answer. */
  streak: number;
  lastDeviceWide: ConnectorError | null;
  report: DeleteReport;
}

async function deleteInto(run: DeleteRun, deleteOne: DeleteOne, sessionId: string): Promise<void> {
  const outcome = await deleteOne(sessionId).catch((error: unknown) => error);
  if (outcome === 'accepted') {
    run.report.accepted.push(sessionId);
  } else if (outcome === 'missing') {
    run.report.missing.push(sessionId);
  } else if (!(outcome instanceof ConnectorError)) {
    throw outcome;
  } else {
    run.report.errors.push({ sessionId, message: outcome.message });
    if (isDeviceWide(outcome)) {
      run.lastDeviceWide = outcome;
      run.streak += 1;
      return;
    }
  }
  run.answered += 1;
  run.streak = 0;
}

/**
 * Runs `deleteOne` per distinct id, at most `concurrency` at a time. After a streak of device-wide failures
 * (unreachable, timeout, auth) the remaining ids are not attempted, so a dead device costs one wave of timeouts instead
 * of one per session; when the device answered no delete at all, that failure is thrown so the caller can retry the
 * device as a whole. Success is only the device's claim: callers verify by listing again.
 */
export async function deleteEach(
  sessionIds: readonly string[],
  concurrency: number,
  deleteOne: DeleteOne,
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
      await deleteInto(run, deleteOne, run.ids[run.next++] as string);
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

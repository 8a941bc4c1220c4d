// The verified kill on one device: delete what the selector picks, re-list, and believe only the re-list.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorError, type DeviceConnection } from '../connectors/connector.js';
import type { KillSelector } from '../core/model.js';
import { type KillPlan, type KillVerdict, planKill, verifyKill } from '../core/selector.js';

export interface RetryPolicy {
  /** Attempts in all, first one included. */
  attempts: number;
  /** Delay before the second attempt; doubled for each further one. */
  backoffMs: number;
}

export interface DeviceKillResult extends KillVerdict {
  ok: boolean;
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Runs the kill on one device. Transient failures are retried with exponential backoff, each attempt from a fresh
 * listing (sessions already gone then count as gone, never as errors); sessions still listed after their delete are
 * deleted once more on the next attempt, since a real BIG-IP sometimes reports success without killing.
 *
 * `planned` are the matching sessions the inventory already knows on this device (kill-by-user): the first attempt
 * deletes them without listing first, so a verified kill costs two round trips (delete, re-list) instead of three.
 * Sessions the re-list shows that the inventory did not know are deleted in a further round.
 */
export async function killOnDevice(
  connection: DeviceConnection,
  selector: KillSelector,
  explicitIds: readonly string[] | null,
  retry: RetryPolicy,
  planned: readonly string[] = [],
): Promise<DeviceKillResult> {
  const total: KillVerdict = { killed: [], notFound: [], failed: [] };
  let ids = explicitIds;
  let lastError: unknown;
  let attempt = 1;
  for (; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await sleep(retry.backoffMs * 2 ** (attempt - 2));
    try {
      const verdict = ids
        ? await attemptListedKill(connection, selector, ids)
        : await attemptSelectorKill(connection, selector, attempt === 1 ? planned : []);
      total.killed.push(...verdict.killed);
      total.notFound.push(...verdict.notFound);
      total.failed = verdict.failed;
      if (verdict.failed.length === 0 || attempt === retry.attempts) return verified(total, attempt);
      ids = verdict.failed;
    } catch (err) {
      lastError = err;
      if (!(err instanceof ConnectorError && err.transient)) break;
    }
  }
  const attempts = Math.min(attempt, retry.attempts);
  return { ...unexpectedFailure(lastError), ...total, attempts, failed: ids ? [...ids] : [] };
}

function verified(verdict: KillVerdict, attempts: number): DeviceKillResult {
  const ok = verdict.failed.length === 0;
  return {
    ...verdict,
    ok,
    attempts,
    errorCode: ok ? null : 'kill_unverified',
    errorMessage: ok ? null : `${verdict.failed.length} session(s) still listed after delete`,
  };
}

/** Explicit ids are checked against a listing first, so an id the device never had is reported not_found. */
async function attemptListedKill(
  connection: DeviceConnection,
  selector: KillSelector,
  ids: readonly string[],
): Promise<KillVerdict> {
  const plan: KillPlan = planKill(selector, ids, await connection.listSessions());
  if (plan.toKill.length === 0) return verifyKill(plan, []);
  const report = await connection.killSessions(plan.toKill);
  const stillListed = (await connection.listSessions()).map((s) => s.sessionId);
  return verifyKill(plan, stillListed, report.missing);
}

/** Rounds a selector kill may take while new matching sessions keep appearing on the device. */
const MAX_ROUNDS = 3;

async function attemptSelectorKill(
  connection: DeviceConnection,
  selector: KillSelector,
  planned: readonly string[],
): Promise<KillVerdict> {
  let candidates = planned.length > 0 ? [...planned] : planKill(selector, null, await connection.listSessions()).toKill;
  const verdict: KillVerdict = { killed: [], notFound: [], failed: [] };
  const attempted = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS && candidates.length > 0; round++) {
    for (const id of candidates) attempted.add(id);
    const report = await connection.killSessions(candidates);
    const listed = await connection.listSessions();
    const partial = verifyKill(
      { toKill: candidates, notFound: [] },
      listed.map((s) => s.sessionId),
      report.missing,
    );
    verdict.killed.push(...partial.killed);
    verdict.notFound.push(...partial.notFound);
    verdict.failed.push(...partial.failed);
    candidates = planKill(selector, null, listed).toKill.filter((id) => !attempted.has(id));
  }
  return verdict;
}

/** A device that could not be worked on at all: nothing killed, the error kept for the outcome. */
export function unexpectedFailure(err: unknown): DeviceKillResult {
  return {
    ok: false,
    attempts: 1,
    killed: [],
    notFound: [],
    failed: [],
    errorCode: err instanceof ConnectorError ? err.code : 'internal_error',
    errorMessage: err instanceof Error ? err.message : String(err),
  };
}

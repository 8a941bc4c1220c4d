// The verified kill on one device: list, delete what the selector picks, re-list, and believe only the re-list.
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
 */
export async function killOnDevice(
  connection: DeviceConnection,
  selector: KillSelector,
  explicitIds: readonly string[] | null,
  retry: RetryPolicy,
): Promise<DeviceKillResult> {
  const total: KillVerdict = { killed: [], notFound: [], failed: [] };
  let ids = explicitIds;
  let lastError: unknown;
  let attempt = 1;
  for (; attempt <= retry.attempts; attempt++) {
    if (attempt > 1) await sleep(retry.backoffMs * 2 ** (attempt - 2));
    try {
      const verdict = await attemptKill(connection, selector, ids);
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

async function attemptKill(
  connection: DeviceConnection,
  selector: KillSelector,
  explicitIds: readonly string[] | null,
): Promise<KillVerdict> {
  const listed = await connection.listSessions();
  const plan: KillPlan = planKill(selector, explicitIds, listed);
  if (plan.toKill.length === 0) return verifyKill(plan, []);
  const report = await connection.killSessions(plan.toKill);
  const stillListed = (await connection.listSessions()).map((s) => s.sessionId);
  return verifyKill(plan, stillListed, report.missing);
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

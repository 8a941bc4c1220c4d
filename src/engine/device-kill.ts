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
 * Runs the kill on one device, retrying transient failures with exponential backoff. Each attempt starts from a
 * fresh listing, so a retry after a partial delete treats sessions already gone as gone, never as errors.
 */
export async function killOnDevice(
  connection: DeviceConnection,
  selector: KillSelector,
  explicitIds: readonly string[] | null,
  retry: RetryPolicy,
): Promise<DeviceKillResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      const verdict = await attemptKill(connection, selector, explicitIds);
      const ok = verdict.failed.length === 0;
      return {
        ...verdict,
        ok,
        attempts: attempt,
        errorCode: ok ? null : 'kill_unverified',
        errorMessage: ok ? null : `${verdict.failed.length} session(s) still listed after delete`,
      };
    } catch (err) {
      lastError = err;
      const transient = err instanceof ConnectorError && err.transient;
      if (!transient || attempt === retry.attempts) break;
      await sleep(retry.backoffMs * 2 ** (attempt - 1));
    }
  }
  return failedResult(lastError, explicitIds, retry.attempts);
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

function failedResult(err: unknown, explicitIds: readonly string[] | null, attempts: number): DeviceKillResult {
  const code = err instanceof ConnectorError ? err.code : 'internal_error';
  const message = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    attempts,
    killed: [],
    notFound: [],
    failed: explicitIds ? [...explicitIds] : [],
    errorCode: code,
    errorMessage: message,
  };
}

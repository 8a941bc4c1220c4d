// The verified kill on one device: delete what the selector picks, re-list, and believe only the listing.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorError, type DeviceConnection, type DeviceSession } from '../connectors/connector.js';
import type { KillSelector } from '../core/model.js';
import { type KillVerdict, sessionMatches } from '../core/selector.js';
import { KillLedger } from './kill-ledger.js';

export interface RetryPolicy {
  /** Attempts in all, first one included. */
  attempts: number;
  /** Delay before the second attempt; doubled for each further one. */
  backoffMs: number;
}

export interface DeviceKillResult extends KillVerdict {
  ok: boolean;
  attempts: number;
  /** The device answered at least one listing during this kill (else only the inventory knows what is there). */
  listed: boolean;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface DeviceKillRequest {
  selector: KillSelector;
  /** KILL_BY_LIST_OF_SESSIONS: the ids named for this device; null = select on the device's listing. */
  explicitIds: readonly string[] | null;
  retry: RetryPolicy;
  /**
   * Matching sessions the inventory already knows on this device (kill-by-user): the first round deletes them without
   * listing first, so a verified kill costs two round trips (delete, re-list) instead of three.
   */
  planned?: readonly string[];
  /** Ids deletes were sent for before this run (write-ahead record of a task resumed after a crash). */
  priorAttempts?: readonly string[];
  /**
   * Durably records the full set of ids deletes are about to be sent for, before they are sent. Throws
   * LeaseLostError when this node no longer owns the device (then nothing is sent).
   */
  writeAhead(attempted: readonly string[]): Promise<void>;
}

/** This node lost the device's lease: another node owns its outcome now. */
export class LeaseLostError extends Error {
  constructor() {
    super('device lease lost to another node');
    this.name = 'LeaseLostError';
  }
}

/** Rounds for sessions that appear while the kill runs (users logging in again), on top of retries. */
const MAX_NEW_ROUNDS = 3;

/**
 * Runs the kill on one device until a listing taken after the last delete shows none of the targeted sessions, or
 * the budget is spent: transient failures are retried with exponential backoff, sessions still listed after their
 * delete are deleted again (a BIG-IP can answer "deleted" without killing), and both count as attempts. Whatever
 * happens, outcomes come from listings: after errors the device is listed once more before anything is decided.
 */
export async function killOnDevice(
  connection: DeviceConnection,
  request: DeviceKillRequest,
): Promise<DeviceKillResult> {
  const { retry } = request;
  const ledger = new KillLedger(request.explicitIds, request.priorAttempts ?? []);
  const backoff = (n: number) => sleep(retry.backoffMs * 2 ** (n - 1));
  let attempts = 1;
  let newRounds = 0;
  let lastError: unknown;
  let listing: DeviceSession[] | null = null;
  let planned = request.explicitIds ? [] : [...(request.planned ?? [])];
  for (;;) {
    try {
      if (listing === null && planned.length === 0) listing = ledger.observe(await connection.listSessions());
      const candidates = listing === null ? planned : ledger.candidates(listing, (s) => matches(request, s));
      planned = [];
      if (candidates.length === 0) break;
      const stale = candidates.some((id) => ledger.attemptedThisRun(id));
      if (stale && attempts >= retry.attempts) break;
      if (!stale && newRounds >= MAX_NEW_ROUNDS) break;
      if (stale) await backoff(attempts++);
      else newRounds += 1;
      await request.writeAhead(ledger.attempting(candidates));
      listing = null;
      ledger.deleted(await connection.killSessions(candidates));
      listing = ledger.observe(await connection.listSessions());
    } catch (err) {
      if (err instanceof LeaseLostError) throw err;
      lastError = err;
      if (err instanceof ConnectorError && err.code !== 'auth_failed') ledger.answered ||= !isDeviceWide(err);
      if (!(err instanceof ConnectorError && err.transient) || attempts >= retry.attempts) break;
      await backoff(attempts++);
    }
  }
  if (!ledger.verified) await verifyOnceMore(connection, ledger, retry);
  return resultOf(ledger, attempts, lastError);
}

/** After errors cut the kill short: list again so the outcome says what the device really has. */
async function verifyOnceMore(connection: DeviceConnection, ledger: KillLedger, retry: RetryPolicy): Promise<void> {
  if (!ledger.answered) return; // a dead device: another wave of timeouts would tell nothing new
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      ledger.observe(await connection.listSessions());
      return;
    } catch (err) {
      if (!(err instanceof ConnectorError && err.transient)) return;
      await sleep(retry.backoffMs * 2 ** (attempt - 1));
    }
  }
}

function matches(request: DeviceKillRequest, session: DeviceSession): boolean {
  return sessionMatches(request.selector, session);
}

function isDeviceWide(error: ConnectorError): boolean {
  return error.code === 'unreachable' || error.code === 'timeout';
}

function resultOf(ledger: KillLedger, attempts: number, lastError: unknown): DeviceKillResult {
  const verdict = ledger.verdict();
  const ok = verdict.failed.length === 0 && ledger.verified;
  const base = { ...verdict, ok, attempts, listed: ledger.listed };
  if (ok) return { ...base, errorCode: null, errorMessage: null };
  if (lastError !== undefined && !ledger.verified) {
    return { ...base, errorCode: errorCodeOf(lastError), errorMessage: messageOf(lastError) };
  }
  const still = `${verdict.failed.length} session(s) still listed after delete`;
  if (lastError === undefined) return { ...base, errorCode: 'kill_unverified', errorMessage: still };
  return { ...base, errorCode: errorCodeOf(lastError), errorMessage: `${still}; last error: ${messageOf(lastError)}` };
}

function errorCodeOf(err: unknown): string {
  return err instanceof ConnectorError ? err.code : 'internal_error';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A device that could not be worked on at all: nothing killed, the error kept for the outcome. */
export function unexpectedFailure(err: unknown): DeviceKillResult {
  return {
    ok: false,
    attempts: 1,
    listed: false,
    killed: [],
    notFound: [],
    failed: [],
    errorCode: errorCodeOf(err),
    errorMessage: messageOf(err),
  };
}

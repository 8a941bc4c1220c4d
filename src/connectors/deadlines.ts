// Per-request deadlines without a timer per request. `AbortSignal.timeout` arms a timer and, on expiry, builds a
// DOMException for every request; at a thousand devices that showed as 3 % of a kill's CPU. Here one repeating timer
// (only while requests are in flight) aborts whatever is past its deadline, at a resolution of SWEEP_MS.
const SWEEP_MS = 20;

interface Pending {
  readonly at: number;
  readonly controller: AbortController;
}

const pending = new Set<Pending>();
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = performance.now();
  for (const entry of pending) {
    if (entry.at > now) continue;
    pending.delete(entry);
    entry.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }
  if (pending.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

export interface Deadline {
  readonly signal: AbortSignal;
  /** Call when the request is over (answered or failed), so the deadline is forgotten. */
  clear(): void;
}

/** A signal that aborts with a `TimeoutError` once `ms` have passed (within SWEEP_MS). */
export function deadline(ms: number): Deadline {
  const entry: Pending = { at: performance.now() + ms, controller: new AbortController() };
  pending.add(entry);
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_MS);
    // A request in flight keeps its socket (and so the process) alive; the sweeper must not on its own.
    sweeper.unref();
  }
  return { signal: entry.controller.signal, clear: () => pending.delete(entry) };
}

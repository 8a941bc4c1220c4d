// Device outcomes arrive one by one from hundreds of concurrent device calls; writing each in its own transaction
// would serialise the fan-out on the database. They are buffered and persisted as one batch per tick instead.
import type { TargetOutcome } from '../store/store.js';
import { errorFields, type Logger, silentLogger } from './log.js';

export type PersistOutcomes = (batch: readonly TargetOutcome[]) => Promise<void>;

/** Delay before a failed batch is written again. */
const RETRY_MS = 500;

export class OutcomeWriter {
  readonly #persist: PersistOutcomes;
  readonly #flushMs: number;
  #buffer: TargetOutcome[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  readonly #log: Logger;

  constructor(persist: PersistOutcomes, flushMs: number, log: Logger = silentLogger) {
    this.#persist = persist;
    this.#flushMs = flushMs;
    this.#log = log;
  }

  add(outcome: TargetOutcome): void {
    this.#buffer.push(outcome);
    this.#schedule(this.#flushMs);
  }

  #schedule(delayMs: number): void {
    // A failed write is logged here and retried on the next tick; flush()'s own callers see the rejection.
    this.#timer ??= setTimeout(
      () =>
        void this.flush().catch((err: unknown) =>
          this.#log.warn(errorFields(err), 'writing device outcomes failed; retrying'),
        ),
      delayMs,
    );
  }

  /** Stops retrying in the background (the worker is stopping; what is still buffered is lost with the lease). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Persists everything buffered so far; resolves when it is durable. Batches never overlap. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    const run = this.#writing.then(() => (batch.length > 0 ? this.#persist(batch) : undefined));
    // A failed write keeps its outcomes buffered and schedules another flush (backing off), so they are written as
    // soon as the store takes them again, not only when the next outcome arrives.
    this.#writing = run.catch(() => {
      this.#buffer = [...batch, ...this.#buffer];
      this.#schedule(Math.max(this.#flushMs, RETRY_MS));
    });
    return run;
  }
}

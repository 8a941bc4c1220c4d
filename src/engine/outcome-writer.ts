// Device outcomes arrive one by one from hundreds of concurrent device calls; writing each in its own transaction
// would serialise the fan-out on the database. They are buffered and persisted as one batch per tick instead.
import type { TargetOutcome } from '../store/store.js';

export type PersistOutcomes = (batch: readonly TargetOutcome[]) => Promise<void>;

export class OutcomeWriter {
  readonly #persist: PersistOutcomes;
  readonly #flushMs: number;
  #buffer: TargetOutcome[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(persist: PersistOutcomes, flushMs: number) {
    this.#persist = persist;
    this.#flushMs = flushMs;
  }

  add(outcome: TargetOutcome): void {
    this.#buffer.push(outcome);
    this.#timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.#flushMs);
  }

  /** Persists everything buffered so far; resolves when it is durable. Batches never overlap. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    const run = this.#writing.then(() => (batch.length > 0 ? this.#persist(batch) : undefined));
    // A failed write keeps its outcomes buffered, so the next flush tries them again.
    this.#writing = run.catch(() => {
      this.#buffer = [...batch, ...this.#buffer];
    });
    return run;
  }
}

// A small value read from the database and kept in memory for a short time (the inventory generation, the
// configuration revision): read on nearly every request, changed rarely. Changes committed through this store are seen
// by the next read (the writers call `committed()`); changes committed by other nodes within `maxAgeMs`.
export class KeptRead {
  readonly #read: () => Promise<number>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** Counts changes committed through this store; a read started before one is not kept. */
  #epoch = 0;
  #kept: { value: Promise<number>; at: number; epoch: number } | undefined;

  constructor(read: () => Promise<number>, maxAgeMs: number, now = () => performance.now()) {
    this.#read = read;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /** The value, at most `maxAgeMs` old (never older than this store's own committed changes). */
  read(): Promise<number> {
    const now = this.#now();
    const kept = this.#kept;
    if (kept && kept.epoch === this.#epoch && now - kept.at < this.#maxAgeMs) return kept.value;
    const value = this.#read();
    // Concurrent readers share the read in flight; a failed read is not kept.
    const entry = { value, at: now, epoch: this.#epoch };
    this.#kept = entry;
    value.catch(() => {
      if (this.#kept === entry) this.#kept = undefined;
    });
    return value;
  }

  /** A change has committed (or may have) through this store: the next read goes to the database. */
  committed(): void {
    this.#epoch++;
    this.#kept = undefined;
  }
}

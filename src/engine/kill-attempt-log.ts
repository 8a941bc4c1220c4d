// The write-ahead log of kill attempts: a device's kill awaits `record` before its deletes leave the node. Devices
// killed at once (a fleet-wide kill) are coalesced into one store transaction per event-loop turn.
import type { KillAttempt, TargetLeaseStore } from '../store/store.js';
import { LeaseLostError } from './device-kill.js';

interface Waiting {
  attempt: KillAttempt;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class KillAttemptLog {
  readonly #store: Pick<TargetLeaseStore, 'recordKillAttempts'>;
  readonly #owner: string;
  #waiting: Waiting[] = [];

  constructor(store: Pick<TargetLeaseStore, 'recordKillAttempts'>, owner: string) {
    this.#store = store;
    this.#owner = owner;
  }

  /** Resolves once the attempt is durable; rejects with LeaseLostError when this node no longer owns the device. */
  record(attempt: KillAttempt): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => void this.#flush());
      this.#waiting.push({ attempt, resolve, reject });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    try {
      const written = await this.#store.recordKillAttempts(
        batch.map((w) => w.attempt),
        this.#owner,
      );
      const keys = new Set(written.map((a) => `${a.taskId}\u0000${a.deviceId}`));
      for (const w of batch) {
        if (keys.has(`${w.attempt.taskId}\u0000${w.attempt.deviceId}`)) w.resolve();
        else w.reject(new LeaseLostError());
      }
    } catch (error) {
      // Nothing was recorded, so no delete may be sent: each device's kill ends with this error as its reason.
      for (const w of batch) w.reject(error);
    }
  }
}

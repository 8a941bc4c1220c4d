// Which devices a kill is working on right now, on this node. Inventory sync leaves those devices alone (the kill
// lists them anyway, and an incident-time kill must not queue behind a sync for the device's connections), and holds
// back while any kill runs, so kills get the CPU first.
export class DeviceActivity {
  readonly #kills = new Map<string, number>();
  #idleWaiters: (() => void)[] = [];

  begin(deviceId: string): void {
    this.#kills.set(deviceId, (this.#kills.get(deviceId) ?? 0) + 1);
  }

  end(deviceId: string): void {
    const left = (this.#kills.get(deviceId) ?? 1) - 1;
    if (left > 0) this.#kills.set(deviceId, left);
    else this.#kills.delete(deviceId);
    if (this.#kills.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Resolves when no kill runs on this node, or after `maxWaitMs` (a kill stuck on dead devices never starves sync). */
  idle(maxWaitMs: number): Promise<void> {
    if (this.#kills.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  killing(deviceId: string): boolean {
    return this.#kills.has(deviceId);
  }
}

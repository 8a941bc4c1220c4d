// Which devices a kill is working on right now, on this node. Inventory sync leaves those devices alone: the kill
// lists them anyway, and an incident-time kill must not queue behind a sync for the device's connections.
export class DeviceActivity {
  readonly #kills = new Map<string, number>();

  begin(deviceId: string): void {
    this.#kills.set(deviceId, (this.#kills.get(deviceId) ?? 0) + 1);
  }

  end(deviceId: string): void {
    const left = (this.#kills.get(deviceId) ?? 1) - 1;
    if (left > 0) this.#kills.set(deviceId, left);
    else this.#kills.delete(deviceId);
  }

  killing(deviceId: string): boolean {
    return this.#kills.has(deviceId);
  }
}

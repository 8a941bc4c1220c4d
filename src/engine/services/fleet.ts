// The inventory as the edges read it: devices with their health and HA role, clusters, access groups, and how many
// live sessions each device holds — read together, for views that need them all (resolvers, device groups).
import type { AccessGroup, Cluster, Device } from '../../core/model.js';
import type { DeviceStore, SessionStore } from '../../store/store.js';

export interface FleetSnapshot {
  devices: Device[];
  clusters: Cluster[];
  accessGroups: AccessGroup[];
  /** Active sessions per device id. */
  sessionCounts: Map<string, number>;
}

export type FleetReadStore = Pick<DeviceStore, 'listDevices' | 'listClusters' | 'listAccessGroups'> &
  Pick<SessionStore, 'countSessionsByDevice'>;

export class FleetQueries {
  readonly #store: FleetReadStore;

  constructor(store: FleetReadStore) {
    this.#store = store;
  }

  devices(): Promise<Device[]> {
    return this.#store.listDevices();
  }

  async snapshot(): Promise<FleetSnapshot> {
    const [devices, clusters, accessGroups, sessionCounts] = await Promise.all([
      this.#store.listDevices(),
      this.#store.listClusters(),
      this.#store.listAccessGroups(),
      this.#store.countSessionsByDevice(),
    ]);
    return { devices, clusters, accessGroups, sessionCounts };
  }
}

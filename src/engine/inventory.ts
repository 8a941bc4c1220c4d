// Adding, changing and removing devices outside configuration transactions (the CLI, the lab): written through the
// store's one fleet-write path (writeFleet: the same writes as a configuration commit, in one database transaction,
// with a revision, a commit record and the audit event), credentials sealed in the store.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../core/kill-request.js';
import type { Device, DeviceKind } from '../core/model.js';
import type { ConfigStore, DeviceStore, FleetOp, SettingStore } from '../store/store.js';
import { COLLECTION_HREFS } from './config/config-model.js';
import type { DeviceConnections } from './connections.js';

export interface DeviceRegistration {
  id?: string;
  hostname: string;
  address: string;
  port: number;
  kind: DeviceKind;
  username: string;
  password: string;
  verifyTls: boolean;
  cluster?: string | null;
  accessGroup?: string | null;
}

export type InventoryStore = Pick<ConfigStore, 'writeFleet'> &
  Pick<DeviceStore, 'findDeviceById'> &
  Pick<SettingStore, 'getSetting' | 'setSetting'>;

const devicePath = (id: string) => `${COLLECTION_HREFS.devices}/${id}`;

export class InventoryService {
  readonly #store: InventoryStore;
  readonly #connections: Pick<DeviceConnections, 'drop'>;

  constructor(store: InventoryStore, connections: Pick<DeviceConnections, 'drop'>) {
    this.#store = store;
    this.#connections = connections;
  }

  /** Registers a device with its credential; its cluster and access group are created when new. */
  async addDevice(registration: DeviceRegistration, actor: Actor): Promise<Device> {
    const device = deviceOf(registration);
    const { username, password } = registration;
    const ops: FleetOp[] = [{ op: 'putCredential', ref: device.credentialRef as string, username, password }];
    if (device.cluster) ops.push({ op: 'putCluster', cluster: { name: device.cluster, description: '' } });
    if (device.accessGroup) {
      ops.push({ op: 'putAccessGroup', group: { name: device.accessGroup, description: '' } });
    }
    ops.push({ op: 'insertDevice', device });
    const details = { hostname: device.hostname, address: device.address, kind: device.kind };
    await this.#write(ops, device.id, actor, 'device.add', details);
    return device;
  }

  async removeDevice(id: string, actor: Actor): Promise<boolean> {
    const device = await this.#store.findDeviceById(id);
    if (!device) return false;
    await this.#connections.drop(id);
    const ops: FleetOp[] = [{ op: 'deleteDevice', id }];
    if (device.credentialRef) ops.push({ op: 'deleteCredential', ref: device.credentialRef });
    await this.#write(ops, id, actor, 'device.remove', { hostname: device.hostname });
    return true;
  }

  /** Points a device at another address and port (a restarted lab); false when there is no such device. */
  async moveDevice(id: string, address: string, port: number, actor: Actor): Promise<boolean> {
    const device = await this.#store.findDeviceById(id);
    if (!device) return false;
    if (device.address === address && device.port === port) return true;
    await this.#write([{ op: 'updateDevice', device: { ...device, address, port } }], id, actor, 'device.move', {
      address,
      port,
    });
    await this.#connections.drop(id);
    return true;
  }

  /**
   * Makes the inventory hold exactly these lab devices of one kind (`setting` remembers which ids are the lab's):
   * devices of an earlier, larger lab are removed, known ones pointed at this run's ports, new ones added.
   */
  async adoptLab(setting: string, registrations: readonly DeviceRegistration[], actor: Actor): Promise<void> {
    const current = new Set(registrations.map((r) => r.id));
    const previous = JSON.parse((await this.#store.getSetting(setting)) ?? '[]') as string[];
    for (const id of previous) if (!current.has(id)) await this.removeDevice(id, actor);
    await this.#store.setSetting(setting, JSON.stringify([...current]));
    for (const registration of registrations) {
      const moved =
        registration.id !== undefined &&
        (await this.moveDevice(registration.id, registration.address, registration.port, actor));
      if (!moved) await this.addDevice(registration, actor);
    }
  }

  async #write(
    ops: FleetOp[],
    id: string,
    actor: Actor,
    action: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const at = Date.now();
    const audit = [{ at, actor: actor.name, address: actor.address, action, subject: id, details }];
    const message = `${action} by ${actor.name} (${actor.address})`;
    await this.#store.writeFleet({
      ops,
      paths: [devicePath(id)],
      at,
      actor: actor.name,
      address: actor.address,
      message,
      audit,
    });
  }
}

function deviceOf(registration: DeviceRegistration): Device {
  const id = registration.id ?? randomUUID();
  return {
    id,
    hostname: registration.hostname,
    address: registration.address,
    port: registration.port,
    kind: registration.kind,
    credentialRef: `device:${id}`,
    verifyTls: registration.verifyTls,
    cluster: registration.cluster ?? null,
    accessGroup: registration.accessGroup ?? null,
    state: 'unknown',
    failover: 'UNKNOWN',
    lastSyncAt: null,
    lastError: null,
  };
}

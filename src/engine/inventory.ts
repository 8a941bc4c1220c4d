// Adding, changing and removing devices: the inventory as the engine sees it, credentials sealed in the store.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../core/kill-request.js';
import type { Device, DeviceKind } from '../core/model.js';
import type { Store } from '../store/store.js';
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

export class InventoryService {
  readonly #store: Store;
  readonly #connections: DeviceConnections;

  constructor(store: Store, connections: DeviceConnections) {
    this.#store = store;
    this.#connections = connections;
  }

  /** Registers a device with its credential; its cluster and access group are created when new. */
  async addDevice(registration: DeviceRegistration, actor: Actor): Promise<Device> {
    const id = registration.id ?? randomUUID();
    const credentialRef = `device:${id}`;
    await this.#store.putCredential(credentialRef, {
      username: registration.username,
      password: registration.password,
    });
    const device: Device = {
      id,
      hostname: registration.hostname,
      address: registration.address,
      port: registration.port,
      kind: registration.kind,
      credentialRef,
      verifyTls: registration.verifyTls,
      cluster: registration.cluster ?? null,
      accessGroup: registration.accessGroup ?? null,
      state: 'unknown',
      failover: 'UNKNOWN',
      lastSyncAt: null,
      lastError: null,
    };
    if (device.cluster) await this.#store.upsertCluster({ name: device.cluster, description: '' });
    if (device.accessGroup) await this.#store.upsertAccessGroup({ name: device.accessGroup, description: '' });
    await this.#store.insertDevice(device);
    await this.#audit(actor, 'device.add', id, {
      hostname: device.hostname,
      address: device.address,
      kind: device.kind,
    });
    return device;
  }

  async removeDevice(id: string, actor: Actor): Promise<boolean> {
    const device = await this.#store.findDeviceById(id);
    if (!device) return false;
    await this.#connections.drop(id);
    await this.#store.deleteDeviceById(id);
    if (device.credentialRef) await this.#store.deleteCredential(device.credentialRef);
    await this.#audit(actor, 'device.remove', id, { hostname: device.hostname });
    return true;
  }

  async #audit(actor: Actor, action: string, subject: string, details: Record<string, unknown>): Promise<void> {
    await this.#store.appendAudit({
      at: Date.now(),
      actor: actor.name,
      address: actor.address,
      action,
      subject,
      details,
    });
  }
}

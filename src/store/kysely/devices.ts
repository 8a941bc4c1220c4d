// Devices, clusters, access groups and device credentials: reads, and device health from inventory sync. They are
// written only through configuration commits and writeFleet (configuration.ts).
import type { Kysely } from 'kysely';
import type { Device, DeviceCredential } from '../../core/model.js';
import type { SecretBox } from '../secret-box.js';
import type { CredentialStore, DeviceHealthUpdate, DeviceStore } from '../store.js';
import { deviceFromRow } from './rows.js';
import type { Database } from './schema.js';

export function deviceStore(db: Kysely<Database>): DeviceStore {
  return {
    async listDevices(): Promise<Device[]> {
      const rows = await db.selectFrom('devices').selectAll().orderBy('hostname').execute();
      return rows.map(deviceFromRow);
    },

    async findDeviceById(id: string): Promise<Device | undefined> {
      const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? deviceFromRow(row) : undefined;
    },

    async updateDeviceHealth(id: string, update: DeviceHealthUpdate): Promise<void> {
      await db
        .updateTable('devices')
        .set({
          state: update.state,
          last_error: update.lastError,
          ...(update.failover !== undefined && { failover: update.failover }),
          ...(update.lastSyncAt !== undefined && { last_sync_at: update.lastSyncAt }),
        })
        .where('id', '=', id)
        .execute();
    },

    listClusters: () => db.selectFrom('clusters').selectAll().orderBy('name').execute(),
    listAccessGroups: () => db.selectFrom('access_groups').selectAll().orderBy('name').execute(),
  };
}

export function credentialStore(db: Kysely<Database>, box: SecretBox): CredentialStore {
  return {
    async findCredential(ref: string): Promise<DeviceCredential | undefined> {
      const row = await db.selectFrom('credentials').selectAll().where('ref', '=', ref).executeTakeFirst();
      return row ? { username: row.username, password: box.open(row.sealed_password) } : undefined;
    },
  };
}

// Devices, clusters, access groups and device credentials.
import type { Kysely } from 'kysely';
import { DomainError } from '../../core/errors.js';
import type { AccessGroup, Cluster, Device, DeviceCredential } from '../../core/model.js';
import type { SecretBox } from '../secret-box.js';
import type { CredentialStore, DeviceHealthUpdate, DeviceStore } from '../store.js';
import { isUniqueViolation } from './dialect.js';
import { deviceFromRow, deviceToRow } from './rows.js';
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

    async insertDevice(device: Device): Promise<void> {
      try {
        await db.insertInto('devices').values(deviceToRow(device)).execute();
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new DomainError(
            'conflict',
            'DEVICE_EXISTS',
            `a device with id ${device.id} or hostname ${device.hostname} exists`,
          );
        }
        throw err;
      }
    },

    async updateDevice(device: Device): Promise<boolean> {
      const { id, state, failover, last_sync_at, last_error, ...configured } = deviceToRow(device);
      const result = await db.updateTable('devices').set(configured).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async deleteDeviceById(id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('device_id', '=', id).execute();
        const result = await trx.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
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
    upsertCluster: (cluster: Cluster) => upsertNamed(db, 'clusters', cluster),
    deleteClusterByName: (name: string) => deleteNamed(db, 'clusters', name),
    listAccessGroups: () => db.selectFrom('access_groups').selectAll().orderBy('name').execute(),
    upsertAccessGroup: (group: AccessGroup) => upsertNamed(db, 'access_groups', group),
    deleteAccessGroupByName: (name: string) => deleteNamed(db, 'access_groups', name),
  };
}

async function upsertNamed(db: Kysely<Database>, table: 'clusters' | 'access_groups', row: Cluster): Promise<void> {
  await db
    .insertInto(table)
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ description: row.description }))
    .execute();
}

async function deleteNamed(db: Kysely<Database>, table: 'clusters' | 'access_groups', name: string): Promise<boolean> {
  const result = await db.deleteFrom(table).where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function credentialStore(db: Kysely<Database>, box: SecretBox): CredentialStore {
  return {
    async putCredential(ref: string, credential: DeviceCredential): Promise<void> {
      const row = { ref, username: credential.username, sealed_password: box.seal(credential.password) };
      await db
        .insertInto('credentials')
        .values(row)
        .onConflict((oc) =>
          oc.column('ref').doUpdateSet({ username: row.username, sealed_password: row.sealed_password }),
        )
        .execute();
    },

    async findCredential(ref: string): Promise<DeviceCredential | undefined> {
      const row = await db.selectFrom('credentials').selectAll().where('ref', '=', ref).executeTakeFirst();
      return row ? { username: row.username, password: box.open(row.sealed_password) } : undefined;
    },

    async deleteCredential(ref: string): Promise<boolean> {
      const result = await db.deleteFrom('credentials').where('ref', '=', ref).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

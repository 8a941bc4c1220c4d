// Per-device sync leases: inventory sync is partitioned between nodes, each device polled by the node holding it.
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Device } from '../../core/model.js';
import type { SyncLeaseStore } from '../store.js';
import { type DialectTraits, skipLockedFor } from './dialect.js';
import { deviceFromRow } from './rows.js';
import type { Database } from './schema.js';

export function syncLeaseStore(db: Kysely<Database>, traits: DialectTraits): SyncLeaseStore {
  return {
    async claimSyncDevices(owner: string, now: number, leaseMs: number): Promise<Device[]> {
      const claimable = (eb: ExpressionBuilder<Database, 'devices'>) =>
        eb.or([
          eb('sync_lease_owner', '=', owner),
          eb('sync_lease_until', 'is', null),
          eb('sync_lease_until', '<', now),
        ]);
      const candidates = db
        .selectFrom('devices as d')
        .select('d.id')
        .where((eb) =>
          eb.or([
            eb('d.sync_lease_owner', '=', owner),
            eb('d.sync_lease_until', 'is', null),
            eb('d.sync_lease_until', '<', now),
          ]),
        )
        .$call(skipLockedFor(traits, 'd'));
      // The outer conditions repeat the inner ones: of two claimers racing for a device, only the first update matches.
      const rows = await db
        .updateTable('devices')
        .set({ sync_lease_owner: owner, sync_lease_until: now + leaseMs })
        .where(sql<boolean>`id in (${candidates})`)
        .where(claimable)
        .returningAll()
        .execute();
      return rows.map(deviceFromRow).sort((a, b) => a.hostname.localeCompare(b.hostname));
    },

    async releaseSyncLeases(owner: string): Promise<void> {
      await db
        .updateTable('devices')
        .set({ sync_lease_owner: null, sync_lease_until: null })
        .where('sync_lease_owner', '=', owner)
        .execute();
    },
  };
}

// Per-device sync leases: inventory sync is partitioned between nodes, each device polled by the node holding it, and
// balanced across the live nodes.
//
// Balancing (issue 14). Without it the first node to run a round took every free device and kept renewing them, so
// the other nodes synced nothing. Now each round a node:
//   1. announces itself in `sync_nodes`: live until `now + leaseMs`, the same moment the leases it takes this round
//      end. A node counts as live exactly as long as its leases do, so when a dead node's devices become claimable the
//      survivors' shares already leave room for them (a longer window would leave its devices unpolled until it ages
//      out; a node stopping withdraws at once);
//   2. computes its fair share, ⌈devices / live nodes⌉ (the ceiling: the shares always cover every device);
//   3. renews every lease it holds — also those above its share, since it polls them in this round;
//   4. claims free or expired devices (longest unheld first) only up to its share;
//   5. reports the devices above its share as `handOff`: the engine hands them off after polling them, so they pass
//      to a node under its share with no gap in polling (devices are never dropped before they are polled).
// A node above its share thus sheds the excess in one round and the others fill up in their next; nobody moves once
// every node is at or under its share. A node that joins lowers the others' shares; one that dies stops counting
// when its leases expire, raising them. Ties and races only make a node's view of the live nodes briefly stale; the
// one-holder-per-device guarantee never depends on it: renewals match the holder only, and claims are
// compare-and-set (with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so racing claimers take disjoint devices). On SQLite
// (one node) the share is every device.
import { type Kysely, sql } from 'kysely';
import type { SyncClaim, SyncLeaseStore } from '../store.js';
import { type DialectTraits, skipLockedFor } from './dialect.js';
import { chunk, deviceFromRow } from './rows.js';
import type { Database } from './schema.js';

export function syncLeaseStore(db: Kysely<Database>, traits: DialectTraits): SyncLeaseStore {
  return {
    async claimSyncDevices(owner: string, now: number, leaseMs: number): Promise<SyncClaim> {
      const until = now + leaseMs;
      await db
        .insertInto('sync_nodes')
        .values({ node_id: owner, seen_at: now, live_until: until })
        .onConflict((oc) => oc.column('node_id').doUpdateSet({ seen_at: now, live_until: until }))
        .execute();
      // Nodes gone for a lease past their end: they count for nothing already; this keeps the table small.
      await db
        .deleteFrom('sync_nodes')
        .where('live_until', '<', now - leaseMs)
        .execute();
      const counts = await db
        .selectNoFrom((eb) => [
          eb.selectFrom('devices').select(eb.fn.countAll().as('n')).as('devices'),
          eb.selectFrom('sync_nodes').select(eb.fn.countAll().as('n')).where('live_until', '>=', now).as('nodes'),
        ])
        .executeTakeFirstOrThrow();
      const share = Math.ceil(Number(counts.devices) / Math.max(1, Number(counts.nodes)));

      const held = await db
        .updateTable('devices')
        .set({ sync_lease_until: until })
        .where('sync_lease_owner', '=', owner)
        .returningAll()
        .execute();
      const room = share - held.length;
      const claimed = room > 0 ? await claimFree(owner, now, until, room) : [];

      const byHostname = (a: { hostname: string }, b: { hostname: string }) => a.hostname.localeCompare(b.hostname);
      const kept = held.map(deviceFromRow).sort(byHostname);
      return {
        devices: [...kept, ...claimed.map(deviceFromRow)].sort(byHostname),
        handOff: kept.slice(share).map((d) => d.id),
      };
    },

    async handOffSyncDevices(owner: string, deviceIds: readonly string[], now: number): Promise<number> {
      let freed = 0;
      for (const part of chunk(deviceIds, 1, traits.maxParams - 1)) {
        const result = await db
          .updateTable('devices')
          .set({ sync_lease_owner: null, sync_lease_until: now })
          .where('sync_lease_owner', '=', owner)
          .where('id', 'in', part)
          .executeTakeFirst();
        freed += Number(result.numUpdatedRows);
      }
      return freed;
    },

    async releaseSyncLeases(owner: string): Promise<void> {
      await db.deleteFrom('sync_nodes').where('node_id', '=', owner).execute();
      await db
        .updateTable('devices')
        .set({ sync_lease_owner: null, sync_lease_until: null })
        .where('sync_lease_owner', '=', owner)
        .execute();
    },
  };

  /** Claims up to `limit` devices no live lease holds for `owner` until `until`. */
  async function claimFree(owner: string, now: number, until: number, limit: number) {
    const candidates = db
      .selectFrom('devices as d')
      .select('d.id')
      .where((eb) =>
        eb.or([
          eb('d.sync_lease_owner', 'is', null),
          eb('d.sync_lease_until', 'is', null),
          eb('d.sync_lease_until', '<', now),
        ]),
      )
      // Longest unheld first: never held or released by a stopping node (null), then by when the last lease ended or
      // the device was handed off.
      .orderBy(sql`coalesce(d.sync_lease_until, 0)`)
      .orderBy('d.id')
      .limit(limit)
      .$call(skipLockedFor(traits, 'd'));
    // The outer conditions repeat the inner ones: of two claimers racing for a device, only the first update matches.
    return db
      .updateTable('devices')
      .set({ sync_lease_owner: owner, sync_lease_until: until })
      .where(sql<boolean>`id in (${candidates})`)
      .where((eb) =>
        eb.or([
          eb('sync_lease_owner', 'is', null),
          eb('sync_lease_until', 'is', null),
          eb('sync_lease_until', '<', now),
        ]),
      )
      .returningAll()
      .execute();
  }
}

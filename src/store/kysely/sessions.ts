// The fleet-wide session inventory, refreshed per device by inventory sync, with the history of ended sessions.
// The older queries (list, count per device) mean active sessions only: `ended_at IS NULL`.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Session } from '../../core/model.js';
import type { SessionQuery, SessionStore } from '../store.js';
import type { DialectTraits } from './dialect.js';
import type { InventoryGeneration } from './inventory-generation.js';
import { chunk, lastSeenAtOfEnding, sessionFromRow } from './rows.js';
import type { Database, SessionTable } from './schema.js';
import { findSessionRecord, findSessionsByNativeId, MatchCounts, searchSessions } from './session-search.js';

const ORDER_COLUMNS = { startedAt: 'started_at', user: 'user_name', deviceId: 'device_id' } as const;
/** Expired history is purged from sync at most this often. */
const PURGE_EVERY_MS = 60_000;

export interface SessionStoreOptions {
  /** How long ended sessions are kept, in ms. */
  historyMs: number;
}

export function sessionStore(
  db: Kysely<Database>,
  traits: DialectTraits,
  generation: InventoryGeneration,
  options: SessionStoreOptions,
): SessionStore {
  let lastPurgeAt = Number.NEGATIVE_INFINITY;
  const counts = new MatchCounts(generation);

  /** Runs `write` in a transaction that moves the inventory generation when `write` says it changed something. */
  const changing = async <T>(write: (trx: Kysely<Database>) => Promise<{ changed: boolean; result: T }>) => {
    let bumped = false;
    try {
      return await db.transaction().execute(async (trx) => {
        const { changed, result } = await write(trx);
        if (changed) {
          bumped = true;
          await generation.bump(trx);
        }
        return result;
      });
    } finally {
      if (bumped) generation.committed();
    }
  };

  const filtered = (query: Omit<SessionQuery, 'limit' | 'offset'>) => {
    let q = db.selectFrom('sessions').where('ended_at', 'is', null);
    if (query.deviceIds) q = q.where('device_id', 'in', query.deviceIds.length ? query.deviceIds : ['']);
    if (query.user !== undefined) q = q.where('user_name', '=', query.user);
    if (query.clientIp !== undefined) q = q.where('client_ip', '=', query.clientIp);
    return q;
  };

  const purgeEndedSessions = (endedBefore: number): Promise<number> =>
    changing(async (trx) => {
      const result = await trx.deleteFrom('sessions').where('ended_at', '<', endedBefore).executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      return { changed: deleted > 0, result: deleted };
    });

  return {
    async replaceDeviceSessions(deviceId, listed, seenAt): Promise<void> {
      const digest = listingDigest(listed);
      // The same listing as last time, and nothing else changed the device's rows since: only the sighting moves.
      const same = await db
        .updateTable('devices')
        .set({ last_sync_at: seenAt })
        .where('id', '=', deviceId)
        .where('listing_hash', '=', digest)
        .executeTakeFirst();
      if (Number(same.numUpdatedRows) === 0) {
        await changing(async (trx) => ({
          changed: await applyListing(trx, traits, deviceId, listed, seenAt, digest),
          result: undefined,
        }));
      }
      if (seenAt - lastPurgeAt >= PURGE_EVERY_MS) {
        lastPurgeAt = seenAt;
        await purgeEndedSessions(seenAt - options.historyMs);
      }
    },

    purgeEndedSessions,

    async listSessions(query: SessionQuery): Promise<Session[]> {
      const column = ORDER_COLUMNS[query.orderBy ?? 'startedAt'];
      const direction = query.descending ? 'desc' : 'asc';
      const rows = await filtered(query)
        .selectAll()
        .orderBy(column, direction)
        .orderBy('device_id')
        .orderBy('session_id')
        .limit(query.limit)
        .offset(query.offset)
        .execute();
      return rows.map(sessionFromRow);
    },

    async countSessionsByDevice(): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('sessions')
        .where('ended_at', 'is', null)
        .select(['device_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('device_id')
        .execute();
      return new Map(rows.map((r) => [r.device_id, Number(r.n)]));
    },

    inventoryGeneration: () => generation.read(),
    searchSessions: (search) => searchSessions(db, search, counts),
    findSessionRecord: (deviceId, sessionId) => findSessionRecord(db, deviceId, sessionId),
    findSessionsByNativeId: (sessionId, limit) => findSessionsByNativeId(db, sessionId, limit),
  };
}

type Listed = Parameters<SessionStore['replaceDeviceSessions']>[1];

/**
 * What applyListing compares of a listing, in the device's order (a reordered listing is applied, not skipped). Not the
 * start time: a row keeps the first one it got, and without a device-reported time it is the listing's own time.
 */
function listingDigest(listed: Listed): string {
  const hash = createHash('sha1');
  for (const s of listed) hash.update(`${s.sessionId}\u0000${s.user}\u0000${s.clientIp}\n`);
  return hash.digest('base64');
}

/**
 * Brings one device's rows in line with its listing by difference, so a steady fleet costs one read per device:
 * new sessions are inserted, changed ones updated, vanished ones marked ended (`closed`, last seen at the device's
 * previous listing). A listed row is not written at all: a live session's last sighting is its device's
 * `last_sync_at` (session-search.ts). started_at is never updated (a session keeps the time curfew first saw it). A listing taken before a session's recorded end (a sync racing a kill) does not revive
 * it; a later listing does. Returns whether a search could see a difference: anything but `last_seen_at` changed.
 */
async function applyListing(
  trx: Kysely<Database>,
  traits: DialectTraits,
  deviceId: string,
  listed: Listed,
  seenAt: number,
  digest: string,
): Promise<boolean> {
  const existing = new Map(
    (
      await trx
        .selectFrom('sessions')
        .select(['session_id', 'user_name', 'client_ip', 'ended_at'])
        .where('device_id', '=', deviceId)
        .execute()
    ).map((row) => [row.session_id, row]),
  );
  const listedIds = new Set<string>();
  const inserts: SessionTable[] = [];
  let updated = false;
  for (const s of listed) {
    listedIds.add(s.sessionId);
    const row = existing.get(s.sessionId);
    if (!row) {
      inserts.push({
        device_id: deviceId,
        session_id: s.sessionId,
        user_name: s.user,
        client_ip: s.clientIp,
        started_at: s.startedAt,
        protocol: s.protocol,
        last_seen_at: seenAt,
        ended_at: null,
        end_reason: null,
      });
      continue;
    }
    const endedBefore = row.ended_at !== null && Number(row.ended_at) < seenAt;
    if (endedBefore || (row.ended_at === null && (row.user_name !== s.user || row.client_ip !== s.clientIp))) {
      await trx
        .updateTable('sessions')
        .set({
          user_name: s.user,
          client_ip: s.clientIp,
          ...(endedBefore && { ended_at: null, end_reason: null, last_seen_at: seenAt }),
        })
        .where('device_id', '=', deviceId)
        .where('session_id', '=', s.sessionId)
        .execute();
      updated = true;
    }
  }
  for (const part of chunk(inserts, 9, traits.maxParams)) {
    await trx
      .insertInto('sessions')
      .values(part)
      .onConflict((oc) => oc.columns(['device_id', 'session_id']).doNothing())
      .execute();
  }
  const vanished = [...existing.values()]
    .filter((row) => row.ended_at === null && !listedIds.has(row.session_id))
    .map((row) => row.session_id);
  for (const part of chunk(vanished, 1, traits.maxParams - 3)) {
    await trx
      .updateTable('sessions')
      .set({ ended_at: seenAt, end_reason: 'closed', last_seen_at: lastSeenAtOfEnding })
      .where('device_id', '=', deviceId)
      .where('session_id', 'in', part)
      .execute();
  }
  // After the ends above (they read the previous listing's time): every listed session was seen now.
  await trx
    .updateTable('devices')
    .set({ last_sync_at: seenAt, listing_hash: digest })
    .where('id', '=', deviceId)
    .execute();
  return updated || inserts.length > 0 || vanished.length > 0;
}

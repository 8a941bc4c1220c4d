// The fleet-wide session inventory, refreshed per device by inventory sync, with the history of ended sessions.
// Every pre-history query (list, count, count per device) means active sessions only: `ended_at IS NULL`.
import type { Kysely } from 'kysely';
import type { Session } from '../../core/model.js';
import type { SessionQuery, SessionStore } from '../store.js';
import type { DialectTraits } from './dialect.js';
import { chunk, sessionFromRow } from './rows.js';
import type { Database, SessionTable } from './schema.js';
import { findSessionRecord, searchSessions } from './session-search.js';

const SESSION_COLUMNS = 9;
const ORDER_COLUMNS = { startedAt: 'started_at', user: 'user_name', deviceId: 'device_id' } as const;
/** Expired history is purged from sync at most this often. */
const PURGE_EVERY_MS = 60_000;

export interface SessionStoreOptions {
  /** How long ended sessions are kept, in ms. */
  historyMs: number;
}

export function sessionStore(db: Kysely<Database>, traits: DialectTraits, options: SessionStoreOptions): SessionStore {
  let lastPurgeAt = Number.NEGATIVE_INFINITY;

  const filtered = (query: Omit<SessionQuery, 'limit' | 'offset'>) => {
    let q = db.selectFrom('sessions').where('ended_at', 'is', null);
    if (query.deviceIds) q = q.where('device_id', 'in', query.deviceIds.length ? query.deviceIds : ['']);
    if (query.user !== undefined) q = q.where('user_name', '=', query.user);
    if (query.clientIp !== undefined) q = q.where('client_ip', '=', query.clientIp);
    return q;
  };

  const purgeEndedSessions = async (endedBefore: number): Promise<number> => {
    const result = await db.deleteFrom('sessions').where('ended_at', '<', endedBefore).executeTakeFirst();
    return Number(result.numDeletedRows);
  };

  return {
    async replaceDeviceSessions(deviceId, listed, seenAt): Promise<void> {
      const rows: SessionTable[] = listed.map((s) => ({
        device_id: deviceId,
        session_id: s.sessionId,
        user_name: s.user,
        client_ip: s.clientIp,
        started_at: s.startedAt,
        protocol: s.protocol,
        last_seen_at: seenAt,
        ended_at: null,
        end_reason: null,
      }));
      await db.transaction().execute(async (trx) => {
        for (const part of chunk(rows, SESSION_COLUMNS, traits.maxParams)) {
          // started_at is not updated: a session keeps the time curfew first saw it. A listing taken before the
          // session's recorded end (a sync racing a kill) must not revive it; a later listing does.
          await trx
            .insertInto('sessions')
            .values(part)
            .onConflict((oc) =>
              oc.columns(['device_id', 'session_id']).doUpdateSet((eb) => {
                const endedBeforeListing = eb('sessions.ended_at', '<', seenAt);
                return {
                  user_name: eb.ref('excluded.user_name'),
                  client_ip: eb.ref('excluded.client_ip'),
                  last_seen_at: eb.ref('excluded.last_seen_at'),
                  ended_at: eb.case().when(endedBeforeListing).then(null).else(eb.ref('sessions.ended_at')).end(),
                  end_reason: eb.case().when(endedBeforeListing).then(null).else(eb.ref('sessions.end_reason')).end(),
                };
              }),
            )
            .execute();
        }
        await trx
          .updateTable('sessions')
          .set({ ended_at: seenAt, end_reason: 'closed' })
          .where('device_id', '=', deviceId)
          .where('ended_at', 'is', null)
          .where('last_seen_at', '<', seenAt)
          .execute();
      });
      if (seenAt - lastPurgeAt >= PURGE_EVERY_MS) {
        lastPurgeAt = seenAt;
        await purgeEndedSessions(seenAt - options.historyMs);
      }
    },

    async endSessions(deviceId, sessionIds, reason, at): Promise<void> {
      for (const part of chunk(sessionIds, 1, traits.maxParams - 3)) {
        await db
          .updateTable('sessions')
          .set({ ended_at: at, end_reason: reason })
          .where('device_id', '=', deviceId)
          .where('session_id', 'in', part)
          .where('ended_at', 'is', null)
          .execute();
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

    async countSessions(query): Promise<number> {
      const row = await filtered(query)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
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

    searchSessions: (search) => searchSessions(db, search),
    findSessionRecord: (deviceId, sessionId) => findSessionRecord(db, deviceId, sessionId),
  };
}

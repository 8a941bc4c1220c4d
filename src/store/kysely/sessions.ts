// The fleet-wide session inventory, refreshed per device by inventory sync.
import type { Kysely } from 'kysely';
import type { Session } from '../../core/model.js';
import type { SessionQuery, SessionStore } from '../store.js';
import type { DialectTraits } from './dialect.js';
import { chunk, sessionFromRow } from './rows.js';
import type { Database, SessionTable } from './schema.js';

const SESSION_COLUMNS = 7;
const ORDER_COLUMNS = { startedAt: 'started_at', user: 'user_name', deviceId: 'device_id' } as const;

export function sessionStore(db: Kysely<Database>, traits: DialectTraits): SessionStore {
  const filtered = (query: Omit<SessionQuery, 'limit' | 'offset'>) => {
    let q = db.selectFrom('sessions');
    if (query.deviceIds) q = q.where('device_id', 'in', query.deviceIds.length ? query.deviceIds : ['']);
    if (query.user !== undefined) q = q.where('user_name', '=', query.user);
    if (query.clientIp !== undefined) q = q.where('client_ip', '=', query.clientIp);
    return q;
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
      }));
      await db.transaction().execute(async (trx) => {
        for (const part of chunk(rows, SESSION_COLUMNS, traits.maxParams)) {
          // started_at is not updated: a session keeps the time curfew first saw it.
          await trx
            .insertInto('sessions')
            .values(part)
            .onConflict((oc) =>
              oc.columns(['device_id', 'session_id']).doUpdateSet((eb) => ({
                user_name: eb.ref('excluded.user_name'),
                client_ip: eb.ref('excluded.client_ip'),
                last_seen_at: eb.ref('excluded.last_seen_at'),
              })),
            )
            .execute();
        }
        await trx.deleteFrom('sessions').where('device_id', '=', deviceId).where('last_seen_at', '<', seenAt).execute();
      });
    },

    async deleteSessions(deviceId, sessionIds): Promise<void> {
      for (const part of chunk(sessionIds, 1, traits.maxParams - 1)) {
        await db.deleteFrom('sessions').where('device_id', '=', deviceId).where('session_id', 'in', part).execute();
      }
    },

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
        .select(['device_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('device_id')
        .execute();
      return new Map(rows.map((r) => [r.device_id, Number(r.n)]));
    },
  };
}

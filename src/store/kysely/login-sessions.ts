// Cookie login sessions (SPS surface, web console).
import type { Kysely } from 'kysely';
import type { LoginSessionRecord, LoginSessionStore } from '../store.js';
import type { Database, LoginSessionTable } from './schema.js';

function fromRow(row: LoginSessionTable): LoginSessionRecord {
  return {
    id: row.id,
    userName: row.user_name,
    grants: JSON.parse(row.grants) as LoginSessionRecord['grants'],
    address: row.address,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
  };
}

export function loginSessionStore(db: Kysely<Database>): LoginSessionStore {
  const deleteWhere = async (column: 'user_name' | 'expires_at', op: '=' | '<', value: string | number) => {
    const rows = await db.selectFrom('login_sessions').select('id').where(column, op, value).execute();
    if (rows.length > 0) await db.deleteFrom('login_sessions').where(column, op, value).execute();
    return rows.map((r) => r.id);
  };
  return {
    async insertLoginSession(s): Promise<void> {
      await db
        .insertInto('login_sessions')
        .values({
          id: s.id,
          user_name: s.userName,
          grants: JSON.stringify(s.grants),
          address: s.address,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
        })
        .execute();
    },

    async findLoginSession(id) {
      const row = await db.selectFrom('login_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async touchLoginSession(id, lastSeenAt, expiresAt) {
      const result = await db
        .updateTable('login_sessions')
        .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async deleteLoginSession(id) {
      const result = await db.deleteFrom('login_sessions').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    deleteLoginSessionsOfUser: (userName) => deleteWhere('user_name', '=', userName),
    purgeExpiredLoginSessions: (before) => deleteWhere('expires_at', '<', before),
  };
}

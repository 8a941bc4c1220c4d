// API tokens, stored by the hash of their value (the value never reaches the database).
import type { Kysely } from 'kysely';
import type { StoredToken, TokenKind, TokenStore } from '../store.js';
import type { Database, TokenTable } from './schema.js';

function tokenFromRow(row: TokenTable): StoredToken {
  return {
    id: row.id,
    kind: row.kind as TokenKind,
    userName: row.user_name,
    provider: row.provider,
    address: row.address,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: Number(row.expires_at),
    timeoutSec: Number(row.timeout_sec),
    generation: Number(row.generation),
  };
}

function tokenToRow(t: StoredToken): TokenTable {
  return {
    id: t.id,
    kind: t.kind,
    user_name: t.userName,
    provider: t.provider,
    address: t.address,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    expires_at: t.expiresAt,
    timeout_sec: t.timeoutSec,
    generation: t.generation,
  };
}

export function tokenStore(db: Kysely<Database>): TokenStore {
  const findTokenById = async (id: string): Promise<StoredToken | undefined> => {
    const row = await db.selectFrom('auth_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? tokenFromRow(row) : undefined;
  };

  return {
    findTokenById,

    async insertToken(token): Promise<void> {
      await db.insertInto('auth_tokens').values(tokenToRow(token)).execute();
    },

    async listTokens(query): Promise<StoredToken[]> {
      let q = db.selectFrom('auth_tokens').selectAll().where('expires_at', '>', query.validAt);
      if (query.userName !== undefined) q = q.where('user_name', '=', query.userName);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
      return rows.map(tokenFromRow);
    },

    async updateTokenExpiry(id, update): Promise<StoredToken | undefined> {
      const result = await db
        .updateTable('auth_tokens')
        .set((eb) => ({
          expires_at: update.expiresAt,
          timeout_sec: update.timeoutSec,
          updated_at: update.updatedAt,
          generation: eb('generation', '+', 1),
        }))
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? findTokenById(id) : undefined;
    },

    async deleteTokenById(id): Promise<boolean> {
      const result = await db.deleteFrom('auth_tokens').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async purgeExpiredTokens(before): Promise<number> {
      const result = await db.deleteFrom('auth_tokens').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

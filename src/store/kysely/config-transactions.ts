// Configuration transactions: one row per login session with its pending changes (JSON), saved with a version check.
import type { Kysely } from 'kysely';
import type { ConfigChange, ConfigStore, ConfigTransactionRecord } from '../store.js';
import type { ConfigTransactionTable, Database } from './schema.js';

const fromRow = (row: ConfigTransactionTable): ConfigTransactionRecord => ({
  loginId: row.login_id,
  userName: row.user_name,
  address: row.address,
  baseRevision: Number(row.base_revision),
  changes: JSON.parse(row.changes) as ConfigChange[],
  version: Number(row.version),
  openedAt: Number(row.opened_at),
  updatedAt: Number(row.updated_at),
});

type TransactionPart = Pick<
  ConfigStore,
  | 'findConfigTransaction'
  | 'insertConfigTransaction'
  | 'saveConfigTransaction'
  | 'deleteConfigTransactions'
  | 'listLiveConfigTransactions'
>;

export function configTransactionStore(db: Kysely<Database>): TransactionPart {
  return {
    async findConfigTransaction(loginId) {
      const row = await db
        .selectFrom('config_transactions')
        .selectAll()
        .where('login_id', '=', loginId)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async insertConfigTransaction(t) {
      const inserted = await db
        .insertInto('config_transactions')
        .values({
          login_id: t.loginId,
          user_name: t.userName,
          address: t.address,
          base_revision: t.baseRevision,
          changes: JSON.stringify(t.changes),
          version: t.version,
          opened_at: t.openedAt,
          updated_at: t.updatedAt,
        })
        .onConflict((oc) => oc.column('login_id').doNothing())
        .executeTakeFirst();
      return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    async saveConfigTransaction(loginId, changes, expectedVersion, updatedAt) {
      const result = await db
        .updateTable('config_transactions')
        .set({ changes: JSON.stringify(changes), version: expectedVersion + 1, updated_at: updatedAt })
        .where('login_id', '=', loginId)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async deleteConfigTransactions(loginIds) {
      if (loginIds.length === 0) return [];
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('config_transactions')
          .selectAll()
          .where('login_id', 'in', [...loginIds])
          .execute();
        if (rows.length > 0) {
          await trx
            .deleteFrom('config_transactions')
            .where('login_id', 'in', [...loginIds])
            .execute();
        }
        return rows.map(fromRow);
      });
    },

    async listLiveConfigTransactions(now) {
      const live = db.selectFrom('login_sessions').select('id').where('expires_at', '>', now);
      await db.deleteFrom('config_transactions').where('login_id', 'not in', live).execute();
      const rows = await db.selectFrom('config_transactions').selectAll().orderBy('opened_at').execute();
      return rows.map(fromRow);
    },
  };
}

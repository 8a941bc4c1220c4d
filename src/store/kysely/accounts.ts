// Audit trail, local users and key/value settings.
import type { Kysely } from 'kysely';
import type { AuditStore, SettingStore, UserRecord, UserStore } from '../store.js';
import { auditFromRow, auditToRow, newUserKey } from './rows.js';
import type { Database, UserTable } from './schema.js';

function userFromRow(row: UserTable): UserRecord {
  return {
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
    ...(row.key !== null && { key: row.key }),
    passwordChangedAt: row.password_changed_at === null ? null : Number(row.password_changed_at),
  };
}

export function auditStore(db: Kysely<Database>): AuditStore {
  return {
    async appendAudit(event): Promise<void> {
      await db.insertInto('audit_events').values(auditToRow(event)).execute();
    },

    async listAudit(query): Promise<ReturnType<typeof auditFromRow>[]> {
      let q = db.selectFrom('audit_events').selectAll();
      if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
      if (query.action !== undefined) q = q.where('action', '=', query.action);
      const rows = await q.orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute();
      return rows.map(auditFromRow);
    },
  };
}

export function userStore(db: Kysely<Database>): UserStore {
  return {
    async findUserByName(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? userFromRow(row) : undefined;
    },

    async upsertUser(user): Promise<void> {
      await db
        .insertInto('users')
        .values({
          name: user.name,
          password_hash: user.passwordHash,
          created_at: user.createdAt,
          key: user.key ?? newUserKey(),
          password_changed_at: user.passwordChangedAt ?? null,
        })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ password_hash: user.passwordHash, ...(user.key && { key: user.key }) }),
        )
        .execute();
    },

    async replacePasswordHash(name, from, to) {
      const result = await db
        .updateTable('users')
        .set({ password_hash: to })
        .where('name', '=', name)
        .where('password_hash', '=', from)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export function settingStore(db: Kysely<Database>): SettingStore {
  return {
    async getSetting(key) {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },

    async setSetting(key, value): Promise<void> {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}

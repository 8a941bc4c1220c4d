// Audit trail, local users and key/value settings.
import type { Kysely } from 'kysely';
import type { AuditStore, SettingStore, UserStore } from '../store.js';
import { auditFromRow, auditToRow } from './rows.js';
import type { Database } from './schema.js';

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
      return row ? { name: row.name, passwordHash: row.password_hash, createdAt: Number(row.created_at) } : undefined;
    },

    async upsertUser(user): Promise<void> {
      await db
        .insertInto('users')
        .values({ name: user.name, password_hash: user.passwordHash, created_at: user.createdAt })
        .onConflict((oc) => oc.column('name').doUpdateSet({ password_hash: user.passwordHash }))
        .execute();
    },

    async listUsers() {
      const rows = await db.selectFrom('users').selectAll().orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, passwordHash: r.password_hash, createdAt: Number(r.created_at) }));
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

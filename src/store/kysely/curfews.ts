// Curfews and per-device prevention state (migration 0011). State changes are single conditional updates with
// RETURNING: on PostgreSQL a second updater waits for the first one's row lock and then re-checks the condition, so of
// racing extend/lift/expire calls at most one applies; SQLite has one writer at a time.
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Curfew, CurfewMode, CurfewState, CurfewWhere, CurfewWho, NewCurfew } from '../../core/curfew.js';
import type { CurfewListQuery, CurfewStore, PreventionState, PreventionStatus } from '../curfew-port.js';
import type { DialectTraits } from './dialect.js';
import { chunk } from './rows.js';
import type { CurfewPreventionTable, CurfewTable, Database } from './schema.js';

const PREVENTION_COLUMNS = 6;

export function curfewStore(
  db: Kysely<Database>,
  traits: DialectTraits,
): Omit<CurfewStore, 'claimViolations' | 'setViolationTask' | 'listViolations'> {
  /** Curfews still active at `at`: the condition every state change requires. */
  const activeAt = (at: number) =>
    db
      .updateTable('curfews')
      .where('state', '=', 'active')
      .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', at)]));

  return {
    async createCurfew(curfew: NewCurfew): Promise<Curfew> {
      const row = await db.insertInto('curfews').values(curfewToRow(curfew)).returningAll().executeTakeFirstOrThrow();
      return curfewFromRow(row);
    },

    async getCurfew(id: string): Promise<Curfew | undefined> {
      const row = await db.selectFrom('curfews').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? curfewFromRow(row) : undefined;
    },

    async listCurfews({ state, text, limit, offset }: CurfewListQuery): Promise<Curfew[]> {
      const rows = await db
        .selectFrom('curfews')
        .selectAll()
        .$if(state !== undefined && state.length > 0, (qb) => qb.where('state', 'in', [...(state ?? [])]))
        .$if(text !== undefined && text !== '', (qb) => qb.where((eb) => containsText(eb, text ?? '')))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(curfewFromRow);
    },

    async countCurfews(query = {}): Promise<number> {
      const { state, text } = query;
      const row = await db
        .selectFrom('curfews')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .$if(state !== undefined && state.length > 0, (qb) => qb.where('state', 'in', [...(state ?? [])]))
        .$if(text !== undefined && text !== '', (qb) => qb.where((eb) => containsText(eb, text ?? '')))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async extendCurfew(id: string, until: number | null, by: string, at: number): Promise<Curfew | undefined> {
      const row = await activeAt(at)
        .set((eb) => ({ until, updated_at: at, updated_by: by, generation: eb('generation', '+', 1) }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? curfewFromRow(row) : undefined;
    },

    async liftCurfew(id: string, by: string, at: number): Promise<Curfew | undefined> {
      const row = await activeAt(at)
        .set((eb) => ({
          state: 'lifted',
          ended_at: at,
          ended_by: by,
          updated_at: at,
          updated_by: by,
          generation: eb('generation', '+', 1),
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? curfewFromRow(row) : undefined;
    },

    async expireCurfews(now: number): Promise<Curfew[]> {
      const rows = await db
        .updateTable('curfews')
        .set((eb) => ({
          state: 'expired',
          ended_at: eb.ref('until'),
          updated_at: now,
          updated_by: null,
          generation: eb('generation', '+', 1),
        }))
        .where('state', '=', 'active')
        .where('until', 'is not', null)
        .where('until', '<=', now)
        .returningAll()
        .execute();
      return rows.map(curfewFromRow).sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0) || cmp(a.id, b.id));
    },

    async addViolations(id: string, n: number): Promise<Curfew | undefined> {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`addViolations: ${n} is not a count`);
      const row = await db
        .updateTable('curfews')
        .set((eb) => ({ violations: eb('violations', '+', n), generation: eb('generation', '+', n > 0 ? 1 : 0) }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row ? curfewFromRow(row) : undefined;
    },

    async listActiveCurfews(now: number): Promise<Curfew[]> {
      const rows = await db
        .selectFrom('curfews')
        .selectAll()
        .where('state', '=', 'active')
        .where((eb) => eb.or([eb('until', 'is', null), eb('until', '>', now)]))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(curfewFromRow);
    },

    async putPreventionState(rows: readonly PreventionState[]): Promise<void> {
      if (rows.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const part of chunk(rows, PREVENTION_COLUMNS, traits.maxParams)) {
          await trx
            .insertInto('curfew_prevention')
            .values(part.map(preventionToRow))
            .onConflict((oc) =>
              oc.column('device_id').doUpdateSet((eb) => ({
                status: eb.ref('excluded.status'),
                records_hash: eb.ref('excluded.records_hash'),
                records_text: eb.ref('excluded.records_text'),
                checked_at: eb.ref('excluded.checked_at'),
                message: eb.ref('excluded.message'),
              })),
            )
            .execute();
        }
      });
    },

    async listPreventionState(): Promise<PreventionState[]> {
      const rows = await db.selectFrom('curfew_prevention').selectAll().orderBy('device_id').execute();
      return rows.map(preventionFromRow);
    },
  };
}

/** `who` (its JSON) or `reason` contains `text`, case-insensitively; `%`, `_` and `\` in it are literal. */
function containsText(eb: ExpressionBuilder<Database, 'curfews'>, text: string) {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return eb.or([
    sql<boolean>`lower(${sql.ref('who')}) like ${pattern} escape '\\'`,
    sql<boolean>`lower(${sql.ref('reason')}) like ${pattern} escape '\\'`,
  ]);
}

/** Code-point order, as the C collation the database uses (localeCompare would differ). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

function curfewToRow(c: NewCurfew): CurfewTable {
  return {
    id: c.id,
    who: JSON.stringify(c.who),
    scope: JSON.stringify(c.where),
    until: c.until,
    reason: c.reason,
    mode: c.mode,
    set_by: c.setBy,
    set_from: c.setFrom,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    updated_by: c.setBy,
    state: 'active',
    ended_at: null,
    ended_by: null,
    violations: 0,
    generation: 1,
  };
}

function curfewFromRow(row: CurfewTable): Curfew {
  return {
    id: row.id,
    who: JSON.parse(row.who) as CurfewWho,
    where: JSON.parse(row.scope) as CurfewWhere,
    until: numOrNull(row.until),
    reason: row.reason,
    mode: row.mode as CurfewMode,
    setBy: row.set_by,
    setFrom: row.set_from,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    updatedBy: row.updated_by,
    state: row.state as CurfewState,
    endedAt: numOrNull(row.ended_at),
    endedBy: row.ended_by,
    violations: Number(row.violations),
    generation: Number(row.generation),
  };
}

function preventionToRow(p: PreventionState): CurfewPreventionTable {
  return {
    device_id: p.deviceId,
    status: p.status,
    records_hash: p.recordsHash,
    records_text: p.recordsText,
    checked_at: p.checkedAt,
    message: p.message,
  };
}

function preventionFromRow(row: CurfewPreventionTable): PreventionState {
  return {
    deviceId: row.device_id,
    status: row.status as PreventionStatus,
    recordsHash: row.records_hash,
    recordsText: row.records_text,
    checkedAt: Number(row.checked_at),
    message: row.message,
  };
}

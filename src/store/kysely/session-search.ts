// Session search: compiles the query AST (src/core/session-query.ts) to dialect-neutral Kysely conditions.
//
// - Device properties (hostname, cluster, access group) are matched through `device_id IN (SELECT id FROM devices …)`:
//   the devices table is small, and the sessions side keeps using its (device_id, …) indexes.
// - Exact values compare with `=` (case-sensitive, index-backed). Wildcards compile to `lower(col) LIKE lower(?)`
//   with an explicit ESCAPE, which means the same on SQLite (whose LIKE ignores ASCII case) and PostgreSQL (whose LIKE
//   does not); they scan, as any infix wildcard must.
// - Every leaf is TRUE or FALSE, never NULL (nullable columns are guarded), so NOT means "everything else".
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { DeviceKind } from '../../core/model.js';
import {
  type PatternPart,
  type SessionEndReason,
  type SessionQueryAst,
  type SessionVerdict,
  type TextField,
  VERDICT_OF_END_REASON,
} from '../../core/session-query.js';
import type { SessionSearch, SessionSearchResult, SessionSortField, SessionWithDevice } from '../store.js';
import type { InventoryGeneration } from './inventory-generation.js';
import { sessionFromRow } from './rows.js';
import type { Database, DeviceTable, SessionTable } from './schema.js';

type SearchDb = Database & { s: SessionTable; d: DeviceTable };
type Eb = ExpressionBuilder<SearchDb, 's'>;
type Condition = Expression<SqlBool>;
type Match = (column: Expression<unknown>) => Condition;

const REASONS: readonly SessionEndReason[] = ['closed', 'killed'];

const SESSION_COLUMNS = {
  user: 's.user_name',
  client_ip: 's.client_ip',
  protocol: 's.protocol',
  device_key: 's.device_id',
} as const;
const DEVICE_COLUMNS = { device: 'hostname', cluster: 'cluster', access_group: 'access_group' } as const;
type SortColumn =
  | 's.started_at'
  | 's.ended_at'
  | 's.user_name'
  | 's.client_ip'
  | 's.protocol'
  | 'd.hostname'
  | 's.session_id';
const SORT_COLUMNS: Record<SessionSortField, readonly SortColumn[]> = {
  startedAt: ['s.started_at'],
  endedAt: ['s.ended_at'],
  user: ['s.user_name'],
  clientIp: ['s.client_ip'],
  protocol: ['s.protocol'],
  device: ['d.hostname'],
  sessionId: ['d.hostname', 's.session_id'],
};

/**
 * Match counts of recent queries under the inventory generation they were counted at. Every page of one search shares
 * its count, and counting the active sessions of a large fleet reads a million index entries; a count is reused only
 * while the generation (which every change a search can see moves) is the same.
 */
export class MatchCounts {
  readonly #generation: InventoryGeneration;
  readonly #kept = new Map<string, { generation: number; count: number }>();

  constructor(generation: InventoryGeneration) {
    this.#generation = generation;
  }

  async count(query: SessionQueryAst | undefined, counter: () => Promise<number>): Promise<number> {
    const key = JSON.stringify(query ?? null);
    // Read before counting: a count taken after a later change is never kept under the earlier generation's key
    // for longer than that key is current.
    const generation = await this.#generation.read();
    const kept = this.#kept.get(key);
    if (kept && kept.generation === generation) return kept.count;
    const count = await counter();
    this.#kept.delete(key);
    this.#kept.set(key, { generation, count });
    if (this.#kept.size > MAX_KEPT_COUNTS) this.#kept.delete(this.#kept.keys().next().value as string);
    return count;
  }
}

const MAX_KEPT_COUNTS = 64;

export async function searchSessions(
  db: Kysely<Database>,
  search: SessionSearch,
  counts?: MatchCounts,
): Promise<SessionSearchResult> {
  const { query, limit, offset } = search;
  let page = selectWithDevice(db);
  if (query) page = page.where((eb) => compile(eb, query));
  for (const { field, descending } of search.sort) {
    for (const column of SORT_COLUMNS[field]) {
      // Active sessions have no end yet: they sort after every ended one ascending, before them descending.
      page =
        column === 's.ended_at'
          ? page.orderBy(column, (ob) => (descending ? ob.desc().nullsFirst() : ob.asc().nullsLast()))
          : page.orderBy(column, descending ? 'desc' : 'asc');
    }
  }
  // Ties follow the last sort's direction, so an index on the sort column can serve the whole order.
  const tie = search.sort[search.sort.length - 1]?.descending ? 'desc' : 'asc';
  page = page.orderBy('s.device_id', tie).orderBy('s.session_id', tie);
  const rows = (await page.limit(limit).offset(offset).execute()).map(recordFromRow);
  // A page that is not full tells the count itself: selective searches cost no second query.
  const counted = rows.length < limit && (rows.length > 0 || offset === 0);
  if (counted) return { rows, matchCount: offset + rows.length };
  const count = () => countMatches(db, query);
  return { rows, matchCount: counts ? await counts.count(query, count) : await count() };
}

export async function findSessionRecord(
  db: Kysely<Database>,
  deviceId: string,
  sessionId: string,
): Promise<SessionWithDevice | undefined> {
  const row = await selectWithDevice(db)
    .where('s.device_id', '=', deviceId)
    .where('s.session_id', '=', sessionId)
    .executeTakeFirst();
  return row ? recordFromRow(row) : undefined;
}

/**
 * Through the (device_id, session_id) key once per device (the devices table is small). The IN list makes SQLite seek
 * per device even without planner statistics, where a plain join would scan every session.
 */
export async function findSessionsByNativeId(
  db: Kysely<Database>,
  sessionId: string,
  limit: number,
): Promise<SessionWithDevice[]> {
  const rows = await selectWithDevice(db)
    .where('s.device_id', 'in', db.selectFrom('devices').select('devices.id'))
    .where('s.session_id', '=', sessionId)
    .orderBy('d.hostname')
    .orderBy('s.device_id')
    .limit(limit)
    .execute();
  return rows.map(recordFromRow);
}

function selectWithDevice(db: Kysely<Database>) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('devices as d', 'd.id', 's.device_id')
    .selectAll('s')
    .select(['d.hostname', 'd.kind', 'd.cluster', 'd.access_group', 'd.last_sync_at']);
}

async function countMatches(db: Kysely<Database>, query: SessionQueryAst | undefined): Promise<number> {
  if (query?.kind === 'verdict' && query.verdicts.length === 1 && query.verdicts[0] === 'ACTIVE') {
    // `active:true`, the documented way to list ongoing sessions: all rows minus the history, two index-only counts
    // (a count of the active index would walk every active row).
    const row = await db
      .selectNoFrom((eb) =>
        eb(
          eb.selectFrom('sessions').select(eb.fn.countAll<number>().as('n')),
          '-',
          eb.selectFrom('sessions').where('ended_at', 'is not', null).select(eb.fn.countAll<number>().as('n')),
        ).as('n'),
      )
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  let count = db.selectFrom('sessions as s').select((eb) => eb.fn.countAll<number>().as('n'));
  if (query) count = count.where((eb) => compile(eb, query));
  return Number((await count.executeTakeFirstOrThrow()).n);
}

type JoinedRow = SessionTable & Pick<DeviceTable, 'hostname' | 'kind' | 'cluster' | 'access_group' | 'last_sync_at'>;

function recordFromRow(row: JoinedRow): SessionWithDevice {
  const session = sessionFromRow(row);
  // A live session was last seen at its device's last listing (sync keeps that per device, not per session: a steady
  // round then writes nothing per session); an ended one keeps what was recorded when it ended.
  const listedAt = row.last_sync_at === null ? 0 : Number(row.last_sync_at);
  const lastSeenAt = row.ended_at === null ? Math.max(session.lastSeenAt, listedAt) : session.lastSeenAt;
  return {
    ...session,
    lastSeenAt,
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    endReason: row.end_reason as SessionEndReason | null,
    device: {
      id: row.device_id,
      hostname: row.hostname,
      kind: row.kind as DeviceKind,
      cluster: row.cluster,
      accessGroup: row.access_group,
    },
  };
}

/** The query as one SQL condition on `sessions as s` (shared with session-stats.ts). */
export function compile(eb: Eb, node: SessionQueryAst): Condition {
  switch (node.kind) {
    case 'and':
      return eb.and(node.operands.map((operand) => compile(eb, operand)));
    case 'or':
      return eb.or(node.operands.map((operand) => compile(eb, operand)));
    case 'not':
      return eb.not(compile(eb, node.operand));
    case 'text':
      return node.field === 'session_id'
        ? exactSessionId(eb, node.value)
        : textCondition(eb, node.field, (column) => eb(column, '=', node.value));
    case 'pattern':
      return textCondition(eb, node.field, likeMatch(node.parts));
    case 'time':
      return timeCondition(eb, node);
    case 'verdict':
      return verdictCondition(eb, node.verdicts);
    case 'constant':
      return constant(eb, node.value);
  }
}

function textCondition(eb: Eb, field: TextField, match: Match): Condition {
  if (field === 'session_id') {
    // The displayed id `<hostname>/<native id>`, for wildcard searches across devices.
    const shown = sql<string>`${sql.ref('devices.hostname')} || '/' || ${sql.ref('s.session_id')}`;
    return eb.exists(
      eb.selectFrom('devices').select('devices.id').whereRef('devices.id', '=', 's.device_id').where(match(shown)),
    );
  }
  if (field === 'device' || field === 'cluster' || field === 'access_group') {
    const column = sql.ref(`devices.${DEVICE_COLUMNS[field]}`);
    return eb('s.device_id', 'in', eb.selectFrom('devices').select('devices.id').where(match(column)));
  }
  return match(eb.ref(SESSION_COLUMNS[field]));
}

/** `<hostname or device id>/<native id>`; the native id may itself contain `/`. */
function exactSessionId(eb: Eb, value: string): Condition {
  const slash = value.indexOf('/');
  if (slash <= 0) return constant(eb, false);
  const device = value.slice(0, slash);
  const devices = eb
    .selectFrom('devices')
    .select('devices.id')
    .where((d) => d.or([d('devices.id', '=', device), d('devices.hostname', '=', device)]));
  return eb.and([eb('s.device_id', 'in', devices), eb('s.session_id', '=', value.slice(slash + 1))]);
}

function likeMatch(parts: readonly PatternPart[]): Match {
  const pattern = parts
    .map((part) => (typeof part === 'string' ? part.replace(/[\\%_]/g, '\\$&') : part.wildcard === '*' ? '%' : '_'))
    .join('');
  return (column) => sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '\\'`;
}

function timeCondition(eb: Eb, node: Extract<SessionQueryAst, { kind: 'time' }>): Condition {
  const column = node.field === 'start_time' ? 's.started_at' : 's.ended_at';
  const conditions: Condition[] = [];
  if (node.field === 'end_time') conditions.push(eb('s.ended_at', 'is not', null));
  if (node.from !== null) conditions.push(eb(column, '>=', node.from));
  if (node.to !== null) conditions.push(eb(column, '<', node.to));
  return conditions.length === 0 ? constant(eb, true) : eb.and(conditions);
}

/** One `ended_at IS NOT NULL` for all ended verdicts, so the planner can use the history index. */
function verdictCondition(eb: Eb, verdicts: readonly SessionVerdict[]): Condition {
  const reasons = REASONS.filter((reason) => verdicts.includes(VERDICT_OF_END_REASON[reason]));
  const conditions: Condition[] = [];
  if (verdicts.includes('ACTIVE')) conditions.push(eb('s.ended_at', 'is', null));
  if (reasons.length === REASONS.length) conditions.push(eb('s.ended_at', 'is not', null));
  else if (reasons.length > 0)
    conditions.push(eb.and([eb('s.ended_at', 'is not', null), eb('s.end_reason', 'in', reasons)]));
  return eb.or(conditions);
}

function constant(eb: Eb, value: boolean): Condition {
  return eb.lit(value);
}

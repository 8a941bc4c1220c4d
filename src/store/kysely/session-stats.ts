// Session counts per property value (`GET /api/audit/sessions/stats`, the console's per-device and per-group counts):
// one GROUP BY for the top buckets and one for the totals, over the same conditions as the search.
import { type Kysely, sql } from 'kysely';
import type { SessionQueryAst } from '../../core/session-query.js';
import type { SessionCountField, SessionCounts } from '../store.js';
import type { Database } from './schema.js';
import { compile } from './session-search.js';

const GROUP_COLUMNS = {
  user: 's.user_name',
  clientIp: 's.client_ip',
  protocol: 's.protocol',
  device: 'd.hostname',
  cluster: 'd.cluster',
  accessGroup: 'd.access_group',
} as const;

export async function countSessionsBy(
  db: Kysely<Database>,
  query: SessionQueryAst | undefined,
  field: SessionCountField,
  size: number,
): Promise<SessionCounts> {
  const column = GROUP_COLUMNS[field];
  let matching = db.selectFrom('sessions as s').innerJoin('devices as d', 'd.id', 's.device_id');
  if (query) matching = matching.where((eb) => compile(eb, query));
  // The device id rides along with its hostname (unique), so a device bucket can be acted on by key.
  const key = field === 'device' ? sql<string | null>`${sql.ref('d.id')}` : sql<string | null>`null`;
  const grouped = matching
    .select((eb) => [sql.ref<string | null>(column).as('value'), key.as('key'), eb.fn.countAll<number>().as('n')])
    .groupBy(field === 'device' ? [column, 'd.id'] : [column]);
  const [rows, totals] = await Promise.all([
    grouped.orderBy('n', 'desc').orderBy('value', 'asc').limit(size).execute(),
    db
      .selectFrom(grouped.as('g'))
      .select((eb) => [eb.fn.countAll<number>().as('distinct'), eb.fn.sum<number>('g.n').as('total')])
      .executeTakeFirstOrThrow(),
  ]);
  return {
    total: Number(totals.total ?? 0),
    distinct: Number(totals.distinct),
    buckets: rows.map((row) => ({
      value: row.value,
      ...(row.key !== null && { key: row.key }),
      count: Number(row.n),
    })),
  };
}

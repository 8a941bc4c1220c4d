// Query parameters of GET /api/audit/sessions (docs/compat/sps.md §6.3) → a store search. Every malformed parameter is
// a 400 InvalidQuery naming the parameter (and, for `q`, the position at fault).
import { parseTimeSpan } from '../../core/iso-time.js';
import { allOf, parseSessionQuery, type SessionQueryAst, SessionQueryError } from '../../core/session-query.js';
import type { SessionSearch, SessionSortField } from '../../engine/records.js';
import { SpsError } from './errors.js';
import { DEFAULT_CSV_FIELDS, type PageRequest, SESSION_FIELDS } from './sessions.render.js';

/** Default and largest page (larger limits are capped, as SPS does). */
export const MAX_LIMIT = 500;
/** SPS serves at most this many results of one search; an offset beyond it is ignored. */
export const RESULT_WINDOW = 10_000;
const DEFAULT_SORT = '-start_time';

export interface SessionListQuery {
  q?: string;
  fields?: string;
  limit?: string;
  offset?: string;
  sort?: string;
  start?: string;
  end?: string;
  format?: string;
}

export interface SessionListParams {
  search: SessionSearch;
  format: 'json' | 'csv';
  /** The requested fields ([] when none were asked for). */
  fields: string[];
  /** CSV columns: the requested fields, else a default set. */
  csvFields: readonly string[];
  page: PageRequest;
}

/** Sortable names → store columns. Names follow the body; only columns the store can order by are offered. */
const SORT_FIELDS: ReadonlyMap<string, SessionSortField> = new Map([
  ['start_time', 'startedAt'],
  ['end_time', 'endedAt'],
  ['user', 'user'],
  ['user.name', 'user'],
  ['gateway_username', 'user'],
  ['client.ip', 'clientIp'],
  ['client_ip', 'clientIp'],
  ['protocol', 'protocol'],
  ['device', 'device'],
  ['device.name', 'device'],
  ['session_id', 'sessionId'],
]);

const invalid = (parameter: string, message: string, details: Record<string, unknown> = {}) =>
  new SpsError(400, 'InvalidQuery', message, { parameter, ...details });

export function parseListQuery(query: SessionListQuery): SessionListParams {
  const limit = Math.min(wholeNumberParam('limit', query.limit) ?? MAX_LIMIT, MAX_LIMIT);
  const requestedOffset = wholeNumberParam('offset', query.offset) ?? 0;
  const offset = requestedOffset > RESULT_WINDOW ? 0 : requestedOffset;
  const fields = parseFields(query.fields);
  const format = query.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw invalid('format', `format is json or csv, not "${format}".`);
  const carried = (['q', 'sort', 'start', 'end'] as const).flatMap((name): [string, string][] => {
    const value = query[name];
    return value === undefined || value === '' ? [] : [[name, value]];
  });
  return {
    search: {
      query: searchQueryOf(query),
      sort: parseSort(query.sort || DEFAULT_SORT),
      limit: Math.min(limit, RESULT_WINDOW - offset),
      offset,
    },
    format,
    fields,
    csvFields: fields.length > 0 ? fields : DEFAULT_CSV_FIELDS,
    page: { limit, offset, fields, carried },
  };
}

/** `q`, `start` and `end` as one query (undefined: every recorded session); shared with the stats endpoint. */
export function searchQueryOf(query: Pick<SessionListQuery, 'q' | 'start' | 'end'>): SessionQueryAst | undefined {
  return allOf(parseQ(query.q), startedAfter(query.start), endedBefore(query.end));
}

/** A non-negative whole-number query parameter; undefined when absent, 400 InvalidQuery when malformed. */
export function wholeNumberParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value)) throw invalid(name, `${name} must be a whole number, not "${value}".`);
  return Number(value);
}

function parseQ(q: string | undefined): SessionQueryAst | undefined {
  if (q === undefined) return undefined;
  try {
    return parseSessionQuery(q);
  } catch (err) {
    if (!(err instanceof SessionQueryError)) throw err;
    throw invalid('q', `Invalid query: ${err.message}.`, { position: err.position, query: q });
  }
}

function parseFields(value: string | undefined): string[] {
  const fields = (value ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const unknown = fields.filter((f) => !SESSION_FIELDS.includes(f));
  if (unknown.length > 0) {
    throw invalid('fields', `Unknown field(s) ${unknown.join(', ')}; known: ${SESSION_FIELDS.join(', ')}.`, {
      unknown,
    });
  }
  return [...new Set(fields)];
}

function parseSort(value: string): SessionSearch['sort'] {
  return value.split(',').map((item) => {
    const name = item.trim().replace(/^[+-]/, '');
    const field = SORT_FIELDS.get(name);
    if (!field) throw invalid('sort', `Cannot sort by "${name}"; sort by ${[...SORT_FIELDS.keys()].join(', ')}.`);
    return { field, descending: item.trim().startsWith('-') };
  });
}

function instant(name: string, value: string): number {
  const span = parseTimeSpan(value);
  if (!span) throw invalid(name, `${name} must be an ISO 8601 time (e.g. 2017-01-25T10:00), not "${value}".`);
  return span.start;
}

/** `start`: sessions that started at or after it. */
function startedAfter(value: string | undefined): SessionQueryAst | undefined {
  return value ? { kind: 'time', field: 'start_time', from: instant('start', value), to: null } : undefined;
}

/** `end`: sessions that ended before it (active sessions have not ended). */
function endedBefore(value: string | undefined): SessionQueryAst | undefined {
  return value ? { kind: 'time', field: 'end_time', from: null, to: instant('end', value) } : undefined;
}

// The basic audit search of docs/compat/sps.md §6.3–6.4, as far as this lab goes: `q` with `field:value` terms joined
// by AND, `fields` (dotted paths into the session body), and `limit`/`offset` paging with page links.
import type { RecordedSession } from './device.js';
import { type ListingMeta, listItem, listingBody, SESSIONS_PATH, sessionBody } from './shapes.js';

const DEFAULT_LIMIT = 500;
/** Larger limits are capped, not refused (§6.3). */
const MAX_LIMIT = 500;
/** The basic search returns at most this many results; a larger offset is ignored (§6.3). */
const RESULT_WINDOW = 10_000;

/** A query the lab cannot answer; the route turns it into a 400. */
export class QueryError extends Error {}

interface Term {
  path: string[];
  value: string;
}

/** Whitespace-separated tokens; a double-quoted run (with `\` escapes) stays inside its token. */
function tokenize(q: string): string[] {
  return q.match(/(?:[^\s"\\]|\\.|"(?:[^"\\]|\\.)*")+/g) ?? [];
}

/** Lucene syntax beyond plain terms: wildcards, groups, ranges, boosts, fuzziness, stray quotes, prefix operators. */
const UNSUPPORTED = /(?<!\\)[*?()[\]{}^~"]|^[-+!]/;

function unescapeLucene(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function parseTerm(token: string): Term {
  const colon = token.search(/(?<!\\):/);
  const field = token.slice(0, colon);
  let raw = token.slice(colon + 1);
  if (colon < 1 || !/^[A-Za-z_][\w.]*$/.test(field) || raw === '')
    throw new QueryError(`not a field:value term: ${token}`);
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) raw = raw.slice(1, -1);
  else if (UNSUPPORTED.test(raw)) throw new QueryError(`wildcards, ranges and operators are not supported: ${token}`);
  return { path: field.split('.'), value: unescapeLucene(raw) };
}

/** `term (AND term)*`; empty means everything. OR, NOT, groups and implicit operators are refused, not guessed at. */
function parseQuery(q: string): Term[] {
  const tokens = tokenize(q);
  const terms: Term[] = [];
  tokens.forEach((token, index) => {
    const wantTerm = index % 2 === 0;
    if (wantTerm) terms.push(parseTerm(token));
    else if (token !== 'AND') throw new QueryError(`expected AND between terms, got ${token}`);
  });
  if (tokens.length % 2 === 0 && tokens.length > 0) throw new QueryError('the query ends with AND');
  return terms;
}

function valueAt(body: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function matches(body: Record<string, unknown>, terms: readonly Term[]): boolean {
  return terms.every((term) => {
    const value = valueAt(body, term.path);
    const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    return scalar && String(value) === term.value;
  });
}

function parseFields(raw: string | null): string[] {
  return (raw ?? '')
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
}

/** Only the requested paths, nested as in the full body; paths the body lacks are left out. */
function selectFields(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const selected: Record<string, unknown> = {};
  for (const field of fields) {
    const path = field.split('.');
    const value = valueAt(body, path);
    if (value === undefined) continue;
    let target = selected;
    for (const key of path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[path[path.length - 1] as string] = value;
  }
  return selected;
}

function wholeParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new QueryError(`${name} must be a non-negative integer, got ${raw}`);
  return Number(raw);
}

interface Paging {
  limit: number;
  offset: number;
}

function parsePaging(query: URLSearchParams): Paging {
  const limit = Math.min(wholeParam(query, 'limit', DEFAULT_LIMIT), MAX_LIMIT);
  if (limit === 0) throw new QueryError('limit must be at least 1');
  const offset = wholeParam(query, 'offset', 0);
  return { limit, offset: offset > RESULT_WINDOW ? 0 : offset };
}

/** Link to one page, in the parameter order of the documented sample (`?limit=500&offset=0&fields=`), plus `q`. */
function pageLink(paging: Paging, fields: readonly string[], q: string): string {
  const link = `${SESSIONS_PATH}?limit=${paging.limit}&offset=${paging.offset}&fields=${fields.map(encodeURIComponent).join(',')}`;
  return q === '' ? link : `${link}&q=${encodeURIComponent(q)}`;
}

function listingMeta(paging: Paging, fields: string[], q: string, matchCount: number): ListingMeta {
  const { limit, offset } = paging;
  const reachable = Math.min(matchCount, RESULT_WINDOW);
  const link = (at: number) => pageLink({ limit, offset: at }, fields, q);
  return {
    fields,
    first: link(0),
    href: SESSIONS_PATH,
    last: link(reachable === 0 ? 0 : Math.floor((reachable - 1) / limit) * limit),
    limit,
    match_count: matchCount,
    next: offset + limit < reachable ? link(offset + limit) : null,
    offset,
    parent: '/api/audit',
    previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
  };
}

/** `GET /api/audit/sessions`: matches in recording order; items carry a `body` only when `fields` asks for one. */
export function searchSessions(sessions: Iterable<RecordedSession>, nodeId: string, query: URLSearchParams): string {
  const q = (query.get('q') ?? '').trim();
  const terms = parseQuery(q);
  const fields = parseFields(query.get('fields'));
  const paging = parsePaging(query);
  const matched: { key: string; body: Record<string, unknown> }[] = [];
  for (const session of sessions) {
    const body = sessionBody(session, nodeId);
    if (matches(body, terms)) matched.push({ key: session.key, body });
  }
  const end = Math.min(paging.offset + paging.limit, RESULT_WINDOW);
  const items = matched
    .slice(paging.offset, end)
    .map(({ key, body }) => listItem(key, fields.length > 0 ? selectFields(body, fields) : undefined));
  return listingBody(items, listingMeta(paging, fields, q, matched.length));
}

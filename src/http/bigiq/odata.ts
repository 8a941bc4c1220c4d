// OData query options on BIG-IQ collections (docs/compat/bigiq.md §3–4): parse `$filter`, `$select`, `$top`, `$skip`,
// `$orderby` and `$expand` from a request's (already URL-decoded) query, and apply them to a list of items.
// Pure and dependency-free; the routes wrap the result in the collection envelope and map ODataError to a 400.
import { evaluateFilter, resolvePath } from './odata-eval.js';
import { type FilterExpr, ODataError, parseFilter, splitPath } from './odata-filter.js';

export { evaluateFilter } from './odata-eval.js';
export type { ComparisonOperator, FilterExpr, FilterLiteral, StringFunction } from './odata-filter.js';
export { FILTER_LIMITS, ODataError, parseFilter } from './odata-filter.js';

export interface OrderByClause {
  readonly path: readonly string[];
  readonly direction: 'asc' | 'desc';
}

/** A parsed query; an absent member means the option was not given. */
export interface ODataQuery {
  readonly filter?: FilterExpr;
  /** Top-level keys to keep on each item. */
  readonly select?: readonly string[];
  readonly top?: number;
  readonly skip?: number;
  readonly orderBy?: readonly OrderByClause[];
  /** Recorded only: items already carry their references inline. */
  readonly expand?: readonly string[];
}

/** One option at a time, so a query with no `$` options parses to `{}`. */
const OPTION_PARSERS = new Map<string, (value: string) => ODataQuery>([
  ['$filter', (value) => ({ filter: parseFilter(value) })],
  ['$select', (value) => ({ select: parseNameList('$select', value) })],
  ['$top', (value) => ({ top: parseCount('$top', value) })],
  ['$skip', (value) => ({ skip: parseCount('$skip', value) })],
  ['$orderby', (value) => ({ orderBy: parseOrderBy(value) })],
  ['$expand', (value) => ({ expand: parseNameList('$expand', value) })],
]);

/**
 * Reads the OData options from a request query. Keys without `$` belong to the route and are ignored; an unknown
 * `$` option, or one given twice, is an ODataError.
 */
export function parseQuery(query: Readonly<Record<string, string | readonly string[] | undefined>>): ODataQuery {
  let parsed: ODataQuery = {};
  for (const [option, value] of Object.entries(query)) {
    if (!option.startsWith('$') || value === undefined) continue;
    const parse = OPTION_PARSERS.get(option);
    if (parse === undefined) {
      const supported = [...OPTION_PARSERS.keys()].join(', ');
      throw new ODataError(`Unsupported query option '${option}'; supported: ${supported}`, option);
    }
    if (typeof value !== 'string') throw new ODataError(`Invalid ${option}: given more than once`, option);
    parsed = { ...parsed, ...parse(value) };
  }
  return parsed;
}

function parseNameList(option: string, value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.includes('')) throw new ODataError(`Invalid ${option}: empty name in '${value}'`, option);
  return names;
}

function parseCount(option: string, value: string): number {
  const text = value.trim();
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count)) {
    throw new ODataError(`Invalid ${option}: expected a non-negative integer, got '${value}'`, option);
  }
  return count;
}

/** `<property> [asc|desc]`, comma-separated; the property may be a single-quoted `/` path like in `$filter`. */
function parseOrderBy(value: string): OrderByClause[] {
  return value.split(',').map((clause) => {
    const [name = '', direction = 'asc', ...extra] = clause.trim().split(/[\s+]+/);
    const path = splitPath(name.replace(/^'(.*)'$/, '$1'));
    const order = direction.toLowerCase();
    if (path === undefined || extra.length > 0 || (order !== 'asc' && order !== 'desc')) {
      throw new ODataError(`Invalid $orderby: expected '<property> [asc|desc]', got '${clause.trim()}'`, '$orderby');
    }
    return { path, direction: order };
  });
}

const SORT_RANKS: Readonly<Record<string, number>> = { boolean: 1, number: 2, string: 3 };

/** Total order over JSON values for sorting: null/missing < booleans < numbers < strings < objects. */
function compareForSort(a: unknown, b: unknown): number {
  const rank = (value: unknown): number =>
    value === null || value === undefined ? 0 : (SORT_RANKS[typeof value] ?? 4);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // Plain code-unit order, not localeCompare: results must not depend on the server's locale.
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return 0;
}

function compareByClauses(a: object, b: object, clauses: readonly OrderByClause[]): number {
  for (const { path, direction } of clauses) {
    // A path reaching several values (through an array) sorts by the first one.
    const order = compareForSort(resolvePath(a, path)[0], resolvePath(b, path)[0]);
    if (order !== 0) return direction === 'desc' ? -order : order;
  }
  return 0;
}

function pickKeys<T extends Record<string, unknown>>(item: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(
    keys.filter((key) => Object.hasOwn(item, key)).map((key) => [key, item[key]]),
  ) as Partial<T>;
}

/**
 * Filters, sorts (stably), pages and projects `items`. `totalItems` counts the items that pass the filter before
 * `$skip`/`$top`, like BIG-IP's paged collections, so `totalItems == 0` still answers "does anything match?".
 */
export function applyQuery<T extends Record<string, unknown>>(
  items: readonly T[],
  query: ODataQuery,
): { items: Partial<T>[]; totalItems: number } {
  const { filter, orderBy, select, skip = 0, top } = query;
  const matching = filter === undefined ? [...items] : items.filter((item) => evaluateFilter(filter, item));
  if (orderBy !== undefined && orderBy.length > 0) matching.sort((a, b) => compareByClauses(a, b, orderBy));
  const page = matching.slice(skip, top === undefined ? undefined : skip + top);
  return {
    items: select === undefined ? page : page.map((item) => pickKeys(item, select)),
    totalItems: matching.length,
  };
}

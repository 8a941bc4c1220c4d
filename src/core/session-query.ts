// The session search language: the Lucene subset SPS clients send in `q` (docs/compat/sps.md §6.4), parsed into an AST
// the store compiles to SQL. Pure: no SQL, no HTTP.
//
//   query   = or
//   or      = and { ("OR" | "||") and }
//   and     = unary { ["AND" | "&&"] unary }        adjacent clauses are ANDed (Lucene's default is OR; see below)
//   unary   = ("NOT" | "!" | "-") unary | "+" unary | primary
//   primary = "(" or ")" | field ":" value | field ":" "(" or ")" | value     (a bare value only inside field:( … ))
//   value   = word | "quoted" | [from TO to] | {from TO to}
//
// - Operators are upper case, as in Lucene; `and` / `or` are plain values.
// - Implicit AND: a search filter that widens when a term is added surprises more people than it helps, and SPS
//   users write explicit operators anyway. `+term` is therefore a no-op and `-term` is NOT.
// - Plain values match exactly and case-sensitively (user names are case-sensitive on the gateways, and an exact match
//   can use an index). Unescaped `*` (any run) and `?` (one character) make a wildcard pattern, matched
//   case-insensitively. Quoted values never contain wildcards.
// - `\` escapes the next character anywhere (`\*`, `\:`, `\(`, `\"`). A value may contain `:` and `/` unescaped
//   (`client.ip:::1`, `session_id:bigip-1.lab/a1b2c3d4`); parentheses and spaces need quotes or escapes.
// - `start_time` / `end_time` take ISO 8601 values (a value covers its precision: a date is the whole day), ranges
//   `[a TO b]` (inclusive) / `{a TO b}` (exclusive) with `*` for an open end, and `*` for "has a value".
// - `active:true|false`, `verdict:ACTIVE|CLOSED|TERMINATED`, `end_reason:closed|killed` (case-insensitive); a session
//   killed through curfew is TERMINATED, one the device stopped listing is CLOSED.
// - `origin` is always CURFEW_INVENTORY (sessions come from the gateways' inventory, not from recordings).
// - Not supported (a clear error rather than a silent mismatch): fuzzy `~`, boosting `^`, regular expressions.
// - A query has a budget (SESSION_QUERY_LIMITS, docs/security.md): the parser recurses per nesting level and the
//   store compiles every term and negation into one SQL expression, whose depth SQLite caps at 1000.
import { matchesGlob } from './glob.js';
import { parseTimeSpan } from './iso-time.js';
import { type QueryChar, SessionQueryError, type Token, tokenize } from './session-query-lexer.js';

export { SessionQueryError } from './session-query-lexer.js';

/** Session properties a text term can match. `device` is the hostname, `device_key` the device id. */
export type TextField =
  | 'user'
  | 'client_ip'
  | 'protocol'
  | 'device'
  | 'device_key'
  | 'cluster'
  | 'access_group'
  | 'session_id';
export type TimeField = 'start_time' | 'end_time';
export type SessionVerdict = 'ACTIVE' | 'CLOSED' | 'TERMINATED';
/** Why a session ended: the device stopped listing it (`closed`), or curfew killed it (`killed`). */
export type SessionEndReason = 'closed' | 'killed';
/** A literal run, or a wildcard: `*` any run of characters, `?` exactly one. */
export type PatternPart = string | { readonly wildcard: '*' | '?' };

export type SessionQueryAst =
  | { readonly kind: 'and' | 'or'; readonly operands: readonly SessionQueryAst[] }
  | { readonly kind: 'not'; readonly operand: SessionQueryAst }
  /** Exact, case-sensitive. */
  | { readonly kind: 'text'; readonly field: TextField; readonly value: string }
  /** Wildcard, case-insensitive; `*` alone means "has a value". */
  | { readonly kind: 'pattern'; readonly field: TextField; readonly parts: readonly PatternPart[] }
  /** Epoch ms: `from` inclusive, `to` exclusive, null for an open end; both null means "has a value". */
  | { readonly kind: 'time'; readonly field: TimeField; readonly from: number | null; readonly to: number | null }
  | { readonly kind: 'verdict'; readonly verdicts: readonly SessionVerdict[] }
  | { readonly kind: 'constant'; readonly value: boolean };

export const ORIGIN = 'CURFEW_INVENTORY';
export const VERDICT_OF_END_REASON: Readonly<Record<SessionEndReason, SessionVerdict>> = {
  closed: 'CLOSED',
  killed: 'TERMINATED',
};
const ENDED: readonly SessionVerdict[] = ['CLOSED', 'TERMINATED'];
/** Characters of `q`; nesting of parentheses and negations together; field values (terms). */
export const SESSION_QUERY_LIMITS = { maxLength: 4096, maxDepth: 32, maxTerms: 128 } as const;

type FieldDef =
  | { readonly type: 'text'; readonly field: TextField }
  | { readonly type: 'time'; readonly field: TimeField }
  /** Values (lower case) → node; `open` fields match unknown values to nothing instead of failing. */
  | { readonly type: 'enum'; readonly values: ReadonlyMap<string, SessionQueryAst>; readonly open?: boolean };

const text = (field: TextField): FieldDef => ({ type: 'text', field });
const time = (field: TimeField): FieldDef => ({ type: 'time', field });
const verdicts = (...list: SessionVerdict[]): SessionQueryAst => ({ kind: 'verdict', verdicts: list });
const enumOf = (entries: [string, SessionQueryAst][], open = false): FieldDef => ({
  type: 'enum',
  values: new Map(entries),
  open,
});

/** Field names (case-insensitive) and their aliases, following the SPS session body. */
const FIELDS: ReadonlyMap<string, FieldDef> = new Map([
  ['user', text('user')],
  ['user.name', text('user')],
  ['gateway_username', text('user')],
  ['client.ip', text('client_ip')],
  ['client_ip', text('client_ip')],
  ['client.name', text('client_ip')],
  ['protocol', text('protocol')],
  ['device', text('device')],
  ['device.name', text('device')],
  ['device.key', text('device_key')],
  ['device_id', text('device_key')],
  ['cluster', text('cluster')],
  ['access_group', text('access_group')],
  ['session_id', text('session_id')],
  ['start_time', time('start_time')],
  ['end_time', time('end_time')],
  [
    'active',
    enumOf([
      ['true', verdicts('ACTIVE')],
      ['false', verdicts(...ENDED)],
    ]),
  ],
  ['verdict', enumOf((['ACTIVE', ...ENDED] as const).map((v) => [v.toLowerCase(), verdicts(v)]))],
  ['end_reason', enumOf(Object.entries(VERDICT_OF_END_REASON).map(([reason, v]) => [reason, verdicts(v)]))],
  ['origin', enumOf([[ORIGIN.toLowerCase(), { kind: 'constant', value: true }]], true)],
]);

export const SESSION_QUERY_FIELDS: readonly string[] = [...FIELDS.keys()];

/** Parses `q`; undefined for an empty query (every session). Throws SessionQueryError with the position at fault. */
export function parseSessionQuery(query: string): SessionQueryAst | undefined {
  const { maxLength } = SESSION_QUERY_LIMITS;
  if (query.length > maxLength) throw new SessionQueryError(`query longer than ${maxLength} characters`, maxLength);
  const tokens = tokenize(query);
  if (tokens[0]?.type === 'end') return undefined;
  return new Parser(tokens).parse();
}

/** ANDs the given conditions, skipping absent ones; undefined when none is left. */
export function allOf(...nodes: (SessionQueryAst | undefined)[]): SessionQueryAst | undefined {
  const present = nodes.filter((n): n is SessionQueryAst => n !== undefined);
  return present.length <= 1 ? present[0] : { kind: 'and', operands: present };
}

class Parser {
  readonly #tokens: readonly Token[];
  #at = 0;
  #depth = 0;
  #terms = 0;

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  parse(): SessionQueryAst {
    const node = this.#or(undefined);
    const rest = this.#peek();
    if (rest.type !== 'end') throw unexpected(rest);
    return node;
  }

  #peek(): Token {
    return this.#tokens[this.#at] ?? (this.#tokens[this.#tokens.length - 1] as Token);
  }

  #next(): Token {
    const token = this.#peek();
    if (token.type !== 'end') this.#at += 1;
    return token;
  }

  #or(field: FieldDef | undefined): SessionQueryAst {
    const operands = [this.#and(field)];
    while (this.#peek().type === 'or') {
      this.#next();
      operands.push(this.#and(field));
    }
    return combine('or', operands);
  }

  #and(field: FieldDef | undefined): SessionQueryAst {
    const operands = [this.#unary(field)];
    for (;;) {
      const token = this.#peek();
      if (token.type === 'and') this.#next();
      else if (!STARTS_CLAUSE.has(token.type)) break;
      operands.push(this.#unary(field));
    }
    return combine('and', operands);
  }

  #unary(field: FieldDef | undefined): SessionQueryAst {
    const token = this.#peek();
    if (token.type === 'not') {
      this.#next();
      return { kind: 'not', operand: this.#nested(token, () => this.#unary(field)) };
    }
    if (token.type === 'must') {
      this.#next();
      return this.#unary(field);
    }
    return this.#primary(field);
  }

  #primary(field: FieldDef | undefined): SessionQueryAst {
    const token = this.#next();
    if (token.type === '(') return this.#group(field, token);
    if (token.type === 'word') return this.#word(field, token);
    if (token.type === 'string' || token.type === 'range') return this.#value(requireField(field, token), token);
    throw unexpected(token);
  }

  #group(field: FieldDef | undefined, open: Token): SessionQueryAst {
    return this.#nested(open, () => {
      const node = this.#or(field);
      if (this.#next().type !== ')') throw new SessionQueryError('this ( is never closed', open.position);
      return node;
    });
  }

  /** Parses what `opener` (a `(` or a negation) opens, within the nesting budget. */
  #nested(opener: Token, parse: () => SessionQueryAst): SessionQueryAst {
    const { maxDepth } = SESSION_QUERY_LIMITS;
    if (++this.#depth > maxDepth) {
      throw new SessionQueryError(`parentheses and negations nest deeper than ${maxDepth}`, opener.position);
    }
    const node = parse();
    this.#depth -= 1;
    return node;
  }

  /** A field value, counted against the term budget; `at` is where its term starts (`user:` included). */
  #value(field: FieldDef, token: ValueToken, at = token.position): SessionQueryAst {
    const { maxTerms } = SESSION_QUERY_LIMITS;
    if (++this.#terms > maxTerms) throw new SessionQueryError(`more than ${maxTerms} terms`, at);
    return valueNode(field, token);
  }

  /** `field:value`, `field:` followed by a quoted value, range or group, or a bare value inside `field:( … )`. */
  #word(context: FieldDef | undefined, token: Extract<Token, { type: 'word' }>): SessionQueryAst {
    const colon = token.chars.findIndex((ch) => ch.c === ':' && !ch.escaped);
    if (colon < 0) return this.#value(requireField(context, token), token);
    const name = token.chars
      .slice(0, colon)
      .map((ch) => ch.c)
      .join('');
    const field = FIELDS.get(name.toLowerCase());
    if (!field) {
      throw new SessionQueryError(
        `unknown field "${name}" (known: ${SESSION_QUERY_FIELDS.join(', ')})`,
        token.position,
      );
    }
    const rest = token.chars.slice(colon + 1);
    if (rest.length > 0) {
      return this.#value(field, { ...token, chars: rest, position: token.position + colon + 1 }, token.position);
    }
    const value = this.#next();
    if (value.type === '(') return this.#group(field, value);
    if (value.type === 'word' || value.type === 'string' || value.type === 'range') {
      return this.#value(field, value, token.position);
    }
    throw new SessionQueryError(`expected a value after "${name}:"`, value.position);
  }
}

const STARTS_CLAUSE = new Set<Token['type']>(['word', 'string', 'range', '(', 'not', 'must']);

function combine(kind: 'and' | 'or', operands: SessionQueryAst[]): SessionQueryAst {
  const flat = operands.flatMap((o) => (o.kind === kind ? o.operands : [o]));
  return flat.length === 1 ? (flat[0] as SessionQueryAst) : { kind, operands: flat };
}

function unexpected(token: Token): SessionQueryError {
  if (token.type === 'end')
    return new SessionQueryError('unexpected end of query; expected a search term', token.position);
  return new SessionQueryError(`unexpected "${token.raw}"; expected a search term`, token.position);
}

function requireField(field: FieldDef | undefined, token: Token): FieldDef {
  if (field) return field;
  throw new SessionQueryError(`"${token.raw}" has no field; write field:value (e.g. user:alice)`, token.position);
}

type ValueToken = Extract<Token, { type: 'word' | 'string' | 'range' }>;

function valueNode(field: FieldDef, token: ValueToken): SessionQueryAst {
  if (token.type === 'range') {
    if (field.type !== 'time')
      throw new SessionQueryError('ranges work on start_time and end_time only', token.position);
    return rangeNode(field.field, token);
  }
  const chars: readonly QueryChar[] =
    token.type === 'string' ? [...token.text].map((c) => ({ c, escaped: true })) : token.chars;
  const unsupported = chars.findIndex((ch) => !ch.escaped && (ch.c === '~' || ch.c === '^'));
  if (unsupported >= 0) {
    throw new SessionQueryError('fuzzy (~) and boost (^) are not supported; escape them with \\', token.position);
  }
  const parts = patternParts(chars);
  const plain = parts.every((p) => typeof p === 'string');
  const value = chars.map((ch) => ch.c).join('');
  if (field.type === 'text') {
    return plain ? { kind: 'text', field: field.field, value } : { kind: 'pattern', field: field.field, parts };
  }
  if (field.type === 'time') return timeNode(field.field, value, plain, token.position);
  return enumNode(field, value, plain ? undefined : parts, token.position);
}

function patternParts(chars: readonly QueryChar[]): PatternPart[] {
  const parts: PatternPart[] = [];
  for (const ch of chars) {
    const last = parts[parts.length - 1];
    if (!ch.escaped && (ch.c === '*' || ch.c === '?')) parts.push({ wildcard: ch.c });
    else if (typeof last === 'string') parts[parts.length - 1] = last + ch.c;
    else parts.push(ch.c);
  }
  return parts;
}

function timeNode(field: TimeField, value: string, plain: boolean, position: number): SessionQueryAst {
  if (!plain && value === '*') return { kind: 'time', field, from: null, to: null };
  const span = plain ? parseTimeSpan(value) : undefined;
  if (!span)
    throw new SessionQueryError(`${field} needs an ISO 8601 time (e.g. 2026-01-31T10:00Z), not "${value}"`, position);
  return { kind: 'time', field, from: span.start, to: span.end };
}

function rangeNode(field: TimeField, token: Extract<Token, { type: 'range' }>): SessionQueryAst {
  const bound = (text: string): { start: number; end: number } | null => {
    if (text === '*') return null;
    const span = parseTimeSpan(text);
    if (!span) throw new SessionQueryError(`${field} range bound "${text}" is not an ISO 8601 time`, token.position);
    return span;
  };
  const low = bound(token.low);
  const high = bound(token.high);
  // An inclusive bound takes in its whole span ([2026-01-01 TO 2026-01-31] includes all of January 31).
  return {
    kind: 'time',
    field,
    from: low && (token.lowInclusive ? low.start : low.end),
    to: high && (token.highInclusive ? high.end : high.start),
  };
}

function enumNode(
  field: Extract<FieldDef, { type: 'enum' }>,
  value: string,
  pattern: readonly PatternPart[] | undefined,
  position: number,
): SessionQueryAst {
  const none: SessionQueryAst = { kind: 'constant', value: false };
  if (pattern) {
    const matches = [...field.values]
      .filter(([name]) => matchesGlob(pattern, name, { ignoreCase: true }))
      .map(([, node]) => node);
    return matches.length === 0 ? none : combine('or', matches);
  }
  const node = field.values.get(value.toLowerCase());
  if (node) return node;
  if (field.open) return none;
  const allowed = [...field.values.keys()].join(', ');
  throw new SessionQueryError(`"${value}" is not one of ${allowed}`, position);
}

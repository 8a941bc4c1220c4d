// Grammar-based generators for the two query languages: OData `$filter` (BIG-IQ collections) and the Lucene subset
// of SPS `q`. Mostly well-formed expressions (to reach evaluation and SQL), then fragments of them cut, doubled or
// nested far past what a person writes (to reach the parsers' edges: depth, length, repetition).
import fc from 'fast-check';
import { extremeSize } from './values.js';

const mixedCase = (word: string) => fc.mixedCase(fc.constant(word));

// ---- OData $filter (src/http/bigiq/odata-filter.ts) ----

const ODATA_PROPERTIES = [
  'status',
  'userName',
  'username',
  'id',
  'name',
  'kind',
  'address',
  'hostname',
  'machineId',
  'generation',
  'currentStep',
  'selfLink',
  'properties/cm:access:access_group',
  'properties/cm:access:cluster',
  'deviceReference/link',
  'a/b/c/d/e/f/g',
  'unknownProperty',
];

const odataValue = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/'/g, "''")}'`),
  fc.constantFrom('STARTED', 'FINISHED', 'true', 'false', 'null', '0', '-1', '1.5e3', '9'.repeat(400), "''", "'''"),
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
);
const odataProperty = fc.oneof(
  fc.constantFrom(...ODATA_PROPERTIES),
  fc.constantFrom(...ODATA_PROPERTIES).map((p) => `'${p}'`),
);
const odataComparison = fc
  .tuple(odataProperty, fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le').chain(mixedCase), odataValue)
  .map(([p, op, v]) => `${p} ${op} ${v}`);
const odataCall = fc
  .tuple(
    fc.constantFrom('substringof', 'startswith', 'endswith', 'contains', 'tolower', 'length'),
    odataProperty,
    odataValue,
    fc.constantFrom('', ' eq true', ' eq false', ' ne true', ' eq 1'),
  )
  .map(([name, p, v, tail]) => (name === 'substringof' ? `${name}(${v}, ${p})${tail}` : `${name}(${p}, ${v})${tail}`));

const { odata: odataWellFormed } = fc.letrec<{ odata: string }>((tie) => ({
  odata: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    odataComparison,
    odataCall,
    fc
      .tuple(tie('odata'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('odata'))
      .map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('odata').map((e) => `not ${e}`),
    tie('odata').map((e) => `(${e})`),
  ),
}));

/** Expressions past any sane size: nesting and `not` chains, long conjunctions and literals, glob stars. */
const odataExtreme = fc.oneof(
  fc
    .tuple(extremeSize(5_000), odataComparison, fc.constantFrom('(', 'not ', 'NOT(', '(not '))
    .map(([n, base, open]) => `${open.repeat(n)}${base}${open.endsWith('(') ? ')'.repeat(n) : ''}`),
  fc.tuple(extremeSize(5_000), odataComparison).map(([n, base]) => `${'('.repeat(n)}${base}`),
  fc
    .tuple(extremeSize(2_000), odataComparison, fc.constantFrom(' and ', ' or '))
    .map(([n, base, op]) => Array.from({ length: n }, () => base).join(op)),
  fc
    .tuple(extremeSize(5_000), fc.constantFrom("status eq '{}", "status eq '{}'", '{} eq 1', "startswith(name, '{}')"))
    .chain(([n, template]) =>
      fc.constantFrom('a', "''", '\\', ' ', '1').map((unit) => template.replace('{}', unit.repeat(n))),
    ),
  // Glob stars against a long value of one repeated character: where a backtracking matcher goes exponential. A
  // regular expression blocks the event loop and cannot be interrupted, so the count stays where a backtracking
  // matcher takes seconds (against the seeded 64-character user name), not hours.
  fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.constantFrom('userName', 'username', 'name', 'status', 'selfLink'))
    .chain(([n, property]) =>
      fc.constantFrom(`${property} eq '${'*a'.repeat(n)}*b'`, `${property} ne '${'*/'.repeat(n)}x'`),
    ),
);

export const odataFilter: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: odataWellFormed },
  { weight: 2, arbitrary: fragmentOf(odataWellFormed) },
  { weight: 5, arbitrary: odataExtreme },
);

const odataProperties = fc.array(fc.constantFrom(...ODATA_PROPERTIES), { minLength: 1, maxLength: 4 });

/** OData options as clients write them. */
export const odataOptions: Record<string, fc.Arbitrary<string>> = {
  $filter: odataWellFormed,
  $select: odataProperties.map((a) => a.join(',')),
  $orderby: fc
    .array(fc.tuple(fc.constantFrom(...ODATA_PROPERTIES), fc.constantFrom('', ' asc', ' desc')), {
      minLength: 1,
      maxLength: 3,
    })
    .map((a) => a.map(([p, d]) => `${p}${d}`).join(',')),
  $top: fc.nat({ max: 50 }).map(String),
  $skip: fc.nat({ max: 50 }).map(String),
  $expand: fc.constantFrom('*', 'deviceReference'),
};

/** OData options past what clients write: grammar fragments, extremes, bad counts and names. */
export const hostileOdataOptions: Record<string, fc.Arbitrary<string>> = {
  $filter: odataFilter,
  $select: fc.array(fc.constantFrom(...ODATA_PROPERTIES, '*', '', ' '), { maxLength: 5 }).map((a) => a.join(',')),
  $orderby: fc
    .array(fc.tuple(fc.constantFrom(...ODATA_PROPERTIES, ''), fc.constantFrom(' sideways', ' asc desc', ',,')), {
      maxLength: 4,
    })
    .map((a) => a.map(([p, d]) => `${p}${d}`).join(',')),
  $top: fc.constantFrom('-1', '1e9', '99999999999999999999', 'ten', '', '1.5'),
  $skip: fc.constantFrom('-1', '1.5', '0x10', '', '1'.repeat(400)),
  $expand: fc.constantFrom('a,b', '', '**', '$filter'),
};

// ---- SPS q (src/core/session-query.ts) ----

const LUCENE_FIELDS = [
  'user',
  'user.name',
  'client.ip',
  'protocol',
  'device',
  'device.key',
  'cluster',
  'access_group',
  'session_id',
  'active',
  'verdict',
  'end_reason',
  'origin',
  'start_time',
  'end_time',
  'usr',
  'screen.content',
];
const luceneWord = fc.oneof(
  fc.constantFrom('alice', 'al*', '?lice', '*', 'true', 'false', 'TERMINATED', 'killed', '198.51.100.*', '::1'),
  fc.constantFrom('svc/rpokH8fD9kx6CaxNLznKx2/ssh-servers:1', 'sps-1.fuzz.local/svc/x/y:1', '2026-01-01', 'now'),
  fc.string({ maxLength: 10, unit: 'grapheme' }).map((s) => s.replace(/[\s():"[\]{}]/g, '\\$&')),
);
const luceneValue = fc.oneof(
  luceneWord,
  fc.string({ maxLength: 12 }).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`),
  fc
    .tuple(
      fc.constantFrom('[', '{'),
      fc.constantFrom('2026-01-01', '*', '2026-01-01T10:00Z', 'x'),
      fc.constantFrom(']', '}'),
    )
    .map(([open, from, close]) => `${open}${from} TO 2027-01-01${close}`),
);
const luceneTerm = fc.oneof(
  fc.tuple(fc.constantFrom(...LUCENE_FIELDS), luceneValue).map(([f, v]) => `${f}:${v}`),
  fc.tuple(fc.constantFrom(...LUCENE_FIELDS), luceneWord, luceneWord).map(([f, a, b]) => `${f}:(${a} OR ${b})`),
  fc.constantFrom('user:alice~2', 'user:alice^3', 'user:/al.*/', 'alice', ':', '"unterminated', 'user:'),
);

const { lucene: luceneWellFormed } = fc.letrec<{ lucene: string }>((tie) => ({
  lucene: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    luceneTerm,
    fc
      .tuple(tie('lucene'), fc.constantFrom(' AND ', ' OR ', ' && ', ' || ', ' ', ' and '), tie('lucene'))
      .map(([a, op, b]) => `${a}${op}${b}`),
    fc.tuple(fc.constantFrom('NOT ', '!', '-', '+'), tie('lucene')).map(([op, e]) => `${op}${e}`),
    tie('lucene').map((e) => `(${e})`),
  ),
}));

/** Queries past any sane size (`q` takes 4096 characters): NOT chains, nesting, long conjunctions and values. */
const luceneExtreme = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(extremeSize(4_000), luceneTerm, fc.constantFrom('NOT ', '-', '!', '+', 'NOT -', '('))
      .map(([n, base, prefix]) => `${prefix.repeat(n)}${base}${prefix === '(' ? ')'.repeat(n) : ''}`),
  },
  fc.tuple(extremeSize(4_000), luceneTerm).map(([n, base]) => `${'('.repeat(n)}${base}`),
  fc
    .tuple(extremeSize(1_000), luceneTerm, fc.constantFrom(' OR ', ' AND ', ' '))
    .map(([n, base, op]) => Array.from({ length: n }, () => base).join(op)),
  fc
    .tuple(extremeSize(4_000), fc.constantFrom('user:{}', 'user:"{}"', '{}', 'start_time:[{} TO *]'))
    .chain(([n, template]) =>
      fc.constantFrom('a*', '\\"', '\\', '?', '*').map((unit) => template.replace('{}', unit.repeat(n))),
    ),
);

/** Well-formed queries (some with fields or features curfew refuses, which is a 400). */
export const luceneQuery = luceneWellFormed;

/** Queries past what clients write: fragments of valid ones, and extremes. */
export const hostileLuceneQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: luceneWellFormed },
  { weight: 2, arbitrary: fragmentOf(luceneWellFormed) },
  { weight: 5, arbitrary: luceneExtreme },
);

/** A piece of a valid expression: cut at a random point, or doubled. */
function fragmentOf(expression: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(expression, fc.nat(), fc.boolean()).map(([text, at, doubled]) => {
    const cut = text.slice(0, at % (text.length + 1));
    return doubled ? `${cut}${text}` : cut;
  });
}

// Grammar-based generators for the two query languages: OData `$filter` (BIG-IQ collections) and the Lucene subset
// of SPS `q`. Mostly well-formed expressions (to reach evaluation and SQL), then fragments of them cut, doubled or
// nested far past what a person writes (to reach the parsers' edges: depth, length, repetition).
import fc from 'fast-check';

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

/** Expressions past any sane size: paren nesting, `not` chains, long literals, unterminated quotes. */
const odataExtreme = fc
  .tuple(fc.constantFrom(10, 100, 1_000, 5_000), odataComparison)
  .chain(([n, base]) =>
    fc.constantFrom(
      `${'('.repeat(n)}${base}${')'.repeat(n)}`,
      `${'('.repeat(n)}${base}`,
      `${'not '.repeat(n)}${base}`,
      Array.from({ length: n }, () => base).join(' and '),
      `status eq '${'a'.repeat(n * 10)}`,
      `status eq '${"''".repeat(n)}'`,
      `${'a'.repeat(n * 10)} eq 1`,
      `startswith(name, '${'\\'.repeat(n)}')`,
      `status eq ${'1'.repeat(n)}e${'1'.repeat(n)}`,
      ` ${' '.repeat(n * 10)}status eq 1`,
    ),
  );

export const odataFilter: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: odataWellFormed },
  { weight: 2, arbitrary: fragmentOf(odataWellFormed) },
  { weight: 2, arbitrary: odataExtreme },
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

/** Queries past any sane size: NOT chains, nesting, long conjunctions and values. */
const luceneExtreme = fc
  .tuple(fc.constantFrom(10, 33, 100, 1_000), luceneTerm)
  .chain(([n, base]) =>
    fc.constantFrom(
      `${'NOT '.repeat(n)}${base}`,
      `${'-'.repeat(n)}${base}`,
      `${'!'.repeat(n)}${base}`,
      `${'('.repeat(n)}${base}${')'.repeat(n)}`,
      `${'('.repeat(n)}${base}`,
      Array.from({ length: n }, () => base).join(' OR '),
      `user:${'a*'.repeat(n)}`,
      `user:"${'\\"'.repeat(n)}"`,
      `${'\\'.repeat(n)}`,
    ),
  );

/** Well-formed queries (some with fields or features curfew refuses, which is a 400). */
export const luceneQuery = luceneWellFormed;

/** Queries past what clients write: fragments of valid ones, and extremes. */
export const hostileLuceneQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: luceneWellFormed },
  { weight: 2, arbitrary: fragmentOf(luceneWellFormed) },
  { weight: 2, arbitrary: luceneExtreme },
);

/** A piece of a valid expression: cut at a random point, or doubled. */
function fragmentOf(expression: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(expression, fc.nat(), fc.boolean()).map(([text, at, doubled]) => {
    const cut = text.slice(0, at % (text.length + 1));
    return doubled ? `${cut}${text}` : cut;
  });
}

// Value generators: JSON values shaped by a route's schema (so bodies pass validation and reach the handlers), and
// hostile values — strings no client sends, wrong types, deep nesting — for everything else.
import fc from 'fast-check';
import { FUZZ_PASSWORD, type KnownIds } from './fuzz-app.js';
import type { JsonSchema } from './openapi-routes.js';

/** Strings chosen to break things: separators, escapes, encodings, sizes, names with meaning in JS or SQL. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '%2F',
    '%',
    '%zz',
    '%ED%A0%80',
    '%C0%AF',
    '%FF',
    '\\',
    "'",
    '"',
    "' OR 1=1 --",
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'null',
    'undefined',
    'NaN',
    '-0',
    '1e999',
    '9007199254740993',
    '\u202Eevil',
    '\uFEFF',
    '\uD800',
    'Ω≈ç√',
    '😀'.repeat(20),
    'a\r\nSet-Cookie: x=y',
    '<script>alert(1)</script>',
    // A log4shell-style lookup, literally.
    ['$', '{jndi:ldap://127.0.0.1/x}'].join(''),
  ),
  fc
    .tuple(fc.constantFrom('a', '/', '%', '(', '*', '\\', 'é', '0'), fc.constantFrom(1_000, 10_000, 100_000))
    .map(([unit, n]) => unit.repeat(n)),
);

/** Values of the wrong kind for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, [], {}, [[]], { '': '' }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'key', 'meta', ''), fc.jsonValue({ maxDepth: 2 })),
);

/** A size from a few to `max`, most often past what any client sends; shrinks towards the smallest that fails. */
export function extremeSize(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 100 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: Math.max(100, Math.min(max, 2_000)) }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max }) },
  );
}

/** JSON text nested `depth` deep, built as text (JSON.stringify of such a value would itself overflow the stack). */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(extremeSize(100_000), fc.constantFrom('array', 'object', 'mixed'))
  .map(([depth, shape]) => {
    if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const half = Math.ceil(depth / 2);
    return `{"status":${'[{"x":'.repeat(half)}0${'}]'.repeat(half)}}`;
  });

/** Ids of the objects a collection path holds (the path segment before a parameter). */
function idsInCollection(known: KnownIds, collection: string): string[] | undefined {
  const byCollection: Record<string, string[]> = {
    'kill-tasks': known.taskIds,
    'kill-sessions': known.taskIds,
    curfews: known.curfewIds,
    sessions: [...known.sessionKeys, ...known.sessionIds, ...known.nativeIds],
    devices: known.deviceIds,
    'machineid-resolver': known.deviceIds,
    users: known.userKeys,
    groups: known.groupKeys,
    'device-groups': [...known.accessGroups, ...known.clusters, 'cm-bigip-allBigIpDevices'],
    clusters: known.clusters,
    access_groups: known.accessGroups,
  };
  return byCollection[collection];
}

/**
 * Ids that name something: by the collection a path parameter is in, else by the parameter's or property's name.
 */
export function knownValues(known: KnownIds, name: string, collection = ''): string[] {
  const inCollection = idsInCollection(known, collection);
  if (inCollection)
    return name === '*' ? [...inCollection, ...known.nativeIds.map((id) => `${id}/events`)] : inCollection;
  const lower = name.toLowerCase();
  if (lower === 'id' || lower === 'key') {
    const keys = [...known.sessionKeys, ...known.sessionIds, ...known.nativeIds, ...known.taskIds, ...known.deviceIds];
    return [...keys, ...known.userKeys, ...known.groupKeys, ...known.clusters, ...known.accessGroups];
  }
  if (lower === 'name') return [...known.clusters, ...known.accessGroups, ...known.users, 'responders'];
  if (lower.includes('machine') || lower.includes('device')) return [...known.deviceIds, ...known.hostnames];
  if (lower.includes('group')) return [...known.accessGroups, ...known.clusters];
  if (lower.includes('cluster')) return known.clusters;
  if (lower.includes('loginprovider')) return ['local', 'tmos', 'RADIUS'];
  if (lower.includes('user')) return [...known.users, ...known.userKeys];
  if (lower.includes('member')) return known.userKeys;
  if (lower === 'token') return ['not-a-token', 'A'.repeat(64)];
  if (lower === 'password' || lower === 'plain') return [FUZZ_PASSWORD, 'wrong-password'];
  return [];
}

/** `plausible`: what a client would send (known ids, enum members, short words, schema-true types); `hostile`: not. */
export type Style = 'plausible' | 'hostile';

const word = fc.string({
  minLength: 1,
  maxLength: 12,
  unit: fc.constantFrom(...'abcdefghijkmnopqrstuvwxyz0123456789-_.'),
});

/** A string for a parameter or property: known ids, enum members, words; hostile strings when hostile. */
export function stringFor(
  known: KnownIds,
  name: string,
  schema: JsonSchema = {},
  style: Style = 'hostile',
  collection = '',
) {
  const ids = knownValues(known, name, collection);
  const options: fc.WeightedArbitrary<string>[] = [{ weight: 2, arbitrary: word }];
  if (style === 'hostile') {
    options.push({ weight: 3, arbitrary: hostileString });
    options.push({ weight: 1, arbitrary: fc.string({ maxLength: schema.maxLength ?? 24 }) });
  }
  if (ids.length > 0) options.push({ weight: 5, arbitrary: fc.constantFrom(...ids) });
  if (schema.enum?.length) options.push({ weight: 5, arbitrary: fc.constantFrom(...schema.enum.map(String)) });
  return fc.oneof(...options);
}

/** A value shaped by `schema`; when hostile, with wrong types and stray members now and then. */
export function valueFor(
  known: KnownIds,
  schema: JsonSchema,
  style: Style,
  name = '',
  depth = 0,
): fc.Arbitrary<unknown> {
  if (depth > 4) return style === 'hostile' ? wrongType : fc.constant(null);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueFor(known, s, style, name, depth + 1)));
  const shaped = schema.enum?.length
    ? fc.constantFrom(...schema.enum)
    : fc.oneof(...[schema.type ?? 'any'].flat().map((type) => valueOfType(known, schema, type, style, name, depth)));
  return style === 'hostile' ? fc.oneof({ weight: 9, arbitrary: shaped }, { weight: 1, arbitrary: wrongType }) : shaped;
}

function valueOfType(known: KnownIds, schema: JsonSchema, type: string, style: Style, name: string, depth: number) {
  switch (type) {
    case 'string':
      return stringFor(known, name, schema, style);
    case 'integer':
      return style === 'plausible'
        ? fc.integer({ min: 0, max: 70_000 })
        : fc.oneof(fc.integer({ min: -1, max: 70_000 }), fc.constantFrom(0, 2 ** 31, 2 ** 53, -(2 ** 53)));
    case 'number':
      return style === 'plausible' ? fc.integer({ min: 0, max: 1000 }) : fc.double();
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueFor(known, schema.items ?? {}, style, name, depth + 1), { maxLength: 4 });
    case 'object':
      return objectFor(known, schema, style, depth);
    default:
      return style === 'plausible'
        ? stringFor(known, name, {}, style)
        : fc.oneof(stringFor(known, name), fc.jsonValue({ maxDepth: 2 }));
  }
}

function objectFor(known: KnownIds, schema: JsonSchema, style: Style, depth: number) {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of properties) record[name] = valueFor(known, property, style, name, depth + 1);
  const shaped = fc.record(record, { requiredKeys: properties.map(([n]) => n).filter((n) => required.has(n)) });
  if (style === 'plausible') return shaped;
  const extra = fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 });
  return fc
    .tuple(shaped, fc.option(extra, { freq: 5 }))
    .map(([value, more]) => (more ? { ...more, ...value } : value) as Record<string, unknown>);
}

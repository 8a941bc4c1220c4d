// Query parameter values by name: the SPS search parameters and BIG-IQ OData options get their own grammars, the rest
// strings by the parameter's schema and name.
import fc from 'fast-check';
import type { KnownIds } from './fuzz-app.js';
import { hostileLuceneQuery, hostileOdataOptions, luceneQuery, odataOptions } from './grammars.js';
import type { FuzzRoute } from './openapi-routes.js';
import { hostileString, type Style, stringFor } from './values.js';

const ISO_TIMES = ['2026-01-01', '2026-01-01T10:00', '2026-01-01T10:00:00.123+05:30', '2026-01', '2000-02-29T23:59Z'];
const BAD_TIMES = ['2026-13-45', 'now', 'yesterday', '2026-01-01T25:00', '+275760-09-13', '1e15'];
const SESSION_FIELDS = [
  'session_id',
  'user.name',
  'client.ip',
  'verdict',
  'start_time',
  'end_time',
  'device',
  'active',
];
const SORT_FIELDS = ['start_time', '-start_time', 'end_time', 'user', '-user', 'client.ip', 'device', 'session_id'];
const STATS_FIELDS = ['user', 'client.ip', 'protocol', 'device', 'cluster', 'access_group'];

const listOf = (names: readonly string[]) =>
  fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }).map((a) => a.join(','));

function plausibleValue(known: KnownIds, route: FuzzRoute, name: string): fc.Arbitrary<string> {
  const option = odataOptions[name];
  if (option) return option;
  switch (name) {
    case 'q':
      return luceneQuery;
    case 'limit':
    case 'size':
      return fc.nat({ max: 600 }).map(String);
    case 'offset':
      return fc.nat({ max: 12_000 }).map(String);
    case 'start':
    case 'end':
      return fc.constantFrom(...ISO_TIMES);
    case 'fields':
      return listOf(SESSION_FIELDS);
    case 'sort':
      return listOf(SORT_FIELDS);
    case 'field':
      return fc.constantFrom(...STATS_FIELDS);
    case 'format':
      return fc.constantFrom('json', 'csv');
    default:
      return stringFor(known, name, route.query.find((p) => p.name === name)?.schema, 'plausible');
  }
}

function hostileValue(known: KnownIds, route: FuzzRoute, name: string): fc.Arbitrary<string> {
  const option = hostileOdataOptions[name];
  if (option) return fc.oneof(option, hostileString);
  switch (name) {
    case 'q':
      return fc.oneof({ weight: 4, arbitrary: hostileLuceneQuery }, { weight: 1, arbitrary: hostileString });
    case 'limit':
    case 'size':
    case 'offset':
      return fc.oneof(fc.constantFrom('-1', '1e3', '', '999999999999', '0x10', ' 1'), hostileString);
    case 'start':
    case 'end':
      return fc.oneof(fc.constantFrom(...BAD_TIMES), hostileString);
    case 'fields':
    case 'sort':
    case 'field':
      return fc.oneof(listOf([...SESSION_FIELDS, 'password', '', '-', 'user.name.first', '__proto__']), hostileString);
    case 'format':
      return fc.oneof(fc.constantFrom('xml', 'CSV', '', 'json,csv'), hostileString);
    default:
      return stringFor(known, name, route.query.find((p) => p.name === name)?.schema, 'hostile');
  }
}

export function queryValue(known: KnownIds, route: FuzzRoute, name: string, style: Style): fc.Arbitrary<string> {
  return style === 'plausible' ? plausibleValue(known, route, name) : hostileValue(known, route, name);
}

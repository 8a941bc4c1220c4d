// One generated HTTP request per run: a documented route, fuzzed path parameters, a query string from the route's
// parameters (query-language grammars for `q` and OData options), a body from the route's schema or a hostile one,
// and the caller's credentials (none, valid, or junk). Half the requests are plausible — what a client would send,
// so they reach the handlers' logic — and half hostile, to reach the edges of parsing and validation.
import fc from 'fast-check';
import type { KnownIds } from './fuzz-app.js';
import { type FuzzRoute, routeName, STREAMING } from './openapi-routes.js';
import { queryValue } from './query-values.js';
import { deepJsonText, hostileString, type Style, stringFor, valueFor, wrongType } from './values.js';

/** `valid`: the harness's current SPS cookie or BIG-IQ token; `basic`: admin over HTTP Basic; the rest are junk. */
export type AuthKind = 'none' | 'valid' | 'basic' | 'bad-basic' | 'junk-cookie' | 'junk-token';

export interface FuzzRequest {
  route: string;
  style: Style;
  /** The hostile part of a hostile request: `path`, `body`, `method`, `extra-query` or `query:<name>`. */
  target: string | null;
  method: string;
  url: string;
  auth: AuthKind;
  headers: Record<string, string>;
  payload?: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
/**
 * Node's HTTP parser refuses a request line past its header limit (16 KiB by default, 431) before the app sees it;
 * app.inject() has no such parser, so longer URLs are cut here rather than testing what no client can send.
 */
export const MAX_URL_LENGTH = 16 * 1024 - 512;

/** Lone surrogates cannot be percent-encoded: a client would send U+FFFD (or invalid UTF-8, which hostile strings add). */
const wellFormed = (value: string) =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** As a careless client writes it: printable ASCII raw (`%zz`, `+`, `&`, `/` included), the rest percent-encoded. */
const loosely = (value: string) =>
  (/^[\x21-\x7e]*$/.test(value) ? value : encodeURI(wellFormed(value))).replace(/[?#]/g, encodeURIComponent);

function segment(known: KnownIds, name: string, collection: string, style: Style): fc.Arbitrary<string> {
  const how = style === 'plausible' ? fc.constant('component') : fc.constantFrom('component', 'loose', 'twice');
  return fc.tuple(stringFor(known, name, {}, style, collection), how).map(([value, encoding]) => {
    // The wildcard takes raw ids with their slashes, as the SPS guide's clients send them.
    if (encoding === 'loose' || name === '*') return loosely(value);
    const once = encodeURIComponent(wellFormed(value));
    return encoding === 'twice' ? encodeURIComponent(once) : once;
  });
}

/** The part of a hostile request that is hostile; the rest stays plausible, so the hostile part is what gets judged. */
type Target = 'path' | 'body' | 'method' | 'extra-query' | `query:${string}`;

function queryString(known: KnownIds, route: FuzzRoute, target: Target | undefined): fc.Arbitrary<string> {
  const param = (name: string, style: Style) =>
    fc.tuple(queryValue(known, route, name, style), fc.boolean()).map(([v, raw]) => {
      // Raw: as a careless client writes it (`+`, `&`, `:` and `/` unescaped); otherwise percent-encoded.
      const value = raw && style === 'hostile' ? loosely(v).replace(/#/g, '%23') : encodeURIComponent(wellFormed(v));
      return `${encodeURIComponent(name)}=${value}`;
    });
  const declared = route.query.map((p) =>
    target === `query:${p.name}` ? param(p.name, 'hostile') : fc.option(param(p.name, 'plausible'), { freq: 2 }),
  );
  const extra =
    target === 'extra-query'
      ? fc.oneof(
          param(route.query[0]?.name ?? 'x', 'hostile'),
          param('$unknown', 'hostile'),
          fc.constantFrom('a', '=', '&&', 'a[b]=1', '%', '&=&'),
        )
      : fc.constant(null);
  return fc.tuple(fc.tuple(...declared), extra).map(([parts, more]) => {
    const present = [...parts, more].filter((p): p is string => p !== null);
    return present.length > 0 ? `?${present.join('&')}` : '';
  });
}

interface Body {
  payload?: string;
  contentType?: string;
}

const asJson = (value: fc.Arbitrary<string>): fc.Arbitrary<Body> =>
  value.map((payload) => ({ payload, contentType: 'application/json' }));

function body(known: KnownIds, route: FuzzRoute, style: Style): fc.Arbitrary<Body> {
  const shaped = asJson(
    (route.body ? valueFor(known, route.body, style) : fc.jsonValue({ maxDepth: 2 })).map(
      (v) => JSON.stringify(v) ?? 'null',
    ),
  );
  if (style === 'plausible') return route.body ? shaped : fc.constant({});
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    { weight: route.body ? 1 : 4, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: asJson(wrongType.map((v) => JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: asJson(deepJsonText) },
    {
      weight: 1,
      arbitrary: asJson(fc.constantFrom('', ' ', '{', '{"a":', 'nul', '[1,]', '{"a":1}{"b":2}', '\uFEFF{}')),
    },
    { weight: 1, arbitrary: asJson(hostileString.map((s) => JSON.stringify(s))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', ''),
          fc.oneof(fc.constant('{"status":"commit"}'), hostileString),
        )
        .map(([contentType, payload]) => ({ payload, contentType })),
    },
  );
}

function caller(route: FuzzRoute, authenticated: boolean): fc.Arbitrary<AuthKind> {
  // A stream answers only when it ends: only callers refused before it starts.
  if (!authenticated || STREAMING.has(routeName(route))) {
    return fc.constantFrom('none', 'bad-basic', 'junk-cookie', 'junk-token');
  }
  return fc.oneof(
    { weight: 19, arbitrary: fc.constant('valid' as const) },
    { weight: 1, arbitrary: fc.constant('basic' as const) },
  );
}

function method(route: FuzzRoute, target: Target | undefined): fc.Arbitrary<string> {
  if (target !== 'method' || STREAMING.has(routeName(route))) return fc.constant(route.method);
  return fc.constantFrom(...METHODS.filter((m) => m !== route.method));
}

/** The parts a hostile request may aim at, weighted: query languages and bodies reach the most code. */
function targetsOf(route: FuzzRoute): { target: Target; weight: number }[] {
  const targets: { target: Target; weight: number }[] = [
    { target: 'body', weight: route.body ? 4 : 1 },
    { target: 'method', weight: 1 },
    { target: 'extra-query', weight: 1 },
  ];
  if (route.pathParams.length > 0) targets.push({ target: 'path', weight: 3 });
  for (const { name } of route.query) {
    targets.push({ target: `query:${name}`, weight: name === 'q' || name === '$filter' ? 8 : 1 });
  }
  return targets;
}

/**
 * Requests for one route. Plausible: every part plausible. Hostile: one part hostile (`target`). `authenticated`
 * narrows the callers to ones that get past authentication.
 */
export function requestFor(
  known: KnownIds,
  route: FuzzRoute,
  authenticated: boolean,
  target: Target | undefined,
): fc.Arbitrary<FuzzRequest> {
  const parts = route.path.split('/');
  const pathStyle = target === 'path' ? 'hostile' : 'plausible';
  const segments = parts.map((part, index) => {
    const param = /^\{(.+)\}$/.exec(part)?.[1];
    return param === undefined ? fc.constant(part) : segment(known, param, parts[index - 1] ?? '', pathStyle);
  });
  const request = [fc.tuple(...segments), queryString(known, route, target), method(route, target)] as const;
  const content = body(known, route, target === 'body' ? 'hostile' : 'plausible');
  return fc.tuple(...request, caller(route, authenticated), content).map(([path, query, verb, auth, payload]) => ({
    route: routeName(route),
    style: target === undefined ? 'plausible' : 'hostile',
    target: target ?? null,
    method: verb,
    url: `${path.join('/')}${query}`.slice(0, MAX_URL_LENGTH),
    auth,
    headers: payload.contentType ? { 'content-type': payload.contentType } : ({} as Record<string, string>),
    ...(payload.payload !== undefined && verb !== 'GET' && verb !== 'HEAD' && { payload: payload.payload }),
  }));
}

/**
 * Requests over every route, half plausible and half hostile. Routes that parse a query language or a body weigh
 * more: that is where input reaches the most code.
 */
export function anyRequest(known: KnownIds, routes: readonly FuzzRoute[], authenticated: boolean) {
  const weight = (route: FuzzRoute) =>
    1 + (route.odata ? 3 : 0) + (route.query.some((p) => p.name === 'q') ? 3 : 0) + (route.body ? 1 : 0);
  return fc.oneof(
    ...routes.flatMap((route) => [
      { weight: weight(route), arbitrary: requestFor(known, route, authenticated, undefined) },
      {
        weight: weight(route),
        arbitrary: fc.oneof(
          ...targetsOf(route).map(({ target, weight }) => ({
            weight,
            arbitrary: requestFor(known, route, authenticated, target),
          })),
        ),
      },
    ]),
  );
}

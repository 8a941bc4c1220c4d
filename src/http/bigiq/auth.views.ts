// BIG-IQ shapes of the auth surface (docs/compat/bigiq.md §1): login providers, token items, the login/exchange
// response, and their JSON schemas (which also drive serialization: fields missing here would be dropped).

import type { IssuedToken, TokenPair } from '../../engine/auth-service.js';
import type { StoredToken } from '../../engine/records.js';
import { bigiqTime, collection, localLink } from './links.js';
import { applyQuery, type ODataQuery } from './odata.js';

export const TOKENS_PATH = '/mgmt/shared/authz/tokens';

export interface LoginProvider {
  name: string;
  link: string;
}

/** BIG-IQ gives every non-local provider a UUID; clients read it from /info/system, so a fixed one will do. */
const TMOS_PROVIDER_ID = '7f3e2c1a-5b9d-3e4f-8a6b-0c2d4e6f8a1b';
const PROVIDERS_BASE = 'https://localhost/mgmt/cm/system/authn/providers';

/** What a login without a provider uses ("local is a special provider that is baked into the system"). */
export const LOCAL_PROVIDER: LoginProvider = { name: 'local', link: `${PROVIDERS_BASE}/local/login` };

export const LOGIN_PROVIDERS: readonly LoginProvider[] = [
  LOCAL_PROVIDER,
  { name: 'tmos', link: `${PROVIDERS_BASE}/tmos/${TMOS_PROVIDER_ID}/login` },
];

/** Path part of a reference, whichever form the client sent (https://localhost/mgmt/…, /mgmt/…, /cm/…). */
function referencePath(link: string): string {
  const path = link
    .trim()
    .replace(/^https?:\/\/[^/]+/i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
  return path.startsWith('/mgmt/') ? path : `/mgmt${path.startsWith('/') ? '' : '/'}${path}`;
}

/** The provider a login names: `loginReference` (BIG-IQ style) wins over `loginProviderName` (BIG-IP style). */
export function findLoginProvider(
  providerName: string | undefined,
  link: string | undefined,
): LoginProvider | undefined {
  if (link !== undefined) {
    const path = referencePath(link);
    return LOGIN_PROVIDERS.find((p) => referencePath(p.link) === path);
  }
  return LOGIN_PROVIDERS.find((p) => p.name === (providerName ?? 'local'));
}

/**
 * A token as BIG-IP/BIG-IQ show it. `value` is the secret when the client has it (login, or a URL that named it);
 * otherwise the token is named by its id (the hash), which identifies it but cannot authenticate.
 */
export function tokenItem(token: StoredToken, value: string | undefined) {
  const ref = value ?? token.id;
  return {
    ...(value !== undefined && { token: value }),
    name: ref,
    userName: token.userName,
    authProviderName: token.provider,
    user: { link: localLink(`/mgmt/shared/authz/users/${encodeURIComponent(token.userName)}`) },
    groupReferences: [],
    timeout: token.timeoutSec,
    startTime: bigiqTime(token.createdAt),
    address: token.address,
    partition: '[All]',
    generation: token.generation,
    lastUpdateMicros: token.updatedAt * 1000,
    expirationMicros: token.expiresAt * 1000,
    exp: Math.floor(token.expiresAt / 1000),
    iat: Math.floor(token.createdAt / 1000),
    tokenType: token.kind,
    kind: 'shared:authz:tokens:authtokenitemstate',
    selfLink: localLink(`${TOKENS_PATH}/${ref}`),
  };
}

const issued = (t: IssuedToken) => tokenItem(t.token, t.value);

/** The login (and exchange) response: both tokens, with every field §1.2 says clients dereference. */
export function loginResponse(pair: TokenPair, provider: LoginProvider) {
  return {
    username: pair.access.token.userName,
    loginReference: { link: provider.link },
    loginProviderName: provider.name,
    token: issued(pair.access),
    refreshToken: issued(pair.refresh),
    generation: 0,
    lastUpdateMicros: 0,
  };
}

/** The token collection, with the OData options BIG-IQ collections take ($filter, $select, $top, ...). */
export function tokenCollection(tokens: readonly StoredToken[], query: ODataQuery) {
  const result = applyQuery(
    tokens.map((t) => tokenItem(t, undefined)),
    query,
  );
  return collection(
    'shared:authz:tokens:authtokencollectionstate',
    localLink(TOKENS_PATH),
    result.items,
    result.totalItems,
  );
}

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const link = { type: 'object', properties: { link: str }, required: ['link'] } as const;

const tokenProperties = {
  token: { type: 'string', description: 'The secret; absent in listings, which name tokens by their id' },
  name: str,
  userName: str,
  authProviderName: str,
  user: link,
  groupReferences: { type: 'array', items: link },
  timeout: { type: 'integer', description: 'Lifetime in seconds' },
  startTime: str,
  address: str,
  partition: str,
  generation: int,
  lastUpdateMicros: int,
  expirationMicros: int,
  exp: { type: 'integer', description: 'Expiry, epoch seconds' },
  iat: { type: 'integer', description: 'Issue time, epoch seconds' },
  tokenType: { type: 'string', enum: ['access', 'refresh'] },
  kind: str,
  selfLink: str,
} as const;

/** A token as listed or fetched: named by its id unless the client named it by its value; `$select` may trim it. */
export const tokenItemSchema = { type: 'object', properties: tokenProperties };

/** A token in a login/exchange response: every field present (and, listed as required, written in F5's order). */
const issuedTokenSchema = { type: 'object', properties: tokenProperties, required: Object.keys(tokenProperties) };

export const loginResponseSchema = {
  type: 'object',
  properties: {
    username: str,
    loginReference: link,
    loginProviderName: str,
    token: issuedTokenSchema,
    refreshToken: issuedTokenSchema,
    generation: int,
    lastUpdateMicros: int,
  },
  required: [
    'username',
    'loginReference',
    'loginProviderName',
    'token',
    'refreshToken',
    'generation',
    'lastUpdateMicros',
  ],
} as const;

export const tokenCollectionSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: tokenItemSchema },
    totalItems: int,
    generation: int,
    kind: str,
    lastUpdateMicros: int,
    selfLink: str,
  },
  required: ['items', 'totalItems', 'generation', 'kind', 'lastUpdateMicros', 'selfLink'],
} as const;

export const providersSchema = {
  type: 'object',
  properties: {
    providers: {
      type: 'array',
      items: { type: 'object', properties: { name: str, link: str }, required: ['name', 'link'] },
    },
  },
  required: ['providers'],
} as const;

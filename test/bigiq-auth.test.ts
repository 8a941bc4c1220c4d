// BIG-IQ authentication (docs/compat/bigiq.md §1, §9.4): login in every client's dialect, the token fields clients
// dereference, F5's exact 401 bodies, lockout, exchange, token management, HTTP Basic and provider discovery.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { redactUrl } from '../src/http/app.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';

const LOGIN = '/mgmt/shared/authn/login';
const EXCHANGE = '/mgmt/shared/authn/exchange';
const TOKENS = '/mgmt/shared/authz/tokens';
const ECHO = '/mgmt/shared/echo';
const F5_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/;

interface TokenJson {
  token: string;
  name: string;
  timeout: number;
  exp: number;
  iat: number;
  expirationMicros: number;
  lastUpdateMicros: number;
  selfLink: string;
  [field: string]: unknown;
}

interface LoginJson {
  username: string;
  loginProviderName: string;
  loginReference: { link: string };
  token: TokenJson;
  refreshToken: TokenJson;
  [field: string]: unknown;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function assertBigiqError(
  res: LightMyRequestResponse,
  status: number,
  message: string | RegExp,
): Record<string, unknown> {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as Record<string, unknown>;
  if (typeof message === 'string') assert.equal(body.message, message);
  else assert.match(String(body.message), message);
  assert.equal(body.code, status);
  assert.equal(body.kind, ':resterrorresponse');
  assert.equal(typeof body.referer, 'string');
  assert.equal(typeof body.restOperationId, 'number');
  assert.deepEqual(body.errorStack, []);
  return body;
}

describe('BIG-IQ auth', () => {
  let h: AppHarness;
  let clock = Date.now();
  const advance = (sec: number) => {
    clock += sec * 1000;
  };

  const login = (payload: unknown, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
    h.app.inject({ method: 'POST', url: LOGIN, payload: payload as object, headers, remoteAddress });
  const loginJson = async (payload: unknown = { username: 'admin', password: ADMIN_PASSWORD }) => {
    const res = await login(payload);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as LoginJson;
  };
  const echo = (headers: Record<string, string>) => h.app.inject({ method: 'GET', url: ECHO, headers });
  const asAdmin = async () => ({ 'x-f5-auth-token': (await loginJson()).token.token });

  before(async () => {
    h = await startApp({ now: () => clock });
    await h.addUser('alice', 'alice-pw');
  });
  after(() => h.close());

  it('audits successful and failed logins with who and from where', async () => {
    await login({ username: 'alice', password: 'wrong' }, {}, '203.0.113.50');
    await loginJson({ username: 'alice', password: 'alice-pw' });
    const failed = await h.store.listAudit({ limit: 5, offset: 0, actor: 'alice', action: 'auth.login_failed' });
    assert.equal(failed[0]?.address, '203.0.113.50');
    const ok = await h.store.listAudit({ limit: 5, offset: 0, actor: 'alice', action: 'auth.login' });
    assert.equal(ok.length, 1);
  });

  it('keeps token values out of request logs', () => {
    assert.equal(redactUrl('/mgmt/shared/authz/tokens/abcDEF123?x=1'), '/mgmt/shared/authz/tokens/[redacted]?x=1');
    assert.equal(redactUrl('/mgmt/shared/echo'), '/mgmt/shared/echo');
  });

  it('logs in with tmos, local, no provider and a loginReference, and ignores an extra Basic header', async () => {
    const { providers } = (await h.app.inject({ method: 'GET', url: '/info/system?null' })).json() as {
      providers: { name: string; link: string }[];
    };
    const tmosLink = providers.find((p) => p.name === 'tmos')?.link ?? '';
    const cases: [unknown, string][] = [
      [{ loginProviderName: 'tmos' }, 'tmos'],
      [{ loginProviderName: 'local' }, 'local'],
      [{}, 'local'],
      [{ loginReference: { link: tmosLink } }, 'tmos'],
      [{ loginReference: { link: '/mgmt/cm/system/authn/providers/local/login' } }, 'local'],
    ];
    for (const [extra, provider] of cases) {
      const res = await login(
        { username: 'admin', password: ADMIN_PASSWORD, ...(extra as object) },
        {
          authorization: basic('admin', 'whatever'),
        },
      );
      assert.equal(res.statusCode, 200, `${JSON.stringify(extra)}: ${res.body}`);
      const body = res.json() as LoginJson;
      assert.equal(body.loginProviderName, provider);
      assert.equal(body.token.authProviderName, provider);
      assert.equal(body.loginReference.link, providers.find((p) => p.name === provider)?.link);
    }
  });

  it('returns every token field clients dereference, with the right types', async () => {
    const body = await loginJson();
    assert.equal(body.username, 'admin');
    assert.equal(body.generation, 0);
    assert.equal(body.lastUpdateMicros, 0);
    const { token, refreshToken } = body;
    assert.match(token.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(token.name, token.token);
    assert.equal(token.userName, 'admin');
    assert.deepEqual(token.user, { link: 'https://localhost/mgmt/shared/authz/users/admin' });
    assert.deepEqual(token.groupReferences, []);
    assert.equal(token.timeout, 300);
    assert.match(String(token.startTime), F5_TIME);
    assert.equal(token.address, '127.0.0.1');
    assert.equal(token.partition, '[All]');
    assert.equal(token.generation, 1);
    assert.equal(token.lastUpdateMicros, clock * 1000);
    assert.equal(token.expirationMicros, (clock + 300_000) * 1000);
    assert.equal(token.exp, Math.floor((clock + 300_000) / 1000));
    assert.equal(token.iat, Math.floor(clock / 1000));
    assert.equal(token.kind, 'shared:authz:tokens:authtokenitemstate');
    assert.equal(token.selfLink, `https://localhost/mgmt/shared/authz/tokens/${token.token}`);
    assert.notEqual(refreshToken.token, token.token);
    assert.equal(refreshToken.userName, 'admin');
    assert.equal(refreshToken.authProviderName, 'local');
    assert.equal(refreshToken.timeout, 36_000);
    assert.equal(refreshToken.exp, Math.floor((clock + 36_000_000) / 1000));
    for (const field of ['iat', 'generation', 'lastUpdateMicros'] as const) {
      assert.equal(typeof refreshToken[field], 'number', field);
    }
  });

  it('answers a failed login with F5 exact 401 body, password masked', async () => {
    const failures = [
      { username: 'admin', password: 'wrong' },
      { username: 'nobody', password: 'wrong' },
      { username: 'admin', password: '' },
      { username: 'admin', password: ADMIN_PASSWORD, loginProviderName: 'RadiusServer' },
      {
        username: 'admin',
        password: ADMIN_PASSWORD,
        loginReference: { link: 'https://localhost/mgmt/cm/system/authn/providers/ldap/x/login' },
      },
    ];
    for (const payload of failures) {
      const res = await login(payload, {}, '10.1.1.1');
      const body = assertBigiqError(res, 401, 'Authentication failed.');
      assert.equal(body.referer, '10.1.1.1');
      const original = JSON.parse(String(body.originalRequestBody)) as Record<string, unknown>;
      assert.deepEqual(original, { ...payload, password: '******' });
    }
  });

  // Decision: a lockout is still a 401 (clients treat any 401 on login as a failed login), but its message names
  // the lockout and a Retry-After header says when to come back.
  it('locks the account out after 5 failures, from any address, until the lockout passes, without checking the password', async () => {
    const attempt = (password: string, address = '10.2.2.2') => login({ username: 'alice', password }, {}, address);
    for (let i = 0; i < 4; i++) assertBigiqError(await attempt('bad'), 401, 'Authentication failed.');
    const locked = await attempt('bad');
    assertBigiqError(
      locked,
      401,
      /^Authentication failed\. Too many failed login attempts for user alice; try again in 300 seconds\.$/,
    );
    assert.equal(locked.headers['retry-after'], '300');
    assertBigiqError(await attempt('alice-pw'), 401, /Too many failed login attempts/);
    assertBigiqError(await attempt('alice-pw', '10.3.3.3'), 401, /Too many failed login attempts for user alice;/);
    advance(301);
    assert.equal((await attempt('alice-pw')).statusCode, 200);
  });

  it('accepts the token on /mgmt in any header case', async () => {
    const { token } = (await loginJson()).token;
    for (const name of ['X-F5-Auth-Token', 'x-f5-auth-token']) {
      const res = await echo({ [name]: token });
      assert.equal(res.statusCode, 200, res.body);
    }
  });

  it('refuses a missing, expired, unknown or revoked token in F5 words', async () => {
    assertBigiqError(
      await echo({}),
      401,
      'Authorization failed: no user authentication header or token detected. Uri:/mgmt/shared/echo Referrer:127.0.0.1 Sender:127.0.0.1',
    );
    assertBigiqError(await echo({ 'x-f5-auth-token': 'not-a-token' }), 401, 'X-F5-Auth-Token does not exist.');
    const expiring = await asAdmin();
    advance(301);
    assertBigiqError(await echo(expiring), 401, 'java.security.GeneralSecurityException: Invalid registered claims.');
    const revoked = await asAdmin();
    const token = revoked['x-f5-auth-token'];
    assert.equal(
      (await h.app.inject({ method: 'DELETE', url: `${TOKENS}/${token}`, headers: revoked })).statusCode,
      200,
    );
    assertBigiqError(await echo(revoked), 401, 'X-F5-Auth-Token does not exist.');
  });

  it('exchanges a refresh token for a new access token; the refresh token and its expiry stay', async () => {
    const first = await loginJson();
    advance(200);
    const res = await h.app.inject({
      method: 'POST',
      url: EXCHANGE,
      payload: { refreshToken: { token: first.refreshToken.token } },
    });
    assert.equal(res.statusCode, 200, res.body);
    const second = res.json() as LoginJson;
    assert.notEqual(second.token.token, first.token.token);
    assert.equal(second.token.timeout, 300);
    assert.equal(second.refreshToken.token, first.refreshToken.token);
    assert.equal(second.refreshToken.exp, first.refreshToken.exp);
    assert.equal(second.loginProviderName, 'local');
    advance(200);
    assertBigiqError(await echo({ 'x-f5-auth-token': first.token.token }), 401, /Invalid registered claims/);
    assert.equal((await echo({ 'x-f5-auth-token': second.token.token })).statusCode, 200);

    const exchange = (token: string) =>
      h.app.inject({ method: 'POST', url: EXCHANGE, payload: { refreshToken: { token } } });
    const refused = assertBigiqError(await exchange(second.token.token), 401, 'Authentication failed.');
    assert.equal(refused.originalRequestBody, '{"refreshToken":{"token":"******"}}');
    advance(36_000);
    assertBigiqError(await exchange(first.refreshToken.token), 401, 'Authentication failed.');
  });

  it('extends an access token with PATCH {timeout}, as a number or a numeric string', async () => {
    const headers = await asAdmin();
    const url = `${TOKENS}/${headers['x-f5-auth-token']}`;
    for (const timeout of [36_000, '600']) {
      const res = await h.app.inject({ method: 'PATCH', url, headers, payload: { timeout } });
      assert.equal(res.statusCode, 200, res.body);
      const token = res.json() as TokenJson;
      assert.equal(token.timeout, Number(timeout));
      assert.equal(token.expirationMicros, (clock + Number(timeout) * 1000) * 1000);
      assert.equal(token.token, headers['x-f5-auth-token']);
    }
    advance(500);
    assert.equal((await echo(headers)).statusCode, 200);
    assertBigiqError(await h.app.inject({ method: 'PATCH', url, headers, payload: { timeout: 36_001 } }), 400, /36000/);
    assertBigiqError(
      await h.app.inject({ method: 'PATCH', url, headers, payload: { timeout: 'soon' } }),
      400,
      /Invalid request/,
    );
    const refresh = (await loginJson()).refreshToken.token;
    const patchRefresh = await h.app.inject({
      method: 'PATCH',
      url: `${TOKENS}/${refresh}`,
      headers,
      payload: { timeout: 60 },
    });
    assertBigiqError(patchRefresh, 400, 'The timeout of a refresh token cannot be changed.');
  });

  it('deletes a token (200 with its body); reusing or deleting it again fails', async () => {
    const headers = await asAdmin();
    const token = headers['x-f5-auth-token'];
    const res = await h.app.inject({ method: 'DELETE', url: `${TOKENS}/${token}`, headers });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as TokenJson).token, token);
    assertBigiqError(await echo(headers), 401, 'X-F5-Auth-Token does not exist.');
    const other = await asAdmin();
    assertBigiqError(
      await h.app.inject({ method: 'DELETE', url: `${TOKENS}/${token}`, headers: other }),
      404,
      /Object not found/,
    );
  });

  it('lists every live token to admin and only their own to others, by id, never the secret', async () => {
    const admin = await asAdmin();
    const alice = { 'x-f5-auth-token': await h.token('alice', 'alice-pw') };
    const list = async (headers: Record<string, string>) => {
      const res = await h.app.inject({ method: 'GET', url: TOKENS, headers });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { items: TokenJson[]; totalItems: number; kind: string; selfLink: string };
    };
    const all = await list(admin);
    assert.equal(all.kind, 'shared:authz:tokens:authtokencollectionstate');
    assert.equal(all.selfLink, 'https://localhost/mgmt/shared/authz/tokens');
    assert.equal(all.totalItems, all.items.length);
    assert.deepEqual(new Set(all.items.map((t) => t.userName)), new Set(['admin', 'alice']));
    assert.ok(all.items.every((t) => t.token === undefined && /^[0-9a-f]{64}$/.test(t.name)));
    const filtered = await h.app.inject({
      method: 'GET',
      url: `${TOKENS}?$filter=userName eq 'alice'&$select=userName,tokenType`,
      headers: admin,
    });
    const { items, totalItems } = filtered.json() as { items: Record<string, unknown>[]; totalItems: number };
    assert.ok(totalItems >= 2);
    assert.deepEqual(
      new Set(items.map((t) => JSON.stringify(t))),
      new Set(['{"userName":"alice","tokenType":"access"}', '{"userName":"alice","tokenType":"refresh"}']),
    );
    const own = await list(alice);
    assert.ok(own.totalItems >= 2 && own.items.every((t) => t.userName === 'alice'));

    const adminTokenId = all.items.find((t) => t.userName === 'admin')?.name ?? '';
    const byId = await h.app.inject({ method: 'GET', url: `${TOKENS}/${adminTokenId}`, headers: admin });
    assert.equal(byId.statusCode, 200, byId.body);
    assert.equal((byId.json() as TokenJson).token, undefined);
    assertBigiqError(
      await h.app.inject({ method: 'GET', url: `${TOKENS}/${adminTokenId}`, headers: alice }),
      404,
      /Object not found/,
    );
    const adminToken = admin['x-f5-auth-token'];
    assertBigiqError(
      await h.app.inject({ method: 'DELETE', url: `${TOKENS}/${adminToken}`, headers: alice }),
      404,
      /Object not found/,
    );
  });

  it('refuses HTTP Basic by default', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/mgmt/shared/echo-query',
      headers: { authorization: basic('admin', ADMIN_PASSWORD) },
    });
    assertBigiqError(res, 401, /^Authorization failed: no user authentication header or token detected/);
  });

  it('lists login providers without authentication (ICR calls /info/system?null)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/info/system?null' });
    assert.equal(res.statusCode, 200, res.body);
    const { providers } = res.json() as { providers: { name: string; link: string }[] };
    assert.deepEqual(providers[0], {
      name: 'local',
      link: 'https://localhost/mgmt/cm/system/authn/providers/local/login',
    });
    assert.match(
      providers[1]?.link ?? '',
      /^https:\/\/localhost\/mgmt\/cm\/system\/authn\/providers\/tmos\/[0-9a-f-]{36}\/login$/,
    );
  });

  it('answers malformed or mistyped logins with a BIG-IQ 400, never a 500', async () => {
    const raw = (payload: string, contentType = 'application/json') =>
      h.app.inject({ method: 'POST', url: LOGIN, payload, headers: { 'content-type': contentType } });
    assertBigiqError(await raw('{"username": "admin", '), 400, 'Found invalid JSON body in the request.');
    // An empty body is no body (DELETE with a JSON content type must work): the schema then asks for one.
    assertBigiqError(await raw(''), 400, 'Invalid request: body must be object');
    for (const payload of [
      '[]',
      '"admin"',
      '{"username":"admin"}',
      '{"username":1,"password":"x"}',
      '{"username":"admin","password":"x","loginReference":"local"}',
    ]) {
      assertBigiqError(await raw(payload), 400, /^Invalid request: /);
    }
    // curl's default form content type still carries JSON.
    const form = await raw(
      JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      'application/x-www-form-urlencoded',
    );
    assert.equal(form.statusCode, 200, form.body);
  });
});

describe('BIG-IQ auth with HTTP Basic enabled', () => {
  let h: AppHarness;
  before(async () => {
    h = await startApp({ bigiq: { basicAuth: true } });
  });
  after(() => h.close());

  it('accepts valid Basic credentials and refuses wrong ones with "Authentication failed."', async () => {
    const get = (authorization: string) =>
      h.app.inject({ method: 'GET', url: '/mgmt/shared/echo-query', headers: { authorization } });
    assert.equal((await get(basic('admin', ADMIN_PASSWORD))).statusCode, 200);
    assertBigiqError(await get(basic('admin', 'wrong')), 401, 'Authentication failed.');
    assertBigiqError(await get('Basic !!!'), 401, 'Authentication failed.');
  });
});

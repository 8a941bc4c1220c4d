// Request limits and real-client quirks on both surfaces (issue 11, docs/security.md "Limits"): JSON nesting, OData
// `$filter` budgets and wildcards, the session query budget, empty bodies sent with a JSON content type, and
// Ansible's GET /mgmt/tm/sys. Every refusal is a 400 in the surface's own error body, never a 500.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SESSION_QUERY_LIMITS } from '../src/core/session-query.js';
import { FILTER_LIMITS } from '../src/http/bigiq/odata.js';
import { MAX_JSON_DEPTH } from '../src/http/json-body.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';

const BASIC = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
const JSON_TYPE = { 'content-type': 'application/json' };

const nestedArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

function assertBigiqError(res: { statusCode: number; json(): unknown }, status: number, message: RegExp): void {
  assert.equal(res.statusCode, status);
  const body = res.json() as { code: number; message: string; errorStack: unknown };
  assert.equal(body.code, status);
  assert.match(body.message, message);
  assert.deepEqual(body.errorStack, []);
}

function assertSpsError(res: { statusCode: number; json(): unknown }, status: number, type: string, message: RegExp) {
  assert.equal(res.statusCode, status);
  const body = res.json() as { error: { type: string; message: string; details: object }; meta: { href: string } };
  assert.equal(body.error.type, type);
  assert.match(body.error.message, message);
  return body;
}

describe('HTTP limits', () => {
  let h: AppHarness;
  let token: string;
  before(async () => {
    h = await startApp();
    token = await h.token();
  });
  after(() => h.close());

  const tooDeep = new RegExp(`nests deeper than ${MAX_JSON_DEPTH} levels`);

  describe('JSON nesting', () => {
    it('answers the unauthenticated BIG-IQ login with a 400 for 5,000 levels, in any body type', async () => {
      for (const extra of [nestedArray(5000), nestedObject(5000)]) {
        for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
          const res = await h.app.inject({
            method: 'POST',
            url: '/mgmt/shared/authn/login',
            headers: { 'content-type': type },
            payload: `{"username":"admin","password":"x","extra":${extra}}`,
          });
          assertBigiqError(res, 400, tooDeep);
        }
      }
    });

    it(`accepts ${MAX_JSON_DEPTH} levels, counting brackets inside strings as text`, async () => {
      const extra = nestedArray(MAX_JSON_DEPTH - 1);
      const res = await h.app.inject({
        method: 'POST',
        url: '/mgmt/shared/authn/login',
        headers: JSON_TYPE,
        payload: `{"username":"admin","password":"x","extra":${extra},"s":"${'[{'.repeat(500)}\\"["}`,
      });
      assertBigiqError(res, 401, /Authentication failed/);
    });

    it('answers deep bodies on authenticated BIG-IQ and SPS routes with a 400 in their own format', async () => {
      const kill = await h.app.inject({
        method: 'POST',
        url: '/mgmt/cm/access/tasks/kill-sessions',
        headers: { ...JSON_TYPE, 'x-f5-auth-token': token },
        payload: `{"a":${nestedObject(5000)}}`,
      });
      assertBigiqError(kill, 400, tooDeep);
      const login = await h.app.inject({
        method: 'POST',
        url: '/api/authentication',
        headers: JSON_TYPE,
        payload: nestedArray(5000),
      });
      assertSpsError(login, 400, 'SyntaxError', tooDeep);
      const transaction = await h.app.inject({
        method: 'POST',
        url: '/api/transaction',
        headers: { ...JSON_TYPE, authorization: BASIC },
        payload: nestedArray(5000),
      });
      assertSpsError(transaction, 400, 'SyntaxError', tooDeep);
    });

    it('still refuses invalid JSON and prototype poisoning with a 400', async () => {
      const invalid = await h.app.inject({
        method: 'POST',
        url: '/mgmt/shared/authn/login',
        headers: JSON_TYPE,
        payload: '{"username":',
      });
      assertBigiqError(invalid, 400, /Found invalid JSON body/);
      const poisoned = await h.app.inject({
        method: 'POST',
        url: '/api/transaction',
        headers: { ...JSON_TYPE, authorization: BASIC },
        payload: '{"__proto__":{"admin":true}}',
      });
      assertSpsError(poisoned, 400, 'SyntaxError', /not valid JSON/);
    });
  });

  describe('empty bodies with a JSON content type are no body', () => {
    it('revokes a token by DELETE with Content-Type: application/json and no body (f5-cloud-libs, Ansible)', async () => {
      const own = await h.token();
      const res = await h.app.inject({
        method: 'DELETE',
        url: `/mgmt/shared/authz/tokens/${own}`,
        headers: { ...JSON_TYPE, 'x-f5-auth-token': own },
        payload: '',
      });
      assert.equal(res.statusCode, 200, res.body);
      const after = await h.app.inject({
        method: 'GET',
        url: '/mgmt/shared/echo',
        headers: { 'x-f5-auth-token': own },
      });
      assert.equal(after.statusCode, 401);
    });

    it('answers GET and DELETE on both surfaces, whitespace-only bodies included', async () => {
      const echo = await h.app.inject({
        method: 'GET',
        url: '/mgmt/shared/echo',
        headers: { ...JSON_TYPE, 'x-f5-auth-token': token },
        payload: ' \r\n',
      });
      assert.equal(echo.statusCode, 200, echo.body);
      const login = await h.app.inject({
        method: 'POST',
        url: '/api/authentication',
        headers: { ...JSON_TYPE, authorization: BASIC },
        payload: '',
      });
      assert.equal(login.statusCode, 200, login.body);
      const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
      const logout = await h.app.inject({
        method: 'DELETE',
        url: '/api/authentication',
        headers: { ...JSON_TYPE, cookie },
        payload: '',
      });
      assert.equal(logout.statusCode, 200, logout.body);
    });

    it('still answers a body-less login with a validation 400, not "invalid JSON"', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/mgmt/shared/authn/login', headers: JSON_TYPE });
      assertBigiqError(res, 400, /^Invalid request: body must be object/);
    });
  });

  describe('OData $filter', () => {
    const tokens = (filter: string) =>
      h.app.inject({
        method: 'GET',
        url: `/mgmt/shared/authz/tokens?$filter=${encodeURIComponent(filter)}`,
        headers: { 'x-f5-auth-token': token },
      });

    it("answers selfLink eq '******Z' at once (it took 31.8 s and stalled the server)", async () => {
      const started = performance.now();
      const res = await tokens("selfLink eq '******Z'");
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().items.length, 0);
      const all = await tokens("selfLink eq '******'");
      assert.ok(all.json().items.length > 0);
      assert.ok(performance.now() - started < 1000, 'a sanity guard only');
    });

    it('answers 3,000 nested parentheses and over-long filters with a 400', async () => {
      const parens = await tokens(`${'('.repeat(3000)}token eq 'x'${')'.repeat(3000)}`);
      assertBigiqError(parens, 400, new RegExp(`nesting deeper than ${FILTER_LIMITS.maxDepth}`));
      const long = await tokens(`token eq '${'x'.repeat(FILTER_LIMITS.maxLength)}'`);
      assertBigiqError(long, 400, new RegExp(`longer than ${FILTER_LIMITS.maxLength} characters`));
    });
  });

  describe('SPS session query', () => {
    const search = (q: string) =>
      h.app.inject({
        method: 'GET',
        url: `/api/audit/sessions?q=${encodeURIComponent(q)}`,
        headers: { authorization: BASIC },
      });

    it('answers 1,000 NOTs with a 400 InvalidQuery (SQLite: "Expression tree is too large")', async () => {
      const res = await search(`${'NOT '.repeat(1000)}user:a`);
      const body = assertSpsError(res, 400, 'InvalidQuery', /nest deeper than/);
      assert.equal((body.error.details as { position?: number }).position, SESSION_QUERY_LIMITS.maxDepth * 4);
    });

    it('runs a query at the budget, and refuses one term more', async () => {
      const terms = (count: number) => Array.from({ length: count }, (_, i) => `NOT user:u${i}`).join(' OR ');
      const full = `${'NOT ('.repeat(SESSION_QUERY_LIMITS.maxDepth / 2 - 1)}${terms(SESSION_QUERY_LIMITS.maxTerms)}`;
      const res = await search(`${full}${')'.repeat(SESSION_QUERY_LIMITS.maxDepth / 2 - 1)}`);
      assert.equal(res.statusCode, 200, res.body);
      assertSpsError(await search(terms(SESSION_QUERY_LIMITS.maxTerms + 1)), 400, 'InvalidQuery', /more than/);
    });
  });

  describe('GET /mgmt/tm/sys (Ansible f5_modules reads the version from its selfLink)', () => {
    it('answers 401 in the F5 body without credentials', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/mgmt/tm/sys/' });
      assertBigiqError(res, 401, /./);
    });

    it('answers the sys collection with ?ver=<version> in selfLink and item links', async () => {
      for (const url of ['/mgmt/tm/sys', '/mgmt/tm/sys/']) {
        const res = await h.app.inject({ method: 'GET', url, headers: { 'x-f5-auth-token': token } });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as { kind: string; selfLink: string; items: { reference: { link: string } }[] };
        assert.equal(body.kind, 'tm:sys:syscollectionstate');
        assert.equal(body.selfLink, 'https://localhost/mgmt/tm/sys?ver=8.3.0');
        // Ansible's tmos_version(): urlparse(selfLink).query.split('=')[1]
        assert.equal(new URL(body.selfLink).search.split('=')[1], '8.3.0');
        assert.ok(body.items.length > 0);
        for (const item of body.items)
          assert.match(item.reference.link, /^https:\/\/localhost\/mgmt\/tm\/sys\/.+\?ver=8\.3\.0$/);
      }
      const device = await h.app.inject({
        method: 'GET',
        url: '/mgmt/shared/identified-devices/config/device-info',
        headers: { 'x-f5-auth-token': token },
      });
      assert.equal(device.json().version, '8.3.0', 'the version curfew reports elsewhere');
    });

    it('answers every linked item', async () => {
      const sys = await h.app.inject({ method: 'GET', url: '/mgmt/tm/sys', headers: { 'x-f5-auth-token': token } });
      for (const { reference } of sys.json().items as { reference: { link: string } }[]) {
        const url = new URL(reference.link);
        const res = await h.app.inject({
          method: 'GET',
          url: `${url.pathname}${url.search}`,
          headers: { 'x-f5-auth-token': token },
        });
        assert.equal(res.statusCode, 200, `${reference.link}: ${res.body}`);
        assert.match(res.json().selfLink, /\?ver=8\.3\.0$/);
      }
    });
  });
});

// SPS authentication and envelope (docs/compat/sps.md §1, §2, §9 items 1–5): the session_id cookie as the first
// Set-Cookie, Basic on any endpoint without cookies, the sliding idle timeout, meta and headers on every answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = basic('admin', ADMIN_PASSWORD);

describe('SPS authentication', () => {
  let h: AppHarness;
  let clock = Date.now();
  before(async () => {
    h = await startApp({ now: () => clock, loginSessions: { idleTimeoutSec: 600 } });
  });
  after(() => h.close());

  const login = async (authorization = ADMIN) =>
    h.app.inject({ method: 'GET', url: '/api/authentication', headers: { authorization } });
  const cookieOf = (res: Awaited<ReturnType<typeof login>>) => {
    const header = res.headers['set-cookie'];
    const first = Array.isArray(header) ? header[0] : header;
    return { first: first ?? '', value: /^session_id=([0-9a-f]{40});/.exec(first ?? '')?.[1] ?? '' };
  };

  it('answers a Basic login with session_id as the first Set-Cookie (expires, Path, Secure, HttpOnly)', async () => {
    const res = await login();
    assert.equal(res.statusCode, 200, res.body);
    const { first, value } = cookieOf(res);
    assert.match(
      first,
      /^session_id=[0-9a-f]{40}; expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT; Path=\/; Secure; HttpOnly/,
    );
    assert.ok(value);
    assert.deepEqual(res.json(), { meta: { href: '/api/authentication', parent: '/api', remaining_seconds: 600 } });
    assert.equal(res.headers['content-language'], 'en');
    assert.match(String(res.headers.allow), /GET/);
  });

  it('accepts the cookie on later calls and reports remaining_seconds in meta', async () => {
    const { value } = cookieOf(await login());
    const res = await h.app.inject({ method: 'GET', url: '/api', headers: { cookie: `session_id=${value}` } });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.meta.href, '/api');
    assert.equal(body.meta.remaining_seconds, 600);
    assert.ok(body.items.some((i: { key: string }) => i.key === 'audit'));
  });

  it('authenticates Basic on any endpoint without cookies, and rejects bad Basic', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/user_info', headers: { authorization: ADMIN } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().user.name, 'admin');
    assert.ok(res.json().endpoints.some((e: { url: string }) => e.url === '/api/authentication'));
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/user_info',
      headers: { authorization: basic('admin', 'nope') },
    });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().error.type, 'AuthenticationFailure');
  });

  it('says Unauthenticated with the path, in the SPS error shape, without credentials', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/configuration' });
    assert.equal(res.statusCode, 401);
    const body = res.json();
    assert.equal(body.error.type, 'Unauthenticated');
    assert.deepEqual(body.error.details, { path: '/api/configuration' });
    assert.equal(body.meta.href, '/api/configuration');
  });

  it('ends an idle session after the timeout, and slides it on use', async () => {
    const { value } = cookieOf(await login());
    const call = () => h.app.inject({ method: 'GET', url: '/api/audit', headers: { cookie: `session_id=${value}` } });
    clock += 500_000;
    assert.equal((await call()).statusCode, 200, 'used within the timeout');
    clock += 500_000;
    assert.equal((await call()).statusCode, 200, 'the previous call slid the expiry');
    clock += 601_000;
    const expired = await call();
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().error.type, 'Unauthenticated');
  });

  it('refuses a login without Basic, logs out with DELETE, and lists login methods anonymously', async () => {
    const none = await h.app.inject({ method: 'GET', url: '/api/authentication' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.type, 'AuthenticationFailure');
    const { value } = cookieOf(await login());
    const out = await h.app.inject({
      method: 'DELETE',
      url: '/api/authentication',
      headers: { cookie: `session_id=${value}` },
    });
    assert.equal(out.statusCode, 200);
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api', headers: { cookie: `session_id=${value}` } })).statusCode,
      401,
    );
    const methods = await h.app.inject({ method: 'GET', url: '/api/authentication/login_methods' });
    assert.equal(methods.statusCode, 200);
    assert.ok(Array.isArray(methods.json().login_methods));
  });

  it('answers unknown /api paths with an SPS NotFound, and malformed JSON with a 400 SyntaxError', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/no/such/thing', headers: { authorization: ADMIN } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.type, 'NotFound');
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/authentication',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      payload: '{"oops',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.type, 'SyntaxError');
  });

  it('locks out an account after repeated failures, from every address, until the lockout passes', async () => {
    await h.addUser('carol', 'carol-password');
    const attempt = (password: string, remoteAddress: string) =>
      h.app.inject({
        method: 'GET',
        url: '/api/authentication',
        headers: { authorization: basic('carol', password) },
        remoteAddress,
      });
    for (let i = 0; i < 5; i++) await attempt('x', '203.0.113.9');
    for (const address of ['203.0.113.9', '203.0.113.10']) {
      const locked = await attempt('carol-password', address);
      assert.equal(locked.statusCode, 401);
      assert.equal(locked.json().error.type, 'AuthenticationFailure');
      assert.match(
        locked.json().error.message,
        /^Authenticating the user with the given credentials has failed\. Too many failed login attempts for user carol; try again in \d+ seconds\.$/,
      );
      assert.equal(locked.headers['retry-after'], String(locked.json().error.details.retry_after));
    }
    assert.equal((await login()).statusCode, 200, 'other accounts are not locked out');
    clock += 301_000;
    assert.equal((await attempt('carol-password', '203.0.113.10')).statusCode, 200);
  });
});

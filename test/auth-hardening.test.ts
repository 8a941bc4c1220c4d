// Authentication hardening (issue 11): privileges follow the configuration on the next request for every credential
// kind, login sessions have an absolute lifetime, failed logins are bounded (stored user names, per-account lockout,
// per-source throttle), password hashes use OWASP's scrypt cost and are upgraded at login, local passwords have a
// minimum length.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { bootstrapAdmin } from '../src/cli/data-dir.js';
import { ACTIVE_SESSIONS, AUDIT } from '../src/core/access.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, passwordHashParams, verifyPassword } from '../src/core/passwords.js';
import { openStore } from '../src/store/open-store.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { basic, commit, loginSps, newPassword, type SpsClient } from './support/sps-client.js';

const GROUPS = '/api/configuration/aaa/local_database/groups';
const USERS = '/api/configuration/aaa/local_database/users';
const BIGIQ_TASKS = '/mgmt/cm/access/tasks/kill-sessions';
const OPS_PASSWORD = 'ops-password-1';

describe('privileges follow the committed configuration on the next request', () => {
  let h: AppHarness;
  let admin: SpsClient;
  let groupKey = '';
  let opsKey = '';
  before(async () => {
    h = await startApp();
    await h.addUser('ops', OPS_PASSWORD);
    opsKey = (await h.store.findUserByName('ops'))?.key ?? '';
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const group = await admin.call('POST', GROUPS, { name: 'killers', members: [opsKey] });
    assert.equal(group.statusCode, 201, group.body);
    groupKey = group.json().key;
    const acls = [{ group: 'killers', objects: [ACTIVE_SESSIONS, AUDIT], permission: 'write' }];
    assert.equal((await admin.call('PUT', '/api/configuration/aaa/acls', acls)).statusCode, 200);
    await commit(admin);
  });
  after(() => h.close());

  const setMembers = async (members: string[]) => {
    const res = await admin.call('PUT', `${GROUPS}/${groupKey}`, { name: 'killers', members });
    assert.equal(res.statusCode, 200, res.body);
    await commit(admin);
  };

  it('a cookie, Basic and a BIG-IQ token lose a revoked privilege at once, and gain a granted one', async () => {
    const cookie = await loginSps(h, 'ops', OPS_PASSWORD);
    const viaBasic = (method: 'POST' | 'DELETE', url: string) =>
      h.app.inject({ method, url, headers: { authorization: basic('ops', OPS_PASSWORD) }, payload: {} });
    const token = await h.token('ops', OPS_PASSWORD);
    const viaToken = () => h.app.inject({ method: 'GET', url: BIGIQ_TASKS, headers: { 'x-f5-auth-token': token } });
    // With the privilege the requests get past the check (and fail on their empty bodies).
    assert.equal((await cookie.call('POST', '/api/kill-tasks', {})).statusCode, 400);
    assert.equal((await cookie.call('DELETE', '/api/active-sessions')).statusCode, 400);
    assert.equal((await viaBasic('POST', '/api/kill-tasks')).statusCode, 400);
    assert.equal((await viaBasic('DELETE', '/api/active-sessions')).statusCode, 400);
    assert.equal((await viaToken()).statusCode, 200);

    await setMembers([]);
    for (const res of [
      await cookie.call('POST', '/api/kill-tasks', {}),
      await cookie.call('DELETE', '/api/active-sessions'),
      await viaBasic('POST', '/api/kill-tasks'),
      await viaBasic('DELETE', '/api/active-sessions'),
    ]) {
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.type, 'Forbidden');
    }
    assert.equal((await viaToken()).statusCode, 401);
    const info = await cookie.call('GET', '/api/user_info');
    assert.equal(info.statusCode, 200, 'the login itself stays valid');

    await setMembers([opsKey]);
    assert.equal((await cookie.call('POST', '/api/kill-tasks', {})).statusCode, 400);
    assert.equal((await viaBasic('POST', '/api/kill-tasks')).statusCode, 400);
    assert.equal((await viaToken()).statusCode, 200);
  });
});

describe('login sessions have an absolute lifetime besides the idle timeout', () => {
  let h: AppHarness;
  let clock = Date.now();
  before(async () => {
    h = await startApp({ now: () => clock, loginSessions: { idleTimeoutSec: 600, maxAgeSec: 3600 } });
  });
  after(() => h.close());

  it('ends a session in constant use at its maximum age, and never promises more than is left', async () => {
    const client = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const started = clock;
    for (let elapsed = 500; elapsed < 3600; elapsed += 500) {
      clock = started + elapsed * 1000;
      const res = await client.call('GET', '/api');
      assert.equal(res.statusCode, 200, `in use after ${elapsed} s`);
      assert.ok(res.json().meta.remaining_seconds <= 3600 - elapsed, `remaining after ${elapsed} s`);
    }
    clock = started + 3600 * 1000;
    const ended = await client.call('GET', '/api');
    assert.equal(ended.statusCode, 401);
    assert.equal(ended.json().error.type, 'Unauthenticated');
  });
});

describe('failed logins: bounded audit, per-account lockout, per-source throttle', () => {
  let h: AppHarness;
  let clock = Date.now();
  const advance = (sec: number) => {
    clock += sec * 1000;
  };
  before(async () => {
    h = await startApp({ now: () => clock });
    await h.addUser('alice', 'alice-password');
  });
  after(() => h.close());

  const bigiqLogin = (username: string, password: string, remoteAddress: string) =>
    h.app.inject({ method: 'POST', url: '/mgmt/shared/authn/login', payload: { username, password }, remoteAddress });
  const spsLogin = (user: string, password: string, remoteAddress: string) =>
    h.app.inject({
      method: 'GET',
      url: '/api/authentication',
      headers: { authorization: basic(user, password) },
      remoteAddress,
    });
  const auditOf = async (address: string) =>
    (await h.store.listAudit({ limit: 1000, offset: 0 })).filter((e) => e.address === address);

  it('stores at most 128 characters of a user name, marked as cut', async () => {
    assert.equal((await bigiqLogin('x'.repeat(500_000), 'nope', '192.0.2.10')).statusCode, 401);
    assert.equal((await spsLogin('y'.repeat(3000), 'nope', '192.0.2.10')).statusCode, 401);
    const events = await auditOf('192.0.2.10');
    assert.equal(events.length, 2);
    for (const event of events) {
      assert.equal(event.action, 'auth.login_failed');
      assert.ok(event.actor.length <= 128, `actor of ${event.actor.length} characters`);
      assert.ok(event.actor.endsWith('…'));
    }
  });

  it('locks an account after 5 failures from any address, even for the right password, until 300 s pass', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await spsLogin('alice', 'wrong', `192.0.2.${20 + i}`);
      assert.equal(res.statusCode, 401);
      assert.doesNotMatch(res.json().error.message, /Too many/);
    }
    const fifth = await bigiqLogin('alice', 'wrong', '192.0.2.30');
    assert.equal(fifth.statusCode, 401);
    assert.equal(
      fifth.json().message,
      'Authentication failed. Too many failed login attempts for user alice; try again in 300 seconds.',
    );
    const elsewhere = await spsLogin('alice', 'alice-password', '192.0.2.31');
    assert.equal(elsewhere.statusCode, 401);
    assert.match(elsewhere.json().error.message, /Too many failed login attempts for user alice; try again in/);
    assert.equal(elsewhere.headers['retry-after'], '300');
    advance(301);
    assert.equal((await spsLogin('alice', 'alice-password', '192.0.2.31')).statusCode, 200);
  });

  it('throttles an address after 20 failures across user names: refused unchecked, audited once', async () => {
    const address = '192.0.2.50';
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i < 30; i++) answers.push(await bigiqLogin(`sprayed-${i}`, 'guess', address));
    // The 20th failure is the one that starts the throttle, and says so.
    for (const res of answers.slice(0, 19)) assert.equal(res.json().message, 'Authentication failed.');
    for (const res of answers.slice(19)) {
      assert.equal(res.statusCode, 401);
      assert.match(res.json().message, /^Authentication failed\. Too many failed login attempts from 192\.0\.2\.50;/);
    }
    const sps = await spsLogin('admin', ADMIN_PASSWORD, address);
    assert.equal(sps.statusCode, 401, 'the right password is not even checked');
    assert.match(sps.json().error.message, /Too many failed login attempts from 192\.0\.2\.50/);
    assert.equal((await spsLogin('admin', ADMIN_PASSWORD, '192.0.2.51')).statusCode, 200);
    const events = await auditOf(address);
    assert.equal(events.filter((e) => e.action === 'auth.login_failed').length, 20);
    assert.equal(events.filter((e) => e.action === 'auth.login_throttled').length, 1);
    advance(61);
    assert.equal((await spsLogin('admin', ADMIN_PASSWORD, address)).statusCode, 200);
    const ended = (await auditOf(address)).filter((e) => e.action === 'auth.login_throttle_ended');
    assert.equal(ended.length, 1, 'once the window is over, one event says how many were refused');
    assert.equal(ended[0]?.details.refused, 11);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const strip = (res: LightMyRequestResponse) => {
      const { restOperationId, originalRequestBody, ...rest } = res.json();
      return { status: res.statusCode, headers: Object.keys(res.headers).sort(), body: rest };
    };
    assert.deepEqual(
      strip(await bigiqLogin('alice', 'wrong', '192.0.2.60')),
      strip(await bigiqLogin('no-such-user', 'wrong', '192.0.2.60')),
    );
    const sps = async (user: string) => {
      const res = await spsLogin(user, 'wrong', '192.0.2.61');
      return { status: res.statusCode, body: res.body };
    };
    assert.deepEqual(await sps('alice'), await sps('no-such-user'));
  });
});

describe('password hashes', () => {
  it('hashes with scrypt N=2^17, r=8, p=1 by default and verifies the result (real cost)', async () => {
    assert.deepEqual(DEFAULT_SCRYPT_PARAMS, { n: 131_072, r: 8, p: 1 });
    const hash = await hashPassword('correct horse', DEFAULT_SCRYPT_PARAMS);
    assert.match(hash, /^scrypt\$131072\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('wrong horse', hash), false);
  });

  it('refuses malformed hashes and absurd parameters without deriving', async () => {
    for (const encoded of ['', 'scrypt$x$8$1$a$b', 'scrypt$1073741824$8$1$YWFh$YWFh', 'scrypt$1000$8$1$YWFh$YWFh']) {
      assert.equal(await verifyPassword('pw', encoded), false, encoded);
    }
  });

  it('verifies a weaker hash and upgrades it at the next successful login', async () => {
    const h = await startApp();
    try {
      const weak = await hashPassword('legacy-password', { n: 256, r: 8, p: 1 });
      await h.store.upsertUser({ name: 'legacy', passwordHash: weak, createdAt: Date.now() });
      await h.token('legacy', 'legacy-password');
      const stored = (await h.store.findUserByName('legacy'))?.passwordHash ?? '';
      const { n, r, p } = passwordHashParams();
      assert.ok(stored.startsWith(`scrypt$${n}$${r}$${p}$`), stored);
      assert.notEqual(stored, weak);
      assert.ok(await h.token('legacy', 'legacy-password'));
    } finally {
      await h.close();
    }
  });
});

describe('local user passwords have a minimum length', () => {
  let h: AppHarness;
  let admin: SpsClient;
  before(async () => {
    h = await startApp();
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
  });
  after(() => h.close());

  it('refuses a password under 12 characters with an SPS SemanticError, and takes 12', async () => {
    const short = await admin.call('POST', USERS, { name: 'shorty', password: await newPassword(admin, 'a') });
    assert.equal(short.statusCode, 400, short.body);
    assert.equal(short.json().error.type, 'SemanticError');
    assert.match(short.json().error.message, /at least 12 characters/);
    const ok = await admin.call('POST', USERS, { name: 'longer', password: await newPassword(admin, 'twelve-chars') });
    assert.equal(ok.statusCode, 201, ok.body);
    await commit(admin);
  });

  it('refuses a short CURFEW_ADMIN_PASSWORD at first start with a clear error', async () => {
    const store = await openStore({ dataDir: ':memory:' });
    try {
      await assert.rejects(bootstrapAdmin(store, 'short'), /CURFEW_ADMIN_PASSWORD must be at least 12 characters/);
      assert.equal(await store.findUserByName('admin'), undefined);
      assert.equal(await bootstrapAdmin(store, 'long-enough-admin-pw'), undefined);
    } finally {
      await store.close();
    }
  });
});

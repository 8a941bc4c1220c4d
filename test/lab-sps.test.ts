// The lab SPS emulator: topology and the exact response shapes of docs/compat/sps.md (login cookie, auth, errors, audit
// search, single session, session termination).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { type SpsLabDeviceInfo, SpsLabFleet } from '../lab/sps/emulator.js';

const PASSWORD = 'sps-lab-secret';
const BASIC = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const SVC_ID = /^svc\/[1-9A-HJ-NP-Za-km-z]{22}\/[a-z-]+:\d+$/;
const COOKIE =
  /^session_id=([0-9a-f]{40}); expires=(\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT); Path=\/; Secure; HttpOnly$/;

interface CallOptions {
  cookie?: string;
  authorization?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

const agent = new Agent({ connect: { rejectUnauthorized: false } });

async function call(
  device: SpsLabDeviceInfo,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.authorization) headers.authorization = options.authorization;
  const response = await request(`https://${device.address}:${device.port}${path}`, {
    method: method as 'GET',
    headers,
    dispatcher: agent,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Logs in with Basic; returns the `session_id=<v>` pair and the whole Set-Cookie header. */
async function login(device: SpsLabDeviceInfo): Promise<{ cookie: string; setCookie: string }> {
  const answer = await call(device, 'GET', '/api/authentication', { authorization: BASIC });
  assert.equal(answer.status, 200);
  const setCookie = [answer.headers['set-cookie']].flat()[0] ?? '';
  return { cookie: setCookie.split(';')[0] ?? '', setCookie };
}

function assertSpsError(answer: Answer, status: number, type: string, href: string): void {
  assert.equal(answer.status, status);
  assert.deepEqual(Object.keys(answer.body).sort(), ['error', 'meta']);
  assert.deepEqual(Object.keys(answer.body.error).sort(), ['details', 'message', 'type']);
  assert.equal(answer.body.error.type, type);
  assert.equal(typeof answer.body.error.message, 'string');
  assert.equal(typeof answer.body.error.details, 'object');
  assert.equal(answer.body.meta.href, href);
}

describe('lab SPS emulator', () => {
  let fleet: SpsLabFleet;
  let device: SpsLabDeviceInfo;
  let cookie: string;
  // 7 active and 3 closed sessions per appliance.
  before(async () => {
    fleet = await SpsLabFleet.start({
      devices: 3,
      sessionsPerDevice: 7,
      closedSessionsPerDevice: 3,
      users: ['alice', 'bob'],
      password: PASSWORD,
      seed: 5,
    });
    device = fleet.devices[0] as SpsLabDeviceInfo;
    cookie = (await login(device)).cookie;
  });
  after(async () => {
    await fleet.stop();
    await agent.close();
  });
  const get = (path: string) => call(device, 'GET', path, { cookie });

  it('builds standalone appliances with sps- hostnames, access groups and seeded sessions', async () => {
    assert.deepEqual(
      fleet.devices.map(({ hostname, accessGroup, address }) => [hostname, accessGroup, address]),
      [
        ['sps-1.lab.local', 'group-1', '127.0.0.1'],
        ['sps-2.lab.local', 'group-2', '127.0.0.1'],
        ['sps-3.lab.local', 'group-1', '127.0.0.1'],
      ],
    );
    const sessions = fleet.sessions(device.id);
    assert.equal(sessions.length, 7);
    for (const session of sessions) assert.match(session.sessionId, SVC_ID);
    const twin = await SpsLabFleet.start({ devices: 1, sessionsPerDevice: 7, closedSessionsPerDevice: 3, seed: 5 });
    try {
      assert.equal(twin.devices[0]?.id, device.id);
      const ids = (list: { sessionId: string }[]) => list.map((session) => session.sessionId);
      assert.deepEqual(ids(twin.sessions(twin.devices[0]?.id ?? '')), ids(sessions));
    } finally {
      await twin.stop();
    }
  });

  describe('authentication', () => {
    it('answers a Basic login with the meta body and the session_id cookie first', async () => {
      const answer = await call(device, 'GET', '/api/authentication?login_method=local', { authorization: BASIC });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { meta: { href: '/api/authentication', parent: '/api' } });
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal(answer.headers['content-language'], 'en');
      assert.equal(answer.headers.allow, 'GET');
      const first = [answer.headers['set-cookie']].flat()[0] ?? '';
      const match = COOKIE.exec(first);
      assert.ok(match, first);
      const expiresIn = Date.parse(match[2] ?? '') - Date.now();
      assert.ok(expiresIn > 590_000 && expiresIn <= 600_000, `expires in ${expiresIn} ms`);
    });

    it('refuses bad credentials with 401 AuthenticationFailure', async () => {
      const wrong = `Basic ${Buffer.from('admin:nope').toString('base64')}`;
      const answer = await call(device, 'GET', '/api/authentication', { authorization: wrong });
      assertSpsError(answer, 401, 'AuthenticationFailure', '/api/authentication');
      assert.deepEqual(answer.body.meta, { href: '/api/authentication', parent: '/api' });
      assert.equal(answer.headers['set-cookie'], undefined);
      assertSpsError(
        await call(device, 'GET', '/api/authentication'),
        401,
        'AuthenticationFailure',
        '/api/authentication',
      );
      const elsewhere = await call(device, 'GET', '/api/audit/sessions', { authorization: wrong });
      assertSpsError(elsewhere, 401, 'AuthenticationFailure', '/api/audit/sessions');
    });

    it('takes the cookie or Basic on every endpoint; without either, 401 Unauthenticated with the path', async () => {
      assert.equal((await get('/api/audit/sessions')).status, 200);
      assert.equal((await call(device, 'GET', '/api/info', { authorization: BASIC })).status, 200);
      const both = await call(device, 'GET', '/api/info', { cookie, authorization: 'Basic bm9wZTpub3Bl' });
      assert.equal(both.status, 200, 'a live cookie wins over bad Basic');
      const none = await call(device, 'GET', '/api/audit/sessions');
      assertSpsError(none, 401, 'Unauthenticated', '/api/audit/sessions');
      assert.deepEqual(none.body.error.details, { path: '/api/audit/sessions' });
      const stale = await call(device, 'GET', '/api/info', { cookie: `session_id=${'0'.repeat(40)}` });
      assertSpsError(stale, 401, 'Unauthenticated', '/api/info');
    });

    it('ends a login after the idle timeout, counted from its last use', async () => {
      const quick = await SpsLabFleet.start({
        devices: 1,
        sessionsPerDevice: 0,
        password: PASSWORD,
        loginIdleSec: 0.5,
      });
      try {
        const appliance = quick.devices[0] as SpsLabDeviceInfo;
        const { cookie: short } = await login(appliance);
        await sleep(300);
        assert.equal((await call(appliance, 'GET', '/api/info', { cookie: short })).status, 200);
        await sleep(300);
        assert.equal((await call(appliance, 'GET', '/api/info', { cookie: short })).status, 200, 'slid on use');
        await sleep(700);
        assertSpsError(
          await call(appliance, 'GET', '/api/info', { cookie: short }),
          401,
          'Unauthenticated',
          '/api/info',
        );
        assert.equal(quick.liveLogins(appliance.id), 0);
      } finally {
        await quick.stop();
      }
    });
  });

  describe('audit search', () => {
    it('lists every recorded session by default, with the documented meta and page links', async () => {
      const answer = await get('/api/audit/sessions');
      assert.equal(answer.status, 200);
      assert.equal(answer.body.items.length, 10);
      for (const item of answer.body.items) {
        assert.deepEqual(Object.keys(item).sort(), ['key', 'meta']);
        assert.deepEqual(item.meta, { href: `/api/audit/sessions/${item.key}` });
      }
      assert.deepEqual(answer.body.meta, {
        fields: [],
        first: '/api/audit/sessions?limit=500&offset=0&fields=',
        href: '/api/audit/sessions',
        last: '/api/audit/sessions?limit=500&offset=0&fields=',
        limit: 500,
        match_count: 10,
        next: null,
        offset: 0,
        parent: '/api/audit',
        previous: null,
      });
    });

    it('filters with q (active:true|false, AND) and returns the requested fields only', async () => {
      const active = await get('/api/audit/sessions?q=active:true&fields=recording.session_id,user');
      assert.equal(active.body.meta.match_count, 7);
      assert.deepEqual(active.body.meta.fields, ['recording.session_id', 'user']);
      const first = active.body.items[0];
      assert.deepEqual(Object.keys(first.body).sort(), ['recording', 'user']);
      assert.deepEqual(Object.keys(first.body.recording), ['session_id']);
      assert.deepEqual(Object.keys(first.body.user).sort(), ['gateway_username', 'server_username']);
      const ids = active.body.items.map(
        (item: { body: { recording: { session_id: string } } }) => item.body.recording.session_id,
      );
      assert.deepEqual(
        ids.sort(),
        fleet
          .sessions(device.id)
          .map((s) => s.sessionId)
          .sort(),
      );
      assert.equal((await get('/api/audit/sessions?q=active%3Afalse')).body.meta.match_count, 3);
      const alice = fleet.sessions(device.id).filter((s) => s.user === 'alice').length;
      const both = await get(
        `/api/audit/sessions?q=${encodeURIComponent('active:true AND user.gateway_username:"alice"')}`,
      );
      assert.equal(both.body.meta.match_count, alice);
      for (const q of ['active:true OR active:false', 'active:tr*', 'active:true user.gateway_username:bob', 'AND']) {
        const refused = await get(`/api/audit/sessions?q=${encodeURIComponent(q)}`);
        assertSpsError(refused, 400, 'InvalidQuery', '/api/audit/sessions');
      }
    });

    it('pages with limit and offset, capping limit at 500 and linking pages', async () => {
      const answer = await get('/api/audit/sessions?limit=3&offset=3&fields=active&q=active:true');
      assert.equal(answer.body.items.length, 3);
      const link = (offset: number) => `/api/audit/sessions?limit=3&offset=${offset}&fields=active&q=active%3Atrue`;
      const { first, last, next, previous, limit, offset } = answer.body.meta;
      assert.deepEqual(
        { first, last, next, previous, limit, offset },
        {
          first: link(0),
          last: link(6),
          next: link(6),
          previous: link(0),
          limit: 3,
          offset: 3,
        },
      );
      assert.equal((await get(last)).body.items.length, 1);
      assert.equal((await get(last)).body.meta.next, null);
      assert.equal((await get('/api/audit/sessions?limit=5000')).body.meta.limit, 500);
      assertSpsError(await get('/api/audit/sessions?limit=-1'), 400, 'InvalidQuery', '/api/audit/sessions');
    });

    it('shows one session in the documented body shape', async () => {
      const [session] = fleet.sessions(device.id);
      assert.ok(session);
      const answer = await get(`/api/audit/sessions/${session.key}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.key, session.key);
      assert.deepEqual(answer.body.meta, { href: `/api/audit/sessions/${session.key}`, parent: '/api/audit/sessions' });
      const body = answer.body.body;
      assert.equal(body.active, true);
      assert.equal(body.end_time, null);
      assert.equal(body.origin, 'RECORDING');
      assert.equal(body.node_id, device.id);
      assert.equal(body.protocol, session.protocol);
      assert.deepEqual(body.client, { ip: session.clientIp, name: session.clientIp, port: body.client.port });
      assert.equal(body.creation_time, new Date(session.startedAt).toISOString());
      assert.equal(body.start_time, body.creation_time);
      assert.equal(body.user.gateway_username, session.user);
      assert.equal(body.recording.session_id, session.sessionId);
      assert.match(
        body.recording.session_id,
        new RegExp(`^svc/${session.key}/${body.recording.connection_policy}:\\d+$`),
      );
      assert.deepEqual(Object.keys(body.recording.target).sort(), ['ip', 'name', 'port']);
      assert.equal(body.channels.href, `/api/audit/sessions/${session.key}/channels`);
      assertSpsError(await get('/api/audit/sessions/nope'), 404, 'NotFound', '/api/audit/sessions/nope');
    });
  });

  describe('session termination', () => {
    const kill = (id: string | undefined, raw = false) => {
      const query = id === undefined ? '' : `?id=${raw ? id : encodeURIComponent(id)}`;
      return call(device, 'DELETE', `/api/active-sessions${query}`, { cookie });
    };

    it('ends a session by its raw or percent-encoded id; the audit log keeps it closed', async () => {
      const rawId = fleet.addSession(device.id, { user: 'mallory', clientIp: '192.0.2.1' });
      const encodedId = fleet.addSession(device.id, { user: 'mallory', clientIp: '192.0.2.2', protocol: 'RDP' });
      for (const [id, raw] of [
        [rawId, true],
        [encodedId, false],
      ] as const) {
        const answer = await kill(id, raw);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { meta: { href: '/api/active-sessions', parent: '/api' } });
        assert.equal(answer.headers.allow, 'DELETE');
      }
      assert.ok(!fleet.sessions(device.id).some((s) => s.user === 'mallory'));
      const key = rawId.split('/')[1];
      const closed = (await get(`/api/audit/sessions/${key}`)).body.body;
      assert.equal(closed.active, false);
      assert.ok(Date.parse(closed.end_time) > 0);
      assert.equal(closed.recording.verdict, 'TERMINATED');
      assert.equal((await get('/api/audit/sessions?q=active:false')).body.meta.match_count, 5);
      assertSpsError(await kill(rawId, true), 404, 'SessionCouldNotBeFound', '/api/active-sessions');
    });

    it('answers 400 SessionIdMissing, 404 for an unknown id, 405 for GET', async () => {
      assertSpsError(await kill(undefined), 400, 'SessionIdMissing', '/api/active-sessions');
      assertSpsError(await kill(''), 400, 'SessionIdMissing', '/api/active-sessions');
      const unknown = await kill('svc/1111111111111111111111/ssh-servers:1');
      assertSpsError(unknown, 404, 'SessionCouldNotBeFound', '/api/active-sessions');
      const listing = await get('/api/active-sessions');
      assertSpsError(listing, 405, 'MethodNotAllowed', '/api/active-sessions');
      assert.equal(listing.headers.allow, 'DELETE');
    });

    it('injects faults: 500 SessionTerminationFailed, and a silent non-kill', async () => {
      const id = fleet.addSession(device.id, { user: 'trent', clientIp: '192.0.2.3' });
      fleet.setFault(device.id, 'http500');
      assertSpsError(await kill(id), 500, 'SessionTerminationFailed', '/api/active-sessions');
      assertSpsError(await get('/api/info'), 500, 'InternalServerError', '/api/info');
      fleet.setFault(device.id, 'silent_nonkill');
      assert.equal((await kill(id)).status, 200);
      assert.ok(
        fleet.sessions(device.id).some((s) => s.sessionId === id),
        'still open',
      );
      fleet.setFault(device.id, 'none');
    });
  });

  it('counts logins, listings, deletes and other requests per appliance', async () => {
    const other = fleet.devices[1] as SpsLabDeviceInfo;
    const { cookie: otherCookie } = await login(other);
    await call(other, 'GET', '/api/audit/sessions', { cookie: otherCookie });
    await call(other, 'DELETE', '/api/active-sessions?id=x', { cookie: otherCookie });
    await call(other, 'GET', '/api/info', { cookie: otherCookie });
    await call(other, 'GET', '/api/nothing-here', { cookie: otherCookie });
    assert.deepEqual(fleet.counters(other.id), { login: 1, list: 1, delete: 1, other: 2 });
    assert.equal(fleet.liveLogins(other.id), 1);
    fleet.revokeLogins(other.id);
    assert.equal(fleet.liveLogins(other.id), 0);
  });
});

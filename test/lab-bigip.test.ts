// The lab BIG-IP emulator: topology, exact response shapes from docs/compat/bigip-device.md, tokens, HA and fault
// injection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { type LabDeviceInfo, LabFleet } from '../lab/bigip/emulator.js';

const PASSWORD = 'lab-test-secret';
const SESSION_KEY = /^https:\/\/localhost\/mgmt\/tm\/apm\/access-info\/[0-9a-f]{8}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface CallOptions {
  token?: string;
  basic?: string;
  json?: unknown;
  rawBody?: string;
}

interface Answer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

const agent = new Agent({ connect: { rejectUnauthorized: false } });

async function call(device: LabDeviceInfo, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers['x-f5-auth-token'] = options.token;
  if (options.basic) headers.authorization = `Basic ${Buffer.from(options.basic).toString('base64')}`;
  const body = options.rawBody ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`https://${device.address}:${device.port}${path}`, {
    method: method as 'GET',
    headers,
    body,
    dispatcher: agent,
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, body: text ? JSON.parse(text) : undefined };
}

async function login(device: LabDeviceInfo, password = PASSWORD): Promise<Answer> {
  return call(device, 'POST', '/mgmt/shared/authn/login', {
    json: { username: 'admin', password, loginProviderName: 'tmos' },
  });
}

async function token(device: LabDeviceInfo): Promise<string> {
  const answer = await login(device);
  assert.equal(answer.status, 200, answer.text);
  return answer.body.token.token;
}

function assertFrameworkError(answer: Answer, code: number): void {
  assert.equal(answer.status, code);
  assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'kind', 'message', 'referer', 'restOperationId']);
  assert.equal(answer.body.code, code);
  assert.equal(answer.body.kind, ':resterrorresponse');
  assert.equal(typeof answer.body.message, 'string');
  assert.equal(typeof answer.body.restOperationId, 'number');
}

describe('lab BIG-IP emulator', () => {
  let fleet: LabFleet;
  let devices: LabDeviceInfo[];
  // cluster-1 = 0 (ACTIVE) + 1, cluster-2 = 2 (ACTIVE) + 3, device 4 standalone.
  const at = (index: number) => devices[index] as LabDeviceInfo;

  before(async () => {
    fleet = await LabFleet.start({ devices: 5, sessionsPerDevice: 6, users: 4, password: PASSWORD, seed: 3 });
    devices = fleet.devices;
  });
  after(async () => {
    await fleet.stop();
    await agent.close();
  });

  describe('topology', () => {
    it('pairs devices into clusters and spreads pairs over access groups', () => {
      assert.deepEqual(
        devices.map(({ cluster, accessGroup, failover }) => [cluster, accessGroup, failover]),
        [
          ['cluster-1', 'group-1', 'ACTIVE'],
          ['cluster-1', 'group-1', 'STANDBY'],
          ['cluster-2', 'group-2', 'ACTIVE'],
          ['cluster-2', 'group-2', 'STANDBY'],
          [null, 'group-1', 'ACTIVE'],
        ],
      );
      assert.equal(new Set(devices.map((device) => device.id)).size, 5);
      for (const device of devices) {
        assert.match(device.id, UUID);
        assert.equal(device.address, '127.0.0.1');
        assert.ok(device.port > 0);
      }
      assert.equal(at(0).hostname, 'bigip-1.lab.local');
    });

    it('serves a cluster’s sessions from its ACTIVE unit only, and shares users across devices', () => {
      assert.equal(fleet.sessions(at(0).id).length, 6);
      assert.deepEqual(fleet.sessions(at(1).id), []);
      assert.equal(fleet.sessions(at(4).id).length, 6);
      const usersOf = (device: LabDeviceInfo) => new Set(fleet.sessions(device.id).map((session) => session.user));
      const shared = [...usersOf(at(0))].filter((user) => usersOf(at(2)).has(user));
      assert.ok(shared.length > 0, 'some user has sessions on two clusters');
      for (const session of fleet.sessions(at(0).id)) assert.match(session.sessionId, /^[0-9a-f]{8}$/);
    });

    it('derives the same fleet from the same seed', async () => {
      const twin = await LabFleet.start({ devices: 2, sessionsPerDevice: 6, users: 4, password: PASSWORD, seed: 3 });
      try {
        assert.deepEqual(
          twin.devices.map((device) => device.id),
          devices.slice(0, 2).map((device) => device.id),
        );
        assert.deepEqual(twin.sessions(twin.devices[0]?.id ?? ''), fleet.sessions(at(0).id));
      } finally {
        await twin.stop();
      }
    });

    it('refuses to add a session on a STANDBY unit', () => {
      assert.throws(() => fleet.addSession(at(1).id, { user: 'x', clientIp: '10.0.0.1' }), /STANDBY/);
    });
  });

  describe('authentication', () => {
    it('logs in with tmos and returns a token object', async () => {
      const before = Date.now();
      const answer = await login(at(0));
      assert.equal(answer.status, 200);
      assert.equal(answer.body.username, 'admin');
      assert.equal(answer.body.loginProviderName, 'tmos');
      const issued = answer.body.token;
      assert.match(issued.token, /^[A-Z2-7]{26}$/);
      assert.equal(issued.name, issued.token);
      assert.equal(issued.userName, 'admin');
      assert.equal(issued.timeout, 1200);
      assert.ok(Math.abs(issued.expirationMicros / 1000 - (before + 1_200_000)) < 5_000);
    });

    it('answers a wrong password with the 401 error body', async () => {
      const answer = await login(at(0), 'wrong');
      assertFrameworkError(answer, 401);
      assert.equal(answer.body.message, 'Authentication failed.');
    });

    it('requires a token or Basic credentials on every other endpoint', async () => {
      assertFrameworkError(await call(at(0), 'GET', '/mgmt/tm/apm/access-info'), 401);
      assertFrameworkError(await call(at(0), 'GET', '/mgmt/tm/apm/access-info', { token: 'NOTATOKEN' }), 401);
      assertFrameworkError(await call(at(0), 'GET', '/mgmt/tm/apm/access-info', { basic: 'admin:wrong' }), 401);
      assert.equal((await call(at(0), 'GET', '/mgmt/tm/apm/access-info', { basic: `admin:${PASSWORD}` })).status, 200);
      assert.equal((await call(at(0), 'GET', '/mgmt/tm/apm/access-info', { token: await token(at(0)) })).status, 200);
    });

    it('lists, extends, expires and deletes tokens', async () => {
      const device = at(4);
      const live = fleet.liveTokens(device.id);
      const issued = await token(device);
      assert.equal(fleet.liveTokens(device.id), live + 1);
      const listed = await call(device, 'GET', '/mgmt/shared/authz/tokens', { token: issued });
      assert.ok(listed.body.items.some((item: { token: string }) => item.token === issued));
      const patched = await call(device, 'PATCH', `/mgmt/shared/authz/tokens/${issued}`, {
        token: issued,
        json: { timeout: 1 },
      });
      assert.equal(patched.body.timeout, 1);
      await sleep(1_100);
      assertFrameworkError(await call(device, 'GET', '/mgmt/tm/cm/failover-status', { token: issued }), 401);
      assert.equal(fleet.liveTokens(device.id), live);

      const other = await token(device);
      const deletes = fleet.counters(device.id).tokenDelete;
      const deleted = await call(device, 'DELETE', `/mgmt/shared/authz/tokens/${other}`, { token: other });
      assert.equal(deleted.status, 200);
      assert.equal(fleet.counters(device.id).tokenDelete, deletes + 1);
      assert.equal(fleet.liveTokens(device.id), live);
      assertFrameworkError(await call(device, 'GET', '/mgmt/shared/authz/tokens', { token: other }), 401);
    });

    it('refuses logins past 100 live tokens for a user', async () => {
      const device = at(3);
      const tokens = await Promise.all(Array.from({ length: 100 - fleet.liveTokens(device.id) }, () => token(device)));
      const refused = await login(device);
      assertFrameworkError(refused, 401);
      assert.equal(refused.body.message, 'maximum active login tokens');
      const basic = `admin:${PASSWORD}`;
      await Promise.all(tokens.map((t) => call(device, 'DELETE', `/mgmt/shared/authz/tokens/${t}`, { basic })));
      assert.equal((await login(device)).status, 200);
    });
  });

  describe('sessions', () => {
    it('lists access-info with entries keyed by 8-hex session id', async () => {
      const device = at(0);
      const sessionId = fleet.addSession(device.id, { user: 'alice', clientIp: '10.1.2.3' });
      const answer = await call(device, 'GET', '/mgmt/tm/apm/access-info', { token: await token(device) });
      assert.equal(answer.body.kind, 'tm:apm:access-info:access-infostats');
      assert.equal(answer.body.selfLink, 'https://localhost/mgmt/tm/apm/access-info?ver=15.1.0');
      const keys = Object.keys(answer.body.entries);
      assert.equal(keys.length, fleet.sessions(device.id).length);
      for (const key of keys) assert.match(key, SESSION_KEY);
      assert.deepEqual(answer.body.entries[`https://localhost/mgmt/tm/apm/access-info/${sessionId}`], {
        nestedStats: { entries: { clientIp: { description: '10.1.2.3' }, logonUser: { description: 'alice' } } },
      });
    });

    it('limits the list with $top, where $top=0 means all', async () => {
      const device = at(0);
      const auth = { token: await token(device) };
      const top2 = await call(device, 'GET', '/mgmt/tm/apm/access-info?$top=2', auth);
      assert.equal(Object.keys(top2.body.entries).length, 2);
      const all = await call(device, 'GET', '/mgmt/tm/apm/access-info?$top=0', auth);
      assert.equal(Object.keys(all.body.entries).length, fleet.sessions(device.id).length);
    });

    it('omits the entries key when there is no session', async () => {
      const standby = await call(at(1), 'GET', '/mgmt/tm/apm/access-info', { token: await token(at(1)) });
      assert.deepEqual(standby.body, {
        kind: 'tm:apm:access-info:access-infostats',
        selfLink: 'https://localhost/mgmt/tm/apm/access-info?ver=15.1.0',
      });
    });

    it('deletes a session with 200 and answers 404 for an unknown one', async () => {
      const device = at(4);
      const auth = { token: await token(device) };
      const sessionId = fleet.addSession(device.id, { user: 'bob', clientIp: '10.4.4.4' });
      const deleted = await call(device, 'DELETE', `/mgmt/tm/apm/session/${sessionId}`, auth);
      assert.equal(deleted.status, 200);
      assert.ok(!fleet.sessions(device.id).some((session) => session.sessionId === sessionId));
      const missing = await call(device, 'DELETE', `/mgmt/tm/apm/session/${sessionId}`, auth);
      assert.equal(missing.status, 404);
      assert.deepEqual(Object.keys(missing.body).sort(), ['apiError', 'code', 'errorStack', 'message']);
      assert.equal(missing.body.code, 404);
      assert.match(missing.body.message, /was not found/);
    });
  });

  describe('HA and device facts', () => {
    const roleOf = async (device: LabDeviceInfo) => {
      const answer = await call(device, 'GET', '/mgmt/tm/cm/failover-status', { basic: `admin:${PASSWORD}` });
      assert.equal(answer.body.kind, 'tm:cm:failover-status:failover-statusstats');
      const entry = answer.body.entries['https://localhost/mgmt/tm/cm/failover-status/0'];
      assert.equal(entry.nestedStats.entries.color.description.length > 0, true);
      assert.match(entry.nestedStats.entries.summary.description, /^1\/1 (active|standby)$/);
      return entry.nestedStats.entries.status.description as string;
    };

    it('reports ACTIVE and STANDBY, and fails over with the sessions', async () => {
      const [first, second] = [at(2), at(3)];
      const sessions = fleet.sessions(first.id);
      assert.deepEqual([await roleOf(first), await roleOf(second)], ['ACTIVE', 'STANDBY']);
      fleet.failover('cluster-2');
      assert.deepEqual([await roleOf(first), await roleOf(second)], ['STANDBY', 'ACTIVE']);
      assert.deepEqual(fleet.sessions(second.id), sessions);
      assert.deepEqual(fleet.sessions(first.id), []);
      assert.equal(fleet.device(second.id).failover, 'ACTIVE');
      fleet.failover('cluster-2');
    });

    it('answers sys/version and device-info', async () => {
      const device = at(0);
      const auth = { basic: `admin:${PASSWORD}` };
      const version = await call(device, 'GET', '/mgmt/tm/sys/version', auth);
      const stats = version.body.entries['https://localhost/mgmt/tm/sys/version/0'].nestedStats.entries;
      assert.equal(stats.Version.description, '15.1.0');
      const info = await call(device, 'GET', '/mgmt/shared/identified-devices/config/device-info', auth);
      assert.equal(info.body.machineId, device.id);
      assert.equal(info.body.hostname, device.hostname);
      assert.equal(info.body.version, '15.1.0');
      assert.equal(info.body.product, 'BIG-IP');
    });

    it('answers 404 for an unknown path and 400 for malformed JSON', async () => {
      const unknown = await call(at(0), 'GET', '/mgmt/tm/no/such/thing', { basic: `admin:${PASSWORD}` });
      assertFrameworkError(unknown, 404);
      const malformed = await call(at(0), 'POST', '/mgmt/shared/authn/login', { rawBody: '{"username":' });
      assertFrameworkError(malformed, 400);
    });
  });

  describe('faults, latency and counters', () => {
    const auth = { basic: `admin:${PASSWORD}` };

    it('injects http500, reset and auth_fail until cleared', async () => {
      const device = at(4);
      fleet.setFault(device.id, 'http500');
      assertFrameworkError(await call(device, 'GET', '/mgmt/tm/apm/access-info', auth), 500);
      fleet.setFault(device.id, 'reset');
      await assert.rejects(call(device, 'GET', '/mgmt/tm/apm/access-info', auth));
      fleet.setFault(device.id, 'auth_fail');
      assertFrameworkError(await login(device), 401);
      assertFrameworkError(await call(device, 'GET', '/mgmt/tm/apm/access-info', auth), 401);
      fleet.setFault(device.id, 'none');
      assert.equal((await call(device, 'GET', '/mgmt/tm/apm/access-info', auth)).status, 200);
    });

    it('applies a partial fault rate to a subset of requests', async () => {
      const device = at(4);
      fleet.setFault(device.id, 'http500', 0.5);
      const statuses = [];
      for (let index = 0; index < 20; index += 1)
        statuses.push((await call(device, 'GET', '/mgmt/tm/sys/version', auth)).status);
      fleet.setFault(device.id, 'none');
      const failed = statuses.filter((status) => status === 500).length;
      assert.ok(failed > 0 && failed < 20, `${failed} of 20 failed`);
    });

    it('keeps a silently failed delete’s session', async () => {
      const device = at(4);
      const sessionId = fleet.addSession(device.id, { user: 'carol', clientIp: '10.5.5.5' });
      fleet.setFault(device.id, 'silent_nonkill');
      assert.equal((await call(device, 'DELETE', `/mgmt/tm/apm/session/${sessionId}`, auth)).status, 200);
      fleet.setFault(device.id, 'none');
      assert.ok(fleet.sessions(device.id).some((session) => session.sessionId === sessionId));
    });

    it('adds latency to every response', async () => {
      const device = at(4);
      fleet.setLatency(80, device.id);
      const started = Date.now();
      await call(device, 'GET', '/mgmt/tm/sys/version', auth);
      fleet.setLatency(0);
      assert.ok(Date.now() - started >= 75);
    });

    it('counts requests by kind', async () => {
      const device = at(2);
      fleet.resetCounters();
      const issued = await token(device);
      await call(device, 'GET', '/mgmt/tm/apm/access-info', { token: issued });
      await call(device, 'GET', '/mgmt/tm/cm/failover-status', { token: issued });
      await call(device, 'DELETE', '/mgmt/tm/apm/session/00000000', { token: issued });
      await call(device, 'DELETE', `/mgmt/shared/authz/tokens/${issued}`, { token: issued });
      await call(device, 'GET', '/mgmt/tm/sys/version', auth);
      assert.deepEqual(fleet.counters(device.id), {
        login: 1,
        list: 1,
        delete: 1,
        failover: 1,
        tokenDelete: 1,
        dataGroup: 0,
        other: 1,
      });
    });
  });

  it('serves many devices with many sessions at once', async () => {
    const big = await LabFleet.start({ devices: 100, sessionsPerDevice: 200, password: PASSWORD });
    try {
      const counts = await Promise.all(
        big.devices.map(async (device) => {
          const answer = await call(device, 'GET', '/mgmt/tm/apm/access-info', { basic: `admin:${PASSWORD}` });
          return Object.keys(answer.body.entries ?? {}).length;
        }),
      );
      assert.equal(
        counts.reduce((sum, count) => sum + count, 0),
        50 * 200,
      );
    } finally {
      await big.stop();
    }
  });
});

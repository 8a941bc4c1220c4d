// The server side of the web console, in-process: session stats, kill tasks on the SPS surface, the audit log, the
// user's privileges in user_info, and the CSRF guard on cookie-authenticated writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { waitForFinal } from './support/engine-harness.js';
import { basic, commit, loginSps, type SpsClient } from './support/sps-client.js';

const VICTIM = 'victim';
const PASSWORD = 'console-pw';
const ADMIN = basic('admin', ADMIN_PASSWORD);

describe('console API', () => {
  let h: AppHarness;
  let admin: SpsClient;

  before(async () => {
    h = await startApp({ fleet: { devices: 4, sessionsPerDevice: 3, users: ['alice', 'bob'] } });
    const fleet = h.fleet;
    assert.ok(fleet);
    for (const device of fleet.devices.filter((d) => d.failover === 'ACTIVE')) {
      fleet.addSession(device.id, { user: VICTIM, clientIp: '198.51.100.7' });
    }
    await h.engine.sync.syncAll();
    for (const name of ['reader', 'nogrant']) await h.addUser(name, PASSWORD);
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const reader = (await h.store.findUserByName('reader'))?.key;
    const group = await admin.call('POST', '/api/configuration/aaa/local_database/groups', {
      name: 'viewers',
      members: [reader],
    });
    assert.equal(group.statusCode, 201, group.body);
    const grant = { group: 'viewers', objects: ['/special/active_sessions'], permission: 'read' };
    assert.equal((await admin.call('PUT', '/api/configuration/aaa/acls', [grant])).statusCode, 200);
    await commit(admin);
  });
  after(() => h.close());

  const get = (url: string, authorization = ADMIN) => h.app.inject({ method: 'GET', url, headers: { authorization } });

  describe('GET /api/audit/sessions/stats', () => {
    it('counts the matching sessions per device (with its key), cluster and access group', async () => {
      const res = await get('/api/audit/sessions/stats?field=device&q=active:true&size=100');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.field, 'device');
      const active = h.fleet?.devices.filter((d) => d.failover === 'ACTIVE') ?? [];
      assert.equal(body.total, active.length * 4);
      assert.equal(body.distinct, active.length);
      for (const item of body.items) {
        assert.equal(item.count, 4);
        assert.equal(active.find((d) => d.id === item.key)?.hostname, item.value);
      }
      const groups = (await get('/api/audit/sessions/stats?field=access_group&q=active:true')).json();
      assert.equal(
        groups.items.reduce((n: number, i: { count: number }) => n + i.count, 0),
        body.total,
      );
      assert.ok(groups.items.every((i: { key?: string }) => i.key === undefined));
    });

    it('narrows by q, keeps the top `size` values most frequent first, and counts distinct users', async () => {
      const perUser = new Map<string, number>();
      for (const device of h.fleet?.devices ?? []) {
        for (const s of h.fleet?.sessions(device.id) ?? []) perUser.set(s.user, (perUser.get(s.user) ?? 0) + 1);
      }
      const res = (await get('/api/audit/sessions/stats?field=user&q=active:true&size=1')).json();
      assert.equal(res.items.length, 1);
      assert.equal(res.distinct, perUser.size);
      assert.equal(res.items[0].count, Math.max(...perUser.values()));
      const victim = (await get(`/api/audit/sessions/stats?field=cluster&q=user:${VICTIM}`)).json();
      assert.equal(victim.total, h.fleet?.devices.filter((d) => d.failover === 'ACTIVE').length);
    });

    it('refuses an unknown field or a bad query (400) and callers without read (403)', async () => {
      const field = await get('/api/audit/sessions/stats?field=colour');
      assert.equal(field.statusCode, 400);
      assert.equal(field.json().error.type, 'InvalidQuery');
      const query = await get('/api/audit/sessions/stats?field=user&q=user:(');
      assert.equal(query.json().error.type, 'InvalidQuery');
      const denied = await get('/api/audit/sessions/stats?field=user', basic('nogrant', PASSWORD));
      assert.equal(denied.statusCode, 403);
    });
  });

  describe('/api/kill-tasks', () => {
    let taskKey = '';

    it('creates a task from the BIG-IQ body, answers 201 with it, and the task kills', async () => {
      const devices = (await get(`/api/audit/sessions/stats?field=device&q=user:${VICTIM}`)).json().items;
      const res = await admin.call('POST', '/api/kill-tasks', {
        action: 'KILL_BY_USER',
        userName: VICTIM,
        deviceReferences: devices.map((d: { key: string }) => ({
          link: `/mgmt/cm/system/machineid-resolver/${d.key}`,
        })),
      });
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json();
      taskKey = created.key;
      assert.equal(created.body.userName, VICTIM);
      assert.equal(created.meta.href, `/api/kill-tasks/${taskKey}`);
      const done = await waitForFinal(h.store, taskKey);
      assert.equal(done.status, 'FINISHED');
      for (const device of h.fleet?.devices ?? []) {
        assert.ok(!h.fleet?.sessions(device.id).some((s) => s.user === VICTIM), `${device.hostname} still has it`);
      }
    });

    it('reads one task with per-device results and progress, and lists tasks without ids', async () => {
      const one = (await get(`/api/kill-tasks/${taskKey}`)).json();
      assert.equal(one.body.status, 'FINISHED');
      assert.equal(one.body.progress.killed, one.body.progress.devices);
      assert.ok(one.body.deviceResults.every((r: { killedIds: string[] }) => r.killedIds.length === 1));
      const list = (await get('/api/kill-tasks?limit=5', basic('reader', PASSWORD))).json();
      assert.equal(list.meta.match_count, 1);
      assert.equal(list.items[0].key, taskKey);
      assert.equal(list.items[0].body.deviceResults, undefined);
      assert.equal(list.items[0].body.progress.done, one.body.progress.devices);
    });

    it("answers BIG-IQ's validation messages as SemanticError, 404 for unknown tasks, 400 to cancel a final one", async () => {
      const invalid = await admin.call('POST', '/api/kill-tasks', { action: 'KILL_BY_USER', clusterNames: ['c'] });
      assert.equal(invalid.statusCode, 400);
      assert.deepEqual(
        [invalid.json().error.type, invalid.json().error.message],
        ['SemanticError', 'userName is missing.'],
      );
      assert.equal((await get('/api/kill-tasks/nope')).statusCode, 404);
      const cancel = await admin.call('PATCH', `/api/kill-tasks/${taskKey}`, { status: 'CANCEL_REQUESTED' });
      assert.equal(cancel.statusCode, 400);
      assert.match(cancel.json().error.message, /FINISHED/);
    });

    it('refuses a reader (403) and writes nothing', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/kill-tasks',
        headers: { authorization: basic('reader', PASSWORD) },
        payload: { action: 'KILL_ALL_SESSIONS', clusterNames: ['cluster-1'] },
      });
      assert.equal(res.statusCode, 403);
      assert.equal(await h.store.countTasks(), 1);
    });

    it('kills a user fleet-wide with "fleet": true, including a session opened since the last sync', async () => {
      const fleet = h.fleet;
      assert.ok(fleet);
      const device = fleet.devices.find((d) => d.failover === 'ACTIVE');
      assert.ok(device);
      const unseen = fleet.addSession(device.id, { user: VICTIM, clientIp: '198.51.100.8' });
      const counted = (await get(`/api/audit/sessions/stats?field=user&q=active:true AND user:${VICTIM}`)).json();
      assert.equal(counted.total, 0, 'the inventory has not seen it');
      const res = await admin.call('POST', '/api/kill-tasks', {
        action: 'KILL_BY_USER',
        userName: VICTIM,
        fleet: true,
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().body.fleet, true);
      const done = await waitForFinal(h.store, res.json().key);
      assert.equal(done.status, 'FINISHED', done.errorMessage ?? '');
      assert.ok(!fleet.sessions(device.id).some((s) => s.sessionId === unseen), 'gone from the device');
      const task = (await get(`/api/kill-tasks/${done.id}`)).json();
      assert.equal(task.body.fleet, true);
      assert.equal(task.body.progress.killed, 1);
      assert.equal(task.body.progress.devices, fleet.devices.filter((d) => d.failover === 'ACTIVE').length);
      const bad = await admin.call('POST', '/api/kill-tasks', {
        action: 'KILL_BY_USER',
        userName: VICTIM,
        fleet: 'yes',
      });
      assert.deepEqual([bad.statusCode, bad.json().error.message], [400, 'fleet must be a boolean.']);
    });
  });

  describe('GET /api/audit/log', () => {
    it('lists who did what, when, from where, newest first, filtered and paged', async () => {
      const res = await get('/api/audit/log?action=task.create');
      assert.equal(res.statusCode, 200, res.body);
      const [event] = res.json().items;
      assert.equal(event.body.actor, 'admin');
      assert.equal(event.body.address, '127.0.0.1');
      assert.ok(!Number.isNaN(Date.parse(event.body.time)));
      assert.equal(typeof event.body.subject, 'string');
      const page = (await get('/api/audit/log?limit=1&actor=admin')).json();
      assert.equal(page.items.length, 1);
      assert.equal(page.meta.next, '/api/audit/log?limit=1&offset=1&actor=admin');
      assert.equal(page.meta.previous, null);
    });

    it('needs read on /special/audit', async () => {
      assert.equal((await get('/api/audit/log', basic('reader', PASSWORD))).statusCode, 403);
    });
  });

  it("tells the caller's privileges on the console's objects in user_info", async () => {
    assert.deepEqual((await get('/api/user_info', basic('reader', PASSWORD))).json().privileges, {
      '/special/active_sessions': 'read',
    });
    const all = (await get('/api/user_info')).json().privileges;
    assert.equal(all['/special/audit'], 'write');
    assert.equal(all['/api/configuration/devices'], 'write');
  });

  describe('CSRF: cookie-authenticated writes', () => {
    const open = (headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: '/api/transaction',
        headers: { cookie: `session_id=${admin.cookie}`, ...headers },
      });

    it('refuses another origin or a cross-site fetch (403 Forbidden)', async () => {
      const refused: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { origin: 'http://localhost:80', 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of refused) {
        const res = await open(headers);
        assert.equal(res.statusCode, 403, JSON.stringify(headers));
        assert.equal(res.json().error.type, 'Forbidden');
      }
    });

    it('lets the same origin, scripts (no Origin), Basic and reads through', async () => {
      assert.equal((await open({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).statusCode, 200);
      assert.equal((await open({})).statusCode, 200);
      const viaBasic = await h.app.inject({
        method: 'POST',
        url: '/api/transaction',
        headers: { authorization: ADMIN, origin: 'https://evil.example' },
      });
      assert.equal(viaBasic.statusCode, 200);
      const read = await h.app.inject({
        method: 'GET',
        url: '/api/transaction',
        headers: { cookie: `session_id=${admin.cookie}`, origin: 'https://evil.example' },
      });
      assert.equal(read.statusCode, 200);
      assert.equal((await admin.call('DELETE', '/api/transaction')).statusCode, 200);
    });
  });
});

// SPS clients as One Identity's REST guide writes them, against sessions of SPS appliances (issue 11): following
// `meta.href` of a listed session, a session's history under /events (SPS 6.x), and the guide's bare `svc/…:n` ids
// in the path and in DELETE /api/active-sessions?id=.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpsLabFleet } from '../lab/sps/emulator.js';
import { registerLabDevices } from '../src/cli/lab-fleet.js';
import { sessionKey } from '../src/http/sps/session-ids.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { syncEveryDevice } from './support/engine-harness.js';
import { basic } from './support/sps-client.js';

const ADMIN = basic('admin', ADMIN_PASSWORD);
const SESSIONS = '/api/audit/sessions';

interface Listed {
  key: string;
  meta: { href: string };
  body?: Record<string, unknown>;
}

interface HistoryEvent {
  key: string;
  body: {
    time: string;
    type: string;
    actor: { name: string; address: string } | null;
    task: { key: string; meta: { href: string } } | null;
    details: Record<string, unknown>;
  };
}

describe('SPS clients on SPS-appliance sessions', () => {
  let h: AppHarness;
  let sps: SpsLabFleet;

  before(async () => {
    h = await startApp();
    process.env.CURFEW_LAB_PASSWORD = 'admin';
    sps = await SpsLabFleet.start({ devices: 3, sessionsPerDevice: 4, users: ['alice', 'bob'], password: 'admin' });
    await registerLabDevices(h.engine, sps.devices, 'sps');
    await syncEveryDevice(h.engine);
  });
  after(async () => {
    await h.close();
    await sps.stop();
  });

  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: { authorization: ADMIN } });
  const del = (id: string) =>
    h.app.inject({ method: 'DELETE', url: `/api/active-sessions?id=${id}`, headers: { authorization: ADMIN } });
  const listed = async (q: string): Promise<Listed[]> => {
    const res = await get(`${SESSIONS}?fields=session_id,device.key&q=${encodeURIComponent(q)}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().items;
  };
  const history = async (href: string): Promise<HistoryEvent[]> => {
    const res = await get(`${href}/events`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().items;
  };
  const deviceOf = (item: Listed) => String((item.body?.device as { key?: string } | undefined)?.key);
  const nativeOf = (item: Listed) => {
    const shown = String(item.body?.session_id);
    return shown.slice(shown.indexOf('/') + 1);
  };

  it('serves every listed session at its meta.href, however long its key', async () => {
    const items = await listed('active:true');
    assert.ok(items.length >= 12);
    assert.ok(
      items.some((item) => item.key.length > 100),
      'appliance session keys exceed the router default of 100',
    );
    for (const item of items) {
      const res = await get(item.meta.href);
      assert.equal(res.statusCode, 200, `${item.meta.href}: ${res.body}`);
      assert.equal(res.json().key, item.key);
    }
  });

  it('routes the key of a session whose native id is very long', async () => {
    const [device] = sps.devices;
    assert.ok(device);
    const longId = `svc/${'x'.repeat(22)}/${'a-very-long-connection-policy-name'.repeat(60)}:1`;
    const kept = await h.store.listSessions({ deviceIds: [device.id], limit: 100, offset: 0 });
    const now = Date.now();
    const extra = { deviceId: device.id, sessionId: longId, user: 'carol', clientIp: '192.0.2.9', protocol: 'SSH' };
    await h.store.replaceDeviceSessions(device.id, [...kept, { ...extra, startedAt: now }], now);
    const key = sessionKey(device.id, longId);
    assert.ok(key.length > 2000);
    const res = await get(`${SESSIONS}/${key}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().body.user.name, 'carol');
    await syncEveryDevice(h.engine);
  });

  it('tells an active session’s history: started and last seen', async () => {
    const [item] = await listed('active:true AND user:alice');
    assert.ok(item);
    const events = await history(item.meta.href);
    assert.deepEqual(
      events.map((e) => e.body.type),
      ['started', 'last_seen'],
    );
    const [started] = events;
    assert.ok(started && !Number.isNaN(Date.parse(started.body.time)));
    assert.equal(started.body.actor, null);
    const res = await get(`${item.meta.href}/events`);
    const { remaining_seconds, ...meta } = res.json().meta;
    assert.equal(typeof remaining_seconds, 'number');
    assert.deepEqual(meta, {
      href: `${item.meta.href}/events`,
      parent: item.meta.href,
      match_count: 2,
    });
    assert.deepEqual(
      events.map((e) => e.key),
      ['1', '2'],
    );
  });

  it('tells who killed a session, with which task, and how it ended', async () => {
    const [item] = await listed('active:true AND user:bob');
    assert.ok(item);
    const killed = await del(String(item.body?.session_id));
    assert.equal(killed.statusCode, 200, killed.body);
    const taskKey = killed.json().key as string;
    const events = await history(item.meta.href);
    assert.deepEqual(
      events.map((e) => e.body.type),
      ['started', 'last_seen', 'kill_requested', 'killed', 'ended'],
    );
    const byType = new Map(events.map((e) => [e.body.type, e.body]));
    const task = { key: taskKey, meta: { href: `/api/kill-tasks/${taskKey}` } };
    assert.deepEqual(byType.get('kill_requested')?.actor?.name, 'admin');
    assert.deepEqual(byType.get('kill_requested')?.task, task);
    assert.equal(byType.get('kill_requested')?.details.action, 'KILL_BY_LIST_OF_SESSIONS');
    assert.deepEqual(byType.get('killed')?.task, task);
    assert.equal(byType.get('killed')?.actor?.name, 'admin');
    const ended = byType.get('ended');
    assert.deepEqual(ended?.details, { end_reason: 'killed', verdict: 'TERMINATED' });
    assert.deepEqual([ended?.actor?.name, ended?.task], ['admin', task], 'the end names who killed it');
    const times = events.map((e) => Date.parse(e.body.time));
    assert.deepEqual(
      times.slice(2),
      [...times.slice(2)].sort((a, b) => a - b),
      'kill events in time order',
    );
  });

  it('tells a session the appliance stopped listing ended as closed, with no one to blame', async () => {
    const [item] = await listed('active:true AND user:alice');
    assert.ok(item);
    const deviceId = deviceOf(item);
    const native = nativeOf(item);
    const kept = await h.store.listSessions({ deviceIds: [deviceId], limit: 100, offset: 0 });
    await h.store.replaceDeviceSessions(
      deviceId,
      kept.filter((s) => s.sessionId !== native),
      Date.now(),
    );
    const events = await history(item.meta.href);
    const ended = events.at(-1)?.body;
    assert.deepEqual(
      [ended?.type, ended?.details, ended?.actor, ended?.task],
      ['ended', { end_reason: 'closed', verdict: 'CLOSED' }, null, null],
    );
    await syncEveryDevice(h.engine);
  });

  it('answers 404 NotFound for the history of an unknown session', async () => {
    const res = await get(`${SESSIONS}/bm9wZQ/events`);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.type, 'NotFound');
  });

  it('accepts the guide’s bare svc/…:n id in the path, raw or percent-encoded, when one appliance holds it', async () => {
    const [item] = await listed('active:true AND user:alice');
    assert.ok(item);
    const native = nativeOf(item);
    assert.match(native, /^svc\/[1-9A-Za-z]{22}\/[\w-]+:\d+$/);
    const canonical = (await get(item.meta.href)).json();
    for (const path of [native, encodeURIComponent(native)]) {
      const res = await get(`${SESSIONS}/${path}`);
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
      // `duration` is computed at each answer: two answers may straddle a second.
      const { duration: _a, ...body } = res.json().body;
      const { duration: _b, ...expected } = canonical.body;
      assert.deepEqual(body, expected, path);
      assert.equal(res.json().key, item.key, 'answers with the canonical key');
      const events = await get(`${SESSIONS}/${path}/events`);
      assert.equal(events.statusCode, 200, `${path}/events: ${events.body}`);
      assert.equal(events.json().items[0].body.type, 'started');
    }
  });

  it('ends a session by the guide’s bare id (the seed command, unchanged)', async () => {
    const [item] = await listed('active:true AND user:bob');
    assert.ok(item);
    const native = nativeOf(item);
    const login = await h.app.inject({ method: 'GET', url: '/api/authentication', headers: { authorization: ADMIN } });
    const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0];
    const res = await h.app.inject({ method: 'DELETE', url: `/api/active-sessions?id=${native}`, headers: { cookie } });
    assert.equal(res.statusCode, 200, res.body);
    const deviceId = deviceOf(item);
    assert.ok(!sps.sessions(deviceId).some((s) => s.sessionId === native), 'gone from the appliance');
    const again = await del(native);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().error.type, 'SessionCouldNotBeFound');
  });

  it('answers 409 ambiguous, naming the candidates, when several appliances hold the bare id (DELETE: ongoing)', async () => {
    const [item] = await listed('active:true AND user:alice');
    assert.ok(item);
    const native = nativeOf(item);
    const holder = deviceOf(item);
    const other = sps.devices.find((d) => d.id !== holder);
    assert.ok(other);
    const kept = await h.store.listSessions({ deviceIds: [other.id], limit: 100, offset: 0 });
    const now = Date.now();
    const twin = { deviceId: other.id, sessionId: native, user: 'alice', clientIp: '192.0.2.10', protocol: 'SSH' };
    await h.store.replaceDeviceSessions(other.id, [...kept, { ...twin, startedAt: now }], now);
    const expected = [item.key, sessionKey(other.id, native)].sort();
    for (const res of [await get(`${SESSIONS}/${encodeURIComponent(native)}`), await del(native)]) {
      assert.equal(res.statusCode, 409, res.body);
      const { error, meta } = res.json();
      assert.equal(error.type, 'SessionIdAmbiguous');
      assert.match(error.message, /2 devices/);
      assert.equal(error.details.id, native);
      const candidates = error.details.candidates as { key: string; session_id: string; meta: { href: string } }[];
      assert.deepEqual(candidates.map((c) => c.key).sort(), expected);
      for (const c of candidates) {
        assert.equal(c.meta.href, `${SESSIONS}/${c.key}`);
        assert.ok(c.session_id.endsWith(`/${native}`));
      }
      assert.ok(meta.href);
    }
    assert.equal(sps.sessions(holder).filter((s) => s.sessionId === native).length, 1, 'nothing was killed');
    // Once the twin has ended, one device holds the id as an ongoing session: DELETE takes it; reads stay ambiguous.
    // (a sync that no longer lists it)
    const rest = (await h.store.listSessions({ deviceIds: [other.id], limit: 100_000, offset: 0 })).filter(
      (s) => s.sessionId !== native,
    );
    await h.store.replaceDeviceSessions(other.id, rest, Date.now());
    const ended = await del(native);
    assert.equal(ended.statusCode, 200, ended.body);
    assert.ok(!sps.sessions(holder).some((s) => s.sessionId === native), 'the ongoing one was killed');
    assert.equal((await get(`${SESSIONS}/${encodeURIComponent(native)}`)).statusCode, 409);
    await syncEveryDevice(h.engine);
  });
});

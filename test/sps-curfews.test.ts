// Curfews on the SPS surface (/api/curfews) and "kill now and keep out" on both kill endpoints: the lifecycle (set,
// list, read, extend, lift, lift again), bodies refused in SPS format, privileges on /special/curfews, the caught
// sessions and prevention views, and the origin of kill tasks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectorOf } from '../src/core/kill-request.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { basic, commit, loginSps, type SpsClient } from './support/sps-client.js';

const CURFEWS = '/api/curfews';
const BIGIQ_KILL = '/mgmt/cm/access/tasks/kill-sessions';
const PASSWORD = 'curfew-test-pw';
const HOUR = 3_600_000;

const setBody = (extra: Record<string, unknown> = {}) => ({
  users: ['mallory'],
  fleet: true,
  duration: 'PT2H',
  reason: 'compromised laptop',
  ...extra,
});

describe('SPS curfews', () => {
  let h: AppHarness;
  let admin: SpsClient;
  let deviceIds: string[];
  const as = (user: string) => (method: string, url: string, payload?: unknown) =>
    h.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: basic(user, user === 'admin' ? ADMIN_PASSWORD : PASSWORD) },
      ...(payload !== undefined && { payload: payload as object }),
    });
  const call = as('admin');
  const expectSpsError = (res: { statusCode: number; json(): unknown; body: string }, status: number, type: string) => {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json() as {
      error: { type: string; message: string; details: Record<string, unknown> };
      meta: { href: string };
    };
    assert.equal(body.error.type, type);
    assert.equal(typeof body.error.message, 'string');
    assert.equal(typeof body.meta.href, 'string');
    return body.error;
  };

  before(async () => {
    h = await startApp({ fleet: { devices: 2, sessionsPerDevice: 1 } });
    deviceIds = (await h.store.listDevices()).map((d) => d.id);
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    // reader: read on curfews, write on sessions (kills, but no "keep out"); nogrant: nothing.
    for (const name of ['reader', 'nogrant']) await h.addUser(name, PASSWORD);
    const reader = (await h.store.findUserByName('reader'))?.key;
    const group = await admin.call('POST', '/api/configuration/aaa/local_database/groups', {
      name: 'curfew-readers',
      members: [reader],
    });
    assert.equal(group.statusCode, 201, group.body);
    await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'curfew-readers', objects: ['/special/curfews'], permission: 'read' },
      { group: 'curfew-readers', objects: ['/special/active_sessions'], permission: 'write' },
    ]);
    await commit(admin);
  });
  after(() => h.close());

  it('sets, lists, reads, extends and lifts a curfew; lifting again is a conflict', async () => {
    const created = await call('POST', CURFEWS, setBody({ ips: ['10.0.0.0/8'], devices: [deviceIds[0]] }));
    assert.equal(created.statusCode, 201, created.body);
    const curfew = created.json();
    const id = curfew.key;
    assert.equal(curfew.meta.href, `${CURFEWS}/${id}`);
    const body = curfew.body;
    assert.deepEqual(body.who, { users: ['mallory'], ips: ['10.0.0.0/8'], query: null });
    assert.deepEqual(body.where, { fleet: true, access_groups: [], clusters: [], devices: [deviceIds[0]] });
    assert.equal(body.state, 'active');
    assert.equal(body.mode, 'enforce');
    assert.equal(body.set_by, 'admin');
    assert.equal(body.updated_by, 'admin');
    assert.equal(body.reason, 'compromised laptop');
    assert.ok(Math.abs(Date.parse(body.until) - (Date.now() + 2 * HOUR)) < 60_000);
    assert.ok(body.remaining_seconds > 7000 && body.remaining_seconds <= 7200);
    assert.equal(body.expiring, false);
    assert.deepEqual([body.ended, body.ended_by, body.violations], [null, null, 0]);

    const listed = (await call('GET', `${CURFEWS}?state=active`)).json();
    assert.ok(listed.items.some((c: { key: string }) => c.key === id));
    assert.equal(listed.meta.total, listed.items.length);
    assert.ok(listed.meta.counts.active >= 1);
    assert.equal((await call('GET', `${CURFEWS}/${id}`)).json().body.id, id);
    const found = (await call('GET', `${CURFEWS}?q=${encodeURIComponent('Compromised LAPTOP')}`)).json();
    assert.deepEqual(
      found.items.map((c: { key: string }) => c.key),
      [id],
      'q finds text in who or reason, case-insensitively',
    );
    assert.equal((await call('GET', `${CURFEWS}?q=nobody-has-this`)).json().meta.total, 0);

    const soon = await call('POST', `${CURFEWS}/${id}/extend`, { duration: '10m' });
    assert.equal(soon.statusCode, 200, soon.body);
    assert.equal(soon.json().body.expiring, true, 'ten minutes left is expiring');
    const open = await call('POST', `${CURFEWS}/${id}/extend`, { until: null });
    assert.deepEqual([open.json().body.until, open.json().body.remaining_seconds], [null, null]);

    const lifted = await call('POST', `${CURFEWS}/${id}/lift`);
    assert.equal(lifted.statusCode, 200, lifted.body);
    assert.deepEqual([lifted.json().body.state, lifted.json().body.ended_by], ['lifted', 'admin']);
    const again = await call('POST', `${CURFEWS}/${id}/lift`, {});
    assert.equal(expectSpsError(again, 409, 'TransactionConflict').details.code, 'CURFEW_NOT_ACTIVE');
    const extendEnded = await call('POST', `${CURFEWS}/${id}/extend`, { duration: 'PT1H' });
    expectSpsError(extendEnded, 409, 'TransactionConflict');

    const onlyLifted = (await call('GET', `${CURFEWS}?state=lifted,expired&limit=1`)).json();
    assert.equal(onlyLifted.items[0].key, id);
    assert.equal(onlyLifted.meta.limit, 1);
  });

  it('refuses bad bodies and queries in SPS format', async () => {
    const cases: [unknown, RegExp][] = [
      [setBody({ reason: undefined }), /^reason is required/],
      [setBody({ user: ['typo'] }), /^unknown field\(s\): user;/],
      [setBody({ until: '2000-01-01T00:00:00Z', duration: undefined }), /is not in the future\.$/],
      [setBody({ fleet: undefined, devices: ['no-such-device'] }), /^Unknown scope\(s\): device no-such-device\.$/],
      [setBody({ mode: 'loud' }), /^mode must be one of enforce, monitor\.$/],
      [[1, 2], /^Request body must be a JSON object\.$/],
    ];
    for (const [payload, message] of cases) {
      const error = expectSpsError(await call('POST', CURFEWS, payload), 400, 'SemanticError');
      assert.match(error.message, message);
      assert.equal(error.details.code, 'CURFEW_REQUEST');
    }
    expectSpsError(await call('POST', CURFEWS), 400, 'SemanticError');
    const id = (await call('POST', CURFEWS, setBody())).json().key;
    expectSpsError(await call('POST', `${CURFEWS}/${id}/extend`, {}), 400, 'SemanticError');
    expectSpsError(await call('POST', `${CURFEWS}/${id}/extend`, { until: 'tomorrow' }), 400, 'SemanticError');
    expectSpsError(await call('POST', `${CURFEWS}/${id}/lift`, { now: true }), 400, 'SemanticError');
    expectSpsError(await call('GET', `${CURFEWS}?state=active,gone`), 400, 'InvalidQuery');
    expectSpsError(await call('GET', `${CURFEWS}?limit=-1`), 400, 'InvalidQuery');
  });

  it('answers 404 for an unknown curfew on every route', async () => {
    for (const [method, url, payload] of [
      ['GET', `${CURFEWS}/nope`, undefined],
      ['POST', `${CURFEWS}/nope/extend`, { duration: '1h' }],
      ['POST', `${CURFEWS}/nope/lift`, {}],
      ['GET', `${CURFEWS}/nope/violations`, undefined],
    ] as const) {
      const error = expectSpsError(await call(method, url, payload), 404, 'NotFound');
      assert.equal(error.details.code, 'CURFEW_NOT_FOUND', `${method} ${url}`);
    }
  });

  it('needs read on /special/curfews to look and write to change', async () => {
    const reader = as('reader');
    assert.equal((await reader('GET', CURFEWS)).statusCode, 200);
    assert.equal((await reader('GET', `${CURFEWS}/prevention`)).statusCode, 200);
    const refused = expectSpsError(await reader('POST', CURFEWS, setBody()), 403, 'Forbidden');
    assert.deepEqual(refused.details, { path: CURFEWS, object: '/special/curfews', permission: 'write' });
    const id = (await call('POST', CURFEWS, setBody())).json().key;
    expectSpsError(await reader('POST', `${CURFEWS}/${id}/lift`), 403, 'Forbidden');
    expectSpsError(await reader('POST', `${CURFEWS}/${id}/extend`, { duration: '1h' }), 403, 'Forbidden');
    const nogrant = as('nogrant');
    for (const url of [CURFEWS, `${CURFEWS}/${id}`, `${CURFEWS}/${id}/violations`, `${CURFEWS}/prevention`]) {
      expectSpsError(await nogrant('GET', url), 403, 'Forbidden');
    }
    const me = (await reader('GET', '/api/user_info')).json();
    assert.equal(me.privileges['/special/curfews'], 'read');
  });

  it("shows a curfew's caught sessions and every device's prevention state", async () => {
    const id = (await call('POST', CURFEWS, setBody({ mode: 'monitor' }))).json().key;
    const [first, second] = deviceIds as [string, string];
    const seenAt = Date.now();
    await h.store.claimViolations([
      {
        curfewId: id,
        deviceId: first,
        sessionId: 'abc123',
        user: 'mallory',
        clientIp: '10.1.2.3',
        action: 'seen',
        taskId: null,
        seenAt,
      },
    ]);
    const caught = await call('GET', `${CURFEWS}/${id}/violations?limit=10`);
    assert.equal(caught.statusCode, 200, caught.body);
    const [item] = caught.json().items;
    const hostname = (await h.store.listDevices()).find((d) => d.id === first)?.hostname;
    assert.deepEqual(item.body, {
      device: { key: first, hostname },
      session_id: `${hostname}/abc123`,
      user: 'mallory',
      client_ip: '10.1.2.3',
      action: 'seen',
      task_id: null,
      seen: new Date(seenAt).toISOString(),
    });
    assert.equal((await call('GET', `${CURFEWS}/${id}`)).json().body.violations, 1);

    await h.store.putPreventionState([
      {
        deviceId: second,
        status: 'drifted',
        recordsHash: 'h',
        recordsText: 'mallory',
        checkedAt: seenAt,
        message: 'edited by hand',
      },
    ]);
    const prevention = (await call('GET', `${CURFEWS}/prevention`)).json();
    assert.equal(prevention.items.length, deviceIds.length);
    const drifted = prevention.items.find((p: { key: string }) => p.key === second);
    assert.equal(drifted.body.status, 'drifted');
    assert.equal(drifted.body.records, 'mallory');
    assert.equal(drifted.body.message, 'edited by hand');
    assert.equal(drifted.body.checked, new Date(seenAt).toISOString());
    assert.equal(prevention.meta.counts.drifted, 1);
  });
});

describe('kill now and keep out', () => {
  let h: AppHarness;
  let token: string;
  let readerToken: string;
  const spsKill = (payload: unknown, user = 'admin', password = ADMIN_PASSWORD) =>
    h.app.inject({
      method: 'POST',
      url: '/api/kill-tasks',
      headers: { authorization: basic(user, password) },
      payload: payload as object,
    });
  const bigiqKill = (payload: unknown, auth = token) =>
    h.app.inject({ method: 'POST', url: BIGIQ_KILL, headers: { 'x-f5-auth-token': auth }, payload: payload as object });
  const getCurfew = (id: string) =>
    h.app.inject({
      method: 'GET',
      url: `${CURFEWS}/${id}`,
      headers: { authorization: basic('admin', ADMIN_PASSWORD) },
    });
  const taskCount = async () => (await h.engine.tasks.page(0, 0)).total;
  const keepOut = {
    action: 'KILL_BY_USER',
    userName: 'mallory',
    fleet: true,
    curfew: { duration: 'PT2H', reason: 'stolen token' },
  };

  before(async () => {
    h = await startApp({ fleet: { devices: 1, sessionsPerDevice: 1 } });
    token = await h.token();
    await h.addUser('killer', PASSWORD);
    const admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const group = await admin.call('POST', '/api/configuration/aaa/local_database/groups', {
      name: 'killers',
      members: [(await h.store.findUserByName('killer'))?.key],
    });
    assert.equal(group.statusCode, 201, group.body);
    await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'killers', objects: ['/special/active_sessions'], permission: 'write' },
      { group: 'killers', objects: ['/special/curfews'], permission: 'read' },
    ]);
    await commit(admin);
    readerToken = await h.token('killer', PASSWORD);
  });
  after(() => h.close());

  it('BIG-IQ: kills and sets the curfew; the answer carries curfewId', async () => {
    const res = await bigiqKill(keepOut);
    assert.equal(res.statusCode, 202, res.body);
    const task = res.json();
    assert.equal(task.origin, 'operator');
    assert.equal(typeof task.curfewId, 'string');
    const curfew = (await getCurfew(task.curfewId)).json().body;
    assert.deepEqual(curfew.who.users, ['mallory']);
    assert.equal(curfew.where.fleet, true);
    assert.equal(curfew.reason, 'stolen token');
    assert.equal(curfew.set_by, 'admin');
  });

  it('SPS: kills and sets the curfew; the answer carries curfewId', async () => {
    const res = await spsKill({
      ...keepOut,
      curfew: { until: new Date(Date.now() + HOUR).toISOString(), reason: 'r', mode: 'monitor' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const { body, meta } = res.json();
    assert.equal(body.origin, 'operator');
    assert.equal(meta.curfew, `${CURFEWS}/${body.curfewId}`);
    assert.equal((await getCurfew(body.curfewId)).json().body.mode, 'monitor');
  });

  it('refuses the whole kill for a bad curfew, in each surface format, and creates no task', async () => {
    const before = await taskCount();
    const bad = { ...keepOut, curfew: { duration: 'soon', reason: 'x' } };
    const bigiq = await bigiqKill(bad);
    assert.equal(bigiq.statusCode, 400, bigiq.body);
    assert.equal(bigiq.json().code, 400);
    assert.match(bigiq.json().message, /^duration "soon" is not one such as/);
    assert.equal(typeof bigiq.json().originalRequestBody, 'string');
    const sps = await spsKill(bad);
    assert.equal(sps.statusCode, 400, sps.body);
    assert.deepEqual([sps.json().error.type, sps.json().error.details.code], ['SemanticError', 'CURFEW_REQUEST']);
    const notByUser = await spsKill({ action: 'KILL_ALL_SESSIONS', fleet: true, curfew: { reason: 'x' } });
    assert.match(notByUser.json().error.message, /^curfew applies to KILL_BY_USER only/);
    const unknownScope = await bigiqKill({ ...keepOut, fleet: undefined, clusterNames: ['nowhere'] });
    assert.match(unknownScope.json().message, /^Unknown scope\(s\): cluster nowhere\.$/);
    const noReason = await bigiqKill({ ...keepOut, curfew: { duration: '1h' } });
    assert.match(noReason.json().message, /^reason is required/);
    assert.equal(await taskCount(), before, 'no task was created');
  });

  it('needs write on /special/curfews for the curfew, not for the kill alone', async () => {
    const before = await taskCount();
    const bigiq = await bigiqKill(keepOut, readerToken);
    assert.equal(bigiq.statusCode, 401, bigiq.body);
    assert.match(bigiq.json().message, /^Authorization failed: .* resource=\/special\/curfews /);
    const sps = await spsKill(keepOut, 'killer', PASSWORD);
    assert.equal(sps.statusCode, 403, sps.body);
    assert.equal(sps.json().error.details.object, '/special/curfews');
    assert.equal(await taskCount(), before);
    const { curfew: _, ...killOnly } = keepOut;
    assert.equal((await spsKill(killOnly, 'killer', PASSWORD)).statusCode, 201);
  });

  it("shows a task's origin: the operator, or the curfew whose enforcement submitted it", async () => {
    const curfewId = (await bigiqKill(keepOut)).json().curfewId as string;
    const task = await h.engine.tasks.submit(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true, curfewId }), {
      name: 'curfew',
      address: 'node',
    });
    const bigiq = await h.app.inject({
      method: 'GET',
      url: `${BIGIQ_KILL}/${task.id}`,
      headers: { 'x-f5-auth-token': token },
    });
    assert.deepEqual([bigiq.json().origin, bigiq.json().curfewId], ['curfew', curfewId]);
    const sps = await spsKill({ action: 'KILL_BY_USER', userName: 'bob', fleet: true });
    const listed = await h.app.inject({
      method: 'GET',
      url: `/api/kill-tasks/${sps.json().key}`,
      headers: { authorization: basic('admin', ADMIN_PASSWORD) },
    });
    assert.equal(listed.json().body.origin, 'operator');
    assert.equal(listed.json().body.curfewId, undefined);
  });
});

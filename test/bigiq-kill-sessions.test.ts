// Golden tests: every kill-sessions example of the BIG-IQ reference (docs/compat/bigiq.md §7.3), verbatim, against a
// lab fleet named like the reference; the §7.4 validation messages; the task object, collection, $select and cancel.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { waitForFinal } from './support/engine-harness.js';
import { BLUE_ID, GREEN_ID, RED_ID, type SeedFleet, startSeedFleet } from './support/seed-fleet.js';

const PATH = '/mgmt/cm/access/tasks/kill-sessions';
const link = (id: string) => `https://localhost/mgmt/cm/system/machineid-resolver/${id}`;
const BLUE_LINK = link(BLUE_ID);
const RED_LINK = link(RED_ID);

const EXAMPLES: Record<string, unknown> = {
  'by access group': { action: 'KILL_BY_USER', userName: 'user2', accessGroupNames: ['TestGroup1', 'TestGroup2'] },
  'by cluster (KILL_BY_SESSIONS as printed)': {
    action: 'KILL_BY_SESSIONS',
    userName: 'user2',
    clusterNames: ['BlueCluster', 'RedCluster'],
  },
  'clusters, groups and devices': {
    action: 'KILL_BY_USER',
    userName: 'user2',
    accessGroupNames: ['TestGroup1', 'TestGroup2'],
    clusterNames: ['BlueCluster', 'RedCluster'],
    deviceReferences: [{ link: BLUE_LINK }, { link: RED_LINK }],
  },
  'by user on devices': {
    action: 'KILL_BY_USER',
    userName: 'user2',
    deviceReferences: [{ link: BLUE_LINK }, { link: RED_LINK }],
  },
};

describe('BIG-IQ kill-sessions', () => {
  let h: SeedFleet;
  let token: string;
  const headers = () => ({ 'x-f5-auth-token': token });
  const post = (payload: unknown) =>
    h.app.inject({ method: 'POST', url: PATH, headers: headers(), payload: payload as object });
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: headers() });

  before(async () => {
    h = await startSeedFleet();
    token = await h.token();
  });
  after(() => h.close());

  beforeEach(async () => {
    for (const id of [BLUE_ID, RED_ID, GREEN_ID]) {
      h.fleet?.addSession(h.labIdOf(id), { user: 'user2', clientIp: '192.0.2.10' });
      h.fleet?.addSession(h.labIdOf(id), { user: 'user2', clientIp: '192.0.2.11' });
    }
    await h.engine.sync.syncAll();
  });

  for (const [name, body] of Object.entries(EXAMPLES)) {
    it(`kills user2 in scope only: ${name}`, async () => {
      const others = { blue: h.sessionsOf(BLUE_ID, 'alice').length + h.sessionsOf(BLUE_ID, 'bob').length };
      const greenBefore = h.sessionsOf(GREEN_ID, 'user2').length;
      const res = await post(body);
      assert.equal(res.statusCode, 202, res.body);
      const task = res.json();
      assert.equal(task.action, 'KILL_BY_USER');
      assert.equal(task.userName, 'user2');
      const done = await waitForFinal(h.store, task.id);
      assert.deepEqual(
        [done.status, done.result, done.step],
        ['FINISHED', 'COMPLETE', 'DONE'],
        done.errorMessage ?? '',
      );
      assert.deepEqual(h.sessionsOf(BLUE_ID, 'user2'), []);
      assert.deepEqual(h.sessionsOf(RED_ID, 'user2'), []);
      assert.equal(h.sessionsOf(GREEN_ID, 'user2').length, greenBefore, 'GreenCluster is out of scope');
      assert.equal(h.sessionsOf(BLUE_ID, 'alice').length + h.sessionsOf(BLUE_ID, 'bob').length, others.blue);
      const view = (await get(`${PATH}/${task.id}`)).json();
      assert.deepEqual(
        view.deviceResults.map((r: { deviceReference: { link: string } }) => r.deviceReference.link).sort(),
        [BLUE_LINK, RED_LINK].sort(),
        'only the ACTIVE units are targeted',
      );
    });
  }

  it('kills all sessions on the referenced devices (KILL_ALL_SESSIONS example)', async () => {
    const greenBefore = h.sessionsOf(GREEN_ID).length;
    const res = await post({
      action: 'KILL_ALL_SESSIONS',
      deviceReferences: [{ link: BLUE_LINK }, { link: RED_LINK }],
    });
    assert.equal(res.statusCode, 202);
    const done = await waitForFinal(h.store, res.json().id);
    assert.equal(done.status, 'FINISHED');
    assert.deepEqual([h.sessionsOf(BLUE_ID), h.sessionsOf(RED_ID)], [[], []]);
    assert.equal(h.sessionsOf(GREEN_ID).length, greenBefore);
  });

  it('kills listed session ids per device (KILL_BY_LIST_OF_SESSIONS example)', async () => {
    for (const sessionId of ['2a5d7604', '875f7fed'])
      h.fleet?.addSession(h.labIdOf(BLUE_ID), { user: 'carol', clientIp: '10.0.0.1', sessionId });
    h.fleet?.addSession(h.labIdOf(RED_ID), { user: 'carol', clientIp: '10.0.0.2', sessionId: '9as3323' });
    const res = await post({
      action: 'KILL_BY_LIST_OF_SESSIONS',
      sessions: [
        { deviceReference: { link: BLUE_LINK }, sessionIds: ['2a5d7604', '875f7fed'] },
        { deviceReference: { link: RED_LINK }, sessionIds: ['2hjj234', '9as3323'] },
      ],
    });
    assert.equal(res.statusCode, 202);
    const created = res.json();
    assert.deepEqual(
      created.deviceReferences,
      [{ link: BLUE_LINK }, { link: RED_LINK }],
      'deviceReferences filled from sessions',
    );
    const done = await waitForFinal(h.store, created.id);
    assert.equal(done.status, 'FINISHED');
    assert.equal(h.sessionsOf(BLUE_ID, 'carol').length, 0);
    const view = (await get(`${PATH}/${created.id}`)).json();
    const red = view.deviceResults.find(
      (r: { deviceReference: { link: string } }) => r.deviceReference.link === RED_LINK,
    );
    assert.deepEqual([red.killedIds, red.notFoundIds], [['9as3323'], ['2hjj234']]);
  });

  it('renders every task field the reference shows', async () => {
    const res = await post(EXAMPLES['by access group']);
    const created = res.json();
    await waitForFinal(h.store, created.id);
    const task = (await get(`${PATH}/${created.id}`)).json();
    assert.equal(task.name, 'kill-access-sessions');
    assert.equal(task.kind, 'cm:access:tasks:kill-sessions:accesskillsessionstaskitemstate');
    assert.equal(task.selfLink, `https://localhost${PATH}/${created.id}`);
    assert.deepEqual(task.accessGroupNames, ['TestGroup1', 'TestGroup2']);
    assert.match(task.startDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
    assert.match(task.endDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$/);
    assert.equal(task.username, 'admin');
    assert.deepEqual(task.userReference, { link: 'https://localhost/mgmt/shared/authz/users/admin' });
    assert.deepEqual(task.identityReferences, [{ link: 'https://localhost/mgmt/shared/authz/users/admin' }]);
    assert.equal(typeof task.ownerMachineId, 'string');
    assert.ok(Number.isInteger(task.generation) && task.generation > 1);
    assert.ok(Number.isInteger(task.lastUpdateMicros));
    assert.equal(task.results, undefined, 'never a results array (f5-conx-core reads results[0])');
    const audit = await h.store.listAudit({ limit: 50, offset: 0, action: 'task.create' });
    const entry = audit.find((e) => e.subject === created.id);
    assert.equal(entry?.actor, 'admin');
    assert.ok(entry?.address);
  });

  it('returns only the selected keys with $select', async () => {
    const created = (await post(EXAMPLES['by user on devices'])).json();
    await waitForFinal(h.store, created.id);
    const res = await get(`${PATH}/${created.id}?$select=status,result,resultDetails,errorMessage`);
    assert.deepEqual(res.json(), { status: 'FINISHED', result: 'COMPLETE' });
  });

  it('fails the task, not the POST, for an unknown device reference', async () => {
    const res = await post({
      action: 'KILL_ALL_SESSIONS',
      deviceReferences: [{ link: link('5e1d0000-0000-4000-8000-00000000beef') }],
    });
    assert.equal(res.statusCode, 202);
    await waitForFinal(h.store, res.json().id);
    const task = (await get(`${PATH}/${res.json().id}`)).json();
    assert.deepEqual([task.status, task.currentStep, task.result], ['FAILED', 'RESOLVE_DEVICES', 'PENDING']);
    assert.match(task.errorMessage, /5e1d0000-0000-4000-8000-00000000beef/);
    assert.ok(task.endDateTime);
  });

  it('lists failed devices in resultDetails with the ids still alive', async () => {
    h.fleet?.setFault(h.labIdOf(RED_ID), 'silent_nonkill');
    try {
      const res = await post(EXAMPLES['by user on devices']);
      await waitForFinal(h.store, res.json().id);
      const task = (await get(`${PATH}/${res.json().id}`)).json();
      assert.deepEqual([task.status, task.result], ['FAILED', 'FAILED']);
      assert.equal(task.errorMessage, 'Failed to kill sessions on 1 of 2 devices');
      assert.deepEqual(task.resultDetails, [
        {
          host: 'red-a.example.net',
          failedIds: h.sessionsOf(RED_ID, 'user2').sort(),
          deviceReference: { link: RED_LINK },
          reason: '4 session(s) still listed after delete',
        },
      ]);
    } finally {
      h.fleet?.setFault(h.labIdOf(RED_ID), 'none');
    }
  });

  it('lists tasks as a BIG-IQ collection with OData', async () => {
    const res = await get(PATH);
    const body = res.json();
    assert.equal(body.kind, 'cm:access:tasks:kill-sessions:accesskillsessionstaskcollectionstate');
    assert.equal(body.selfLink, `https://localhost${PATH}`);
    assert.ok(Number.isInteger(body.generation) && Number.isInteger(body.lastUpdateMicros));
    assert.equal(body.totalItems, body.items.length);
    assert.ok(body.totalItems >= 5);
    const page = (await get(`${PATH}?$top=2&$skip=1&$select=id,status`)).json();
    assert.equal(page.items.length, 2);
    assert.deepEqual(Object.keys(page.items[0]).sort(), ['id', 'status']);
    assert.equal(page.totalItems, body.totalItems);
    const failed = (await get(`${PATH}?$filter=status eq 'FAILED'&$select=status`)).json();
    assert.ok(failed.items.length >= 2 && failed.items.every((t: { status: string }) => t.status === 'FAILED'));
    assert.equal((await get(`${PATH}/`)).json().totalItems, body.totalItems, 'a trailing slash is the same collection');
  });

  it('cancels with PATCH CANCEL_REQUESTED (and the CANCELLED spelling)', async () => {
    h.fleet?.setLatency(300);
    try {
      for (const status of ['CANCEL_REQUESTED', 'CANCELLED']) {
        const created = (await post({ action: 'KILL_ALL_SESSIONS', accessGroupNames: ['TestGroup3'] })).json();
        const res = await h.app.inject({
          method: 'PATCH',
          url: `${PATH}/${created.id}`,
          headers: headers(),
          payload: { status },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(['CANCEL_REQUESTED', 'CANCELED'].includes(res.json().status));
        const done = await waitForFinal(h.store, created.id);
        assert.equal(done.status, 'CANCELED');
        const again = await h.app.inject({
          method: 'PATCH',
          url: `${PATH}/${created.id}`,
          headers: headers(),
          payload: { status },
        });
        assert.equal(again.statusCode, 400);
      }
    } finally {
      h.fleet?.setLatency(0);
    }
  });
});

describe('BIG-IQ kill-sessions validation (§7.4, verbatim)', () => {
  let h: SeedFleet;
  let token: string;
  const post = (payload: string) =>
    h.app.inject({
      method: 'POST',
      url: PATH,
      headers: { 'x-f5-auth-token': token, 'content-type': 'application/json' },
      payload,
    });

  before(async () => {
    h = await startSeedFleet();
    token = await h.token();
  });
  after(() => h.close());

  const cases: [string, unknown, string][] = [
    ['action missing', { userName: 'user2', accessGroupNames: ['TestGroup1'] }, 'action is missing.'],
    [
      'no scope for KILL_ALL_SESSIONS',
      { action: 'KILL_ALL_SESSIONS' },
      'Request should have atleast one of these fields populated: accessGroupNames , clusterNames , deviceReferences',
    ],
    [
      'no scope for KILL_BY_USER',
      { action: 'KILL_BY_USER', userName: 'user2', accessGroupNames: [] },
      'Request should have atleast one of these fields populated: accessGroupNames , clusterNames , deviceReferences',
    ],
    [
      'no scope and "fleet": false (curfew extension)',
      { action: 'KILL_BY_USER', userName: 'user2', fleet: false },
      'Request should have atleast one of these fields populated: accessGroupNames , clusterNames , deviceReferences',
    ],
    ['fleet not a boolean', { action: 'KILL_BY_USER', userName: 'user2', fleet: 'yes' }, 'fleet must be a boolean.'],
    [
      'fleet with a session list',
      {
        action: 'KILL_BY_LIST_OF_SESSIONS',
        fleet: true,
        sessions: [{ deviceReference: { link: BLUE_LINK }, sessionIds: ['a'] }],
      },
      'fleet applies to KILL_BY_USER and KILL_ALL_SESSIONS only.',
    ],
    [
      'session entry without deviceReference',
      { action: 'KILL_BY_LIST_OF_SESSIONS', sessions: [{ sessionIds: ['2a5d7604'] }] },
      'deviceReference is missing',
    ],
    [
      'session entry without sessionIds',
      { action: 'KILL_BY_LIST_OF_SESSIONS', sessions: [{ deviceReference: { link: BLUE_LINK } }] },
      `sessionIds are missing for ${BLUE_LINK}`,
    ],
    [
      'KILL_BY_USER without userName',
      { action: 'KILL_BY_USER', clusterNames: ['BlueCluster'] },
      'userName is missing.',
    ],
    [
      'unknown action',
      { action: 'KILL_EVERYONE', clusterNames: ['BlueCluster'] },
      'action KILL_EVERYONE is not supported; use one of KILL_BY_USER, KILL_ALL_SESSIONS, KILL_BY_LIST_OF_SESSIONS.',
    ],
    [
      'wrong type',
      { action: 'KILL_BY_USER', userName: 42, clusterNames: ['BlueCluster'] },
      'userName must be a string.',
    ],
    [
      'bad reference',
      { action: 'KILL_ALL_SESSIONS', deviceReferences: [{ href: 'x' }] },
      'deviceReferences[0] must be an object with a "link".',
    ],
  ];

  for (const [name, body, message] of cases) {
    it(`400 "${message}" for ${name}, with originalRequestBody and no task`, async () => {
      const before = await h.store.countTasks();
      const res = await post(JSON.stringify(body));
      assert.equal(res.statusCode, 400);
      const error = res.json();
      assert.equal(error.code, 400);
      assert.equal(error.message, message);
      assert.equal(error.kind, ':resterrorresponse');
      assert.ok(Number.isInteger(error.restOperationId));
      assert.deepEqual(error.errorStack, []);
      assert.equal(typeof error.referer, 'string');
      const original = JSON.parse(error.originalRequestBody);
      assert.equal(original.status, 'CREATED');
      assert.equal(original.name, 'kill-access-sessions');
      assert.equal(original.generation, 1);
      assert.equal(original.kind, 'cm:access:tasks:kill-sessions:accesskillsessionstaskitemstate');
      assert.equal(original.selfLink, `https://localhost${PATH}/${original.id}`);
      assert.equal(await h.store.countTasks(), before, 'no task is created on a 400');
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `${PATH}/${original.id}`, headers: { 'x-f5-auth-token': token } }))
          .statusCode,
        404,
      );
    });
  }

  it('answers malformed JSON, a non-object body and an oversized body with 400s, never a 500', async () => {
    for (const payload of [
      '{"action": "KILL_ALL',
      '[1,2]',
      'null',
      `{"action":"KILL_ALL_SESSIONS","clusterNames":["${'x'.repeat(1_100_000)}"]}`,
    ]) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, payload.slice(0, 40));
      assert.equal(res.json().kind, ':resterrorresponse');
    }
  });

  it("reads JSON sent with curl's default form content type", async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: PATH,
      headers: { 'x-f5-auth-token': token, 'content-type': 'application/x-www-form-urlencoded' },
      payload: JSON.stringify({ action: 'KILL_ALL_SESSIONS', clusterNames: ['GreenCluster'] }),
    });
    assert.equal(res.statusCode, 202, res.body);
  });

  it('404s an unknown task id with the BIG-IQ body; 401 without a token; non-admins cannot kill', async () => {
    const res = await h.app.inject({ method: 'GET', url: `${PATH}/nope`, headers: { 'x-f5-auth-token': token } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().message, `Object not found - https://localhost${PATH}/nope`);
    const anonymous = await h.app.inject({
      method: 'POST',
      url: PATH,
      payload: { action: 'KILL_ALL_SESSIONS', clusterNames: ['BlueCluster'] },
    });
    assert.equal(anonymous.statusCode, 401);
    await h.addUser('helpdesk', 'helpdesk-pw');
    const helpdesk = await h.token('helpdesk', 'helpdesk-pw');
    const denied = await h.app.inject({
      method: 'POST',
      url: PATH,
      headers: { 'x-f5-auth-token': helpdesk },
      payload: { action: 'KILL_ALL_SESSIONS', clusterNames: ['BlueCluster'] },
    });
    assert.equal(denied.statusCode, 401);
    assert.match(
      denied.json().message,
      /^Authorization failed: user=https:\/\/localhost\/mgmt\/shared\/authz\/users\/helpdesk/,
    );
    assert.equal(
      (await h.app.inject({ method: 'GET', url: PATH, headers: { 'x-f5-auth-token': helpdesk } })).statusCode,
      401,
    );
  });

  it('404s unknown /mgmt paths with "Public URI path not registered"', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/mgmt/cm/nothing/here',
      headers: { 'x-f5-auth-token': token },
    });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().message, 'Public URI path not registered');
  });
});

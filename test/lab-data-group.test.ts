// The lab BIG-IP's internal data groups (`/mgmt/tm/ltm/data-group/internal`) and its curfew access policy
// (`/lab/policy`), over real HTTPS on loopback; SPS appliances have neither.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { type LabDeviceInfo, LabFleet, LabLogonDenied } from '../lab/bigip/emulator.js';
import { SpsLabFleet } from '../lab/sps/emulator.js';

const PASSWORD = 'data-group-secret';
const BASIC = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
const COLLECTION = '/mgmt/tm/ltm/data-group/internal';
const DENIED = '/Common/curfew_denied_users';
const DENIED_URL = `${COLLECTION}/~Common~curfew_denied_users`;

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

const agent = new Agent({ connect: { rejectUnauthorized: false } });
after(() => agent.close());

async function call(
  device: { address: string; port: number },
  method: string,
  path: string,
  options: { json?: unknown; rawBody?: string; auth?: string | null } = {},
): Promise<Answer> {
  const body = options.rawBody ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (options.auth !== null) headers.authorization = options.auth ?? BASIC;
  const response = await request(`https://${device.address}:${device.port}${path}`, {
    method: method as 'GET',
    headers,
    body,
    dispatcher: agent,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
}

function assertTmError(answer: Answer, code: number, message?: string): void {
  assert.equal(answer.status, code, JSON.stringify(answer.body));
  assert.deepEqual(Object.keys(answer.body).sort(), ['apiError', 'code', 'errorStack', 'message']);
  assert.equal(answer.body.code, code);
  if (message !== undefined) assert.equal(answer.body.message, message);
}

describe('lab BIG-IP internal data groups', () => {
  let fleet: LabFleet;
  let device: LabDeviceInfo;

  before(async () => {
    fleet = await LabFleet.start({ devices: 2, sessionsPerDevice: 0, haPairs: false, password: PASSWORD, seed: 5 });
    device = fleet.devices[0] as LabDeviceInfo;
  });
  after(() => fleet.stop());

  it('creates, reads, lists, replaces, clears and deletes a group in the BIG-IP shapes', async () => {
    const records = [{ name: 'alice', data: 'c1;2026-12-02T06:00:00Z' }, { name: 'bob' }];
    const created = await call(device, 'POST', COLLECTION, {
      json: { name: 'curfew_denied_users', type: 'string', records },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(
      { ...created.body, generation: 0 },
      {
        kind: 'tm:ltm:data-group:internal:internalstate',
        name: 'curfew_denied_users',
        partition: 'Common',
        fullPath: DENIED,
        generation: 0,
        selfLink: `https://localhost${DENIED_URL}?ver=15.1.0`,
        type: 'string',
        records,
      },
    );
    assert.deepEqual((await call(device, 'GET', DENIED_URL)).body, created.body);
    const listed = await call(device, 'GET', COLLECTION);
    assert.equal(listed.body.kind, 'tm:ltm:data-group:internal:internalcollectionstate');
    assert.equal(listed.body.selfLink, `https://localhost${COLLECTION}?ver=15.1.0`);
    assert.deepEqual(listed.body.items, [created.body]);

    const patched = await call(device, 'PATCH', DENIED_URL, { json: { records: [{ name: 'carol', data: 'c2' }] } });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.records, [{ name: 'carol', data: 'c2' }], 'PATCH replaces the whole list');
    assert.ok(patched.body.generation > created.body.generation);
    const kept = await call(device, 'PATCH', DENIED_URL, { json: {} });
    assert.deepEqual(kept.body.records, [{ name: 'carol', data: 'c2' }], 'PATCH without records keeps them');
    const put = await call(device, 'PUT', DENIED_URL, {
      json: { ...kept.body, records: [{ name: 'dave', data: '' }] },
    });
    assert.equal(put.status, 200, 'a PUT of what GET answered is accepted');
    assert.deepEqual(put.body.records, [{ name: 'dave' }], 'empty data is left out, as BIG-IP does');

    const cleared = await call(device, 'PATCH', DENIED_URL, { json: { records: [] } });
    assert.equal(cleared.status, 200);
    assert.equal('records' in cleared.body, false, 'an empty list is left out');
    assert.equal('records' in (await call(device, 'GET', DENIED_URL)).body, false);

    assert.equal((await call(device, 'DELETE', DENIED_URL)).status, 200);
    const missing = await call(device, 'GET', DENIED_URL);
    assertTmError(missing, 404, `01020036:3: The requested value list (${DENIED}) was not found.`);
    assert.deepEqual((await call(device, 'GET', COLLECTION)).body.items, []);
  });

  it('refuses a second group of the same path with 409, and bad bodies with 400', async () => {
    const group = { name: 'dup', partition: 'Common', type: 'string' };
    assert.equal((await call(device, 'POST', COLLECTION, { json: group })).status, 200);
    const again = await call(device, 'POST', COLLECTION, { json: group });
    assertTmError(again, 409, '01020066:3: The requested value list (/Common/dup) already exists in partition Common.');
    const bad: [string, unknown][] = [
      ['no name', { type: 'string' }],
      ['name with a slash', { name: 'a/b', type: 'string' }],
      ['no type', { name: 'x' }],
      ['type ip', { name: 'x', type: 'ip' }],
      ['records not a list', { name: 'x', type: 'string', records: {} }],
      ['record without name', { name: 'x', type: 'string', records: [{ data: 'd' }] }],
      ['duplicate record', { name: 'x', type: 'string', records: [{ name: 'a' }, { name: 'a' }] }],
      ['unknown key', { name: 'x', type: 'string', colour: 'red' }],
    ];
    for (const [what, json] of bad) {
      const answer = await call(device, 'POST', COLLECTION, { json });
      assert.equal(answer.status, 400, what);
      assertTmError(answer, 400);
    }
    assert.equal((await call(device, 'POST', COLLECTION, { rawBody: '{' })).status, 400);
    assertTmError(await call(device, 'PATCH', `${COLLECTION}/~Common~dup`, { json: { records: 'x' } }), 400);
    assertTmError(await call(device, 'PATCH', `${COLLECTION}/~Common~dup`, { json: { name: 'other' } }), 400);
    assertTmError(await call(device, 'PATCH', `${COLLECTION}/~Common~nope`, { json: { records: [] } }), 404);
    assertTmError(await call(device, 'DELETE', `${COLLECTION}/~Common~nope`), 404);
    assert.equal((await call(device, 'GET', `${COLLECTION}/dup`)).status, 200, 'a bare name is in Common');
    assert.equal((await call(device, 'DELETE', `${COLLECTION}/~Common~dup`)).status, 200);
  });

  it('asks for credentials and counts the requests as dataGroup', async () => {
    fleet.resetCounters();
    assert.equal((await call(device, 'GET', COLLECTION, { auth: null })).status, 401);
    assert.equal((await call(device, 'GET', DENIED_URL)).status, 404);
    assert.equal(fleet.counters(device.id).dataGroup, 2);
  });

  it('keeps data groups per unit', async () => {
    const other = fleet.devices[1] as LabDeviceInfo;
    const json = { name: 'only_here', type: 'string', records: [{ name: 'x' }] };
    assert.equal((await call(device, 'POST', COLLECTION, { json })).status, 200);
    assert.equal((await call(other, 'GET', `${COLLECTION}/~Common~only_here`)).status, 404);
    assert.deepEqual(fleet.dataGroupRecords(device.id, '/Common/only_here'), [{ name: 'x' }]);
    assert.equal(fleet.dataGroupRecords(other.id, '/Common/only_here'), null);
  });
});

describe('lab BIG-IP curfew access policy', () => {
  let fleet: LabFleet;
  let device: LabDeviceInfo;

  before(async () => {
    fleet = await LabFleet.start({ devices: 1, sessionsPerDevice: 0, password: PASSWORD, seed: 6 });
    device = fleet.devices[0] as LabDeviceInfo;
    const records = [{ name: 'mallory', data: 'c9' }];
    const created = await call(device, 'POST', COLLECTION, {
      json: { name: 'curfew_denied_users', type: 'string', records },
    });
    assert.equal(created.status, 200);
  });
  after(() => fleet.stop());

  it('is installed by default on /Common/curfew_denied_users and refuses a listed user with 401', async () => {
    assert.deepEqual((await call(device, 'GET', '/lab/policy')).body, { installed: true, dataGroup: DENIED });
    const refused = await call(device, 'POST', '/lab/sessions', { json: { user: 'mallory' } });
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, { denied: 'curfew' });
    assert.equal(
      (await call(device, 'POST', '/lab/sessions', { json: { user: 'Mallory' } })).status,
      201,
      'case-sensitive',
    );
    assert.equal((await call(device, 'POST', '/lab/sessions', { json: { user: 'trent' } })).status, 201);
    assert.throws(() => fleet.addSession(device.id, { user: 'mallory', clientIp: '10.0.0.9' }), LabLogonDenied);
    assert.equal(fleet.sessions(device.id).filter((session) => session.user === 'mallory').length, 0);
  });

  it('lets the user in once the policy is off, or consults another group', async () => {
    const off = await call(device, 'PUT', '/lab/policy', { json: { installed: false } });
    assert.deepEqual(off.body, { installed: false, dataGroup: DENIED });
    assert.equal((await call(device, 'POST', '/lab/sessions', { json: { user: 'mallory' } })).status, 201);
    fleet.setPolicy({ installed: true, dataGroup: '/Common/other_list' });
    assert.deepEqual(fleet.policy(device.id), { installed: true, dataGroup: '/Common/other_list' });
    assert.equal((await call(device, 'POST', '/lab/sessions', { json: { user: 'mallory' } })).status, 201);
    const back = await call(device, 'PUT', '/lab/policy', { json: { dataGroup: DENIED } });
    assert.deepEqual(back.body, { installed: true, dataGroup: DENIED });
    assert.equal((await call(device, 'POST', '/lab/sessions', { json: { user: 'mallory' } })).status, 401);
  });

  it('rejects a bad policy body with 400', async () => {
    const bad = [
      { installed: 'yes' },
      { dataGroup: 'curfew_denied_users' },
      { dataGroup: '/Common/a~b' },
      { other: 1 },
    ];
    for (const json of bad) {
      const answer = await call(device, 'PUT', '/lab/policy', { json });
      assert.equal(answer.status, 400, JSON.stringify(json));
      assert.equal(typeof answer.body.error, 'string');
    }
    assert.deepEqual((await call(device, 'GET', '/lab/policy')).body, { installed: true, dataGroup: DENIED });
  });
});

describe('lab SPS appliances have no data group', () => {
  it('has no /lab/policy, and logs any user in', async () => {
    const fleet = await SpsLabFleet.start({ devices: 1, sessionsPerDevice: 0, password: PASSWORD, seed: 7 });
    try {
      const appliance = fleet.devices[0] as { address: string; port: number };
      assert.equal((await call(appliance, 'GET', '/lab/policy')).status, 404);
      assert.equal((await call(appliance, 'PUT', '/lab/policy', { json: { installed: true } })).status, 404);
      assert.equal((await call(appliance, 'POST', '/lab/sessions', { json: { user: 'mallory' } })).status, 201);
    } finally {
      await fleet.stop();
    }
  });
});

// Fleet configuration and ACL privileges on the SPS surface: devices, clusters and access groups in transactions,
// commits that reach the engine (sync, drop) and the BIG-IQ resolver at once; ACL grants that apply from the next
// SPS login (and at once to BIG-IQ tokens, which are checked per request).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LAB_ADMIN } from '../lab/bigip/emulator.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { commit, loginSps, newPassword, type SpsClient } from './support/sps-client.js';

const DEVICES = '/api/configuration/devices';
const CLUSTERS = '/api/configuration/clusters';
const ACCESS_GROUPS = '/api/configuration/access_groups';
const RESOLVER = '/mgmt/cm/system/machineid-resolver';
const KILL = '/mgmt/cm/access/tasks/kill-sessions';

describe('SPS configuration: the fleet', () => {
  let h: AppHarness;
  let admin: SpsClient;
  let token: string;
  before(async () => {
    h = await startApp({ fleet: { devices: 2, sessionsPerDevice: 3, haPairs: false, accessGroups: 1 } });
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    token = await h.token();
  });
  after(() => h.close());

  const resolverIds = async () => {
    const res = await h.app.inject({ method: 'GET', url: RESOLVER, headers: { 'x-f5-auth-token': token } });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().items as { machineId: string }[]).map((i) => i.machineId);
  };

  it('shows the registered fleet with status fields and references', async () => {
    const [lab] = h.fleet?.devices ?? [];
    assert.ok(lab);
    const res = await admin.call('GET', `${DEVICES}/${lab.id}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json().body;
    assert.equal(body.hostname, lab.hostname);
    assert.equal(body.port, lab.port);
    assert.equal(body.username, LAB_ADMIN);
    assert.equal(body.password, null, 'a credential stored outside the API has no password object');
    assert.equal(body.state, 'online');
    assert.equal(body.failover, 'ACTIVE');
    assert.equal(typeof body.last_sync, 'number');
    assert.deepEqual(body.access_group, { key: 'group-1', meta: { href: `${ACCESS_GROUPS}/group-1` } });
    const group = (await admin.call('GET', `${ACCESS_GROUPS}/group-1`)).json().body;
    assert.deepEqual(
      group.members.map((m: { key: string }) => m.key).sort(),
      (h.fleet?.devices ?? []).map((d) => d.id).sort(),
    );
    const listing = (await admin.call('GET', DEVICES)).json();
    assert.equal(listing.items.length, 2);
    assert.equal(listing.meta.parent, '/api/configuration');
  });

  it('removes a device at commit: its connection, sessions and resolver entry go', async () => {
    const lab = h.fleet?.devices[1];
    assert.ok(lab);
    assert.ok((await h.store.listSessions({ deviceIds: [lab.id], limit: 100, offset: 0 })).length > 0);
    assert.equal((await admin.call('DELETE', `${DEVICES}/${lab.id}`)).statusCode, 200);
    assert.ok((await resolverIds()).includes(lab.id), 'still there before the commit');
    await commit(admin);
    await h.config.settled();
    assert.equal(await h.store.findDeviceById(lab.id), undefined);
    assert.equal((await h.store.listSessions({ deviceIds: [lab.id], limit: 100, offset: 0 })).length, 0);
    assert.ok(!(await resolverIds()).includes(lab.id));
    assert.equal((await admin.call('GET', `${DEVICES}/${lab.id}`)).statusCode, 404);
  });

  it('adds a device pointed at a lab port: commit seals its credential, syncs it, and the resolver shows it', async () => {
    const lab = h.fleet?.devices[1];
    assert.ok(lab);
    const cluster = await admin.call('POST', CLUSTERS, { name: 'edge', description: 'edge pair' });
    assert.equal(cluster.statusCode, 201, cluster.body);
    assert.equal(cluster.json().key, 'edge');
    const created = await admin.call('POST', DEVICES, {
      hostname: 're-added.lab.local',
      address: lab.address,
      port: lab.port,
      kind: 'bigip',
      username: LAB_ADMIN,
      password: await newPassword(admin, 'admin'),
      verify_tls: false,
      cluster: 'edge',
      access_group: { key: 'group-1', meta: { href: `${ACCESS_GROUPS}/group-1` } },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().key as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(await h.store.findDeviceById(id), undefined, 'nothing reaches the inventory before the commit');
    await commit(admin);
    await h.config.settled();

    const stored = await h.store.findDeviceById(id);
    assert.equal(stored?.state, 'online', stored?.lastError ?? '');
    assert.equal(stored?.cluster, 'edge');
    assert.equal((await h.store.findCredential(stored?.credentialRef ?? ''))?.password, 'admin');
    assert.equal((await h.store.listSessions({ deviceIds: [id], limit: 100, offset: 0 })).length, 3);
    assert.ok((await resolverIds()).includes(id));
    const body = (await admin.call('GET', `${DEVICES}/${id}`)).json().body;
    assert.equal(body.password.meta.href.startsWith('/api/configuration/passwords/'), true);
    assert.deepEqual(
      (await admin.call('GET', `${CLUSTERS}/edge`)).json().body.members.map((m: { key: string }) => m.key),
      [id],
    );
  });

  it('re-syncs a changed device and drops its old connection', async () => {
    const id = (await h.store.listDevices()).find((d) => d.hostname === 're-added.lab.local')?.id as string;
    const body = (await admin.call('GET', `${DEVICES}/${id}`)).json().body;
    const put = await admin.call('PUT', `${DEVICES}/${id}`, { ...body, port: 1 });
    assert.equal(put.statusCode, 200, put.body);
    await commit(admin);
    await h.config.settled();
    const broken = await h.store.findDeviceById(id);
    assert.equal(broken?.port, 1);
    assert.notEqual(broken?.state, 'online', 'synced against the new (closed) port');
    const lab = h.fleet?.devices[1];
    await admin.call('PUT', `${DEVICES}/${id}`, { ...body, port: lab?.port });
    await commit(admin);
    await h.config.settled();
    assert.equal((await h.store.findDeviceById(id))?.state, 'online');
  });

  it('validates devices with clear SemanticErrors', async () => {
    const pw = await newPassword(admin, 'x');
    const base = { hostname: 'v.lab', address: '10.0.0.9', username: 'admin', password: pw };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, kind: 'asa' }, /Unknown device kind "asa"; use one of: bigip, sps/],
      [{ ...base, port: 70_000 }, /port must be a whole number from 1 to 65535/],
      [{ ...base, password: undefined }, /A new device needs a password/],
      [{ ...base, cluster: 'nowhere' }, /refers to cluster "nowhere", which does not exist/],
      [{ ...base, access_group: 'nobody' }, /refers to access group "nobody", which does not exist/],
      [{ ...base, hostname: 're-added.lab.local' }, /already a device with hostname "re-added.lab.local"/],
      [{ ...base, colour: 'red' }, /Unknown field\(s\) in the device: colour/],
    ];
    for (const [body, message] of cases) {
      const res = await admin.call('POST', DEVICES, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
      assert.equal(res.json().error.type, 'SemanticError');
      assert.match(res.json().error.message, message);
    }
    const rename = await admin.call('PUT', `${CLUSTERS}/edge`, { name: 'core' });
    assert.match(rename.json().error.message, /delete "edge" and create "core"/);
    const inUse = await admin.call('DELETE', `${CLUSTERS}/edge`);
    assert.equal(inUse.statusCode, 400);
    assert.match(inUse.json().error.message, /refers to cluster "edge", which does not exist/);
    await admin.call('DELETE', '/api/transaction');
  });
});

describe('SPS configuration: ACL privileges', () => {
  let h: AppHarness;
  let admin: SpsClient;
  before(async () => {
    h = await startApp({ fleet: { devices: 1, sessionsPerDevice: 2 } });
    await h.addUser('carol', 'carol-pw');
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
  });
  after(() => h.close());

  const killBody = { action: 'KILL_BY_USER', userName: 'nobody', accessGroupNames: ['group-1'] };
  const bigiqKill = (token: string) =>
    h.app.inject({ method: 'POST', url: KILL, headers: { 'x-f5-auth-token': token }, payload: killBody });
  const carolKey = async () => {
    const users = (await admin.call('GET', '/api/configuration/aaa/local_database/users')).json().items as {
      key: string;
    }[];
    for (const { key } of users) {
      const body = (await admin.call('GET', `/api/configuration/aaa/local_database/users/${key}`)).json().body;
      if (body.name === 'carol') return key;
    }
    throw new Error('carol is missing');
  };

  it('applies a committed grant from the next request, to an open SPS login and a BIG-IQ token alike', async () => {
    const carol = await loginSps(h, 'carol', 'carol-pw');
    const carolToken = await h.token('carol', 'carol-pw');
    const write = () => carol.call('POST', CLUSTERS, { name: 'carols' });
    const denied = await write();
    assert.equal(denied.statusCode, 403, denied.body);
    assert.equal(denied.json().error.type, 'Forbidden');
    assert.equal((await carol.call('GET', DEVICES)).statusCode, 403);
    const refused = await bigiqKill(carolToken);
    assert.equal(refused.statusCode, 401, refused.body);
    assert.match(refused.json().message, /Authorization failed/);

    const group = await admin.call('POST', '/api/configuration/aaa/local_database/groups', {
      name: 'fleet-ops',
      members: [await carolKey()],
    });
    assert.equal(group.statusCode, 201, group.body);
    await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'fleet-ops', objects: ['/api/configuration/clusters', '/special/active_sessions'], permission: 'write' },
      { group: 'fleet-ops', objects: ['/api/configuration/devices'], permission: 'read' },
    ]);
    assert.equal((await write()).statusCode, 403, 'pending grants grant nothing');
    await commit(admin);

    const allowed = await write();
    assert.equal(allowed.statusCode, 201, `carol's open login has the grant at once: ${allowed.body}`);
    const accepted = await bigiqKill(carolToken);
    assert.equal(accepted.statusCode, 202, `so has her BIG-IQ token: ${accepted.body}`);
    assert.equal((await carol.call('GET', DEVICES)).statusCode, 200, 'read grant');
    const readOnly = await carol.call('DELETE', `${DEVICES}/${h.fleet?.devices[0]?.id}`);
    assert.equal(readOnly.statusCode, 403, 'read does not imply write');
    assert.equal((await carol.call('GET', '/api/configuration/aaa/acls')).statusCode, 403, 'no AAA grant');
  });
});

// BIG-IQ inventory views (docs/compat/bigiq.md §8–9): machineid-resolver items in F5's documented shape,
// device groups (well-known, access groups, clusters) with their members, mgmt-authority-status, the queries real
// clients send verbatim, OData on every collection, and F5's error bodies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Device } from '../src/core/model.js';
import { deviceIdFromLink, machineIdLink } from '../src/http/bigiq/links.js';
import { type AppHarness, startApp } from './support/app-harness.js';
import { device, putDevices, writeFleetOps } from './support/factories.js';
import { RED_ID } from './support/seed-fleet.js';

const RESOLVER = '/mgmt/cm/system/machineid-resolver';
const GROUPS = '/mgmt/shared/resolver/device-groups';
const AUTHORITY = '/mgmt/cm/access/utility/view/mgmt-authority-status';
const DEVICE_KIND = 'shared:resolver:device-groups:restdeviceresolverdevicestate';
const SYNCED_AT = 1_700_000_000_123;

type Json = Record<string, unknown>;
interface CollectionJson {
  items: Json[];
  totalItems: number;
  generation: number;
  kind: string;
  lastUpdateMicros: number;
  selfLink: string;
}

// The reference's BlueCluster pair in access group TestGroup, a standalone device in TestGroup2 (with the
// reference's malformed id), an unreachable IPv6 device in no group, and an SPS device that BIG-IP views exclude.
const blueA = device({
  id: '98901455-6384-47cd-bc41-00a39dfe338f',
  hostname: 'bluebigipveha1.labf.com',
  address: '10.255.4.124',
  cluster: 'BlueCluster',
  accessGroup: 'TestGroup',
  state: 'online',
  failover: 'ACTIVE',
  lastSyncAt: SYNCED_AT,
});
const blueB = device({
  hostname: 'bluebigipveha2.labf.com',
  address: '10.255.4.125',
  cluster: 'BlueCluster',
  accessGroup: 'TestGroup',
  state: 'online',
  failover: 'STANDBY',
  lastSyncAt: SYNCED_AT,
});
const red = device({ id: RED_ID, hostname: 'red.labf.com', address: '10.255.4.126', accessGroup: 'TestGroup2' });
const lonely = device({ hostname: 'v6.labf.com', address: '2001:db8::7', port: 8443, state: 'unreachable' });
const sps = device({ hostname: 'sps.labf.com', address: '10.255.9.1', kind: 'sps', accessGroup: 'TestGroup' });
const BIGIPS: readonly Device[] = [blueA, blueB, red, lonely];

function assertBigiqError(res: LightMyRequestResponse, status: number, message?: string | RegExp): Json {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as Json;
  assert.equal(body.code, status);
  assert.equal(body.kind, ':resterrorresponse');
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.restOperationId, 'number');
  assert.ok(Array.isArray(body.errorStack));
  if (typeof message === 'string') assert.equal(body.message, message);
  else if (message) assert.match(String(body.message), message);
  return body;
}

function assertCollection(body: CollectionJson, kind: string, selfLink: string): void {
  assert.ok(Array.isArray(body.items));
  assert.equal(typeof body.totalItems, 'number');
  assert.equal(typeof body.generation, 'number');
  assert.equal(typeof body.lastUpdateMicros, 'number');
  assert.equal(body.kind, kind);
  assert.equal(body.selfLink, `https://localhost${selfLink}`);
}

describe('BIG-IQ resolver routes', () => {
  let h: AppHarness;
  let token: string;

  const get = async (url: string, auth: string | null = token) =>
    h.app.inject({ method: 'GET', url, headers: auth === null ? {} : { 'x-f5-auth-token': auth } });
  const getJson = async <T = CollectionJson>(url: string): Promise<T> => {
    const res = await get(url);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /application\/json/);
    return res.json() as T;
  };
  const ids = (body: CollectionJson) => body.items.map((item) => item.machineId).sort();

  before(async () => {
    h = await startApp();
    await writeFleetOps(
      h.store,
      { op: 'putCluster', cluster: { name: 'RedCluster', description: 'configured, no members yet' } },
      { op: 'putAccessGroup', group: { name: 'EmptyGroup', description: 'no devices yet' } },
    );
    await putDevices(h.store, ...BIGIPS, sps);
    const session = (sessionId: string) => ({
      deviceId: blueA.id,
      sessionId,
      user: 'user2',
      clientIp: '192.0.2.1',
      startedAt: SYNCED_AT,
      protocol: 'https',
    });
    await h.store.replaceDeviceSessions(blueA.id, [session('2a5d7604'), session('875f7fed')], SYNCED_AT);
    token = await h.token();
  });
  after(async () => h?.close());

  describe('machineid-resolver', () => {
    it('lists every BIG-IP device, then this BIG-IQ; never SPS devices', async () => {
      const body = await getJson(RESOLVER);
      assertCollection(body, 'shared:resolver:device-groups:devicegroupdevicecollectionstate', RESOLVER);
      assert.equal(body.totalItems, BIGIPS.length + 1);
      assert.deepEqual(
        body.items
          .slice(0, -1)
          .map((i) => i.machineId)
          .sort(),
        BIGIPS.map((d) => d.id).sort(),
      );
      const bigiq = body.items.at(-1);
      assert.equal(bigiq?.product, 'BIG-IQ');
      assert.ok(!body.items.some((item) => item.machineId === sps.id));
    });

    it('renders every §8 field with the right type', async () => {
      const item = await getJson<Json>(`${RESOLVER}/${blueA.id}`);
      const strings = [
        ...['uuid', 'deviceUri', 'machineId', 'state', 'address', 'hostname', 'version', 'product', 'edition'],
        ...[
          'build',
          'restFrameworkVersion',
          'managementAddress',
          'mcpDeviceName',
          'trustDomainGuid',
          'kind',
          'selfLink',
        ],
      ];
      for (const key of strings) assert.equal(typeof item[key], 'string', key);
      for (const key of ['httpsPort', 'generation', 'lastUpdateMicros']) assert.equal(typeof item[key], 'number', key);
      for (const key of ['isClustered', 'isVirtual', 'isLicenseExpired'])
        assert.equal(typeof item[key], 'boolean', key);
      assert.deepEqual(item.slots, [
        { volume: 'HD1.1', product: 'BIG-IP', version: '15.1.0', build: item.build, isActive: true },
      ]);
      assert.equal(item.uuid, blueA.id);
      assert.equal(item.machineId, blueA.id);
      assert.equal(item.deviceUri, 'https://10.255.4.124:443');
      assert.equal(item.state, 'ACTIVE');
      assert.equal(item.httpsPort, 443);
      assert.equal(item.product, 'BIG-IP');
      assert.equal(item.managementAddress, '10.255.4.124');
      assert.equal(item.mcpDeviceName, '/Common/bluebigipveha1.labf.com');
      assert.equal(item.isClustered, true);
      assert.equal(item.kind, DEVICE_KIND);
      assert.equal(item.lastUpdateMicros, SYNCED_AT * 1000);
      // curfew extensions
      assert.equal(item.failoverState, 'ACTIVE');
      assert.equal(item.curfewState, 'online');
      assert.equal(item.lastSyncMicros, SYNCED_AT * 1000);
      assert.equal(item.sessionCount, 2);
    });

    it('supports the §8 derivations clients use to build kill-sessions inputs', async () => {
      const body = await getJson(`${RESOLVER}?$filter=product eq 'BIG-IP'`);
      for (const item of body.items) {
        const d = BIGIPS.find((x) => x.id === item.machineId);
        assert.ok(d);
        const props = item.properties as Record<string, Json & string[]>;
        const access = props['cm-access-allBigIpDevices'] as Json;
        assert.ok(props['cm:gui:module']?.includes('BigIPDevice'), 'trust established');
        assert.ok(props['cm:gui:module']?.includes('Access'), 'APM discovered');
        assert.equal(access.discovered, true);
        assert.equal(access.imported, d.accessGroup !== null, 'APM imported ⇔ in an access group');
        assert.equal(access['cm:access:access-group-name'], d.accessGroup ?? undefined);
        assert.equal(access.clusterName, d.cluster ?? undefined);
        assert.equal(item.selfLink, machineIdLink(d.id), 'device reference');
        assert.equal(deviceIdFromLink(String(item.selfLink)), d.id);
        assert.equal((props['cm-bigip-allBigIpDevices'] as Json).clusterName, d.cluster ?? undefined);
      }
      const blue = body.items.find((item) => item.machineId === blueA.id);
      const props = blue?.properties as Record<string, Json>;
      assert.deepEqual(props['cm-bigip-cluster_BlueCluster']?.clusterName, 'BlueCluster');
      assert.equal(props.TestGroup?.['cm:access:source-device'], true);
      assert.equal(props['cm-access-allBigIpDevices']?.['cm:access:source-device'], true);
      assert.equal(
        props['cm-access-allBigIpDevices']?.['cm:access:access-group-link'],
        `https://localhost${GROUPS}/TestGroup`,
      );
    });

    it('maps device health to a resolver state, keeping the precise one in curfewState', async () => {
      const v6 = await getJson<Json>(`${RESOLVER}/${lonely.id}`);
      assert.equal(v6.state, 'UNREACHABLE');
      assert.equal(v6.curfewState, 'unreachable');
      assert.equal(v6.deviceUri, 'https://[2001:db8::7]:8443');
      assert.equal(v6.isClustered, false);
      assert.equal(v6.lastSyncMicros, null);
      assert.equal(v6.sessionCount, 0);
      const pending = await getJson<Json>(`${RESOLVER}/${RED_ID}`);
      assert.equal(pending.state, 'PENDING');
      assert.equal(pending.selfLink, machineIdLink(RED_ID));
    });

    it("answers ANS's address filter with items[0].machineId", async () => {
      const body = await getJson(`${RESOLVER}?$filter=address%20eq%20'10.255.4.124'`);
      assert.equal(body.totalItems, 1);
      assert.equal(body.items[0]?.machineId, blueA.id);
      const howto = await getJson(`${RESOLVER}?$filter=('address'+eq+'10.255.4.124'+or+'address'+eq+'10.255.4.125')`);
      assert.deepEqual(ids(howto), [blueA.id, blueB.id].sort());
    });

    it('honours $select on a single item', async () => {
      const item = await getJson<Json>(`${RESOLVER}/${blueA.id}?$select=machineId,state`);
      assert.deepEqual(item, { machineId: blueA.id, state: 'ACTIVE' });
    });

    it('404s an unknown machine id with the BIG-IQ body', async () => {
      const res = await get(`${RESOLVER}/00000000-0000-4000-8000-000000000000`);
      assertBigiqError(
        res,
        404,
        'item not found at /cm/system/machineid-resolver/00000000-0000-4000-8000-000000000000',
      );
    });
  });

  describe('device groups', () => {
    it('lists the well-known groups, access groups and cluster groups', async () => {
      const body = await getJson(GROUPS);
      assertCollection(body, 'shared:resolver:device-groups:devicegroupcollectionstate', GROUPS);
      const names = body.items.map((g) => g.groupName);
      for (const name of [
        'cm-bigip-allBigIpDevices',
        'cm-bigip-allDevices',
        'cm-access-allBigIpDevices',
        'cm-access-allDevices',
        'cm-adccore-allbigipDevices',
        'cm-shared-all-big-iqs',
        'TestGroup',
        'TestGroup2',
        'EmptyGroup',
        'cm-bigip-cluster_BlueCluster',
        'cm-bigip-cluster_RedCluster',
      ]) {
        assert.ok(names.includes(name), name);
      }
      assert.equal(body.totalItems, names.length);
      assert.equal(new Set(names).size, names.length, 'group names are unique');
      for (const group of body.items) {
        assert.equal(group.kind, 'shared:resolver:device-groups:devicegroupstate');
        assert.equal(group.selfLink, `https://localhost${GROUPS}/${group.groupName}`);
        assert.deepEqual(group.devicesReference, { link: `https://localhost${GROUPS}/${group.groupName}/devices` });
        for (const key of ['displayName', 'description']) assert.equal(typeof group[key], 'string', key);
        for (const key of ['infrastructure', 'isViewGroup', 'autoManageLocalhost']) {
          assert.equal(typeof group[key], 'boolean', key);
        }
        assert.equal(typeof group.properties, 'object');
      }
    });

    it('answers the reference access-group query (§9.3) with only the selected keys', async () => {
      const body = await getJson(
        `${GROUPS}?$filter='properties/cm:access:access_group'+eq+'true'&$select=groupName,displayName`,
      );
      assert.deepEqual(
        body.items,
        ['EmptyGroup', 'TestGroup', 'TestGroup2'].map((name) => ({ groupName: name, displayName: name })),
      );
      assert.equal(body.totalItems, 3);
      assert.equal(body.kind, 'shared:resolver:device-groups:devicegroupcollectionstate');
    });

    it("answers F5TEST's config_group query, $expand included", async () => {
      const body = await getJson(
        `${GROUPS}/?$filter='properties/cm:access:config_group' eq 'true'&$expand=devicesReference`,
      );
      assert.deepEqual(body.items.map((g) => g.groupName).sort(), ['EmptyGroup', 'TestGroup', 'TestGroup2']);
      const group = await getJson<Json>(`${GROUPS}/TestGroup`);
      assert.deepEqual(group.properties, { 'cm:access:access_group': 'true', 'cm:access:config_group': 'true' });
    });

    it("answers ANS's BIG-IQ version probe", async () => {
      const body = await getJson(`${GROUPS}/cm-shared-all-big-iqs/devices?$select=version`);
      assert.equal(body.totalItems, 1);
      assert.deepEqual(Object.keys(body.items[0] ?? {}), ['version']);
      const [major = 0, minor = 0] = String(body.items[0]?.version).split('.').map(Number);
      assert.ok(major > 6 || (major === 6 && minor >= 1), `version ${body.items[0]?.version} ≥ 6.1.0`);
      const [bigiq] = (await getJson(`${GROUPS}/cm-shared-all-big-iqs/devices`)).items;
      assert.equal(bigiq?.product, 'BIG-IQ');
      assert.equal(bigiq?.groupName, 'cm-shared-all-big-iqs');
    });

    it('puts every BIG-IP device (and no SPS device) in the all-BIG-IP groups', async () => {
      for (const name of ['cm-bigip-allBigIpDevices', 'cm-access-allBigIpDevices', 'cm-adccore-allbigipDevices']) {
        const body = await getJson(`${GROUPS}/${name}/devices`);
        assertCollection(
          body,
          'shared:resolver:device-groups:devicegroupdevicecollectionstate',
          `${GROUPS}/${name}/devices`,
        );
        assert.deepEqual(ids(body), BIGIPS.map((d) => d.id).sort(), name);
        for (const item of body.items) {
          assert.equal(item.groupName, name);
          assert.equal(item.selfLink, `https://localhost${GROUPS}/${name}/devices/${item.machineId}`);
          assert.equal(item.kind, DEVICE_KIND);
        }
      }
    });

    it('lists an access group’s BIG-IP members', async () => {
      assert.deepEqual(ids(await getJson(`${GROUPS}/TestGroup/devices`)), [blueA.id, blueB.id].sort());
      assert.deepEqual(ids(await getJson(`${GROUPS}/TestGroup2/devices`)), [RED_ID]);
      assert.deepEqual((await getJson(`${GROUPS}/EmptyGroup/devices`)).items, []);
    });

    it('has a cm-bigip-cluster_<name> group per cluster with its members', async () => {
      const group = await getJson<Json>(`${GROUPS}/cm-bigip-cluster_BlueCluster`);
      assert.equal((group.properties as Json).clusterName, 'BlueCluster');
      assert.equal(group.displayName, 'BlueCluster');
      const members = await getJson(`${GROUPS}/cm-bigip-cluster_BlueCluster/devices`);
      assert.deepEqual(ids(members), [blueA.id, blueB.id].sort());
      const failover = Object.fromEntries(members.items.map((item) => [item.machineId, item.failoverState]));
      assert.deepEqual(failover, { [blueA.id]: 'ACTIVE', [blueB.id]: 'STANDBY' });
      const red = await getJson(`${GROUPS}/cm-bigip-cluster_RedCluster/devices`);
      assert.equal(red.totalItems, 0);
      const clusters = await getJson(`${GROUPS}?$filter=groupName eq 'cm-bigip-cluster_*'&$select=groupName`);
      assert.deepEqual(clusters.items.map((g) => g.groupName).sort(), [
        'cm-bigip-cluster_BlueCluster',
        'cm-bigip-cluster_RedCluster',
      ]);
    });

    it('returns one member by machine id, and 404s unknown groups and non-members', async () => {
      const item = await getJson<Json>(`${GROUPS}/TestGroup/devices/${blueB.id}`);
      assert.equal(item.machineId, blueB.id);
      assert.equal(item.groupName, 'TestGroup');
      assertBigiqError(
        await get(`${GROUPS}/NoSuchGroup`),
        404,
        'item not found at /shared/resolver/device-groups/NoSuchGroup',
      );
      assertBigiqError(await get(`${GROUPS}/NoSuchGroup/devices`), 404, /NoSuchGroup/);
      assertBigiqError(
        await get(`${GROUPS}/TestGroup2/devices/${blueA.id}`),
        404,
        `item not found at /shared/resolver/device-groups/TestGroup2/devices/${blueA.id}`,
      );
    });
  });

  describe('mgmt-authority-status', () => {
    it('lists one item per access group with groupName', async () => {
      const body = await getJson(AUTHORITY);
      assertCollection(body, String(body.kind), AUTHORITY);
      assert.deepEqual(body.items.map((item) => item.groupName).sort(), ['EmptyGroup', 'TestGroup', 'TestGroup2']);
      const testGroup = body.items.find((item) => item.groupName === 'TestGroup');
      assert.ok(testGroup);
      assert.equal(testGroup.deviceCount, 2);
      assert.deepEqual(
        (testGroup.deviceReferences as { link: string }[]).map((r) => deviceIdFromLink(r.link)).sort(),
        [blueA.id, blueB.id].sort(),
      );
    });
  });

  describe('collections', () => {
    it('treat /x and /x/ the same', async () => {
      for (const path of [RESOLVER, GROUPS, AUTHORITY, `${GROUPS}/TestGroup/devices`]) {
        assert.deepEqual((await getJson(`${path}/`)).totalItems, (await getJson(path)).totalItems, path);
      }
      assert.equal((await getJson<Json>(`${RESOLVER}/${blueA.id}/`)).machineId, blueA.id);
    });

    it('page with $top/$skip while totalItems counts every match', async () => {
      const all = await getJson(`${RESOLVER}?$orderby=hostname`);
      const page = await getJson(`${RESOLVER}?$orderby=hostname&$skip=1&$top=2`);
      assert.equal(page.totalItems, all.totalItems);
      const machineIds = (items: Json[]) => items.map((item) => item.machineId);
      assert.deepEqual(machineIds(page.items), machineIds(all.items.slice(1, 3)));
      const empty = await getJson(`${RESOLVER}?$filter=address eq '203.0.113.9'&$top=1`);
      assert.deepEqual([empty.items, empty.totalItems], [[], 0]);
    });

    it('answer a malformed OData option with a 400 BIG-IQ body', async () => {
      assertBigiqError(await get(`${RESOLVER}?$filter=address eq`), 400, /\$filter/);
      assertBigiqError(await get(`${GROUPS}?$top=-1`), 400, /\$top/);
      assertBigiqError(await get(`${AUTHORITY}?$bogus=1`), 400, /\$bogus/);
    });

    it('need a token (401) and the device read privilege', async () => {
      for (const path of [RESOLVER, `${RESOLVER}/${blueA.id}`, GROUPS, `${GROUPS}/TestGroup/devices`, AUTHORITY]) {
        assertBigiqError(await get(path, null), 401);
      }
      await h.addUser('viewer', 'viewer-pw');
      const viewer = await h.token('viewer', 'viewer-pw');
      assertBigiqError(
        await get(RESOLVER, viewer),
        401,
        /Authorization failed: .*resource=\/api\/configuration\/devices/,
      );
    });
  });
});

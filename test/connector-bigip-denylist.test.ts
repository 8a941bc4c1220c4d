// The BIG-IP connector's deny list (an internal string data group) against the lab BIG-IP over HTTPS on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type LabDeviceInfo, LabFleet, LabLogonDenied } from '../lab/bigip/emulator.js';
import { SpsLabFleet } from '../lab/sps/emulator.js';
import { parseDataGroup, parseGroupPath } from '../src/connectors/bigip/data-group.js';
import { bigipConnector } from '../src/connectors/bigip/index.js';
import {
  ConnectorError,
  type DenyList,
  type DeviceConnection,
  type DeviceEndpoint,
} from '../src/connectors/connector.js';
import { spsConnector } from '../src/connectors/sps/index.js';

const PASSWORD = 'deny-list-secret';
const PATH = '/Common/curfew_denied_users';

function endpointOf(device: { id: string; address: string; port: number }): DeviceEndpoint {
  return {
    id: device.id,
    address: device.address,
    port: device.port,
    verifyTls: false,
    username: 'admin',
    password: PASSWORD,
  };
}

function denyListOf(connection: DeviceConnection): DenyList {
  assert.ok(connection.denyList, 'a BIG-IP connection has a deny list');
  return connection.denyList;
}

describe('bigip connector deny list', () => {
  let fleet: LabFleet;
  let device: LabDeviceInfo;
  let connection: DeviceConnection;
  let denyList: DenyList;

  before(async () => {
    fleet = await LabFleet.start({ devices: 1, sessionsPerDevice: 0, password: PASSWORD, seed: 9 });
    device = fleet.devices[0] as LabDeviceInfo;
    connection = bigipConnector.connect(endpointOf(device), { timeoutMs: 2_000, perDeviceConcurrency: 2 });
    denyList = denyListOf(connection);
  });
  after(async () => {
    await connection.close();
    await fleet.stop();
  });

  it('reads a missing list as null', async () => {
    assert.equal(await denyList.read(PATH), null);
  });

  it('creates the list on the first write, replaces it whole after, and reads it back', async () => {
    const first = [
      { name: 'alice', data: 'c1;2026-12-02T06:00:00Z' },
      { name: 'bob', data: '' },
    ];
    assert.deepEqual(await denyList.write(PATH, first), first);
    assert.deepEqual(fleet.dataGroupRecords(device.id, PATH), [
      { name: 'alice', data: 'c1;2026-12-02T06:00:00Z' },
      { name: 'bob' },
    ]);
    assert.deepEqual(await denyList.read(PATH), first);

    const second = [{ name: 'carol', data: 'c2' }];
    assert.deepEqual(await denyList.write(PATH, second), second);
    assert.deepEqual(await denyList.read(PATH), second, 'alice and bob are gone: the whole list was replaced');
  });

  it('keeps a listed user out through the emulated access policy', async () => {
    await denyList.write(PATH, [{ name: 'mallory', data: 'c3' }]);
    assert.throws(() => fleet.addSession(device.id, { user: 'mallory', clientIp: '10.0.0.1' }), LabLogonDenied);
    await denyList.write(PATH, []);
    fleet.addSession(device.id, { user: 'mallory', clientIp: '10.0.0.1' });
  });

  it('clears the list with [] (it stays, empty) and reads [] back', async () => {
    await denyList.write(PATH, [{ name: 'dave', data: 'x' }]);
    assert.deepEqual(await denyList.write(PATH, []), []);
    assert.deepEqual(await denyList.read(PATH), []);
    assert.deepEqual(fleet.dataGroupRecords(device.id, PATH), []);
  });

  it('writes in another partition and logs in again when the token is revoked', async () => {
    fleet.revokeTokens(device.id);
    const records = [{ name: 'erin', data: 'c4' }];
    assert.deepEqual(await denyList.write('/Tenant_A/denied.v2', records), records);
    assert.deepEqual(fleet.dataGroupRecords(device.id, '/Tenant_A/denied.v2'), records);
  });

  it('rejects a path that is not /<partition>/<name> before asking the device', async () => {
    fleet.resetCounters();
    for (const path of ['curfew_denied_users', '/Common/', '/Common/a/b', '/Common/a~b', '/Common/../x', '']) {
      await assert.rejects(denyList.read(path), RangeError, path);
      await assert.rejects(denyList.write(path, []), RangeError, path);
    }
    assert.equal(fleet.counters(device.id).dataGroup, 0);
  });

  it('maps device failures to ConnectorError', async () => {
    try {
      fleet.setFault(device.id, 'http500');
      await assert.rejects(denyList.read(PATH), (error: unknown) => {
        assert.ok(error instanceof ConnectorError);
        assert.equal(error.code, 'device_error');
        assert.equal(error.status, 500);
        assert.equal(error.transient, true);
        return true;
      });
      await assert.rejects(denyList.write(PATH, []), { name: 'ConnectorError', code: 'device_error', status: 500 });
      fleet.setFault(device.id, 'auth_fail');
      fleet.revokeTokens(device.id);
      await assert.rejects(denyList.read(PATH), { name: 'ConnectorError', code: 'auth_failed', status: 401 });
      // A duplicate record name is the caller's list the device refuses: a non-transient device error.
      fleet.setFault(device.id, 'none');
      await assert.rejects(
        denyList.write(PATH, [
          { name: 'x', data: '' },
          { name: 'x', data: '' },
        ]),
        (error: unknown) => {
          assert.ok(error instanceof ConnectorError);
          assert.equal(error.status, 400);
          assert.equal(error.transient, false);
          return true;
        },
      );
    } finally {
      fleet.setFault(device.id, 'none');
    }
  });

  it('times out on a device that does not answer', async () => {
    const quick = bigipConnector.connect(endpointOf(device), { timeoutMs: 200, perDeviceConcurrency: 1 });
    try {
      await denyListOf(quick).read(PATH); // logs in while the device still answers
      fleet.setFault(device.id, 'timeout');
      await assert.rejects(denyListOf(quick).write(PATH, []), { name: 'ConnectorError', code: 'timeout' });
    } finally {
      fleet.setFault(device.id, 'none');
      await quick.close();
    }
  });
});

describe('bigip deny list parsing', () => {
  it('reads a group without records as [] and a record without data as data ""', () => {
    assert.deepEqual(parseDataGroup('GET x', { status: 200, body: { type: 'string' } }), []);
    const body = { type: 'string', records: [{ name: 'a' }, { name: 'b', data: 'd' }] };
    assert.deepEqual(parseDataGroup('GET x', { status: 200, body }), [
      { name: 'a', data: '' },
      { name: 'b', data: 'd' },
    ]);
  });

  it('refuses other shapes and other group types as device errors', () => {
    for (const body of [
      [],
      { type: 'ip' },
      { records: {} },
      { records: [{ data: 'd' }] },
      { records: [{ name: 'a', data: 1 }] },
    ]) {
      assert.throws(() => parseDataGroup('GET x', { status: 200, body }), {
        name: 'ConnectorError',
        code: 'device_error',
      });
    }
  });

  it('maps a full path to the ~partition~name URL', () => {
    assert.deepEqual(parseGroupPath('/Common/curfew_denied_users'), {
      partition: 'Common',
      name: 'curfew_denied_users',
      url: '/mgmt/tm/ltm/data-group/internal/~Common~curfew_denied_users',
    });
  });
});

describe('sps connector', () => {
  it('has no deny list', async () => {
    const fleet = await SpsLabFleet.start({ devices: 1, sessionsPerDevice: 0, password: PASSWORD, seed: 2 });
    const device = fleet.devices[0] as { id: string; address: string; port: number };
    const connection = spsConnector.connect(endpointOf(device), { timeoutMs: 2_000, perDeviceConcurrency: 1 });
    try {
      assert.equal(connection.denyList, undefined);
    } finally {
      await connection.close();
      await fleet.stop();
    }
  });
});

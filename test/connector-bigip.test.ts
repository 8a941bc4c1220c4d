// The connector contract, run against the BIG-IP connector and the lab BIG-IP emulator, plus BIG-IP specifics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LabDeviceInfo, LabFleet } from '../lab/bigip/emulator.js';
import { parseFailoverStatus } from '../src/connectors/bigip/health.js';
import { bigipConnector } from '../src/connectors/bigip/index.js';
import { parseAccessInfo } from '../src/connectors/bigip/sessions.js';
import { ConnectorError, type DeviceEndpoint } from '../src/connectors/connector.js';
import { connectorContract } from './connector.contract.js';

connectorContract('bigip', async () => {
  // Four devices: cluster-1 = devices 0 (ACTIVE) and 1, cluster-2 = devices 2 (ACTIVE) and 3.
  const fleet = await LabFleet.start({ devices: 4, sessionsPerDevice: 5, password: 'contract-secret', seed: 42 });
  const [healthy, , haActive, haStandby] = fleet.devices as [
    LabDeviceInfo,
    LabDeviceInfo,
    LabDeviceInfo,
    LabDeviceInfo,
  ];
  const endpointOf = (device: LabDeviceInfo): DeviceEndpoint => ({
    id: device.id,
    address: device.address,
    port: device.port,
    verifyTls: false,
    username: 'admin',
    password: fleet.password,
  });
  return {
    connector: bigipConnector,
    endpoint: endpointOf(healthy),
    options: { timeoutMs: 2_000, perDeviceConcurrency: 4 },
    unknownSessionId: 'deadbeef',
    addSession: (deviceId, session) => fleet.addSession(deviceId, session),
    deviceSessions: (deviceId) => fleet.sessions(deviceId),
    setFault: (deviceId, fault) => fleet.setFault(deviceId, fault),
    logins: {
      count: (deviceId) => fleet.counters(deviceId).login,
      live: (deviceId) => fleet.liveTokens(deviceId),
      revokeAll: (deviceId) => fleet.revokeTokens(deviceId),
    },
    haPair: { active: endpointOf(haActive), standby: endpointOf(haStandby) },
    teardown: () => fleet.stop(),
  };
});

describe('bigip connector specifics', () => {
  it('reads an access-info body: id from the key, absent entries as none, absent fields as empty', () => {
    assert.deepEqual(parseAccessInfo({ status: 200, body: { kind: 'tm:apm:access-info:access-infostats' } }), []);
    const body = {
      entries: {
        'https://localhost/mgmt/tm/apm/access-info/5519d028': {
          nestedStats: { entries: { clientIp: { description: '10.0.0.1' }, logonUser: { description: 'alice' } } },
        },
        'https://localhost/mgmt/tm/apm/access-info/40780348': { nestedStats: { entries: {} } },
      },
    };
    assert.deepEqual(parseAccessInfo({ status: 200, body }), [
      { sessionId: '5519d028', user: 'alice', clientIp: '10.0.0.1', protocol: 'apm' },
      { sessionId: '40780348', user: '', clientIp: '', protocol: 'apm' },
    ]);
    assert.throws(
      () => parseAccessInfo({ status: 200, body: [] }),
      (error) => error instanceof ConnectorError && error.code === 'device_error' && !error.transient,
    );
  });

  it('reads failover-status, including the nested details entry of real devices', () => {
    const details = 'https://localhost/mgmt/tm/cm/failoverStatus/0/details';
    const fixture = (status: string) => ({
      status: 200,
      body: {
        kind: 'tm:cm:failover-status:failover-statusstats',
        entries: {
          'https://localhost/mgmt/tm/cm/failover-status/0': {
            nestedStats: {
              entries: {
                color: { description: 'green' },
                [details]: { nestedStats: { entries: {} } },
                status: { description: status },
                summary: { description: '1/1 active' },
              },
            },
          },
        },
      },
    });
    assert.deepEqual(parseFailoverStatus(fixture('ACTIVE')), {
      failover: 'ACTIVE',
      details: { status: 'ACTIVE', color: 'green', summary: '1/1 active' },
    });
    assert.equal(parseFailoverStatus(fixture('OFFLINE')).failover, 'UNKNOWN');
  });

  it('refuses a self-signed certificate when TLS verification is on', async () => {
    const fleet = await LabFleet.start({ devices: 1, sessionsPerDevice: 0 });
    const [device] = fleet.devices as [LabDeviceInfo];
    const connection = bigipConnector.connect(
      { ...device, verifyTls: true, username: 'admin', password: fleet.password },
      { timeoutMs: 2_000, perDeviceConcurrency: 1 },
    );
    try {
      const error = await connection.listSessions().catch((failure: unknown) => failure);
      assert.ok(error instanceof ConnectorError && error.code === 'unreachable', String(error));
      assert.match(error.message, /certificate/i);
    } finally {
      await connection.close();
      await fleet.stop();
    }
  });
});

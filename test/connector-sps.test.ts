// The connector contract, run against the SPS connector and the lab SPS emulator, plus SPS specifics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SpsLabDeviceInfo, SpsLabFleet } from '../lab/sps/emulator.js';
import { ConnectorError, type DeviceConnection } from '../src/connectors/connector.js';
import { parseInfo } from '../src/connectors/sps/health.js';
import { spsConnector } from '../src/connectors/sps/index.js';
import { parseSessionPage } from '../src/connectors/sps/sessions.js';
import { connectorContract } from './connector.contract.js';

const OPTIONS = { timeoutMs: 2_000, perDeviceConcurrency: 4 };

connectorContract('sps', async () => {
  const fleet = await SpsLabFleet.start({ devices: 1, sessionsPerDevice: 5, password: 'contract-secret', seed: 42 });
  const [device] = fleet.devices as [SpsLabDeviceInfo];
  return {
    connector: spsConnector,
    endpoint: { ...device, verifyTls: false, username: 'admin', password: fleet.password },
    options: OPTIONS,
    unknownSessionId: 'svc/1111111111111111111111/ssh-servers:999',
    addSession: (deviceId, session) => fleet.addSession(deviceId, session),
    deviceSessions: (deviceId) => fleet.sessions(deviceId),
    setFault: (deviceId, fault) => fleet.setFault(deviceId, fault),
    logins: {
      count: (deviceId) => fleet.counters(deviceId).login,
      live: (deviceId) => fleet.liveLogins(deviceId),
      revokeAll: (deviceId) => fleet.revokeLogins(deviceId),
      noLogout: true,
    },
    teardown: () => fleet.stop(),
  };
});

/** Runs `use` against a fresh one-appliance fleet, closing everything afterwards. */
async function withAppliance(
  sessionsPerDevice: number,
  use: (fleet: SpsLabFleet, device: SpsLabDeviceInfo, connection: DeviceConnection) => Promise<void>,
  verifyTls = false,
): Promise<void> {
  const fleet = await SpsLabFleet.start({ devices: 1, sessionsPerDevice, closedSessionsPerDevice: 3, seed: 7 });
  const [device] = fleet.devices as [SpsLabDeviceInfo];
  const endpoint = { ...device, verifyTls, username: 'admin', password: fleet.password };
  const connection = spsConnector.connect(endpoint, OPTIONS);
  try {
    await use(fleet, device, connection);
  } finally {
    await connection.close();
    await fleet.stop();
  }
}

const page = (items: unknown[], matchCount = items.length) => ({
  status: 200,
  body: { items, meta: { match_count: matchCount, limit: 500, offset: 0 } },
});

describe('sps connector specifics', () => {
  it('reads a search page: svc id, gateway user first, start time; skips closed and id-less items', () => {
    const body = (extra: Record<string, unknown>) => ({
      active: true,
      client: { ip: '10.0.0.1', name: '10.0.0.1', port: 40000 },
      protocol: 'RDP',
      recording: { session_id: 'svc/rUhhQZ3jYsY1NDWYp9DEpq/rdp:3' },
      start_time: '2024-05-01T10:00:00.000Z',
      user: { gateway_username: 'alice', server_username: 'Administrator' },
      ...extra,
    });
    const parsed = parseSessionPage(
      page([
        { key: 'a', body: body({}) },
        { key: 'b', body: body({ user: { server_username: 'root' }, start_time: undefined, protocol: undefined }) },
        { key: 'c', body: body({ active: false }) },
        { key: 'd', body: body({ recording: {} }) },
        { key: 'e', meta: { href: '/api/audit/sessions/e' } },
      ]),
      'GET /api/audit/sessions',
    );
    assert.equal(parsed.itemCount, 5);
    assert.deepEqual(parsed.sessions, [
      {
        sessionId: 'svc/rUhhQZ3jYsY1NDWYp9DEpq/rdp:3',
        user: 'alice',
        clientIp: '10.0.0.1',
        protocol: 'RDP',
        startedAt: Date.parse('2024-05-01T10:00:00.000Z'),
      },
      { sessionId: 'svc/rUhhQZ3jYsY1NDWYp9DEpq/rdp:3', user: 'root', clientIp: '10.0.0.1', protocol: 'sps' },
    ]);
    for (const bad of [{ items: {} }, { items: [] }, []]) {
      assert.throws(
        () => parseSessionPage({ status: 200, body: bad }, 'GET /api/audit/sessions'),
        (error) => error instanceof ConnectorError && error.code === 'device_error' && !error.transient,
      );
    }
  });

  it('reads /api/info into UNKNOWN failover with the version details', () => {
    const info = { body: { firmware_version: '7.0.5', version: '7.0.5', other: 1 }, key: 'info', meta: {} };
    assert.deepEqual(parseInfo({ status: 200, body: info }), {
      failover: 'UNKNOWN',
      details: { firmware_version: '7.0.5', version: '7.0.5' },
    });
    assert.deepEqual(parseInfo({ status: 200, body: { meta: {} } }), { failover: 'UNKNOWN', details: {} });
  });

  it('pages through more than one page of active sessions, leaving closed ones out', async () => {
    await withAppliance(1_203, async (fleet, device, connection) => {
      const listed = await connection.listSessions();
      assert.equal(listed.length, 1_203);
      assert.deepEqual(
        listed.map((session) => session.sessionId).sort(),
        fleet
          .sessions(device.id)
          .map((session) => session.sessionId)
          .sort(),
      );
      assert.deepEqual(fleet.counters(device.id), { login: 1, list: 3, delete: 0, other: 0 });
    });
  });

  it('refuses to list more active sessions than the basic search can page to', async () => {
    await withAppliance(10_001, async (_fleet, _device, connection) => {
      const error = await connection.listSessions().catch((failure: unknown) => failure);
      assert.ok(error instanceof ConnectorError && error.code === 'device_error', String(error));
      assert.match(error.message, /10001 active sessions/);
    });
  });

  it('makes one health round trip on a logged-in connection, and no device call on close', async () => {
    await withAppliance(2, async (fleet, device, connection) => {
      await connection.listSessions();
      fleet.resetCounters();
      assert.equal((await connection.health()).failover, 'UNKNOWN');
      await connection.close();
      assert.deepEqual(fleet.counters(device.id), { login: 0, list: 0, delete: 0, other: 1 });
    });
  });

  it('reports a failed termination (500 SessionTerminationFailed) as an error for that id', async () => {
    await withAppliance(1, async (fleet, device, connection) => {
      const [session] = fleet.sessions(device.id);
      assert.ok(session);
      await connection.listSessions();
      fleet.setFault(device.id, 'http500');
      const report = await connection.killSessions([session.sessionId]);
      assert.deepEqual([report.accepted, report.missing], [[], []]);
      assert.match(report.errors[0]?.message ?? '', /HTTP 500: SessionTerminationFailed/);
    });
  });

  it('refuses a self-signed certificate when TLS verification is on', async () => {
    await withAppliance(
      0,
      async (_fleet, _device, connection) => {
        const error = await connection.listSessions().catch((failure: unknown) => failure);
        assert.ok(error instanceof ConnectorError && error.code === 'unreachable', String(error));
        assert.match(error.message, /certificate/i);
      },
      true,
    );
  });
});

// Connector conformance suite: every device connector must pass it against its vendor's lab device.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  type Connector,
  ConnectorError,
  type ConnectorErrorCode,
  type ConnectorOptions,
  type DeviceConnection,
  type DeviceEndpoint,
} from '../src/connectors/connector.js';

/** Faults every vendor's lab must be able to inject. */
export type ContractFault = 'none' | 'timeout' | 'http500' | 'silent_nonkill';

export interface LabSessionRecord {
  sessionId: string;
  user: string;
  clientIp: string;
}

export interface ContractHarness {
  connector: Connector;
  /** A healthy, ACTIVE device with at least one session; the credentials are valid. */
  endpoint: DeviceEndpoint;
  options: ConnectorOptions;
  /** An id in this vendor's format that the device does not have. */
  unknownSessionId: string;
  addSession(deviceId: string, session: { user: string; clientIp: string }): string;
  /** What the device really holds, read from the lab, not through the connector. */
  deviceSessions(deviceId: string): LabSessionRecord[];
  setFault(deviceId: string, fault: ContractFault): void;
  /** For vendors with login tokens; the token cases are skipped without it. */
  logins?: {
    count(deviceId: string): number;
    live(deviceId: string): number;
    revokeAll(deviceId: string): void;
    /** The vendor has no logout (SPS): close() leaves the login to idle out on the device. */
    noLogout?: true;
  };
  /** For vendors with HA clusters; the HA cases are skipped without it. */
  haPair?: { active: DeviceEndpoint; standby: DeviceEndpoint };
  teardown(): Promise<void>;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

async function rejectsWith(promise: Promise<unknown>, code: ConnectorErrorCode): Promise<ConnectorError> {
  const error = await promise.then(
    () => assert.fail(`expected ConnectorError ${code}, got success`),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ConnectorError, `expected ConnectorError ${code}, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return error;
}

export function connectorContract(name: string, setup: () => Promise<ContractHarness>): void {
  describe(`connector contract: ${name}`, () => {
    let lab: ContractHarness;
    const open: DeviceConnection[] = [];
    const connect = (endpoint?: Partial<DeviceEndpoint>, options?: Partial<ConnectorOptions>): DeviceConnection => {
      const connection = lab.connector.connect({ ...lab.endpoint, ...endpoint }, { ...lab.options, ...options });
      open.push(connection);
      return connection;
    };
    const deviceIds = (deviceId: string) => new Set(lab.deviceSessions(deviceId).map((session) => session.sessionId));

    before(async () => {
      lab = await setup();
    });
    afterEach(async () => {
      lab.setFault(lab.endpoint.id, 'none');
      await Promise.all(open.splice(0).map((connection) => connection.close()));
    });
    after(() => lab.teardown());

    it('lists what the device holds, with user, client address and protocol', async () => {
      const sessionId = lab.addSession(lab.endpoint.id, { user: 'contract-alice', clientIp: '10.200.0.7' });
      const listed = await connect().listSessions();
      const added = listed.find((session) => session.sessionId === sessionId);
      assert.ok(added, 'the added session is listed');
      assert.equal(added.user, 'contract-alice');
      assert.equal(added.clientIp, '10.200.0.7');
      assert.ok(added.protocol.length > 0);
      const expected = lab
        .deviceSessions(lab.endpoint.id)
        .map(({ sessionId: id, user, clientIp }) => ({ id, user, clientIp }));
      const actual = listed.map(({ sessionId: id, user, clientIp }) => ({ id, user, clientIp }));
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      assert.deepEqual(actual.sort(byId), expected.sort(byId));
    });

    it('kills sessions: accepted, gone from the device, gone from a re-list', async () => {
      const ids = ['contract-bob', 'contract-bob', 'contract-carol'].map((user, index) =>
        lab.addSession(lab.endpoint.id, { user, clientIp: `10.200.1.${index + 1}` }),
      );
      const connection = connect();
      const report = await connection.killSessions(ids);
      assert.deepEqual([...report.accepted].sort(), [...ids].sort());
      assert.deepEqual(report.missing, []);
      assert.deepEqual(report.errors, []);
      const remaining = deviceIds(lab.endpoint.id);
      for (const id of ids) assert.ok(!remaining.has(id), `${id} is gone from the device`);
      const relisted = new Set((await connection.listSessions()).map((session) => session.sessionId));
      for (const id of ids) assert.ok(!relisted.has(id), `${id} is gone from the re-list`);
    });

    it('reports an id the device does not have as missing', async () => {
      const report = await connect().killSessions([lab.unknownSessionId]);
      assert.deepEqual(report, { accepted: [], missing: [lab.unknownSessionId], errors: [] });
    });

    it('does nothing for an empty kill', async () => {
      assert.deepEqual(await connect().killSessions([]), { accepted: [], missing: [], errors: [] });
    });

    it('fails with auth_failed on a wrong password, for listing, killing and health', async () => {
      const connection = connect({ password: 'not-the-password' });
      const error = await rejectsWith(connection.listSessions(), 'auth_failed');
      assert.equal(error.transient, false);
      await rejectsWith(connection.killSessions([lab.unknownSessionId]), 'auth_failed');
      await rejectsWith(connection.health(), 'auth_failed');
    });

    it('fails with unreachable, transient, when nothing listens', async () => {
      const connection = connect({ port: await closedPort() });
      const error = await rejectsWith(connection.listSessions(), 'unreachable');
      assert.equal(error.transient, true);
      await rejectsWith(connection.killSessions([lab.unknownSessionId]), 'unreachable');
    });

    it('fails with timeout within about timeoutMs when the device never answers', async () => {
      const timeoutMs = 300;
      lab.setFault(lab.endpoint.id, 'timeout');
      const started = Date.now();
      const error = await rejectsWith(connect({}, { timeoutMs }).listSessions(), 'timeout');
      const elapsed = Date.now() - started;
      assert.equal(error.transient, true);
      assert.ok(elapsed >= timeoutMs * 0.9 && elapsed < timeoutMs * 3, `timed out after ${elapsed} ms`);
    });

    it('fails a kill on a device that stops answering as one device-wide timeout, not one per session', async () => {
      const timeoutMs = 300;
      const ids = Array.from({ length: 40 }, (_, index) =>
        lab.addSession(lab.endpoint.id, { user: 'contract-dan', clientIp: `10.200.2.${index + 1}` }),
      );
      const connection = connect({}, { timeoutMs, perDeviceConcurrency: 4 });
      await connection.listSessions();
      lab.setFault(lab.endpoint.id, 'timeout');
      const started = Date.now();
      await rejectsWith(connection.killSessions(ids), 'timeout');
      assert.ok(Date.now() - started < timeoutMs * 4, `gave up after ${Date.now() - started} ms`);
      lab.setFault(lab.endpoint.id, 'none');
      assert.equal((await connect().killSessions(ids)).accepted.length, ids.length);
    });

    it('fails with a transient device_error carrying the status on HTTP 500', async () => {
      lab.setFault(lab.endpoint.id, 'http500');
      const error = await rejectsWith(connect().listSessions(), 'device_error');
      assert.equal(error.status, 500);
      assert.equal(error.transient, true);
    });

    it('reports what the device claims: a silently failed kill is accepted and still listed', async () => {
      const sessionId = lab.addSession(lab.endpoint.id, { user: 'contract-erin', clientIp: '10.200.3.1' });
      lab.setFault(lab.endpoint.id, 'silent_nonkill');
      const connection = connect();
      const report = await connection.killSessions([sessionId]);
      assert.deepEqual(report.accepted, [sessionId]);
      assert.ok(deviceIds(lab.endpoint.id).has(sessionId), 'the device still has it');
      const relisted = await connection.listSessions();
      assert.ok(
        relisted.some((session) => session.sessionId === sessionId),
        'the re-list still shows it',
      );
    });

    it('logs in once for many calls, including concurrent first calls, and logs out on close if it can', async (t) => {
      const logins = lab.logins;
      if (!logins) return t.skip('this vendor has no login tokens');
      const id = lab.endpoint.id;
      const [loginsBefore, liveBefore] = [logins.count(id), logins.live(id)];
      const connection = connect();
      await Promise.all([connection.listSessions(), connection.listSessions(), connection.health()]);
      await connection.killSessions([lab.unknownSessionId]);
      await connection.listSessions();
      assert.equal(logins.count(id) - loginsBefore, 1);
      assert.equal(logins.live(id), liveBefore + 1);
      await connection.close();
      assert.equal(logins.live(id), liveBefore + (logins.noLogout ? 1 : 0));
    });

    it('logs in again once when the device drops its token', async (t) => {
      const logins = lab.logins;
      if (!logins) return t.skip('this vendor has no login tokens');
      const id = lab.endpoint.id;
      const loginsBefore = logins.count(id);
      const connection = connect();
      await connection.listSessions();
      logins.revokeAll(id);
      await connection.listSessions();
      assert.equal(logins.count(id) - loginsBefore, 2);
    });

    it('lists nothing on the STANDBY unit of a cluster, and health tells the units apart', async (t) => {
      const pair = lab.haPair;
      if (!pair) return t.skip('this vendor has no HA clusters');
      const sessionId = lab.addSession(pair.active.id, { user: 'contract-frank', clientIp: '10.200.4.1' });
      const active = connect(pair.active);
      const standby = connect(pair.standby);
      assert.equal((await active.health()).failover, 'ACTIVE');
      assert.equal((await standby.health()).failover, 'STANDBY');
      assert.ok((await active.listSessions()).some((session) => session.sessionId === sessionId));
      assert.deepEqual(await standby.listSessions(), []);
    });
  });
}

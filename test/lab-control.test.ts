// The lab control API (/lab/…) on emulated BIG-IP units and SPS appliances, over real HTTPS: logins that show up in the
// device's own listing, faults and latency that reach device paths but never /lab paths, 400s for bad bodies, the
// loopback-only rule; and `curfew lab --sps` running a mixed fleet in its own process, written out for import.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { type LabDeviceInfo, LabFleet } from '../lab/bigip/emulator.js';
import { type ControlTarget, isLoopback, serveControl } from '../lab/control.js';
import { type SpsLabDeviceInfo, SpsLabFleet } from '../lab/sps/emulator.js';
import { openStore } from '../src/store/open-store.js';

const PASSWORD = 'lab-control-secret';
const BASIC = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

interface CallOptions {
  json?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const agent = new Agent({ connect: { rejectUnauthorized: false } });

async function call(
  device: { address: string; port: number },
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const body = options.rawBody ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const headers = { ...options.headers, ...(body !== undefined && { 'content-type': 'application/json' }) };
  const response = await request(`https://${device.address}:${device.port}${path}`, {
    method: method as 'GET',
    headers,
    body,
    dispatcher: agent,
    signal: options.signal,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const labSessions = async (device: { address: string; port: number }) => {
  const answer = await call(device, 'GET', '/lab/sessions');
  assert.equal(answer.status, 200);
  return answer.body.items as { sessionId: string; user: string; clientIp: string }[];
};

function assertBadRequest(answer: Answer, what: string): void {
  assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
  assert.deepEqual(Object.keys(answer.body), ['error'], what);
  assert.equal(typeof answer.body.error, 'string', what);
}

after(() => agent.close());

describe('lab control API on emulated BIG-IP units', () => {
  let fleet: LabFleet;
  // cluster-1 = 0 (ACTIVE) + 1 (STANDBY), device 2 standalone.
  let devices: LabDeviceInfo[];
  const at = (index: number) => devices[index] as LabDeviceInfo;

  before(async () => {
    fleet = await LabFleet.start({ devices: 3, sessionsPerDevice: 2, users: 2, password: PASSWORD, seed: 11 });
    devices = fleet.devices;
  });
  after(() => fleet.stop());

  const accessInfo = async (device: LabDeviceInfo) => {
    const login = await call(device, 'POST', '/mgmt/shared/authn/login', {
      json: { username: 'admin', password: PASSWORD, loginProviderName: 'tmos' },
    });
    assert.equal(login.status, 200);
    const listed = await call(device, 'GET', '/mgmt/tm/apm/access-info', {
      headers: { 'x-f5-auth-token': login.body.token.token },
    });
    assert.equal(listed.status, 200);
    return (listed.body.entries ?? {}) as Record<string, { nestedStats: { entries: Record<string, unknown> } }>;
  };

  it('logs a user in: the session shows in access-info and in GET /lab/sessions', async () => {
    const created = await call(at(2), 'POST', '/lab/sessions', { json: { user: 'alice', clientIp: '10.9.8.7' } });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body), ['sessionId']);
    const { sessionId } = created.body;
    assert.match(sessionId, /^[0-9a-f]{8}$/);
    const entry = (await accessInfo(at(2)))[`https://localhost/mgmt/tm/apm/access-info/${sessionId}`];
    assert.deepEqual(entry?.nestedStats.entries, {
      clientIp: { description: '10.9.8.7' },
      logonUser: { description: 'alice' },
    });
    const items = await labSessions(at(2));
    assert.deepEqual(items, fleet.sessions(at(2).id));
    assert.deepEqual(
      items.find((item) => item.sessionId === sessionId),
      { sessionId, user: 'alice', clientIp: '10.9.8.7' },
    );
  });

  it('adds a login on the STANDBY unit to the sessions the pair shares', async () => {
    const created = await call(at(1), 'POST', '/lab/sessions', { json: { user: 'bob', clientIp: '10.1.1.1' } });
    assert.equal(created.status, 201);
    const key = `https://localhost/mgmt/tm/apm/access-info/${created.body.sessionId}`;
    assert.ok((await accessInfo(at(0)))[key], 'the ACTIVE unit lists it');
    assert.deepEqual(await labSessions(at(1)), [], 'a STANDBY unit serves no session');
    assert.ok((await labSessions(at(0))).some((item) => item.sessionId === created.body.sessionId));
  });

  it('takes a chosen session id, picks a synthetic client address, and refuses an id in use', async () => {
    const created = await call(at(2), 'POST', '/lab/sessions', { json: { user: 'carol', sessionId: 'deadbeef' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.sessionId, 'deadbeef');
    const item = (await labSessions(at(2))).find((session) => session.sessionId === 'deadbeef');
    assert.equal(isIP(item?.clientIp ?? ''), 4);
    const again = await call(at(2), 'POST', '/lab/sessions', { json: { user: 'carol', sessionId: 'deadbeef' } });
    assert.equal(again.status, 409);
    assert.equal(typeof again.body.error, 'string');
  });

  it('answers bad bodies with 400 and a JSON error, unknown paths with 404 and other methods with 405', async () => {
    const bad: [string, CallOptions][] = [
      ['no body', {}],
      ['not JSON', { rawBody: '{"user":' }],
      ['an array', { json: ['alice'] }],
      ['no user', { json: { clientIp: '10.0.0.1' } }],
      ['empty user', { json: { user: '' } }],
      ['numeric user', { json: { user: 7 } }],
      ['bad clientIp', { json: { user: 'a', clientIp: 'somewhere' } }],
      ['unknown key', { json: { user: 'a', username: 'a' } }],
      ['non-APM session id', { json: { user: 'a', sessionId: 'svc/x/y:1' } }],
    ];
    for (const [what, options] of bad) assertBadRequest(await call(at(2), 'POST', '/lab/sessions', options), what);
    const badFaults: [string, unknown][] = [
      ['unknown fault', { fault: 'meltdown' }],
      ['no fault', { rate: 0.5 }],
      ['rate above 1', { fault: 'http500', rate: 1.5 }],
      ['negative rate', { fault: 'http500', rate: -0.1 }],
      ['string rate', { fault: 'http500', rate: '0.5' }],
      ['fractional seed', { fault: 'http500', seed: 1.5 }],
    ];
    for (const [what, json] of badFaults) assertBadRequest(await call(at(2), 'POST', '/lab/faults', { json }), what);
    assertBadRequest(await call(at(2), 'POST', '/lab/latency', { json: { ms: -1 } }), 'negative latency');
    assert.deepEqual((await call(at(2), 'GET', '/lab/faults')).body, { fault: 'none', rate: 1 });
    assert.equal((await call(at(2), 'GET', '/lab/nothing')).status, 404);
    const wrong = await call(at(2), 'PUT', '/lab/sessions', { json: {} });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'GET, POST');
  });

  it('applies a fault at a rate to device paths, not to /lab paths, until DELETE /lab/faults', async () => {
    const set = await call(at(2), 'POST', '/lab/faults', { json: { fault: 'http500', rate: 0.5, seed: 3 } });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { fault: 'http500', rate: 0.5 });
    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      statuses.push((await call(at(2), 'GET', '/mgmt/tm/sys/version', { headers: { authorization: BASIC } })).status);
      assert.equal((await call(at(2), 'GET', '/lab/sessions')).status, 200);
    }
    const failed = statuses.filter((status) => status === 500).length;
    assert.ok(failed > 0 && failed < 20, `${failed} of 20 failed`);
    assert.deepEqual((await call(at(2), 'GET', '/lab/faults')).body, { fault: 'http500', rate: 0.5 });
    const cleared = await call(at(2), 'DELETE', '/lab/faults');
    assert.equal(cleared.status, 200);
    assert.deepEqual(cleared.body, { fault: 'none', rate: 1 });
    assert.equal((await call(at(2), 'GET', '/mgmt/tm/sys/version', { headers: { authorization: BASIC } })).status, 200);
  });

  it('still answers /lab paths under timeout and reset faults, so a test can clear them', async () => {
    const version = (signal?: AbortSignal) =>
      call(at(2), 'GET', '/mgmt/tm/sys/version', { headers: { authorization: BASIC }, signal });
    assert.equal((await call(at(2), 'POST', '/lab/faults', { json: { fault: 'timeout' } })).status, 200);
    await assert.rejects(version(AbortSignal.timeout(300)));
    assert.equal((await call(at(2), 'POST', '/lab/faults', { json: { fault: 'reset' } })).status, 200);
    await assert.rejects(version());
    assert.equal((await call(at(2), 'POST', '/lab/sessions', { json: { user: 'dave' } })).status, 201);
    assert.equal((await call(at(2), 'DELETE', '/lab/faults')).status, 200);
    assert.equal((await version()).status, 200);
  });

  it('sets latency for device paths only, and leaves the request counters alone', async () => {
    fleet.resetCounters();
    assert.deepEqual((await call(at(2), 'POST', '/lab/latency', { json: { ms: 2_000 } })).body, { ms: 2_000 });
    const started = Date.now();
    assert.deepEqual((await call(at(2), 'GET', '/lab/latency')).body, { ms: 2_000 });
    assert.ok(Date.now() - started < 2_000, 'a /lab answer is not delayed');
    assert.equal((await call(at(2), 'POST', '/lab/latency', { json: { ms: 100 } })).status, 200);
    const timed = Date.now();
    await call(at(2), 'GET', '/mgmt/tm/sys/version', { headers: { authorization: BASIC } });
    assert.ok(Date.now() - timed >= 95, 'a device answer is');
    assert.equal((await call(at(2), 'POST', '/lab/latency', { json: { ms: 0 } })).status, 200);
    assert.deepEqual(fleet.counters(at(2).id), {
      login: 0,
      list: 0,
      delete: 0,
      failover: 0,
      tokenDelete: 0,
      dataGroup: 0,
      other: 1,
    });
  });
});

describe('lab control API on emulated SPS appliances', () => {
  let fleet: SpsLabFleet;
  let device: SpsLabDeviceInfo;

  before(async () => {
    fleet = await SpsLabFleet.start({ devices: 1, sessionsPerDevice: 2, password: PASSWORD, seed: 13 });
    device = fleet.devices[0] as SpsLabDeviceInfo;
  });
  after(() => fleet.stop());

  /** Active sessions as the appliance's REST API shows them: `[session id, gateway user, client ip]`. */
  const restSessions = async () => {
    const fields = 'recording.session_id,user.gateway_username,client.ip';
    const listed = await call(device, 'GET', `/api/audit/sessions?q=active:true&fields=${fields}`, {
      headers: { authorization: BASIC },
    });
    assert.equal(listed.status, 200);
    // biome-ignore lint/suspicious/noExplicitAny: REST listing items
    return listed.body.items.map(({ body }: any) => [
      body.recording.session_id,
      body.user.gateway_username,
      body.client.ip,
    ]);
  };

  it('logs a user in: an active svc/… session in the REST listing and in GET /lab/sessions', async () => {
    const created = await call(device, 'POST', '/lab/sessions', { json: { user: 'erin', clientIp: '10.2.3.4' } });
    assert.equal(created.status, 201);
    const { sessionId } = created.body;
    assert.match(sessionId, /^svc\/[1-9A-HJ-NP-Za-km-z]{22}\/ssh-servers:\d+$/);
    assert.deepEqual(
      (await restSessions()).find(([id]: string[]) => id === sessionId),
      [sessionId, 'erin', '10.2.3.4'],
    );
    const items = await labSessions(device);
    assert.deepEqual(
      items,
      (await restSessions()).map(([id, user, clientIp]: string[]) => ({ sessionId: id, user, clientIp })),
    );
  });

  it('takes a chosen svc/… id, refuses one in use or of another form, and forgets a terminated session', async () => {
    const sessionId = 'svc/Lab0Control1Key/rdp-servers:7';
    const created = await call(device, 'POST', '/lab/sessions', { json: { user: 'frank', sessionId } });
    assert.deepEqual([created.status, created.body], [201, { sessionId }]);
    assert.equal((await call(device, 'POST', '/lab/sessions', { json: { user: 'x', sessionId } })).status, 409);
    assertBadRequest(
      await call(device, 'POST', '/lab/sessions', { json: { user: 'x', sessionId: 'deadbeef' } }),
      'APM id',
    );
    const ended = await call(device, 'DELETE', `/api/active-sessions?id=${encodeURIComponent(sessionId)}`, {
      headers: { authorization: BASIC },
    });
    assert.equal(ended.status, 200);
    assert.ok(!(await labSessions(device)).some((item) => item.sessionId === sessionId));
  });

  it('applies auth_fail to device paths but not to /lab paths, until cleared', async () => {
    const login = () => call(device, 'GET', '/api/authentication', { headers: { authorization: BASIC } });
    const set = await call(device, 'POST', '/lab/faults', { json: { fault: 'auth_fail', rate: 1 } });
    assert.deepEqual([set.status, set.body], [200, { fault: 'auth_fail', rate: 1 }]);
    assert.equal((await login()).status, 401);
    assert.equal((await call(device, 'POST', '/lab/sessions', { json: { user: 'gina' } })).status, 201);
    assert.equal((await call(device, 'DELETE', '/lab/faults')).status, 200);
    assert.equal((await login()).status, 200);
    assertBadRequest(await call(device, 'POST', '/lab/faults', { json: { fault: 'http500', rate: 2 } }), 'rate 2');
  });
});

describe('lab control API loopback rule', () => {
  it('accepts 127.0.0.0/8 and ::1, also IPv4-mapped, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.200.3.4', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:7f00:1'])
      assert.equal(isLoopback(address), true, address);
    for (const address of [
      '10.0.0.1',
      '128.0.0.1',
      '::ffff:10.0.0.1',
      '::2',
      '::',
      'fe80::1',
      'localhost',
      '',
      undefined,
    ])
      assert.equal(isLoopback(address), false, String(address));
  });

  it('refuses a non-loopback peer with 403 before touching the device', () => {
    let added = 0;
    const target = {
      device: { latencyMs: 0 },
      addSession: () => String(++added),
      sessions: () => [],
    } as unknown as ControlTarget;
    const reply: { status?: number; body?: string } = {};
    const req = { socket: { remoteAddress: '192.0.2.10' }, method: 'POST', resume: () => undefined };
    const res = {
      destroyed: false,
      headersSent: false,
      writeHead: (status: number) => Object.assign(reply, { status }),
      end: (body: string) => Object.assign(reply, { body }),
    };
    serveControl(target, req as unknown as IncomingMessage, res as unknown as ServerResponse, '/lab/sessions');
    assert.equal(reply.status, 403);
    assert.equal(typeof JSON.parse(reply.body ?? '').error, 'string');
    assert.equal(added, 0);
  });
});

/** `curfew` from source (test/support/curfew-cli.ts), with stdout collected; resolves when `ready` matches it. */
function curfew(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/curfew-cli.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('curfew lab with --sps', () => {
  let dir: string;
  let lab: ChildProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'curfew-lab-control-'));
  });
  after(async () => {
    if (lab && lab.exitCode === null && lab.signalCode === null) {
      lab.kill('SIGKILL');
      await exited(lab);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a mixed fleet in its own process and writes a file `curfew devices import` takes', async () => {
    const file = join(dir, 'f.json');
    // No synthetic sessions: then the BIG-IP and SPS generators once gave the first unit and appliance one machine id.
    const run = curfew(['lab', '--devices', '2', '--sps', '1', '--sessions', '0', '--out', file]);
    lab = run.child;
    await until(() => run.output().includes(' up '), 'the lab to come up');
    const lines = run.output().trim().split('\n');
    assert.equal(lines.length, 4, run.output());
    assert.match(lines[2] ?? '', /^\S+ {2}https:\/\/127\.0\.0\.1:\d+ {2}sps-1\.lab\.local {2}- SPS {2}group-1$/);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(
      written.devices.map((d: Record<string, unknown>) => [d.hostname, d.kind, d.username, d.cluster, d.verifyTls]),
      [
        ['bigip-1.lab.local', 'bigip', 'admin', 'cluster-1', false],
        ['bigip-2.lab.local', 'bigip', 'admin', 'cluster-1', false],
        ['sps-1.lab.local', 'sps', 'admin', null, false],
      ],
    );
    const sps = written.devices[2];
    assert.equal((await call(sps, 'POST', '/lab/sessions', { json: { user: 'henry' } })).status, 201);
    assert.ok((await labSessions(sps)).some((item) => item.user === 'henry'));

    const dataDir = join(dir, 'data');
    const imported = curfew(['devices', 'import', file, '--data-dir', dataDir], { CURFEW_DEVICE_PASSWORD: 'admin' });
    assert.equal(await exited(imported.child), 0);
    assert.equal(imported.output(), 'imported 3 devices\n');
    const store = await openStore({ dataDir });
    try {
      const stored = await store.listDevices();
      assert.deepEqual(
        stored.map((d) => [d.id, d.kind, d.port]).sort(),
        written.devices.map((d: Record<string, unknown>) => [d.id, d.kind, d.port]).sort(),
      );
    } finally {
      await store.close();
    }

    lab.kill('SIGTERM');
    assert.equal(await exited(lab), 0);
  });
});

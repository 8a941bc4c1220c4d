// End-to-end pieces: a lab fleet in its own process (`curfew lab`), a node in its own process (`curfew serve`) on a
// data dir its devices were imported into (`curfew devices import`), and HTTPS clients for both.
import './fast-hashing.js';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const CLI = ['--import', 'tsx', 'test/support/curfew-cli.ts'];
export const ADMIN_PASSWORD = 'e2e-admin-password-1';
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

export interface LabDeviceEntry {
  id: string;
  hostname: string;
  port: number;
  kind: 'bigip' | 'sps';
  cluster: string | null;
  failover?: string;
}

export interface JsonReply {
  status: number;
  body: unknown;
}

export async function https(
  url: string,
  method: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonReply> {
  const response = await request(url, {
    method: method as 'GET',
    dispatcher: insecure,
    headers: { ...(options.body !== undefined && { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Resolves with the first stdout line matching `pattern`; rejects when the child exits first or time runs out. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms: ${seen}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) finish(undefined, match);
    };
    const onExit = (code: number | null) => finish(new Error(`exited (${code}) before ${pattern}: ${seen}`));
    function finish(error?: Error, match?: RegExpMatchArray) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(match as RegExpMatchArray);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`: a test never waits on a stuck child. */
async function terminate(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Spawns the CLI from source; a child that fails to come up is killed before the error is thrown. */
async function spawnUntil(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs: number) {
  const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  try {
    return { child, match: await waitForLine(child, ready, timeoutMs) };
  } catch (err) {
    child.kill('SIGKILL');
    await exited(child);
    throw err;
  }
}

export interface LabProcess {
  devices: LabDeviceEntry[];
  fleetFile: string;
  url(device: LabDeviceEntry, path: string): string;
  stop(): Promise<void>;
}

export async function startLabProcess(options: {
  devices: number;
  sps?: number;
  sessions: number;
  latencyMs?: number;
}): Promise<LabProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'curfew-lab-'));
  const fleetFile = join(dir, 'fleet.json');
  const args = ['lab', '--devices', String(options.devices), '--sps', String(options.sps ?? 0)];
  args.push('--sessions', String(options.sessions), '--latency', String(options.latencyMs ?? 0), '--out', fleetFile);
  const { child } = await spawnUntil(args, { ...process.env, CURFEW_LAB_PASSWORD: 'admin' }, /appliances up/, 60_000);
  const devices = (JSON.parse(readFileSync(fleetFile, 'utf8')) as { devices: LabDeviceEntry[] }).devices;
  return {
    devices,
    fleetFile,
    url: (device, path) => `https://127.0.0.1:${device.port}${path}`,
    async stop() {
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The lab control API of one device (docs/lab.md). */
export function labControl(lab: LabProcess, device: LabDeviceEntry) {
  const url = (path: string) => lab.url(device, path);
  return {
    async login(user: string, clientIp = '203.0.113.9'): Promise<string> {
      const reply = await https(url('/lab/sessions'), 'POST', { body: { user, clientIp } });
      if (reply.status !== 201) throw new Error(`lab login on ${device.hostname}: ${reply.status}`);
      return (reply.body as { sessionId: string }).sessionId;
    },
    /** A logon attempt as the device answers it (401 `{"denied":"curfew"}` when its access policy refuses the user). */
    logon(user: string, clientIp = '203.0.113.9'): Promise<JsonReply> {
      return https(url('/lab/sessions'), 'POST', { body: { user, clientIp } });
    },
    async policy(installed: boolean): Promise<void> {
      const reply = await https(url('/lab/policy'), 'PUT', { body: { installed } });
      if (reply.status !== 200) throw new Error(`lab policy on ${device.hostname}: ${reply.status}`);
    },
    /** The names in the device's deny list, read over iControl REST as an admin would ([] when it has none). */
    async denied(path = '~Common~curfew_denied_users'): Promise<string[]> {
      const basic = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
      const reply = await https(url(`/mgmt/tm/ltm/data-group/internal/${path}`), 'GET', {
        headers: { authorization: basic },
      });
      if (reply.status === 404) return [];
      const records = (reply.body as { records?: { name: string }[] }).records ?? [];
      return records.map((r) => r.name);
    },
    async sessions(): Promise<{ sessionId: string; user: string }[]> {
      return ((await https(url('/lab/sessions'), 'GET')).body as { items: { sessionId: string; user: string }[] })
        .items;
    },
    async fault(fault: string, rate = 1, seed?: number): Promise<void> {
      const reply = await https(url('/lab/faults'), 'POST', {
        body: { fault, rate, ...(seed !== undefined && { seed }) },
      });
      if (reply.status !== 200) throw new Error(`lab fault on ${device.hostname}: ${reply.status}`);
    },
    async clearFault(): Promise<void> {
      await https(url('/lab/faults'), 'DELETE');
    },
  };
}

/** A data dir with the lab's devices imported, as an operator would do it. */
export function importedDataDir(lab: LabProcess): { dataDir: string; remove(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'curfew-e2e-node-'));
  const result = spawnSync(process.execPath, [...CLI, 'devices', 'import', lab.fleetFile, '--data-dir', dataDir], {
    env: { ...process.env, CURFEW_DEVICE_PASSWORD: 'admin' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`devices import failed: ${result.stderr}`);
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  crash(): Promise<void>;
}

export async function startNodeProcess(
  dataDir: string,
  syncIntervalSec = 3600,
  extraArgs: readonly string[] = [],
): Promise<NodeProcess> {
  const args = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--sync-interval', String(syncIntervalSec)];
  args.push(...extraArgs);
  args.push('--device-timeout', '2');
  const env = { ...process.env, CURFEW_ADMIN_PASSWORD: ADMIN_PASSWORD };
  const { child, match } = await spawnUntil(
    [...args, '--log-level', 'warn'],
    env,
    /serving at (https:\/\/\S+\/)/,
    90_000,
  );
  const [, url] = match;
  return {
    url: (url as string).replace(/\/$/, ''),
    child,
    stop: () => terminate(child),
    async crash() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/** BIG-IQ API client of a node: token login once, then kill tasks. */
export async function bigiqClient(node: { url: string }) {
  const login = await https(`${node.url}/mgmt/shared/authn/login`, 'POST', {
    body: { username: 'admin', password: ADMIN_PASSWORD },
  });
  const token = (login.body as { token: { token: string } }).token.token;
  const headers = { 'x-f5-auth-token': token };
  return {
    headers,
    async kill(body: Record<string, unknown>): Promise<string> {
      const reply = await https(`${node.url}/mgmt/cm/access/tasks/kill-sessions`, 'POST', { body, headers });
      if (reply.status !== 202) throw new Error(`kill POST: ${reply.status} ${JSON.stringify(reply.body)}`);
      return (reply.body as { id: string }).id;
    },
    task: async (id: string) =>
      (await https(`${node.url}/mgmt/cm/access/tasks/kill-sessions/${id}`, 'GET', { headers })).body as KillTaskView,
  };
}

export interface DeviceResultView {
  host: string;
  status: string;
  killedIds: string[];
  notFoundIds: string[];
  failedIds: string[];
  errorCode?: string;
  errorMessage?: string;
}

export interface KillTaskView {
  status: string;
  result: string;
  errorMessage?: string;
  resultDetails?: { host: string; failedIds: string[]; reason?: string }[];
  deviceResults: DeviceResultView[];
}

export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const isFinalStatus = (status: string): boolean => ['FINISHED', 'FAILED', 'CANCELED'].includes(status);

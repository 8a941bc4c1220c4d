// client: the kill as an operator's script sees it. The lab runs in its own process (`curfew lab`), the devices are
// imported with `curfew devices import`, the node is `curfew serve` in its own process, and every kill is a BIG-IQ
// POST followed by polling the task over HTTPS until it is final; afterwards every device is asked (lab control API)
// whether the user is really gone. Three moments: soon after start (first sync not done), first kill after the first
// sync, warm kills (median of 4).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { Agent, request } from 'undici';
import { machine, ms, percentile, table } from './support.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100,1000' },
    latency: { type: 'string', default: '50' },
    sessions: { type: 'string', default: '5' },
    warm: { type: 'string', default: '4' },
  },
});
const LATENCY = Number(values.latency);
const FLOOR = 3 * LATENCY;
const PASSWORD = 'bench-admin-password';
const VICTIM = 'mallory';
const BIN = new URL('../bin/curfew.js', import.meta.url).pathname;
const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: 64 });

interface LabDevice {
  id: string;
  port: number;
  failover: string;
}

async function http(url: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: method as 'GET',
    dispatcher: agent,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${seen}`)));
  });
}

const curfew = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** One victim session on every device that serves sessions. */
async function seedVictims(active: readonly LabDevice[]): Promise<void> {
  const limit = pLimit(64);
  await Promise.all(
    active.map((d) =>
      limit(() => http(`https://127.0.0.1:${d.port}/lab/sessions`, 'POST', { user: VICTIM, clientIp: '203.0.113.7' })),
    ),
  );
}

async function victimsLeft(active: readonly LabDevice[]): Promise<number> {
  const limit = pLimit(64);
  const counts = await Promise.all(
    active.map((d) =>
      limit(async () => {
        const { body } = await http(`https://127.0.0.1:${d.port}/lab/sessions`, 'GET');
        return (body.items as { user: string }[]).filter((s) => s.user === VICTIM).length;
      }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** POST → FINISHED by polling, as a client sees it; then the devices' truth. */
async function timedKill(url: string, token: string, active: readonly LabDevice[]): Promise<number> {
  const headers = { 'x-f5-auth-token': token };
  const t0 = performance.now();
  const posted = await http(
    `${url}/mgmt/cm/access/tasks/kill-sessions`,
    'POST',
    { action: 'KILL_BY_USER', userName: VICTIM, fleet: true },
    headers,
  );
  if (posted.status !== 202) throw new Error(`POST ${posted.status}: ${JSON.stringify(posted.body)}`);
  for (;;) {
    const { body } = await http(
      `${url}/mgmt/cm/access/tasks/kill-sessions/${posted.body.id}`,
      'GET',
      undefined,
      headers,
    );
    if (['FINISHED', 'FAILED', 'CANCELED'].includes(String(body.status))) {
      const elapsed = performance.now() - t0;
      if (body.status !== 'FINISHED') throw new Error(`task ${body.status}: ${body.errorMessage}`);
      const left = await victimsLeft(active);
      if (left !== 0) throw new Error(`${left} victim sessions left on the devices`);
      return elapsed;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function scenario(deviceCount: number): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'curfew-bench-client-'));
  const fleetFile = join(dir, 'fleet.json');
  const lab = curfew(
    [
      'lab',
      '--devices',
      String(deviceCount),
      '--sessions',
      String(values.sessions),
      '--latency',
      String(LATENCY),
      '--out',
      fleetFile,
    ],
    { CURFEW_LAB_PASSWORD: 'admin' },
  );
  let node: ChildProcess | undefined;
  try {
    await waitForLine(lab, /appliances up/);
    const devices = (JSON.parse(readFileSync(fleetFile, 'utf8')) as { devices: LabDevice[] }).devices;
    const active = devices.filter((d) => d.failover !== 'STANDBY');
    const dataDir = join(dir, 'data');
    const imported = spawnSync(process.execPath, [BIN, 'devices', 'import', fleetFile, '--data-dir', dataDir], {
      env: { ...process.env, CURFEW_DEVICE_PASSWORD: 'admin' },
    });
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
    await seedVictims(active);
    node = curfew(['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
      CURFEW_ADMIN_PASSWORD: PASSWORD,
    });
    const [, base] = await waitForLine(node, /serving at (https:\/\/\S+)\//);
    const url = base as string;
    const login = await http(`${url}/mgmt/shared/authn/login`, 'POST', { username: 'admin', password: PASSWORD });
    const token = (login.body.token as { token: string }).token;
    const soon = await timedKill(url, token, active);
    await waitForFirstSync(url, active.length);
    await seedVictims(active);
    const first = await timedKill(url, token, active);
    const warm: number[] = [];
    for (let i = 0; i < Number(values.warm); i++) {
      await seedVictims(active);
      warm.push(await timedKill(url, token, active));
    }
    const median = percentile(warm, 50);
    return {
      devices: deviceCount,
      'soon after start': `${ms(soon)} (${(soon / FLOOR).toFixed(2)}×)`,
      'first after sync': `${ms(first)} (${(first / FLOOR).toFixed(2)}×)`,
      [`warm (median of ${warm.length})`]: `${ms(median)} (${(median / FLOOR).toFixed(2)}×)`,
    };
  } finally {
    if (node) await stop(node);
    await stop(lab);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first sync is done when the inventory holds sessions of every device that serves sessions. */
async function waitForFirstSync(url: string, activeCount: number): Promise<void> {
  const auth = { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };
  for (;;) {
    const { body } = await http(
      `${url}/api/audit/sessions/stats?field=device&size=1&q=active:true`,
      'GET',
      undefined,
      auth,
    );
    if (Number(body.distinct) >= activeCount) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const rows: Record<string, string | number>[] = [];
for (const d of String(values.devices).split(',').map(Number)) rows.push(await scenario(d));
console.log(`\nclient — KILL_BY_USER "fleet": true through the BIG-IQ API, POST → FINISHED by polling over HTTPS;`);
console.log(
  `lab (curfew lab, ${LATENCY} ms per response) and node (curfew serve) in their own processes; floor ${ms(FLOOR)}; ${machine()}`,
);
console.log(`command: npm run bench -- client ${process.argv.slice(2).join(' ')}\n`);
console.log(table(rows));

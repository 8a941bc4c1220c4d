// api: autocannon against curfew's read paths — a task, the task collection ($top=50), an SPS session search — each
// beside bare Fastify answering the same bytes over the same TLS, in the same run. Both servers run in their own
// processes; the load generator runs here.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { machine, table } from './support.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    tasks: { type: 'string', default: '200' },
  },
});
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
const PORT = 18600;
const BARE_PORT = 18601;
const BASE = `https://127.0.0.1:${PORT}`;
const PASSWORD = 'bench-admin-pw';

async function waitFor200(url: string, headers: Record<string, string> = {}) {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await request(url, { dispatcher, headers });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never answered 200`);
}

async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) {
  const res = await request(`${BASE}${path}`, {
    method,
    dispatcher,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    status: res.statusCode,
    contentType: String(res.headers['content-type']),
    text: await res.body.text(),
    headers: res.headers,
  };
}

function load(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, headers, connections: Number(values.connections), duration: Number(values.duration) });
}

const dir = mkdtempSync(join(tmpdir(), 'curfew-api-bench-'));
const children: ChildProcess[] = [];
try {
  const server = spawn(
    process.execPath,
    [
      'bin/curfew.js',
      'serve',
      '--data-dir',
      dir,
      '--listen',
      `127.0.0.1:${PORT}`,
      '--lab',
      '20',
      '--lab-sessions',
      '200',
      '--log-level',
      'warn',
      '--sync-interval',
      '0',
    ],
    {
      stdio: 'ignore',
      env: { ...process.env, CURFEW_ADMIN_PASSWORD: PASSWORD },
    },
  );
  children.push(server);
  await waitFor200(`${BASE}/healthz`);
  const login = await call('POST', '/mgmt/shared/authn/login', {}, { username: 'admin', password: PASSWORD });
  const token = (JSON.parse(login.text) as { token: { token: string } }).token.token;
  const bigiq = { 'x-f5-auth-token': token };
  let taskId = '';
  for (let i = 0; i < Number(values.tasks); i++) {
    const created = await call('POST', '/mgmt/cm/access/tasks/kill-sessions', bigiq, {
      action: 'KILL_BY_USER',
      userName: `nobody${i}`,
      accessGroupNames: ['group-1'],
    });
    taskId = (JSON.parse(created.text) as { id: string }).id;
  }
  const spsLogin = await call('GET', '/api/authentication', {
    authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`,
  });
  const cookie = String([spsLogin.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
  const sps = { cookie };
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const cases = [
    { name: 'GET a task', path: `/mgmt/cm/access/tasks/kill-sessions/${taskId}`, headers: bigiq },
    { name: 'GET tasks $top=50', path: '/mgmt/cm/access/tasks/kill-sessions?$top=50', headers: bigiq },
    {
      name: 'GET /api/audit/sessions?q=user:user7',
      path: '/api/audit/sessions?q=user:user7&fields=user,client,start_time',
      headers: sps,
    },
  ];
  const fixtures = [];
  for (const c of cases) {
    const res = await call('GET', c.path, c.headers);
    if (res.status !== 200) throw new Error(`${c.path}: ${res.status} ${res.text.slice(0, 200)}`);
    fixtures.push({ path: c.path, contentType: res.contentType, body: res.text });
  }
  writeFileSync(join(dir, 'fixtures.json'), JSON.stringify(fixtures));
  const bare = fork(
    new URL('./bare-server.ts', import.meta.url),
    [join(dir, 'fixtures.json'), join(dir, 'tls/cert.pem'), join(dir, 'tls/key.pem'), String(BARE_PORT)],
    { execArgv: ['--import', 'tsx'], stdio: 'inherit' },
  );
  children.push(bare);
  await new Promise((resolve) => bare.once('message', resolve));

  const rows = [];
  for (const [i, c] of cases.entries()) {
    const ours = await load(`${BASE}${c.path}`, c.headers);
    const theirs = await load(`https://127.0.0.1:${BARE_PORT}${c.path}`, {});
    const ratio = ours.requests.average / theirs.requests.average;
    rows.push({
      endpoint: c.name,
      bytes: fixtures[i]?.body.length ?? 0,
      'curfew req/s': ours.requests.average.toFixed(0),
      'curfew p99': `${ours.latency.p99} ms`,
      'bare req/s': theirs.requests.average.toFixed(0),
      'bare p99': `${theirs.latency.p99} ms`,
      ratio: `${(ratio * 100).toFixed(0)} %`,
      errors: ours.errors + ours.non2xx,
    });
  }
  console.log(`\napi — ${values.connections} connections × ${values.duration} s per endpoint, HTTPS; ${machine()}`);
  console.log(`command: npm run bench -- api ${process.argv.slice(2).join(' ')}\n`);
  console.log(table(rows));
} finally {
  for (const child of children) child.kill('SIGTERM');
  await dispatcher.close();
  rmSync(dir, { recursive: true, force: true });
}

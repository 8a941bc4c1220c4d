// inventory: D devices × K sessions synced into the store from emulated devices in another process; the server's
// RSS; searches through the SPS API over HTTPS (by user, and a sorted page of active sessions), as users see them.
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { ADMIN_PASSWORD, startBenchServer } from './bench-server.js';
import { startProfile, stopProfile } from './profile.js';
import { LabProcess, machine, ms, percentile, table } from './support.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    sessions: { type: 'string', default: '1000' },
    users: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '200' },
    // With CURFEW_BENCH_PROFILE: which part to profile, the steady re-sync or the sorted pages' first requests.
    'profile-part': { type: 'string', default: 'resync' },
  },
});
const PROFILE_PART = values['profile-part'];
const DEVICES = Number(values.devices);
const SESSIONS = Number(values.sessions);
const USERS = Number(values.users);
const QUERIES = Number(values.queries);
const PASSWORD = 'bench-lab-pw';

const { lab, devices } = await LabProcess.start({
  devices: DEVICES,
  sessionsPerDevice: SESSIONS,
  haPairs: false,
  users: USERS,
  password: PASSWORD,
});
const bench = await startBenchServer(devices, PASSWORD, { sync: false });
try {
  const t0 = performance.now();
  const results = await bench.server.engine.sync.syncAll();
  const syncMs = performance.now() - t0;
  const failed = results.filter((r) => !r.ok).length;
  // The first round after the initial one finds the sockets of early devices idle for the whole initial sync; the one
  // after it is the steady state (rounds 30 s apart keep every device's connection open).
  const tFirst = performance.now();
  await bench.server.engine.sync.syncAll();
  const firstResyncMs = performance.now() - tFirst;
  if (PROFILE_PART === 'resync') await startProfile();
  const t1 = performance.now();
  const again = await bench.server.engine.sync.syncAll();
  const resyncMs = performance.now() - t1;
  await stopProfile();
  const stored = (await bench.server.engine.sessions.countBy({ kind: 'verdict', verdicts: ['ACTIVE'] }, 'user', 1))
    .total;
  global.gc?.();
  const rss = process.memoryUsage().rss;

  const login = await request(`${bench.url}api/authentication`, {
    dispatcher: bench.dispatcher,
    headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` },
  });
  await login.body.dump();
  const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
  const time = async (path: string) => {
    const start = performance.now();
    const res = await request(`${bench.url}${path.slice(1)}`, { dispatcher: bench.dispatcher, headers: { cookie } });
    const body = (await res.body.json()) as { meta: { match_count: number } };
    if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode}`);
    return { ms: performance.now() - start, matches: body.meta.match_count };
  };
  const byUser: number[] = [];
  let matches = 0;
  for (let i = 0; i < QUERIES; i++) {
    const r = await time(
      `/api/audit/sessions?q=user:user${(i * 7919) % USERS}&fields=user,client,device,start_time,session_id`,
    );
    byUser.push(r.ms);
    matches += r.matches;
  }
  const page: number[] = [];
  for (let i = 0; i < Math.max(20, QUERIES / 4); i++) {
    // The first request of each of the 10 pages is the one the cache cannot answer.
    if (PROFILE_PART === 'pages' && i === 0) await startProfile();
    if (i === 10) await stopProfile();
    page.push(
      (
        await time(
          `/api/audit/sessions?q=active:true&sort=-start_time&limit=500&offset=${(i % 10) * 500}&fields=user,client,device,start_time`,
        )
      ).ms,
    );
  }
  console.log(
    `\ninventory — ${DEVICES} devices × ${SESSIONS} sessions (${USERS} users), lab in its own process; ${machine()}`,
  );
  console.log(`command: npm run bench -- inventory ${process.argv.slice(2).join(' ')}\n`);
  console.log(
    table([
      {
        measure: 'initial sync of the whole fleet',
        value: ms(syncMs),
        detail: `${stored} sessions stored, ${failed} devices failed`,
        target: '-',
      },
      {
        measure: 'first re-sync after the initial sync',
        value: ms(firstResyncMs),
        detail: 'nothing changed; early devices reconnect',
        target: '-',
      },
      {
        measure: 'steady re-sync (nothing changed)',
        value: ms(resyncMs),
        detail: `${again.filter((r) => !r.ok).length} devices failed`,
        target: '-',
      },
      {
        measure: 'server RSS after sync',
        value: `${(rss / 2 ** 20).toFixed(0)} MiB`,
        detail: 'store + engine + HTTP, lab excluded',
        target: '< 1024 MiB',
      },
      {
        measure: 'search by user, p50',
        value: ms(percentile(byUser, 50)),
        detail: `${QUERIES} queries over HTTPS, avg ${(matches / QUERIES).toFixed(0)} hits`,
        target: '-',
      },
      {
        measure: 'search by user, p95',
        value: ms(percentile(byUser, 95)),
        detail: 'GET /api/audit/sessions?q=user:…&fields=…',
        target: '< 20 ms',
      },
      {
        measure: 'sorted page (500, -start_time), p95',
        value: ms(percentile(page, 95)),
        detail: 'q=active:true, offsets 0…4500',
        target: '< 20 ms',
      },
    ]),
  );
} finally {
  await bench.stop();
  await lab.stop();
}

// fanout: a verified kill across D emulated BIG-IPs with an injected round trip L, against the physical floor (three
// round trips: list, delete, re-list) and against the sequential script operators write today.
import { parseArgs } from 'node:util';
import { startBenchServer } from './bench-server.js';
import { startProfile, stopProfile } from './profile.js';
import { sequentialKill } from './sequential-script.js';
import { LabProcess, machine, ms, percentile, table } from './support.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100,1000' },
    latency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '5' },
    'bulk-sessions': { type: 'string', default: '1000' },
    baseline: { type: 'string', default: 'full' },
    // With CURFEW_BENCH_PROFILE: the row whose last run is profiled.
    'profile-row': { type: 'string', default: 'KILL_BY_USER' },
  },
});
const LATENCY = Number(values.latency);
const RUNS = Number(values.runs);
const FLOOR = 3 * LATENCY;
const PASSWORD = 'bench-lab-pw';
const VICTIM = 'mallory';

async function scenario(deviceCount: number) {
  const { lab, devices } = await LabProcess.start({
    devices: deviceCount,
    sessionsPerDevice: 5,
    haPairs: false,
    users: 50,
    password: PASSWORD,
    latencyMs: LATENCY,
  });
  const bench = await startBenchServer(devices, PASSWORD);
  const rows: Record<string, string | number>[] = [];
  try {
    const byUser = { action: 'KILL_BY_USER', userName: VICTIM, accessGroupNames: ['group-1', 'group-2'] } as const;
    for (const [action, body, duringSync] of [
      ['KILL_BY_USER', byUser, false],
      // Before KILL_ALL, so the round lists devices that still hold their other sessions.
      ['KILL_BY_USER during a sync round', byUser, true],
      ['KILL_ALL_SESSIONS', { action: 'KILL_ALL_SESSIONS', accessGroupNames: ['group-1', 'group-2'] }, false],
    ] as const) {
      // Every timed run starts from the same state: 1 victim session per device (+ what KILL_BY_USER leaves alone).
      if (action === 'KILL_ALL_SESSIONS') await bench.timeKill(body);
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        await lab.seed(VICTIM, 1);
        // The victim's sessions predate the incident: the inventory has seen them (as the periodic sync would).
        await bench.server.engine.sync.syncAll();
        if (action === values['profile-row'] && run === RUNS - 1) await startProfile();
        // Kills take priority over sync: start a full round over every device, then the kill while it runs.
        const round = duringSync ? bench.server.engine.sync.syncAll() : undefined;
        const { ms: elapsed, task } = await bench.timeKill(body);
        await stopProfile();
        await round;
        if (task.status !== 'FINISHED') throw new Error(`${action} ended ${task.status}: ${task.errorMessage}`);
        if ((await lab.count(action === 'KILL_ALL_SESSIONS' ? undefined : VICTIM)) !== 0)
          throw new Error('sessions left behind');
        times.push(elapsed);
      }
      const p50 = percentile(times, 50);
      rows.push({
        devices: deviceCount,
        action,
        runs: RUNS,
        p50: ms(p50),
        p95: ms(percentile(times, 95)),
        floor: ms(FLOOR),
        'p50/floor': (p50 / FLOOR).toFixed(2),
      });
    }
    if (values.baseline !== 'none') rows.push(await baseline(lab, devices, rows[0]));
  } finally {
    await bench.stop();
    await lab.stop();
  }
  return rows;
}

async function baseline(
  lab: LabProcess,
  devices: Parameters<typeof sequentialKill>[0],
  curfewRow: Record<string, string | number> | undefined,
) {
  await lab.seed(VICTIM, 1);
  const t0 = performance.now();
  const leftovers = await sequentialKill(devices, PASSWORD, VICTIM);
  const elapsed = performance.now() - t0;
  if (leftovers !== 0) throw new Error('baseline left sessions');
  const curfewP50 = Number.parseFloat(String(curfewRow?.p50 ?? 'NaN'));
  return {
    devices: devices.length,
    action: 'sequential script (KILL_BY_USER)',
    runs: 1,
    p50: ms(elapsed),
    p95: '-',
    floor: '-',
    'p50/floor': `curfew ${(elapsed / curfewP50).toFixed(0)}× faster`,
  };
}

async function bulk(sessions: number) {
  const { lab, devices } = await LabProcess.start({
    devices: 100,
    sessionsPerDevice: sessions,
    haPairs: false,
    users: 50,
    password: PASSWORD,
    latencyMs: LATENCY,
  });
  const bench = await startBenchServer(devices, PASSWORD);
  try {
    const { ms: elapsed, task } = await bench.timeKill({
      action: 'KILL_ALL_SESSIONS',
      accessGroupNames: ['group-1', 'group-2'],
    });
    const left = await lab.count();
    return {
      devices: 100,
      action: `KILL_ALL_SESSIONS, ${sessions} sessions each`,
      runs: 1,
      p50: ms(elapsed),
      p95: '-',
      floor: ms(FLOOR),
      'p50/floor': `${task.status}, ${left} left`,
    };
  } finally {
    await bench.stop();
    await lab.stop();
  }
}

const rows: Record<string, string | number>[] = [];
for (const d of String(values.devices).split(',').map(Number)) rows.push(...(await scenario(d)));
if (Number(values['bulk-sessions']) > 0) rows.push(await bulk(Number(values['bulk-sessions'])));
console.log(`\nfanout — L = ${LATENCY} ms injected per device response; ${machine()}`);
console.log(`command: npm run bench -- fanout ${process.argv.slice(2).join(' ')}\n`);
console.log(table(rows));

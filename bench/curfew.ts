// curfew: enforcement as issue 13 measures it. The lab runs in its own process (BIG-IPs answering after L ms), the
// node in this one (store, engine, HTTPS app; sync off so only enforcement talks to the devices).
//  1. propagation — a new curfew on a user, fleet-wide, until every device's data group holds the user (the lab's
//     truth); the first curfew creates the data groups, the second changes them.
//  2. re-login where nothing prevents it (the lab's access policy off) — a curfewed user's session appears on a random
//     device; time from its appearance to its verified kill (the curfew's kill task FINISHED), p50/p95 over samples.
//  3. load — a curfew scoped to one access group: requests to the devices outside it while rounds run (expected 0).
import { parseArgs } from 'node:util';
import type { LabDeviceInfo } from '../lab/bigip/emulator.js';
import { startBenchServer } from './bench-server.js';
import { LabProcess, machine, ms, percentile, table } from './support.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '50' },
    interval: { type: 'string', default: '5000' },
    samples: { type: 'string', default: '20' },
  },
});
const DEVICES = Number(values.devices);
const LATENCY = Number(values.latency);
const INTERVAL = Number(values.interval);
const SAMPLES = Number(values.samples);
const PASSWORD = 'bench-lab-pw';
const DENY_LIST = '/Common/curfew_denied_users';
const actor = { name: 'bench', address: '127.0.0.1' };
const sleep = (msec: number) => new Promise((resolve) => setTimeout(resolve, msec));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(2);
  }
}

const { lab, devices } = await LabProcess.start({
  devices: DEVICES,
  sessionsPerDevice: 5,
  haPairs: false,
  users: 50,
  accessGroups: 2,
  password: PASSWORD,
  latencyMs: LATENCY,
});
const bench = await startBenchServer(devices, PASSWORD, { sync: false, curfewIntervalMs: INTERVAL });
const { curfews, tasks } = bench.server.engine;
const rows: Record<string, string | number>[] = [];
const denied = async (user: string) =>
  ((await lab.call({ cmd: 'denied', user, path: DENY_LIST })) as { devices: number }).devices;

try {
  // Connections warm (as after a node's start-up warm pass); the kill and listing paths then pay round trips only.
  await bench.server.engine.warmer.warmAll();
  for (const [label, user] of [
    ['propagation: new curfew, data groups created', 'prop-one'],
    ['propagation: new curfew, data groups changed', 'prop-two'],
  ] as const) {
    // A new curfew on a fleet at rest: the round the previous one started (listing every device) is over.
    await sleep(3_000);
    const t0 = performance.now();
    await curfews.set({ users: [user], fleet: true, duration: 'PT1H', reason: 'bench' }, actor);
    await waitFor(`${user} on every device`, async () => (await denied(user)) === DEVICES);
    const elapsed = performance.now() - t0;
    rows.push({
      measure: label,
      value: ms(elapsed),
      detail: `${(elapsed / LATENCY).toFixed(1)} round trips of ${LATENCY} ms`,
      target: `≤ ${3 * LATENCY} ms (3 round trips)`,
    });
  }

  await lab.call({ cmd: 'policy', installed: false });
  const victim = 'relogin-victim';
  const curfew = await curfews.set({ users: [victim], fleet: true, duration: 'PT1H', reason: 'bench' }, actor);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    // Appearances at random moments relative to the enforcement rounds.
    await sleep(Math.random() * INTERVAL);
    const device = devices[Math.floor(Math.random() * devices.length)] as LabDeviceInfo;
    const appeared = Date.now();
    const { sessionId } = (await lab.call({ cmd: 'add', deviceId: device.id, user: victim })) as { sessionId: string };
    let taskId: string | null = null;
    await waitFor('the session caught', async () => {
      const caught = await curfews.violations(curfew.id, { limit: 5, offset: 0 });
      taskId = caught.find((v) => v.sessionId === sessionId && v.deviceId === device.id)?.taskId ?? null;
      return taskId !== null;
    });
    const task = await tasks.waitForFinal(taskId ?? '', 60_000);
    if (task?.status !== 'FINISHED') throw new Error(`kill task ${taskId} ended ${task?.status}`);
    times.push((task.endedAt ?? Date.now()) - appeared);
  }
  const target = INTERVAL + 2 * LATENCY;
  rows.push({
    measure: 're-login → verified kill, p50',
    value: ms(percentile(times, 50)),
    detail: `${SAMPLES} samples, policy off`,
    target: '-',
  });
  rows.push({
    measure: 're-login → verified kill, p95',
    value: ms(percentile(times, 95)),
    detail: `interval ${ms(INTERVAL)}`,
    target: `≤ ${ms(target)}`,
  });

  const inside = devices.filter((d) => d.accessGroup === 'group-1');
  const outside = devices.filter((d) => d.accessGroup !== 'group-1');
  for (const c of (await curfews.page({ state: ['active'], limit: 100, offset: 0 })).curfews)
    await curfews.lift(c.id, actor);
  await curfews.set({ users: ['load-user'], accessGroups: ['group-1'], duration: 'PT1H', reason: 'bench' }, actor);
  await sleep(2 * INTERVAL);
  const count = async (list: readonly LabDeviceInfo[]) =>
    ((await lab.call({ cmd: 'requests', deviceIds: list.map((d) => d.id) })) as { requests: number }).requests;
  const [outsideBefore, insideBefore] = [await count(outside), await count(inside)];
  await sleep(3 * INTERVAL);
  rows.push({
    measure: 'load: requests to devices outside every curfew',
    value: (await count(outside)) - outsideBefore,
    detail: `${outside.length} devices, 3 intervals`,
    target: '0',
  });
  rows.push({
    measure: 'load: requests to devices in scope',
    value: (await count(inside)) - insideBefore,
    detail: `${inside.length} devices, 3 intervals (one listing per round)`,
    target: '-',
  });
} finally {
  await bench.stop();
  await lab.stop();
}
console.log(
  `\ncurfew — ${DEVICES} BIG-IPs, L = ${LATENCY} ms per response, enforcement every ${ms(INTERVAL)}; ${machine()}`,
);
console.log(`command: npm run bench -- curfew ${process.argv.slice(2).join(' ')}\n`);
console.log(table(rows));

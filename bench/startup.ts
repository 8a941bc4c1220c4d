// startup: from spawning `curfew serve` to its first 200 on /healthz — on a fresh data dir (migrations, certificate,
// admin bootstrap) and on a restart of the same data dir. Runs the built CLI (dist/), as operators do.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { machine, ms, percentile, table } from './support.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, port: { type: 'string', default: '18443' } },
});
const RUNS = Number(values.runs);
const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });

async function timeToFirst200(dataDir: string, port: number): Promise<number> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ['bin/curfew.js', 'serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'],
    {
      stdio: 'ignore',
      env: { ...process.env, CURFEW_ADMIN_PASSWORD: 'bench-admin-password' },
    },
  );
  try {
    for (;;) {
      try {
        const res = await request(`https://127.0.0.1:${port}/healthz`, { dispatcher });
        await res.body.dump();
        if (res.statusCode === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 30_000) throw new Error('no 200 within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const port = Number(values.port);
const fresh: number[] = [];
const restart: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'curfew-startup-'));
  try {
    fresh.push(await timeToFirst200(dir, port));
    restart.push(await timeToFirst200(dir, port));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
await dispatcher.close();
console.log(`\nstartup — ${machine()}`);
console.log(`command: npm run bench -- startup ${process.argv.slice(2).join(' ')}\n`);
console.log(
  table([
    {
      start: 'fresh data dir',
      runs: RUNS,
      p50: ms(percentile(fresh, 50)),
      p95: ms(percentile(fresh, 95)),
      target: '< 1000 ms',
    },
    {
      start: 'restart',
      runs: RUNS,
      p50: ms(percentile(restart, 50)),
      p95: ms(percentile(restart, 95)),
      target: '< 1000 ms',
    },
  ]),
);

// `npm run fuzz`: the big run. FUZZ_REQUESTS (default 50,000) requests with FUZZ_SEED (default: a new one, printed,
// so every run explores; set it to replay one). Prints the tally, the slowest requests and, for every failure class,
// the shrunk request that shows it; exits 1 when there was any failure or the server is unhealthy afterwards.
import { describeRequest, FuzzSession, formatSummary } from './fuzz-run.js';

function wholeNumber(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`);
  return Number(value);
}

async function main(): Promise<number> {
  const requests = wholeNumber('FUZZ_REQUESTS', 50_000);
  const seed = wholeNumber('FUZZ_SEED', Math.floor(Math.random() * 2 ** 31));
  process.stdout.write(`fuzzing ${requests} requests, seed ${seed} (replay: FUZZ_SEED=${seed})\n`);
  const session = await FuzzSession.start();
  try {
    const summary = await session.survey({ requests, seed });
    process.stdout.write(`${formatSummary(summary)}\n`);
    for (const [name, seen] of summary.failures) {
      const smallest = await session.shrink(name, seen, seed);
      process.stdout.write(`\n${name}\n  smallest: ${describeRequest(smallest)}\n`);
    }
    await session.assertHealthy();
    process.stdout.write('\nhealthy after the run: /healthz and an authenticated read on each surface answer 200\n');
    return summary.failures.size === 0 ? 0 : 1;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

// Optional CPU profile of just the measured part of a benchmark: CURFEW_BENCH_PROFILE=<file.cpuprofile>.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const target = process.env.CURFEW_BENCH_PROFILE;
let session: Session | undefined;

export async function startProfile(): Promise<void> {
  if (!target || session) return;
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}

export async function stopProfile(): Promise<void> {
  if (!target || !session) return;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(target, JSON.stringify(profile));
  session.disconnect();
  session = undefined;
}

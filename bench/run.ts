// `npm run bench -- <name> [options]`: runs one benchmark in a fresh process.
import { spawnSync } from 'node:child_process';

const BENCHES = ['fanout', 'client', 'api', 'inventory', 'startup', 'curfew'];
const [name, ...rest] = process.argv.slice(2);
if (!name || !BENCHES.includes(name)) {
  console.error(`usage: npm run bench -- <${BENCHES.join('|')}> [options]`);
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', new URL(`./${name}.ts`, import.meta.url).pathname, ...rest],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

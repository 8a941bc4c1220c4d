#!/usr/bin/env node
// Runs every test/**/*.test.ts with node:test. Files are listed explicitly: on Node 20 a quoted glob is not
// expanded, and `node --test` with no files would run nothing and still exit 0.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests('test').sort();
if (files.length === 0) {
  console.error('no test files found under test/');
  process.exit(1);
}
// The runner and every child a test spawns (process.execPath) run on this Node: say which, since CI runs the suite twice.
console.log(`node:test on Node ${process.version} (${process.execPath})`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);

// A node process for the restart test: runs the engine on a data dir until it is killed.
import { openStore } from '../../src/store/open-store.js';
import { newEngine } from './engine-harness.js';

const [dataDir, nodeId, concurrency] = process.argv.slice(2);
if (!dataDir || !nodeId) throw new Error('usage: engine-child <dataDir> <nodeId> [concurrency]');
const store = await openStore({ dataDir });
const engine = newEngine(store, nodeId, {
  runner: { globalConcurrency: Number(concurrency ?? 2), pollMs: 50, flushMs: 5 },
});
await engine.start();
process.stdout.write('ready\n');

// An engine wired to an in-process lab fleet, with short timeouts so fault tests stay fast.
import './fast-hashing.js';
import { LabFleet, type LabFleetOptions } from '../../lab/bigip/emulator.js';
import { registerLabDevices } from '../../src/cli/lab-fleet.js';
import { bigipConnector } from '../../src/connectors/bigip/index.js';
import { spsConnector } from '../../src/connectors/sps/index.js';
import type { KillTask } from '../../src/core/model.js';
import { isFinal } from '../../src/core/task-status.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

// Device timeouts long enough for a loaded 2-core CI machine (TLS handshakes of a whole lab fleet at once), short
// enough that the timeout-fault tests stay quick.
export const FAST_ENGINE: Omit<EngineOptions, 'nodeId' | 'connectors'> = {
  connector: { timeoutMs: 1500, perDeviceConcurrency: 8 },
  runner: { retry: { attempts: 2, backoffMs: 20 }, pollMs: 50, flushMs: 10, leaseMs: 3_000 },
  sync: { intervalMs: 0 },
};

export interface Harness {
  store: Store;
  engine: Engine;
  fleet: LabFleet;
  close(): Promise<void>;
}

export function newEngine(store: Store, nodeId = 'test-node', overrides: Partial<EngineOptions> = {}): Engine {
  return new Engine(store, {
    ...FAST_ENGINE,
    ...overrides,
    nodeId,
    connectors: { bigip: bigipConnector, sps: spsConnector },
  });
}

export async function startHarness(
  fleetOptions: LabFleetOptions,
  dataDir: string | ':memory:' = ':memory:',
): Promise<Harness> {
  const fleet = await LabFleet.start({ password: 'admin', ...fleetOptions });
  const store = await openStore({ dataDir });
  const engine = newEngine(store);
  await engine.start();
  process.env.CURFEW_LAB_PASSWORD = 'admin';
  await registerLabDevices(engine, fleet.devices);
  await syncEveryDevice(engine);
  return {
    store,
    engine,
    fleet,
    async close() {
      await engine.stop();
      await store.close();
      await fleet.stop();
    },
  };
}

/**
 * Syncs until every device answered (a few rounds at most): tests that compare outcomes with what the inventory knew
 * must not start from a sync that timed out under load.
 */
export async function syncEveryDevice(engine: Engine, rounds = 5): Promise<void> {
  let failed: string[] = [];
  for (let round = 0; round < rounds; round++) {
    failed = (await engine.sync.syncAll()).filter((r) => !r.ok).map((r) => `${r.deviceId}: ${r.error}`);
    if (failed.length === 0) return;
  }
  throw new Error(`devices still failing to sync after ${rounds} rounds: ${failed.join('; ')}`);
}

/** Polls the store until the task is final (bounded; fails loudly on timeout). */
export async function waitForFinal(store: Store, taskId: string, timeoutMs = 15_000): Promise<KillTask> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await store.findTaskById(taskId);
    if (task && isFinal(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

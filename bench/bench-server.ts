// The server under test for benchmarks: a real node (store, engine, HTTPS app) in this process, with the lab's
// devices registered and synced, and a helper that times POST → final status from the engine's own events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { LabDeviceInfo } from '../lab/bigip/emulator.js';
import { type RunningServer, startServer } from '../src/cli/server.js';
import type { KillTask } from '../src/core/model.js';
import { isFinal } from '../src/core/task-status.js';

export const ADMIN_PASSWORD = 'bench-admin-pw';

export interface BenchServer {
  server: RunningServer;
  url: string;
  token: string;
  dispatcher: Agent;
  /** POSTs a kill-sessions body and resolves with the elapsed ms when the task is final, and the task. */
  timeKill(body: unknown): Promise<{ ms: number; task: KillTask }>;
  stop(): Promise<void>;
}

export async function startBenchServer(
  devices: readonly LabDeviceInfo[],
  labPassword: string,
  options: { sync?: boolean; curfewIntervalMs?: number } = {},
): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'curfew-bench-'));
  const server = await startServer({
    listen: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    tls: true,
    lab: 0,
    labSps: 0,
    labSessions: 0,
    syncIntervalMs: 0,
    ...(options.curfewIntervalMs !== undefined && { curfewIntervalMs: options.curfewIntervalMs }),
    logLevel: 'silent',
    adminPassword: ADMIN_PASSWORD,
    bigiqBasicAuth: false,
    accessTokenTtlSec: 36_000,
    refreshTokenTtlSec: 36_000,
    sessionTimeoutSec: 3_600,
  });
  const actor = { name: 'bench', address: 'bench' };
  for (const d of devices) {
    await server.engine.inventory.addDevice(
      {
        id: d.id,
        hostname: d.hostname,
        address: d.address,
        port: d.port,
        kind: 'bigip',
        username: 'admin',
        password: labPassword,
        verifyTls: false,
        cluster: d.cluster,
        accessGroup: d.accessGroup,
      },
      actor,
    );
  }
  if (options.sync !== false) await server.engine.sync.syncAll();
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 60_000 });
  const login = await request(`${server.url}mgmt/shared/authn/login`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const token = ((await login.body.json()) as { token: { token: string } }).token.token;

  const timeKill = async (body: unknown) => {
    const t0 = performance.now();
    let taskId: string | undefined;
    const final = new Promise<KillTask>((resolve) => {
      const onTask = (task: KillTask) => {
        if (task.id === taskId && isFinal(task.status)) {
          server.engine.events.off('task', onTask);
          resolve(task);
        }
      };
      server.engine.events.on('task', onTask);
    });
    const res = await request(`${server.url}mgmt/cm/access/tasks/kill-sessions`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', 'x-f5-auth-token': token },
      body: JSON.stringify(body),
    });
    taskId = ((await res.body.json()) as { id: string }).id;
    // The task may have finished before its id was known here.
    const stored = await server.engine.tasks.find(taskId);
    const task = stored && isFinal(stored.status) ? stored : await final;
    return { ms: (task.endedAt ?? Date.now()) - (performance.timeOrigin + t0), task };
  };

  return {
    server,
    url: server.url,
    token,
    dispatcher,
    timeKill,
    async stop() {
      await dispatcher.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A real node for end-to-end tests (HTTPS listener on a free loopback port, temp data dir, optional lab fleets),
// built by the same startServer as `curfew serve`.
import './fast-hashing.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, type ServerConfig, startServer } from '../../src/cli/server.js';

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  /** Stops the node and removes its data dir. */
  stop(): Promise<void>;
}

export async function startTestServer(
  config: Partial<ServerConfig> & Pick<ServerConfig, 'adminPassword'>,
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'curfew-node-'));
  process.env.CURFEW_LAB_PASSWORD = 'admin';
  const server = await startServer({
    listen: { host: '127.0.0.1', port: 0 },
    dataDir,
    tls: true,
    lab: 0,
    labSps: 0,
    labSessions: 0,
    syncIntervalMs: 0,
    logLevel: 'silent',
    bigiqBasicAuth: false,
    accessTokenTtlSec: 300,
    refreshTokenTtlSec: 36_000,
    sessionTimeoutSec: 600,
    ...config,
  });
  return {
    server,
    dataDir,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

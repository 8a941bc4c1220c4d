// Starting and stopping a whole node: data dir lock, store, engine, HTTPS listener, then the optional lab fleets.
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import type { SpsLabFleet } from '../../lab/sps/emulator.js';
import { bigipConnector } from '../connectors/bigip/index.js';
import { spsConnector } from '../connectors/sps/index.js';
import { AuthService, DEFAULT_AUTH_OPTIONS } from '../engine/auth-service.js';
import { ConfigService } from '../engine/config/transactions.js';
import { Engine } from '../engine/engine.js';
import { startEventBridge } from '../engine/event-bridge.js';
import { DEFAULT_LOGIN_SESSION_OPTIONS, LoginSessions } from '../engine/login-sessions.js';
import { buildApp, engineDeps } from '../http/app.js';
import type { HttpTimeouts } from '../http/transport.js';
import { openNotifyChannel } from '../store/kysely/dialect.js';
import { openStore } from '../store/open-store.js';
import type { OpenNotifyChannel, Store } from '../store/store.js';
import { bootstrapAdmin, machineIdOf, nodeIdOf, tightenDataDir, tlsMaterial } from './data-dir.js';
import { lockDataDir } from './data-dir-lock.js';
import { type LabHandle, startLab, startSpsLab } from './lab-fleet.js';
import type { ListenAddress } from './options.js';
import { VERSION } from './version.js';

export interface ServerConfig {
  listen: ListenAddress;
  /** Node identity and TLS files; also the SQLite database and secret.key unless `dbUrl` / `secretKey` say otherwise. */
  dataDir: string;
  /** PostgreSQL URL (`--db`, CURFEW_DB_URL); absent, the store is SQLite in the data dir. */
  dbUrl?: string;
  /** Base64 key sealing device passwords (CURFEW_SECRET_KEY); absent, `<dataDir>/secret.key`. */
  secretKey?: string;
  tls: boolean;
  tlsCert?: string;
  tlsKey?: string;
  lab: number;
  /** Emulated SPS appliances to start and manage (0 = none). */
  labSps: number;
  labSessions: number;
  syncIntervalMs: number;
  /** Deadline of one request to a device (default 10 s). */
  deviceTimeoutMs?: number;
  /** Curfew enforcement interval (default 5 s). */
  curfewIntervalMs?: number;
  /** Full path of the BIG-IP deny list (default /Common/curfew_denied_users). */
  denyList?: string;
  logLevel: string;
  adminPassword?: string;
  /** Accept HTTP Basic on the BIG-IQ surface (off by default, like BIG-IQ). */
  bigiqBasicAuth: boolean;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  /** Idle timeout of cookie login sessions (SPS surface, console). */
  sessionTimeoutSec: number;
  /** Absolute lifetime of login sessions; default DEFAULT_LOGIN_SESSION_OPTIONS.maxAgeSec (12 h). */
  sessionMaxAgeSec?: number;
  /** Deadlines for slow clients (headers, whole request, keep-alive, idle); DEFAULT_HTTP_TIMEOUTS otherwise. */
  timeouts?: Partial<HttpTimeouts>;
}

export interface RunningServer {
  url: string;
  engine: Engine;
  app: FastifyInstance;
  lab: LabHandle | undefined;
  labSps: LabHandle<SpsLabFleet> | undefined;
  /** Set when this start created admin with a generated password (shown once). */
  generatedAdminPassword: string | undefined;
  stop(): Promise<void>;
}

type Closer = () => Promise<void>;

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  // First of all: a second node on this data dir stops here, before it has changed anything in the dir or the store.
  const lock = lockDataDir(config.dataDir, `${hostForUrl(config.listen.host)}:${config.listen.port}`);
  const closers: Closer[] = [async () => lock.release()];
  try {
    warnTightened(tightenDataDir(config.dataDir));
    const store = await openStore({
      dataDir: config.dataDir,
      ...(config.dbUrl !== undefined && { url: config.dbUrl }),
      ...(config.secretKey !== undefined && { secretKey: config.secretKey }),
    });
    closers.unshift(() => store.close());
    const generatedAdminPassword = await bootstrapAdmin(store, config.adminPassword);
    // The engine's own lines (devices that fail, retries, store trouble); requests are logged by the app.
    const log = pino({ level: config.logLevel });
    const engine = await startEngine(store, config, closers, log);
    // Lab fleets stop after the listener has closed and before the engine, although they start after the listener.
    const labClosers: Closer[] = [];
    closers.unshift(() => closeAll(labClosers));
    const app = await buildNodeApp(store, engine, config, closers, log);
    // Listening before the lab is registered: a busy port fails here, before lab devices are re-pointed or removed.
    await app.listen({ host: config.listen.host, port: config.listen.port });
    const url = `${config.tls ? 'https' : 'http'}://${hostForUrl(config.listen.host)}:${listeningPort(app)}/`;
    lock.setAddress(url);
    const lab =
      config.lab > 0
        ? await startLab(engine, { devices: config.lab, sessionsPerDevice: config.labSessions })
        : undefined;
    if (lab) labClosers.unshift(() => lab.stop());
    const labSps =
      config.labSps > 0
        ? await startSpsLab(engine, { devices: config.labSps, sessionsPerDevice: config.labSessions })
        : undefined;
    if (labSps) labClosers.unshift(() => labSps.stop());
    return { url, engine, app, lab, labSps, generatedAdminPassword, stop: () => closeAll(closers) };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

/** Data dirs of earlier versions were readable by every local user; say so when this start closed them. */
function warnTightened(paths: readonly string[]): void {
  if (paths.length === 0) return;
  process.stderr.write(
    `curfew: warning: ${paths.join(', ')} could be read by other local users; ` +
      'now 0700 (directories) and 0600 (files)\n',
  );
}

async function startEngine(store: Store, config: ServerConfig, closers: Closer[], log: Logger): Promise<Engine> {
  const engine = new Engine(store, {
    logger: log,
    nodeId: nodeIdOf(config.dataDir),
    connectors: { bigip: bigipConnector, sps: spsConnector },
    sync: { intervalMs: config.syncIntervalMs },
    curfews: {
      ...(config.curfewIntervalMs !== undefined && { intervalMs: config.curfewIntervalMs }),
      ...(config.denyList !== undefined && { denyList: config.denyList }),
    },
    ...(config.deviceTimeoutMs !== undefined && { connector: { timeoutMs: config.deviceTimeoutMs } }),
  });
  await engine.start();
  closers.unshift(() => engine.stop());
  // Several nodes on PostgreSQL: every node's SSE clients see every node's events (a no-op on SQLite).
  const { dbUrl } = config;
  const channel: OpenNotifyChannel | undefined =
    store.dialect === 'postgres' && dbUrl !== undefined
      ? (name, onPayload) => openNotifyChannel(dbUrl, name, onPayload)
      : undefined;
  const bridge = await startEventBridge(store, engine.events, nodeIdOf(config.dataDir), channel, log);
  closers.unshift(() => bridge.stop());
  return engine;
}

/** The HTTP(S) app of the node, built but not yet listening. */
async function buildNodeApp(
  store: Store,
  engine: Engine,
  config: ServerConfig,
  closers: Closer[],
  log: Logger,
): Promise<FastifyInstance> {
  const auth = new AuthService(store, {
    ...DEFAULT_AUTH_OPTIONS,
    accessTokenTtlSec: config.accessTokenTtlSec,
    refreshTokenTtlSec: config.refreshTokenTtlSec,
  });
  // Configuration transactions die with their login session (LoginSessions' onEnded).
  const configuration = new ConfigService(store, engine, { logger: log.child({ part: 'configuration' }) });
  const https = config.tls ? await tlsMaterial(config.dataDir, config.tlsCert, config.tlsKey) : null;
  const app = await buildApp(
    {
      ...engineDeps(engine),
      auth,
      machineId: await machineIdOf(store),
      version: VERSION,
      loginSessions: new LoginSessions(
        store,
        {
          idleTimeoutSec: config.sessionTimeoutSec,
          maxAgeSec: config.sessionMaxAgeSec ?? DEFAULT_LOGIN_SESSION_OPTIONS.maxAgeSec,
        },
        (ids) => configuration.dropTransactions(ids),
      ),
      config: configuration,
      bigiq: { basicAuth: config.bigiqBasicAuth, killPostStatus: 202 },
    },
    { https, logger: { level: config.logLevel }, ...(config.timeouts && { timeouts: config.timeouts }) },
  );
  closers.unshift(() => configuration.settled());
  closers.unshift(() => app.close());
  return app;
}

/** Runs every closer even when one fails (each failure is reported), so one stuck part never keeps the rest open. */
async function closeAll(closers: Closer[]): Promise<void> {
  for (const close of closers.splice(0)) {
    await close().catch((err: unknown) => {
      process.stderr.write(`curfew: shutdown step failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  }
}

function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

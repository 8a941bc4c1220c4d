// `curfew serve`: runs a node until SIGTERM/SIGINT, then shuts down cleanly (listener, tasks, device tokens, store).
import type { Command } from 'commander';
import { type ListenAddress, parseDataGroupPath, parseInteger, parseListen } from './options.js';
import { startServer } from './server.js';
import { DB_OPTION, DB_OPTION_HELP, storeOptionsFor } from './store-location.js';

interface ServeOptions {
  listen: ListenAddress;
  dataDir: string;
  db?: string;
  tls: boolean;
  tlsCert?: string;
  tlsKey?: string;
  lab: number;
  labSps: number;
  labSessions: number;
  syncInterval: number;
  deviceTimeout: number;
  curfewInterval: number;
  denyList: string;
  logLevel: string;
  bigiqBasicAuth: boolean;
  tokenTtl: number;
  refreshTokenTtl: number;
  sessionTimeout: number;
  sessionMaxAge: number;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the curfew server (HTTPS API, task engine, inventory sync)')
    .option('--listen <host:port>', 'address to listen on', parseListen, { host: '127.0.0.1', port: 8443 })
    .option('--data-dir <dir>', 'where the database, keys and certificate live', './.curfew')
    .option(DB_OPTION, DB_OPTION_HELP)
    .option('--tls-cert <file>', 'PEM certificate (default: a self-signed one created in the data dir)')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--no-tls', 'serve plain HTTP (only behind a TLS-terminating proxy)')
    .option('--lab <n>', 'also start N emulated BIG-IP devices and manage them', parseInteger(0, 5000), 0)
    .option('--lab-sps <m>', 'also start M emulated SPS appliances and manage them', parseInteger(0, 5000), 0)
    .option('--lab-sessions <k>', 'synthetic sessions per emulated device or appliance', parseInteger(0, 100_000), 25)
    .option('--sync-interval <seconds>', 'inventory sync period (0 = on demand only)', parseInteger(0, 86_400), 30)
    .option('--device-timeout <seconds>', 'deadline of one request to a device', parseInteger(1, 600), 10)
    .option(
      '--curfew-interval <ms>',
      'how often devices in scope of an active curfew are listed',
      parseInteger(100, 3_600_000),
      5_000,
    )
    .option(
      '--deny-list <path>',
      'BIG-IP data group the access policy checks',
      parseDataGroupPath,
      '/Common/curfew_denied_users',
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .option('--bigiq-basic-auth', 'accept HTTP Basic on the BIG-IQ API (off by default, like BIG-IQ)', false)
    .option('--token-ttl <seconds>', 'lifetime of BIG-IQ access tokens', parseInteger(1, 36_000), 300)
    .option('--refresh-token-ttl <seconds>', 'lifetime of BIG-IQ refresh tokens', parseInteger(1, 604_800), 36_000)
    .option('--session-timeout <seconds>', 'idle timeout of SPS/console login sessions', parseInteger(30, 86_400), 600)
    .option(
      '--session-max-age <seconds>',
      'absolute lifetime of SPS/console login sessions, however active',
      parseInteger(60, 604_800),
      43_200,
    )
    .action(async (options: ServeOptions) => {
      const { url, secretKey } = storeOptionsFor(options.dataDir, options.db);
      const server = await startServer({
        listen: options.listen,
        dataDir: options.dataDir,
        ...(url !== undefined && { dbUrl: url }),
        ...(secretKey !== undefined && { secretKey }),
        tls: options.tls,
        ...(options.tlsCert !== undefined && { tlsCert: options.tlsCert }),
        ...(options.tlsKey !== undefined && { tlsKey: options.tlsKey }),
        lab: options.lab,
        labSps: options.labSps,
        labSessions: options.labSessions,
        syncIntervalMs: options.syncInterval * 1000,
        deviceTimeoutMs: options.deviceTimeout * 1000,
        curfewIntervalMs: options.curfewInterval,
        denyList: options.denyList,
        logLevel: options.logLevel,
        bigiqBasicAuth: options.bigiqBasicAuth,
        accessTokenTtlSec: options.tokenTtl,
        refreshTokenTtlSec: options.refreshTokenTtl,
        sessionTimeoutSec: options.sessionTimeout,
        sessionMaxAgeSec: options.sessionMaxAge,
        ...(process.env.CURFEW_ADMIN_PASSWORD && { adminPassword: process.env.CURFEW_ADMIN_PASSWORD }),
      });
      printBanner(
        server.url,
        server.generatedAdminPassword,
        [server.lab, server.labSps].flatMap((lab) => (lab ? [lab.summary()] : [])),
      );
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`curfew: ${signal} received, shutting down\n`);
        void server.stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}

function printBanner(url: string, generatedPassword: string | undefined, labs: readonly string[]): void {
  const lines = [`curfew is serving at ${url}`];
  if (generatedPassword) {
    lines.push(
      `first start: created user "admin" with password ${generatedPassword}`,
      '(shown once; set CURFEW_ADMIN_PASSWORD to choose it)',
    );
  } else {
    lines.push('sign in as "admin" (password from CURFEW_ADMIN_PASSWORD or the first start)');
  }
  lines.push(...labs);
  process.stdout.write(`${lines.join('\n')}\n`);
}

// The whole HTTP app in-process for route tests (`app.inject()`, no listener): buildApp over an in-memory store with
// `admin` / ADMIN_PASSWORD, optionally a lab fleet of emulated BIG-IPs registered and synced.
//
//   const h = await startApp();                        // or startApp({ fleet: { devices: 4, sessionsPerDevice: 3 } })
//   const res = await h.app.inject({ method: 'GET', url: '/mgmt/shared/echo', headers: { 'x-f5-auth-token': await h.token() } });
//   await h.close();
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { LabFleet, LabFleetOptions } from '../../lab/bigip/emulator.js';
import { hashPassword } from '../../src/core/passwords.js';
import { type AuthOptions, AuthService, DEFAULT_AUTH_OPTIONS } from '../../src/engine/auth-service.js';
import { ConfigService } from '../../src/engine/config/transactions.js';
import type { Engine } from '../../src/engine/engine.js';
import {
  DEFAULT_LOGIN_SESSION_OPTIONS,
  type LoginSessionOptions,
  LoginSessions,
} from '../../src/engine/login-sessions.js';
import { type AppOptions, type BigiqOptions, buildApp, DEFAULT_BIGIQ_OPTIONS, engineDeps } from '../../src/http/app.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { newEngine, startHarness } from './engine-harness.js';

export const ADMIN_PASSWORD = 'admin-pw';

export interface AppHarnessOptions {
  /** Also start a lab fleet (see engine-harness startHarness); without it the inventory is empty. */
  fleet?: LabFleetOptions;
  /** Overrides of DEFAULT_AUTH_OPTIONS (token lifetimes, lockout). */
  auth?: Partial<AuthOptions>;
  /** Overrides of DEFAULT_BIGIQ_OPTIONS (basicAuth, killPostStatus). */
  bigiq?: Partial<BigiqOptions>;
  /** Overrides of DEFAULT_LOGIN_SESSION_OPTIONS (idle timeout of SPS login sessions). */
  loginSessions?: Partial<LoginSessionOptions>;
  /** The AuthService clock, to expire tokens and lockouts without waiting; default Date.now. */
  now?: () => number;
  /** Where the web console's build is (buildApp's default: dist/web; null: no console). */
  webRoot?: string | null;
  /** TLS material, for tests that listen (`h.app.listen`); default plain HTTP. */
  https?: AppOptions['https'];
  /** Deadlines for slow clients (buildApp's default: DEFAULT_HTTP_TIMEOUTS). */
  timeouts?: AppOptions['timeouts'];
  /** Logger options, e.g. `{ level: 'debug', stream }` to read the log; default no logger. */
  logger?: AppOptions['logger'];
  /** Wraps the in-memory store before anything uses it (e.g. to count store calls); not with `fleet`. */
  wrapStore?: (store: Store) => Store;
}

export interface AppHarness {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  auth: AuthService;
  /** Configuration transactions (AAA and fleet); `config.settled()` waits for the device syncs of commits. */
  config: ConfigService;
  /** Every route of the app as registered (both surfaces, docs, health), HEAD included. */
  routes: RouteOptions[];
  /** Present when `fleet` was given. */
  fleet: LabFleet | undefined;
  /** Logs in through POST /mgmt/shared/authn/login (as admin by default) and returns the access token. */
  token(username?: string, password?: string): Promise<string>;
  /** Creates (or resets) a local user, e.g. a non-admin for privilege tests; `key` fixes its SPS object key. */
  addUser(name: string, password: string, key?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startApp(options: AppHarnessOptions = {}): Promise<AppHarness> {
  const lab = options.fleet ? await startHarness(options.fleet) : undefined;
  const opened = lab?.store ?? (await openStore({ dataDir: ':memory:' }));
  const store = !lab && options.wrapStore ? options.wrapStore(opened) : opened;
  const engine = lab?.engine ?? newEngine(store);
  if (!lab) await engine.start();
  const auth = new AuthService(store, { ...DEFAULT_AUTH_OPTIONS, ...options.auth }, options.now);
  const addUser = async (name: string, password: string, key?: string) =>
    store.upsertUser({
      name,
      passwordHash: await hashPassword(password),
      createdAt: Date.now(),
      ...(key !== undefined && { key }),
    });
  await addUser('admin', ADMIN_PASSWORD);
  const config = new ConfigService(store, engine, { ...(options.now && { now: options.now }) });
  const routes: RouteOptions[] = [];
  const app = await buildApp(
    {
      ...engineDeps(engine),
      auth,
      config,
      loginSessions: new LoginSessions(
        store,
        { ...DEFAULT_LOGIN_SESSION_OPTIONS, ...options.loginSessions },
        (ids) => config.dropTransactions(ids),
        options.now,
      ),
      machineId: randomUUID(),
      version: 'test',
      bigiq: { ...DEFAULT_BIGIQ_OPTIONS, ...options.bigiq },
    },
    {
      https: options.https ?? null,
      logger: options.logger ?? false,
      ...(options.timeouts && { timeouts: options.timeouts }),
      onRoute: (route) => routes.push(route),
      ...(options.webRoot !== undefined && { webRoot: options.webRoot }),
    },
  );

  return {
    app,
    engine,
    store,
    auth,
    config,
    routes,
    fleet: lab?.fleet,
    addUser,
    async token(username = 'admin', password = ADMIN_PASSWORD) {
      const res = await app.inject({
        method: 'POST',
        url: '/mgmt/shared/authn/login',
        payload: { username, password },
      });
      if (res.statusCode !== 200) throw new Error(`login as ${username} failed: ${res.statusCode} ${res.body}`);
      return (res.json() as { token: { token: string } }).token.token;
    },
    async close() {
      await config.settled();
      await app.close();
      if (lab) {
        await lab.close();
      } else {
        await engine.stop();
        await store.close();
      }
    },
  };
}

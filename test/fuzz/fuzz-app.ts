// The app under fuzz: the real buildApp over an in-memory store, with device connectors that never touch the network
// (fuzzed configuration may register devices at any address; the engine then "reaches" them in memory only), a small
// fleet of BIG-IP devices and SPS appliances with sessions, and the ids the generators draw from.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Connector, DeviceConnection, DeviceSession } from '../../src/connectors/connector.js';
import { selectorOf } from '../../src/core/kill-request.js';
import { hashPassword } from '../../src/core/passwords.js';
import { AuthService, DEFAULT_AUTH_OPTIONS } from '../../src/engine/auth-service.js';
import { ConfigService } from '../../src/engine/config/transactions.js';
import { Engine } from '../../src/engine/engine.js';
import { DEFAULT_LOGIN_SESSION_OPTIONS, LoginSessions } from '../../src/engine/login-sessions.js';
import { buildApp, DEFAULT_BIGIQ_OPTIONS, engineDeps } from '../../src/http/app.js';
import { displaySessionId, sessionKey } from '../../src/http/sps/session-ids.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { FAST_ENGINE } from '../support/engine-harness.js';

export const FUZZ_PASSWORD = 'fuzz-admin-pw';

/** Values that name real objects, so generated paths and bodies reach past "not found" into the handlers. */
export interface KnownIds {
  deviceIds: string[];
  hostnames: string[];
  sessionKeys: string[];
  /** `<hostname>/<native id>`, as DELETE /api/active-sessions?id= takes. */
  sessionIds: string[];
  /** Native ids alone (BIG-IP hex, SPS `svc/…:n`). */
  nativeIds: string[];
  users: string[];
  userKeys: string[];
  groupKeys: string[];
  taskIds: string[];
  curfewIds: string[];
  clusters: string[];
  accessGroups: string[];
}

export interface FuzzApp {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  known: KnownIds;
  close(): Promise<void>;
}

/** An in-memory device: lists what it holds, kills by forgetting. */
function memoryConnector(kind: 'bigip' | 'sps', fleet: Map<string, DeviceSession[]>): Connector {
  return {
    kind,
    connect(endpoint): DeviceConnection {
      const sessions = () => fleet.get(endpoint.id) ?? [];
      return {
        kind,
        listSessions: async () => [...sessions()],
        async killSessions(ids) {
          const held = new Set(sessions().map((s) => s.sessionId));
          fleet.set(
            endpoint.id,
            sessions().filter((s) => !ids.includes(s.sessionId)),
          );
          return { accepted: ids.filter((id) => held.has(id)), missing: ids.filter((id) => !held.has(id)), errors: [] };
        },
        health: async () => ({ failover: 'ACTIVE', details: {} }),
        close: async () => undefined,
      };
    },
  };
}

const DEVICES = [
  { kind: 'bigip', hostname: 'bigip-1.fuzz.local', cluster: 'blue', accessGroup: 'emea' },
  { kind: 'bigip', hostname: 'bigip-2.fuzz.local', cluster: 'blue', accessGroup: 'emea' },
  { kind: 'sps', hostname: 'sps-1.fuzz.local', cluster: null, accessGroup: 'apac' },
  { kind: 'sps', hostname: 'sps-2.fuzz.local', cluster: null, accessGroup: null },
] as const;
const USERS = ['alice', 'bob', 'Ünïcødé user', 'eve, "the" auditor'];

function nativeId(kind: 'bigip' | 'sps', n: number): string {
  return kind === 'bigip' ? (0x8c8f4100 + n).toString(16) : `svc/rpokH8fD9kx6CaxNLznKx${n % 10}/ssh-servers:${n}`;
}

export async function startFuzzApp(): Promise<FuzzApp> {
  const store = await openStore({ dataDir: ':memory:' });
  const fleet = new Map<string, DeviceSession[]>();
  const engine = new Engine(store, {
    ...FAST_ENGINE,
    nodeId: 'fuzz-node',
    connectors: { bigip: memoryConnector('bigip', fleet), sps: memoryConnector('sps', fleet) },
  });
  await engine.start();
  const known = await seedFleet(engine, fleet);
  await store.upsertUser({ name: 'admin', passwordHash: await hashPassword(FUZZ_PASSWORD), createdAt: Date.now() });
  known.userKeys = (await store.loadConfiguration()).users.map((u) => u.key);
  const auth = new AuthService(store, DEFAULT_AUTH_OPTIONS);
  const config = new ConfigService(store, engine);
  const loginSessions = new LoginSessions(store, DEFAULT_LOGIN_SESSION_OPTIONS, (ids) => config.dropTransactions(ids));
  const app = await buildApp(
    {
      ...engineDeps(engine),
      auth,
      config,
      loginSessions,
      machineId: randomUUID(),
      version: 'fuzz',
      bigiq: DEFAULT_BIGIQ_OPTIONS,
    },
    { https: null, logger: false, webRoot: null },
  );
  return {
    app,
    store,
    engine,
    known,
    async close() {
      await config.settled();
      await app.close();
      await engine.stop();
      await store.close();
    },
  };
}

async function seedFleet(engine: Engine, fleet: Map<string, DeviceSession[]>): Promise<KnownIds> {
  const known: KnownIds = {
    deviceIds: [],
    hostnames: [],
    sessionKeys: [],
    sessionIds: [],
    nativeIds: [],
    users: [...USERS, 'admin'],
    userKeys: [],
    groupKeys: [],
    taskIds: [],
    curfewIds: [],
    clusters: ['blue'],
    accessGroups: ['emea', 'apac'],
  };
  const actor = { name: 'fuzz', address: '127.0.0.1' };
  for (const [index, spec] of DEVICES.entries()) {
    const device = await engine.inventory.addDevice(
      { ...spec, address: '127.0.0.1', port: 9, username: 'u', password: 'p', verifyTls: false },
      actor,
    );
    const sessions = Array.from({ length: 6 }, (_, n) => ({
      // The same SPS ids on both appliances: bare ids are ambiguous for some, unique for others.
      sessionId: nativeId(spec.kind, spec.kind === 'sps' && n < 2 ? n : index * 10 + n),
      user: USERS[n % USERS.length] ?? 'alice',
      clientIp: n % 2 ? `198.51.100.${n}` : `2001:db8::${n}`,
      protocol: spec.kind === 'sps' ? 'SSH' : 'apm',
      startedAt: Date.now() - n * 60_000,
    }));
    fleet.set(device.id, sessions);
    known.deviceIds.push(device.id);
    known.hostnames.push(device.hostname);
    for (const s of sessions) {
      known.sessionKeys.push(sessionKey(device.id, s.sessionId));
      known.sessionIds.push(displaySessionId(device.hostname, s.sessionId));
      known.nativeIds.push(s.sessionId);
    }
  }
  await engine.sync.syncAll();
  const [deviceId] = known.deviceIds;
  const [sessionId] = known.nativeIds;
  if (deviceId && sessionId) {
    const selector = selectorOf({
      action: 'KILL_BY_LIST_OF_SESSIONS',
      sessions: [{ deviceId, sessionIds: [sessionId] }],
    });
    known.taskIds.push((await engine.submitKill(selector, actor)).id);
  }
  // A user name of one repeated character: what OData glob filters (`userName eq '*a*a*…'`) must not choke on.
  const longName = selectorOf({ action: 'KILL_BY_USER', userName: 'a'.repeat(64), all: true });
  known.taskIds.push((await engine.submitKill(longName, actor)).id);
  // A curfew to extend, lift and read (monitor: it only counts, so the seeded sessions stay).
  const curfew = await engine.curfews.set({ users: ['bob'], fleet: true, reason: 'fuzz', mode: 'monitor' }, actor);
  known.curfewIds.push(curfew.id);
  return known;
}

/** A local group through the SPS API (configuration is only written through transactions); returns its key. */
export async function seedGroup(app: FastifyInstance, headers: Record<string, string>): Promise<string> {
  const groups = '/api/configuration/aaa/local_database/groups';
  const created = await app.inject({
    method: 'POST',
    url: groups,
    headers,
    payload: { name: 'responders', members: [] },
  });
  const committed = await app.inject({
    method: 'PUT',
    url: '/api/transaction',
    headers,
    payload: { status: 'commit' },
  });
  if (created.statusCode !== 201 || committed.statusCode !== 200) {
    throw new Error(`seeding a group failed: ${created.statusCode} ${created.body} / ${committed.statusCode}`);
  }
  return (created.json() as { key: string }).key;
}

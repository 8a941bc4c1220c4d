// node:sqlite (the prototype dialect beside this file) against better-sqlite3 (src's dialect) under the same Store, each on
// its own WAL file in a fresh data dir: the inventory sync write (`replaceDeviceSessions` of every device, first sync,
// unchanged resync, 10 % churn) and two session searches (a sorted page of 500 active sessions; one user's sessions).
// Rounds alternate the drivers so that load from elsewhere on the machine falls on both. Node ≥ 22.16:
//   node --import tsx bench/node-sqlite/bench.ts [--devices 20] [--sessions 1000] [--rounds 5] [--queries 100]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Session } from '../../src/core/model.js';
import { parseSessionQuery } from '../../src/core/session-query.js';
import { openStore } from '../../src/store/open-store.js';
import type { SessionSearch, Store } from '../../src/store/store.js';
import { device, putDevices } from '../../test/support/factories.js';
import { machine, percentile, table } from '../support.js';
import { openNodeSqliteStore } from './open-store.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '20' },
    sessions: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    queries: { type: 'string', default: '100' },
  },
});
const DEVICES = Number(values.devices);
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);
const QUERIES = Number(values.queries);
const USERS = Math.max(1, Math.floor((DEVICES * SESSIONS) / 10));

type Listed = Omit<Session, 'lastSeenAt'>;
const T0 = Date.UTC(2026, 10, 1);
let serial = 0;
function session(deviceId: string): Listed {
  const n = serial++;
  return {
    deviceId,
    sessionId: n.toString(16).padStart(8, '0'),
    user: `user${(n * 7919) % USERS}`,
    clientIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    startedAt: T0 + n * 1000,
    protocol: n % 3 === 0 ? 'ssl' : 'dtls',
  };
}

const dirs: string[] = [];
async function open(driver: string): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), 'curfew-sqlite-bench-'));
  dirs.push(dataDir);
  return driver === 'node:sqlite' ? openNodeSqliteStore({ dataDir }) : openStore({ dataDir });
}

const DRIVERS = ['better-sqlite3', 'node:sqlite'] as const;
type Driver = (typeof DRIVERS)[number];
const stores = new Map<Driver, Store>();
for (const driver of DRIVERS) stores.set(driver, await open(driver));
const fleet = Array.from({ length: DEVICES }, () => device());
// The same devices and sessions in both stores: each driver writes identical data.
const listed = new Map(fleet.map((d) => [d.id, Array.from({ length: SESSIONS }, () => session(d.id))]));
for (const store of stores.values()) await putDevices(store, ...fleet);

/** ms per replaceDeviceSessions call, by phase and driver. */
const writes = new Map<string, number[]>();
const record = (key: string, value: number) => writes.set(key, [...(writes.get(key) ?? []), value]);
const order = (i: number): readonly Driver[] => (i % 2 === 0 ? DRIVERS : [...DRIVERS].reverse());
/** Every device once on each driver, the drivers taking turns to go first. */
async function syncAll(phase: string, seenAt: number) {
  for (const [i, d] of fleet.entries()) {
    for (const driver of order(i)) {
      const store = stores.get(driver) as Store;
      const start = performance.now();
      await store.replaceDeviceSessions(d.id, listed.get(d.id) ?? [], seenAt);
      record(`${phase}|${driver}`, performance.now() - start);
    }
  }
}

// Warm-up, not measured: the shared code (Kysely, the store) is compiled by the JIT before either driver is timed.
const warm = device();
const warmSessions = Array.from({ length: 5 }, () => Array.from({ length: SESSIONS }, () => session(warm.id)));
for (const store of stores.values()) {
  await putDevices(store, warm);
  for (const [i, sessions] of warmSessions.entries()) {
    await store.replaceDeviceSessions(warm.id, sessions, T0 + i);
    await store.replaceDeviceSessions(warm.id, sessions, T0 + i + 1);
  }
  await store.replaceDeviceSessions(warm.id, [], T0 + 10);
}

let seenAt = T0 + 10_000_000;
await syncAll('first sync (all new)', seenAt);
for (let round = 0; round < ROUNDS; round++) {
  seenAt += 30_000;
  await syncAll('resync, unchanged', seenAt);
  // 10 % churn: the oldest tenth of each device's sessions end, as many new ones appear.
  for (const d of fleet) {
    const now = listed.get(d.id) ?? [];
    const keep = now.slice(Math.floor(SESSIONS / 10));
    listed.set(d.id, [...keep, ...Array.from({ length: SESSIONS - keep.length }, () => session(d.id))]);
  }
  seenAt += 30_000;
  await syncAll('resync, 10 % churn', seenAt);
}

const searches: { name: string; search: (i: number) => SessionSearch }[] = [
  {
    name: 'sorted page of 500 active (q=active:true sort=-start_time)',
    search: (i) => ({
      query: parseSessionQuery('active:true'),
      sort: [{ field: 'startedAt', descending: true }],
      limit: 500,
      offset: (i % 10) * 500,
    }),
  },
  {
    name: 'one user (q=user:…)',
    search: (i) => ({
      query: parseSessionQuery(`user:user${(i * 104729) % USERS}`),
      sort: [{ field: 'startedAt', descending: true }],
      limit: 100,
      offset: 0,
    }),
  },
];
const reads = new Map<string, number[]>();
const rowsSeen = new Map<string, number>();
for (const { name, search } of searches) {
  for (let i = 0; i < QUERIES; i++) {
    for (const driver of order(i)) {
      const store = stores.get(driver) as Store;
      const start = performance.now();
      const result = await store.searchSessions(search(i));
      const key = `${name}|${driver}`;
      reads.set(key, [...(reads.get(key) ?? []), performance.now() - start]);
      rowsSeen.set(key, (rowsSeen.get(key) ?? 0) + result.rows.length);
    }
  }
}
for (const store of stores.values()) await store.close();
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const rows: Record<string, string | number>[] = [];
const samplesOf = [...writes, ...reads];
const whats = [...new Set(samplesOf.map(([label]) => label.split('|')[0]))];
const rank = ([label]: [string, number[]]) =>
  whats.indexOf(label.split('|')[0]) * DRIVERS.length + DRIVERS.indexOf(label.split('|')[1] as Driver);
for (const [label, samples] of samplesOf.sort((a, b) => rank(a) - rank(b))) {
  const [what, driver] = label.split('|') as [string, Driver];
  const other = (writes.get(`${what}|better-sqlite3`) ?? reads.get(`${what}|better-sqlite3`)) as number[];
  rows.push({
    operation: writes.has(label) ? `replaceDeviceSessions ×${SESSIONS}: ${what}` : `searchSessions: ${what}`,
    driver,
    calls: samples.length,
    'p50 ms': fmt(percentile(samples, 50)),
    'p95 ms': fmt(percentile(samples, 95)),
    'p50 vs better-sqlite3': `${((percentile(samples, 50) / percentile(other, 50)) * 100).toFixed(0)} %`,
    'rows returned': reads.has(label) ? ((rowsSeen.get(label) ?? 0) / samples.length).toFixed(1) : '-',
  });
}
console.log(`\nnode:sqlite vs better-sqlite3 — ${DEVICES} devices × ${SESSIONS} sessions, WAL files; ${machine()}`);
console.log(`command: node --import tsx bench/node-sqlite/bench.ts ${process.argv.slice(2).join(' ')}\n`);
console.log(table(rows));

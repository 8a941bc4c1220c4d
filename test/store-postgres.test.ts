// The store conformance suite on PostgreSQL, against the server named by CURFEW_TEST_PG_URL (`.ci/run` always starts
// one). Each run works in databases of its own (created here, dropped after), so runs and files never collide.
// Without the variable these tests are skipped, and say so; under CI=true a missing URL is a failure, never a skip.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { newKillTask, selectorOf } from '../src/core/kill-request.js';
import type { Device, KillTask } from '../src/core/model.js';
import { startEventBridge } from '../src/engine/event-bridge.js';
import { EngineEvents } from '../src/engine/events.js';
import { openNotifyChannel } from '../src/store/kysely/dialect.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { storeContract } from './store.contract.js';
import { device, pendingTarget, putDevices, writeFleetOps } from './support/factories.js';

const adminUrl = process.env.CURFEW_TEST_PG_URL;
const SKIP_MESSAGE = 'CURFEW_TEST_PG_URL not set: PostgreSQL store tests skipped';

describe('openStore database URLs', () => {
  it('refuses a URL whose scheme is not PostgreSQL, without echoing its password', async () => {
    await assert.rejects(openStore({ url: 'mysql://root:hunter2@db/curfew', dataDir: ':memory:' }), (err: Error) => {
      assert.match(err.message, /unsupported database URL "mysql:\/\/root:\*\*\*@db\/curfew"/);
      return true;
    });
  });

  it('bridges no events on SQLite (one node)', async () => {
    const store = await openStore({ dataDir: ':memory:' });
    const events = new EngineEvents();
    const bridge = await startEventBridge(store, events, 'only-node', undefined);
    assert.equal(events.listenerCount('task'), 0, 'nothing subscribed');
    await bridge.stop();
    await store.close();
  });

  it('refuses a secret key that is not 32 bytes of base64', async () => {
    await assert.rejects(openStore({ dataDir: ':memory:', secretKey: 'c2hvcnQ=' }), /32 bytes/);
  });
});

if (adminUrl) {
  postgresSuites(adminUrl);
} else if (process.env.CI === 'true') {
  it('PostgreSQL store tests', () => {
    assert.fail('CI=true but CURFEW_TEST_PG_URL is not set: CI must run the PostgreSQL store tests, not skip them');
  });
} else {
  process.stderr.write(`${SKIP_MESSAGE}\n`);
  it('PostgreSQL store contract', { skip: SKIP_MESSAGE }, () => undefined);
}

function postgresSuites(server: string): void {
  const created: string[] = [];
  const withClient = async <T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  /** A new empty database; C collation, so text orders by code point as on SQLite. */
  const freshDatabase = async (): Promise<string> => {
    const name = `curfew_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await withClient(server, (c) =>
      c.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`),
    );
    created.push(name);
    const url = new URL(server);
    url.pathname = `/${name}`;
    return url.toString();
  };
  after(async () => {
    await withClient(server, async (c) => {
      for (const name of created) await c.query(`drop database if exists ${name} with (force)`);
    });
  });

  const secretKey = randomBytes(32).toString('base64');
  storeContract('postgresql', async () => openStore({ url: await freshDatabase(), secretKey }));

  describe('postgresql: several nodes on one database', () => {
    const stores: Store[] = [];
    after(async () => {
      for (const store of stores) await store.close();
    });

    it('nodes starting together migrate once, under a lock, and share sealed credentials', async () => {
      const url = await freshDatabase();
      stores.push(...(await Promise.all([1, 2, 3].map(() => openStore({ url, secretKey })))));
      const [a, b, c] = stores;
      assert.ok(a && b && c);
      assert.equal(a.dialect, 'postgres');
      const migrations = await withClient(
        url,
        async (client) =>
          (await client.query<{ name: string }>('select name from kysely_migration order by name')).rows,
      );
      assert.deepEqual(
        migrations.map((m) => m.name),
        [
          '0001_initial',
          '0002_tokens',
          '0003_login_sessions',
          '0004_configuration',
          '0005_session_history',
          '0006_target_leases',
          '0007_sync_leases',
          '0008_kill_attempts',
          '0009_sync_nodes',
          '0010_inventory_generation',
          '0011_curfews',
          '0012_curfew_violations',
          '0013_sessions_start_order',
          '0014_listing_hash',
        ],
      );
      await writeFleetOps(a, { op: 'putCredential', ref: 'device:shared', username: 'admin', password: 'from node a' });
      assert.deepEqual(await c.findCredential('device:shared'), { username: 'admin', password: 'from node a' });
      // A node restarting later finds nothing to migrate.
      const late = await openStore({ url, secretKey });
      stores.push(late);
      assert.equal((await late.findCredential('device:shared'))?.password, 'from node a');
    });

    it('share the inventory generation: concurrent changing syncs on two nodes each move it once', async () => {
      const url = await freshDatabase();
      const [a, b] = await Promise.all(
        [1, 2].map(() => openStore({ url, secretKey, inventoryGenerationMaxAgeMs: 100 })),
      );
      assert.ok(a && b);
      stores.push(a, b);
      const devices = Array.from({ length: 20 }, () => device());
      await putDevices(a, ...devices);
      const start = await a.inventoryGeneration();
      const listing = (d: Device, seenAt: number) => [
        {
          deviceId: d.id,
          sessionId: `s-${seenAt}`,
          user: 'alice',
          clientIp: '10.0.0.1',
          startedAt: 1,
          protocol: 'apm',
        },
      ];
      // Each sync inserts a new session and ends the previous one: every transaction changes something.
      for (const seenAt of [1000, 2000]) {
        await Promise.all(
          devices.map((d, i) => (i % 2 ? a : b).replaceDeviceSessions(d.id, listing(d, seenAt), seenAt)),
        );
      }
      assert.equal(await a.inventoryGeneration(), start + 40, 'no bump lost between nodes');
      await Promise.all(devices.map((d, i) => (i % 2 ? a : b).replaceDeviceSessions(d.id, listing(d, 2000), 3000)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await b.inventoryGeneration(), start + 40, 'steady syncs moved nothing, seen by the other node too');
    });

    it('bridges engine events between nodes with LISTEN/NOTIFY, each node ignoring its own', async () => {
      const url = await freshDatabase();
      const [a, b] = await Promise.all([1, 2].map(() => openStore({ url, secretKey })));
      assert.ok(a && b);
      stores.push(a, b);
      const [eventsA, eventsB] = [new EngineEvents(), new EngineEvents()];
      const bridges = [
        await startEventBridge(a, eventsA, 'node-a', (name, on) => openNotifyChannel(url, name, on)),
        await startEventBridge(b, eventsB, 'node-b', (name, on) => openNotifyChannel(url, name, on)),
      ];
      try {
        const seenA: string[] = [];
        eventsA.on('task', (t) => seenA.push(`task:${t.id}`));
        eventsA.on('sync', (e) => seenA.push(`sync:${e.deviceId}`));
        const actor = { name: 'admin', address: '::1' };
        const task = newKillTask(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor, 1_000);
        await a.createTask(task, {
          at: 1,
          actor: 'admin',
          address: '::1',
          action: 'task.create',
          subject: task.id,
          details: {},
        });
        const taskOnB = new Promise<KillTask>((resolve) => eventsB.once('task', resolve));
        eventsA.emit('task', task);
        assert.equal((await taskOnB).id, task.id, 'a task event on node A reaches node B, loaded from the store');
        const deviceIds = Array.from({ length: 400 }, (_, i) => `${'d'.repeat(30)}-${String(i).padStart(4, '0')}`);
        await a.insertTargets(deviceIds.map((deviceId) => pendingTarget(task.id, deviceId)));
        const received: string[] = [];
        const allOnB = new Promise<void>((resolve) =>
          eventsB.on('targets', (outcomes) => {
            received.push(...outcomes.map((o) => o.deviceId));
            if (received.length >= deviceIds.length) resolve();
          }),
        );
        eventsA.emit(
          'targets',
          deviceIds.map((deviceId) => ({
            taskId: task.id,
            deviceId,
            status: 'pending' as const,
            killed: [],
            notFound: [],
            failed: [],
            errorCode: null,
            errorMessage: null,
            attempts: 0,
          })),
        );
        await allOnB;
        assert.deepEqual(received.sort(), deviceIds, 'targets over the 8000-byte payload arrive in chunks');
        const syncOnA = new Promise<{ deviceId: string }>((resolve) => eventsA.once('sync', resolve));
        eventsB.emit('sync', { deviceId: 'dev-1', ok: true, sessions: 3 });
        assert.equal((await syncOnA).deviceId, 'dev-1', 'and back from node B to node A');
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(seenA, [`task:${task.id}`, 'sync:dev-1'], 'no echo of its own events, no loops');
      } finally {
        for (const bridge of bridges) await bridge.stop();
      }
    });
  });
}

// The store conformance suite: every Store implementation (SQLite now, PostgreSQL later) must pass it unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newKillTask, selectorOf } from '../src/core/kill-request.js';
import type { KillTask } from '../src/core/model.js';
import { OPEN_STATUSES } from '../src/core/task-status.js';
import type { Store, StoredToken } from '../src/store/store.js';
import { configStoreContract } from './store-config.contract.js';
import { curfewStoreContract } from './store-curfews.contract.js';
import { syncLeaseContract, targetLeaseContract } from './store-leases.contract.js';
import { sessionHistoryContract } from './store-session-history.contract.js';
import { sessionStoreContract } from './store-sessions.contract.js';
import {
  countActiveSessions,
  device,
  pendingTarget,
  putDevices,
  recordKill,
  removeDevices,
  writeFleetOps,
} from './support/factories.js';

const actor = { name: 'admin', address: '127.0.0.1' };

function taskAt(createdAt: number): KillTask {
  return newKillTask(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor, createdAt);
}

function audit(subject: string) {
  return { at: Date.now(), actor: 'admin', address: '127.0.0.1', action: 'task.create', subject, details: { n: 1 } };
}

const target = pendingTarget;

/** `open` gives a new empty store each call (the suite shares one; some tests need one of their own). */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('writes devices only through writeFleet; a taken id or hostname is a conflict that writes nothing', async () => {
      const d = device({ cluster: 'blue', accessGroup: 'g1' });
      const revision = await store.configRevision();
      assert.equal(await putDevices(store, d), revision + 1);
      assert.deepEqual(await store.findDeviceById(d.id), d);
      const [commit] = await store.listConfigCommits(revision);
      assert.deepEqual(
        [commit?.revision, commit?.actor, commit?.paths.includes(`/api/configuration/devices/${d.id}`)],
        [revision + 1, 'test', true],
        'a fleet write is logged as a commit',
      );
      for (const taken of [
        { ...d, hostname: 'other' },
        { ...device(), hostname: d.hostname },
      ]) {
        await assert.rejects(
          writeFleetOps(
            store,
            { op: 'putCluster', cluster: { name: 'never-written', description: '' } },
            { op: 'insertDevice', device: taken },
          ),
          { kind: 'conflict', code: 'DEVICE_EXISTS' },
        );
      }
      assert.equal(await store.configRevision(), revision + 1, 'a conflict bumps no revision');
      assert.equal(
        (await store.listClusters()).some((c) => c.name === 'never-written'),
        false,
        'nor writes an op',
      );
      await writeFleetOps(store, {
        op: 'updateDevice',
        device: { ...d, port: 8443, verifyTls: false, state: 'online' },
      });
      const changed = await store.findDeviceById(d.id);
      assert.deepEqual([changed?.port, changed?.verifyTls, changed?.state], [8443, false, 'unknown'], 'health is kept');
      await store.updateDeviceHealth(d.id, { state: 'online', failover: 'ACTIVE', lastSyncAt: 42, lastError: null });
      const healthy = await store.findDeviceById(d.id);
      assert.equal(healthy?.failover, 'ACTIVE');
      assert.equal(healthy?.lastSyncAt, 42);
      await removeDevices(store, d);
      assert.equal(await store.findDeviceById(d.id), undefined);
      await writeFleetOps(store, { op: 'updateDevice', device: d });
      assert.equal(await store.findDeviceById(d.id), undefined, 'updating a removed device does not bring it back');
    });

    it('keeps clusters and access groups by name', async () => {
      await writeFleetOps(store, { op: 'putCluster', cluster: { name: 'blue', description: '' } });
      await writeFleetOps(
        store,
        { op: 'putCluster', cluster: { name: 'blue', description: 'HA pair' } },
        { op: 'putAccessGroup', group: { name: 'g1', description: 'VPN' } },
      );
      assert.deepEqual(await store.listClusters(), [{ name: 'blue', description: 'HA pair' }]);
      assert.deepEqual(await store.listAccessGroups(), [{ name: 'g1', description: 'VPN' }]);
      await writeFleetOps(store, { op: 'deleteCluster', name: 'blue' }, { op: 'deleteAccessGroup', name: 'nope' });
      assert.deepEqual(await store.listClusters(), []);
      assert.deepEqual(await store.listAccessGroups(), [{ name: 'g1', description: 'VPN' }]);
    });

    it('seals credentials and reads them back', async () => {
      await writeFleetOps(store, { op: 'putCredential', ref: 'device:x', username: 'admin', password: 's3cret' });
      assert.deepEqual(await store.findCredential('device:x'), { username: 'admin', password: 's3cret' });
      await writeFleetOps(store, { op: 'putCredential', ref: 'device:x', username: 'admin', password: 'rotated' });
      assert.equal((await store.findCredential('device:x'))?.password, 'rotated');
      await writeFleetOps(store, { op: 'putCredential', ref: 'device:x', username: 'root' });
      assert.deepEqual(
        await store.findCredential('device:x'),
        { username: 'root', password: 'rotated' },
        'a new login name alone keeps the password',
      );
      await writeFleetOps(store, { op: 'deleteCredential', ref: 'device:x' });
      assert.equal(await store.findCredential('device:x'), undefined);
    });

    it('replaces a device session set: keeps first-seen start times, ends what vanished', async () => {
      const d = device();
      await putDevices(store, d);
      const s = (id: string, user: string) => ({
        deviceId: d.id,
        sessionId: id,
        user,
        clientIp: '10.0.0.1',
        startedAt: 100,
        protocol: 'apm',
      });
      await store.replaceDeviceSessions(d.id, [s('aa', 'alice'), s('bb', 'bob')], 1000);
      await store.replaceDeviceSessions(d.id, [{ ...s('bb', 'bob'), startedAt: 999 }, s('cc', 'alice')], 2000);
      const rows = await store.listSessions({ deviceIds: [d.id], limit: 10, offset: 0, orderBy: 'user' });
      assert.deepEqual(
        rows.map((r) => [r.sessionId, r.user, r.startedAt]),
        [
          ['cc', 'alice', 100],
          ['bb', 'bob', 100],
        ],
      );
      // A live session was last seen at its device's last listing (not written per session by a steady sync).
      assert.equal((await store.findSessionRecord(d.id, 'bb'))?.lastSeenAt, 2000);
      assert.equal(await countActiveSessions(store, { user: 'alice' }), 1);
      assert.equal((await store.countSessionsByDevice()).get(d.id), 2);
      await store.replaceDeviceSessions(d.id, [s('cc', 'alice')], 3000);
      assert.equal(await countActiveSessions(store, { deviceIds: [d.id] }), 1);
      const ended = await store.findSessionRecord(d.id, 'bb');
      assert.equal(ended?.endReason, 'closed');
      assert.equal(ended?.lastSeenAt, 2000, 'an ended session was last seen at the listing before its end');
      await removeDevices(store, d);
      assert.equal(await countActiveSessions(store, { deviceIds: [d.id] }), 0);
      assert.equal(await store.findSessionRecord(d.id, 'bb'), undefined, 'removing a device removes its sessions');
    });

    it('skips an unchanged listing, but not after a kill changed the rows', async () => {
      const d = device();
      await putDevices(store, d);
      const s = (id: string) => ({
        deviceId: d.id,
        sessionId: id,
        user: 'zed',
        clientIp: '10.0.0.9',
        startedAt: 100,
        protocol: 'apm',
      });
      await store.replaceDeviceSessions(d.id, [s('k1'), s('k2')], 1000);
      const generation = await store.inventoryGeneration();
      await store.replaceDeviceSessions(d.id, [s('k1'), s('k2')], 2000);
      assert.equal(await store.inventoryGeneration(), generation, 'an unchanged listing changes nothing a search sees');
      assert.equal((await store.findSessionRecord(d.id, 'k1'))?.lastSeenAt, 2000, 'but moves the sighting');
      // A kill ends k1; the device lists it again afterwards (the kill did not hold): the same listing is applied.
      await recordKill(store, d, ['k1'], 3000);
      assert.equal((await store.findSessionRecord(d.id, 'k1'))?.endReason, 'killed');
      await store.replaceDeviceSessions(d.id, [s('k1'), s('k2')], 4000);
      assert.equal((await store.findSessionRecord(d.id, 'k1'))?.endedAt, null, 'revived by the listing after the kill');
      await removeDevices(store, d);
    });

    it('handles session sets larger than one statement can bind', async () => {
      const d = device();
      await putDevices(store, d);
      const many = Array.from({ length: 12_000 }, (_, i) => ({
        deviceId: d.id,
        sessionId: i.toString(16).padStart(8, '0'),
        user: `user${i % 50}`,
        clientIp: '10.0.0.1',
        startedAt: i,
        protocol: 'apm',
      }));
      await store.replaceDeviceSessions(d.id, many, 5);
      assert.equal((await store.countSessionsByDevice()).get(d.id), 12_000);
      const page = await store.listSessions({
        deviceIds: [d.id],
        limit: 3,
        offset: 10,
        orderBy: 'startedAt',
        descending: true,
      });
      assert.deepEqual(
        page.map((p) => p.startedAt),
        [11_989, 11_988, 11_987],
      );
      // A kill's outcome ends them all in the inventory, in chunks: the first half killed, the rest already gone.
      const ids = many.map((s) => s.sessionId);
      const task = taskAt(500);
      await store.createTask(task, audit(task.id));
      await store.insertTargets([target(task.id, d.id)]);
      const outcome = {
        taskId: task.id,
        deviceId: d.id,
        status: 'done' as const,
        killed: ids.slice(0, 6_000),
        notFound: ids.slice(6_000),
        failed: [],
        errorCode: null,
        errorMessage: null,
        attempts: 1,
      };
      assert.equal((await store.recordOutcomes([outcome], 6)).length, 1);
      assert.equal((await store.countSessionsByDevice()).get(d.id), undefined);
      assert.equal(await countActiveSessions(store, { deviceIds: [d.id] }), 0);
      assert.equal((await store.findSessionRecord(d.id, ids[5_999] ?? ''))?.endReason, 'killed');
      assert.equal((await store.findSessionRecord(d.id, ids[6_000] ?? ''))?.endReason, 'closed');
      await store.transitionTask(task.id, OPEN_STATUSES, { status: 'FAILED' });
      await removeDevices(store, d);
    });

    it('writes a task and its audit event together, lists newest first', async () => {
      const older = taskAt(1_000);
      const newer = taskAt(2_000);
      await store.createTask(older, audit(older.id));
      await store.createTask(newer, audit(newer.id));
      assert.deepEqual(await store.findTaskById(older.id), older);
      const listed = await store.listTasks({ limit: 2, offset: 0 });
      assert.deepEqual(
        listed.map((t) => t.id),
        [newer.id, older.id],
      );
      assert.ok((await store.countTasks()) >= 2);
      const events = await store.listAudit({ limit: 50, offset: 0, action: 'task.create' });
      assert.ok(events.some((e) => e.subject === older.id && e.details.n === 1));
      await assert.rejects(store.createTask(older, audit('dup')));
      assert.equal((await store.listAudit({ limit: 50, offset: 0 })).filter((e) => e.subject === 'dup').length, 0);
    });

    it('moves tasks by conditional transitions with a bumped generation, and cancels only unfinished ones', async () => {
      const task = taskAt(3_000);
      await store.createTask(task, audit(task.id));
      assert.equal(await store.transitionTask(task.id, ['STARTED'], { status: 'FAILED' }), undefined, 'not CREATED');
      assert.deepEqual(await store.findTaskById(task.id), task, 'a transition that did not apply writes nothing');
      const started = await store.transitionTask(task.id, ['CREATED'], { status: 'STARTED', startedAt: 5 });
      assert.deepEqual([started?.status, started?.startedAt], ['STARTED', 5]);
      assert.equal(started?.generation, task.generation + 1);
      const canceling = await store.requestCancel(task.id);
      assert.deepEqual([canceling?.status, canceling?.generation], ['CANCEL_REQUESTED', task.generation + 2]);
      const canceled = await store.transitionTask(task.id, ['CANCEL_REQUESTED'], { status: 'CANCELED', endedAt: 9 });
      assert.deepEqual([canceled?.status, canceled?.endedAt], ['CANCELED', 9]);
      const final = await store.requestCancel(task.id);
      assert.deepEqual([final?.status, final?.generation], ['CANCELED', task.generation + 3], 'final tasks stay');
      assert.equal(await store.requestCancel('missing'), undefined);
      assert.equal(await store.transitionTask('missing', ['STARTED'], { status: 'FAILED' }), undefined);
    });

    it('leases a task to exactly one claimer until the lease expires or is released', async () => {
      for (const t of await store.listTasks({ limit: 100, offset: 0 })) {
        await store.transitionTask(t.id, OPEN_STATUSES, { status: 'FAILED' });
      }
      const task = taskAt(4_000);
      await store.createTask(task, audit(task.id));
      const claims = await Promise.all([store.claimTask('n1', 10_000, 1_000), store.claimTask('n2', 10_000, 1_000)]);
      assert.equal(claims.filter((c) => c?.id === task.id).length, 1);
      const holder = claims[0]?.id === task.id ? 'n1' : 'n2';
      const other = holder === 'n1' ? 'n2' : 'n1';
      assert.equal(await store.claimTask(other, 10_500, 1_000), undefined);
      assert.equal(await store.renewLease(task.id, other, 20_000), false);
      assert.equal(await store.renewLease(task.id, holder, 12_000), true);
      assert.equal(await store.claimTask(other, 11_500, 1_000), undefined);
      assert.equal((await store.claimTask(other, 12_001, 1_000))?.id, task.id, 'an expired lease can be taken over');
      await store.releaseLeasesOf(other);
      assert.equal((await store.claimTask(holder, 12_002, 1_000))?.id, task.id);
      await store.releaseLease(task.id, holder);
      await store.transitionTask(task.id, ['CREATED'], { status: 'STARTED' });
      await store.transitionTask(task.id, ['STARTED'], { status: 'FINISHED' });
      assert.equal(await store.claimTask(holder, 99_000, 1_000), undefined, 'final tasks are never claimed');
    });

    it('inserts targets once and records outcomes in batches', async () => {
      const task = taskAt(5_000);
      await store.createTask(task, audit(task.id));
      await store.insertTargets([target(task.id, 'd1'), target(task.id, 'd2')]);
      await store.insertTargets([{ ...target(task.id, 'd1'), status: 'done' }]);
      assert.deepEqual(
        (await store.listTargets(task.id)).map((t) => [t.deviceId, t.status]),
        [
          ['d1', 'pending'],
          ['d2', 'pending'],
        ],
      );
      const written = await store.recordOutcomes(
        [
          {
            taskId: task.id,
            deviceId: 'd1',
            status: 'done',
            killed: ['a'],
            notFound: ['b'],
            failed: [],
            errorCode: null,
            errorMessage: null,
            attempts: 1,
          },
          {
            taskId: task.id,
            deviceId: 'd2',
            status: 'failed',
            killed: [],
            notFound: [],
            failed: ['c'],
            errorCode: 'timeout',
            errorMessage: 'slow',
            attempts: 3,
          },
        ],
        7_000,
      );
      assert.equal(written.length, 2);
      const [d1, d2] = await store.listTargets(task.id);
      const grouped = await store.listTargetsOfTasks([task.id, 'no-such-task']);
      assert.deepEqual([...grouped.keys()], [task.id]);
      assert.deepEqual(grouped.get(task.id), [d1, d2]);
      assert.deepEqual([d1?.status, d1?.killed, d1?.notFound], ['done', ['a'], ['b']]);
      assert.deepEqual([d2?.status, d2?.failed, d2?.errorCode, d2?.attempts], ['failed', ['c'], 'timeout', 3]);
    });

    it('records outcomes and ends their sessions in the inventory in one call', async () => {
      const d = device();
      await putDevices(store, d);
      const s = (id: string) => ({
        deviceId: d.id,
        sessionId: id,
        user: 'eve',
        clientIp: '10.0.0.9',
        startedAt: 1,
        protocol: 'apm',
      });
      await store.replaceDeviceSessions(d.id, [s('k1'), s('k2'), s('gone'), s('left')], 10);
      const task = taskAt(6_000);
      await store.createTask(task, audit(task.id));
      await store.insertTargets([target(task.id, d.id)]);
      await store.recordOutcomes(
        [
          {
            taskId: task.id,
            deviceId: d.id,
            status: 'done',
            killed: ['k1', 'k2'],
            notFound: ['gone'],
            failed: [],
            errorCode: null,
            errorMessage: null,
            attempts: 1,
          },
        ],
        20,
      );
      const [t] = await store.listTargets(task.id);
      assert.deepEqual([t?.status, t?.killed, t?.notFound], ['done', ['k1', 'k2'], ['gone']]);
      const active = await store.listSessions({ deviceIds: [d.id], limit: 10, offset: 0 });
      assert.deepEqual(
        active.map((x) => x.sessionId),
        ['left'],
      );
      await removeDevices(store, d);
    });

    it('keeps users, settings and a filterable audit trail', async () => {
      await store.upsertUser({ name: 'admin', passwordHash: 'h1', createdAt: 1 });
      await store.upsertUser({ name: 'admin', passwordHash: 'h2', createdAt: 2 });
      const admin = await store.findUserByName('admin');
      assert.deepEqual(
        { name: admin?.name, passwordHash: admin?.passwordHash, createdAt: admin?.createdAt },
        { name: 'admin', passwordHash: 'h2', createdAt: 1 },
      );
      assert.match(admin?.key ?? '', /^[0-9a-f]{22}$/, 'users get an SPS-style key on insert');
      assert.equal(await store.replacePasswordHash('admin', 'h1', 'h3'), false, 'only over the hash it read');
      assert.equal(await store.replacePasswordHash('admin', 'h2', 'h3'), true);
      assert.equal((await store.findUserByName('admin'))?.passwordHash, 'h3');
      assert.equal((await store.findUserByName('admin'))?.key, admin?.key);
      assert.equal(await store.findUserByName('nobody'), undefined);
      await store.setSetting('k', 'v1');
      await store.setSetting('k', 'v2');
      assert.equal(await store.getSetting('k'), 'v2');
      assert.equal(await store.getSetting('none'), undefined);
      await store.appendAudit({
        at: 7,
        actor: 'carol',
        address: '::1',
        action: 'device.add',
        subject: 'd',
        details: {},
      });
      const [event] = await store.listAudit({ limit: 1, offset: 0, actor: 'carol' });
      assert.equal(event?.action, 'device.add');
      assert.equal(event?.address, '::1');
      // Client-supplied values are bounded whoever writes them (issue 11: unauthenticated disk fill).
      await store.appendAudit({
        at: 8,
        actor: 'm'.repeat(100_000),
        address: '::1',
        action: 'auth.login_failed',
        subject: 'sps',
        details: { text: 'd'.repeat(100_000), list: Array.from({ length: 1000 }, (_, i) => i) },
      });
      const [bounded] = await store.listAudit({ limit: 1, offset: 0, action: 'auth.login_failed' });
      assert.equal(bounded?.actor, `${'m'.repeat(127)}…`);
      assert.equal(String(bounded?.details.text).length, 1024);
      assert.deepEqual(((bounded?.details.list ?? []) as unknown[]).slice(-2), [98, '… 901 more']);
    });

    it('keeps tokens by hash: insert, find, list valid ones newest first, update expiry, delete, purge expired', async () => {
      const token = (id: string, userName: string, createdAt: number, expiresAt: number): StoredToken => ({
        id,
        kind: 'access',
        userName,
        provider: 'local',
        address: '10.0.0.1',
        createdAt,
        updatedAt: createdAt,
        expiresAt,
        timeoutSec: (expiresAt - createdAt) / 1000,
        generation: 1,
      });
      const older = token('a'.repeat(64), 'tok-alice', 1_000, 301_000);
      const newer = token('b'.repeat(64), 'tok-alice', 2_000, 302_000);
      const bobs = { ...token('c'.repeat(64), 'tok-bob', 3_000, 36_003_000), kind: 'refresh' as const };
      for (const t of [older, newer, bobs]) await store.insertToken(t);
      await assert.rejects(store.insertToken(older));
      assert.deepEqual(await store.findTokenById(bobs.id), bobs);
      assert.equal(await store.findTokenById('d'.repeat(64)), undefined);
      const ids = async (validAt: number, userName?: string) =>
        (await store.listTokens({ validAt, ...(userName !== undefined && { userName }) })).map((t) => t.id);
      assert.deepEqual(await ids(0, 'tok-alice'), [newer.id, older.id]);
      assert.deepEqual(await ids(301_500, 'tok-alice'), [newer.id]);
      assert.deepEqual((await ids(301_500)).includes(older.id), false);

      const extended = await store.updateTokenExpiry(older.id, {
        expiresAt: 900_000,
        timeoutSec: 800,
        updatedAt: 100_000,
      });
      assert.deepEqual(extended, { ...older, expiresAt: 900_000, timeoutSec: 800, updatedAt: 100_000, generation: 2 });
      assert.equal(
        await store.updateTokenExpiry('d'.repeat(64), { expiresAt: 1, timeoutSec: 1, updatedAt: 1 }),
        undefined,
      );

      assert.equal(await store.deleteTokenById(newer.id), true);
      assert.equal(await store.deleteTokenById(newer.id), false);
      assert.equal(await store.purgeExpiredTokens(1_000_000), 1);
      assert.equal(await store.findTokenById(older.id), undefined);
      assert.deepEqual(await store.findTokenById(bobs.id), bobs);
    });

    it('keeps login sessions: find, slide, end per user, purge expired', async () => {
      const base = {
        userName: 'ops',
        grants: [['/special/active_sessions', 'read']] as [string, 'read'][],
        address: '::1',
        createdAt: 1,
        lastSeenAt: 1,
      };
      await store.insertLoginSession({ ...base, id: 'a'.repeat(64), expiresAt: 100 });
      await store.insertLoginSession({ ...base, id: 'b'.repeat(64), expiresAt: 5_000 });
      await store.insertLoginSession({ ...base, id: 'c'.repeat(64), userName: 'other', expiresAt: 5_000 });
      assert.deepEqual((await store.findLoginSession('a'.repeat(64)))?.grants, [['/special/active_sessions', 'read']]);
      assert.equal(await store.touchLoginSession('a'.repeat(64), 50, 200), true);
      assert.equal((await store.findLoginSession('a'.repeat(64)))?.expiresAt, 200);
      assert.deepEqual(await store.purgeExpiredLoginSessions(300), ['a'.repeat(64)]);
      assert.deepEqual(await store.deleteLoginSessionsOfUser('ops'), ['b'.repeat(64)]);
      assert.equal(await store.touchLoginSession('b'.repeat(64), 1, 2), false);
      assert.equal(await store.deleteLoginSession('c'.repeat(64)), true);
      assert.equal(await store.findLoginSession('c'.repeat(64)), undefined);
    });

    sessionStoreContract(() => store);
    sessionHistoryContract(() => store);
    configStoreContract(() => store);
    targetLeaseContract(() => store);
    curfewStoreContract(() => store);
    syncLeaseContract(open);
  });
}

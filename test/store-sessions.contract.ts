// Store conformance, sessions part: history (ended sessions kept with when and why), retention, and search through
// the query AST. Called from storeContract with its store; every case uses its own devices, so the shared store's
// other rows never match.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Device } from '../src/core/model.js';
import { parseSessionQuery } from '../src/core/session-query.js';
import type { SessionSearch, Store } from '../src/store/store.js';
import {
  countActiveSessions,
  device,
  putDevices,
  recordKill,
  removeDevices,
  writeFleetOps,
} from './support/factories.js';

const DAY = 86_400_000;

function listing(d: Device, entries: [id: string, user: string, startedAt?: number, clientIp?: string][]) {
  return entries.map(([sessionId, user, startedAt = 100, clientIp = '10.0.0.1']) => ({
    deviceId: d.id,
    sessionId,
    user,
    clientIp,
    startedAt,
    protocol: 'apm',
  }));
}

export function sessionStoreContract(current: () => Store): void {
  it('keeps ended sessions as history: closed when the device stops listing them, killed after a kill', async () => {
    const store = current();
    const d = device();
    await putDevices(store, d);
    await store.replaceDeviceSessions(
      d.id,
      listing(d, [
        ['aa', 'alice'],
        ['bb', 'bob'],
        ['cc', 'carol'],
      ]),
      1000,
    );
    await recordKill(store, d, ['cc'], 1500);
    await store.replaceDeviceSessions(d.id, listing(d, [['aa', 'alice']]), 2000);
    const record = (id: string) => store.findSessionRecord(d.id, id);
    assert.deepEqual([(await record('bb'))?.endedAt, (await record('bb'))?.endReason], [2000, 'closed']);
    assert.deepEqual([(await record('cc'))?.endedAt, (await record('cc'))?.endReason], [1500, 'killed']);
    assert.deepEqual((await record('aa'))?.device.hostname, d.hostname);
    assert.equal((await record('aa'))?.endedAt, null);
    assert.equal(await record('zz'), undefined);
    // Existing queries mean active sessions only.
    assert.equal(await countActiveSessions(store, { deviceIds: [d.id] }), 1);
    assert.equal((await store.countSessionsByDevice()).get(d.id), 1);
    assert.deepEqual(
      (await store.listSessions({ deviceIds: [d.id], limit: 10, offset: 0 })).map((s) => s.sessionId),
      ['aa'],
    );
    // A kill's verdict overrides a sync's `closed` (keeping when the sync saw it end); a second kill keeps the first
    // end; a later listing revives a session that had ended.
    await recordKill(store, d, ['bb'], 2500);
    assert.deepEqual([(await record('bb'))?.endedAt, (await record('bb'))?.endReason], [2000, 'killed']);
    await recordKill(store, d, ['cc'], 2600);
    assert.deepEqual([(await record('cc'))?.endedAt, (await record('cc'))?.endReason], [1500, 'killed']);
    await store.replaceDeviceSessions(
      d.id,
      listing(d, [
        ['aa', 'alice'],
        ['bb', 'bob'],
      ]),
      3000,
    );
    assert.deepEqual([(await record('bb'))?.endedAt, (await record('bb'))?.endReason], [null, null]);
    assert.equal(await countActiveSessions(store, { deviceIds: [d.id] }), 2);
    await removeDevices(store, d);
  });

  it('does not revive a killed session from a listing taken before the kill', async () => {
    const store = current();
    const d = device();
    await putDevices(store, d);
    await store.replaceDeviceSessions(d.id, listing(d, [['aa', 'alice']]), 1000);
    await recordKill(store, d, ['aa'], 2000);
    await store.replaceDeviceSessions(d.id, listing(d, [['aa', 'alice']]), 1900);
    const killed = await store.findSessionRecord(d.id, 'aa');
    assert.deepEqual([killed?.endedAt, killed?.endReason], [2000, 'killed']);
    await removeDevices(store, d);
  });

  it('purges history older than the retention, from sync at most once a minute, or on demand', async () => {
    const store = current();
    const d = device();
    await putDevices(store, d);
    const t0 = 50 * DAY;
    await store.replaceDeviceSessions(
      d.id,
      listing(d, [
        ['aa', 'alice'],
        ['bb', 'bob'],
        ['cc', 'carol'],
      ]),
      t0,
    );
    await store.replaceDeviceSessions(d.id, listing(d, [['cc', 'carol']]), t0 + 1000);
    await recordKill(store, d, ['cc'], t0 + 3 * DAY);
    const day8 = t0 + 8 * DAY;
    await store.replaceDeviceSessions(d.id, [], day8);
    assert.equal(await store.findSessionRecord(d.id, 'aa'), undefined, 'ended more than 7 days ago');
    assert.equal((await store.findSessionRecord(d.id, 'cc'))?.endReason, 'killed', 'ended 5 days ago');
    assert.equal(await store.purgeEndedSessions(t0 + 4 * DAY), 1);
    assert.equal(await store.findSessionRecord(d.id, 'cc'), undefined);
    await removeDevices(store, d);
  });

  it('searches active and ended sessions with the query language, sorted and paged, with an exact count', async () => {
    const store = current();
    const blue = device({ cluster: 'blue-ctr', accessGroup: 'vpn-ctr' });
    const red = device();
    await putDevices(store, blue, red);
    const spsId = 'svc/rpokH8fD9kx6CaxNLznKx2/test:12';
    await store.replaceDeviceSessions(
      blue.id,
      listing(blue, [
        ['b1', 'Alice', 1000, '10.1.0.1'],
        ['b2', 'a_b', 2000, '10.1.0.2'],
        ['b3', 'axb', 3000],
        [spsId, 'bob', 4000],
      ]),
      10_000,
    );
    await store.replaceDeviceSessions(
      red.id,
      listing(red, [
        ['r1', 'alice', 1500],
        ['r2', 'carol', 2500],
      ]),
      10_000,
    );
    await recordKill(store, red, ['r1'], 11_000);
    await store.replaceDeviceSessions(red.id, [], 12_000);

    const mine = `(device_id:${blue.id} OR device_id:${red.id})`;
    const search = async (q: string, extra: Partial<SessionSearch> = {}) => {
      const result = await store.searchSessions({
        query: parseSessionQuery(`${mine} AND (${q})`),
        sort: [{ field: 'startedAt', descending: false }],
        limit: 100,
        offset: 0,
        ...extra,
      });
      return { ids: result.rows.map((r) => r.sessionId), count: result.matchCount, rows: result.rows };
    };
    assert.deepEqual((await search('user:alice')).ids, ['r1'], 'exact values are case-sensitive');
    assert.deepEqual((await search('user:ali*')).ids, ['b1', 'r1'], 'wildcards are not');
    assert.deepEqual((await search('user:a_*')).ids, ['b2'], 'LIKE metacharacters in values are literal');
    assert.deepEqual((await search('user:a?b')).ids, ['b2', 'b3']);
    assert.deepEqual((await search(`device:"${blue.hostname}" AND client.ip:10.1.*`)).ids, ['b1', 'b2']);
    assert.deepEqual((await search('cluster:blue-ctr AND NOT access_group:vpn-ctr')).ids, []);
    assert.deepEqual((await search('NOT cluster:blue-ctr')).ids, ['r1', 'r2'], 'a device without a cluster');
    assert.deepEqual((await search('cluster:*')).count, 4);
    assert.deepEqual((await search(`session_id:"${blue.hostname}/${spsId}"`)).ids, [spsId]);
    assert.deepEqual((await search(`session_id:"${blue.id}/${spsId}"`)).ids, [spsId], 'device id prefix works too');
    assert.deepEqual((await search('session_id:*/r1')).ids, ['r1']);
    assert.deepEqual((await search('session_id:r1')).ids, [], 'a session id names its device');
    assert.deepEqual((await search('active:true')).count, 4);
    assert.deepEqual((await search('verdict:TERMINATED')).ids, ['r1']);
    assert.deepEqual((await search('end_reason:closed')).ids, ['r2']);
    assert.deepEqual((await search('NOT verdict:closed')).count, 5, 'NOT keeps active sessions');
    assert.deepEqual((await search('end_time:*')).ids, ['r1', 'r2']);
    assert.deepEqual((await search('NOT end_time:[1970-01-01T00:00:11Z TO *]')).count, 4);
    // A bound covers its precision: `{…:01Z` excludes all of second 1, `…:03Z]` includes all of second 3.
    assert.deepEqual((await search('start_time:{1970-01-01T00:00:01Z TO 1970-01-01T00:00:03Z]')).ids, [
      'b2',
      'r2',
      'b3',
    ]);
    assert.deepEqual((await search('origin:CURFEW_INVENTORY AND NOT origin:RECORDING')).count, 6);

    // Lower-case ASCII names only: byte order (SQLite) and a PostgreSQL locale collation agree on them.
    const page = await search('user:(alice OR axb OR bob OR carol)', {
      sort: [{ field: 'user', descending: true }],
      limit: 2,
      offset: 1,
    });
    assert.deepEqual(page.ids, [spsId, 'b3']);
    assert.equal(page.count, 4, 'a full page still reports the exact count');
    const ended = (await search('active:false', { sort: [{ field: 'endedAt', descending: true }] })).rows;
    assert.deepEqual(
      ended.map((r) => [r.sessionId, r.endedAt, r.endReason, r.device.id]),
      [
        ['r2', 12_000, 'closed', red.id],
        ['r1', 11_000, 'killed', red.id],
      ],
    );
    const byDevice = await search('active:true', { sort: [{ field: 'sessionId', descending: false }] });
    assert.deepEqual(byDevice.rows[0]?.device, {
      id: blue.id,
      hostname: blue.hostname,
      kind: 'bigip',
      cluster: 'blue-ctr',
      accessGroup: 'vpn-ctr',
    });
    await removeDevices(store, blue, red);
  });

  it('moves the inventory generation with every change a search can see, and not on a sync that changed nothing', async () => {
    const store = current();
    const d = device();
    let last = await store.inventoryGeneration();
    /** Asserts whether the generation moved since the last call (it only ever grows). */
    const moved = async (expected: boolean, what: string) => {
      const now = await store.inventoryGeneration();
      if (expected) assert.ok(now > last, `${what}: moved`);
      else assert.equal(now, last, `${what}: did not move`);
      last = now;
    };
    // Times stay under the 7-day retention, so no sync here purges anything.
    await putDevices(store, d);
    await moved(true, 'a device added');
    const two = listing(d, [
      ['aa', 'alice'],
      ['bb', 'bob'],
    ]);
    await store.replaceDeviceSessions(d.id, two, 1000);
    await moved(true, 'a sync that found new sessions');
    await store.replaceDeviceSessions(d.id, two, 2000);
    await moved(false, 'a steady sync (only last_seen_at refreshed)');
    await store.updateDeviceHealth(d.id, { state: 'online', lastSyncAt: 2000, lastError: null });
    await moved(false, 'device health');
    await store.replaceDeviceSessions(
      d.id,
      listing(d, [
        ['aa', 'alice', 100, '10.9.9.9'],
        ['bb', 'bob'],
      ]),
      3000,
    );
    await moved(true, 'a sync that saw a session change address');
    await store.replaceDeviceSessions(d.id, listing(d, [['aa', 'alice', 100, '10.9.9.9']]), 4000);
    await moved(true, 'a sync that saw a session vanish (closed)');
    await store.replaceDeviceSessions(d.id, listing(d, [['aa', 'alice', 100, '10.9.9.9']]), 5000);
    await moved(false, 'a steady sync after the close');
    await recordKill(store, d, ['aa'], 6000);
    await moved(true, 'a kill outcome that ended a session');
    await recordKill(store, d, ['aa'], 6500);
    await moved(false, 'a kill outcome that ended nothing (already killed)');
    await store.replaceDeviceSessions(d.id, [], 7000);
    await moved(false, 'an empty listing when nothing is active');
    await store.replaceDeviceSessions(d.id, listing(d, [['bb', 'bob']]), 8000);
    await moved(true, 'a sync that revived an ended session');
    assert.equal(await store.purgeEndedSessions(0), 0);
    await moved(false, 'a purge that deleted nothing');
    assert.equal(await store.purgeEndedSessions(6001), 1);
    await moved(true, 'a purge that deleted history');
    await writeFleetOps(store, { op: 'updateDevice', device: { ...d, hostname: `renamed-${d.hostname}` } });
    await moved(true, 'a device renamed (sessions show its hostname)');
    await removeDevices(store, d);
    await moved(true, 'a device removed with its sessions');
    // The generation is read, not counted in memory: a fresh read agrees with the last one.
    assert.equal(await store.inventoryGeneration(), last);
  });
}

// Session search answers are kept per inventory generation (src/http/sps/search-cache.ts): a repeated search costs no
// query while nothing changed, and any change a search can see (sync, kill, device rename or removal) makes the next
// one read again. Also the cache's own bounds, with a fake clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newKillTask, selectorOf } from '../src/core/kill-request.js';
import type { Device } from '../src/core/model.js';
import { SearchCache } from '../src/http/sps/search-cache.js';
import type { Store } from '../src/store/store.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { device, pendingTarget, putDevices, removeDevices, writeFleetOps } from './support/factories.js';

const BASIC = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

/** Counts the store's search reads (each one a query; the generation read is not counted). */
function counting(store: Store, reads: { search: number; counts: number }): Store {
  return {
    ...store,
    searchSessions: (search) => {
      reads.search++;
      return store.searchSessions(search);
    },
    countSessionsBy: (query, field, size) => {
      reads.counts++;
      return store.countSessionsBy(query, field, size);
    },
  };
}

interface Page {
  items: { body: { session_id: string; verdict: string; device: { name: string } } }[];
  meta: Record<string, unknown>;
}

const session = (d: Device, sessionId: string, user: string, startedAt: number) => ({
  deviceId: d.id,
  sessionId,
  user,
  clientIp: '10.0.0.1',
  startedAt,
  protocol: 'apm',
});

describe('SPS session search cache', () => {
  let h: AppHarness;
  const reads = { search: 0, counts: 0 };
  const d = device({ cluster: 'north' });

  before(async () => {
    h = await startApp({ wrapStore: (store) => counting(store, reads) });
    await h.engine.stop(); // no background work while reads are counted
    await putDevices(h.store, d);
    await h.store.replaceDeviceSessions(d.id, [session(d, 'a1', 'alice', 1000)], Date.now());
  });
  after(() => h.close());

  const get = async (url: string) => {
    const res = await h.app.inject({ method: 'GET', url, headers: { authorization: BASIC } });
    assert.equal(res.statusCode, 200, res.body);
    return res;
  };
  const SEARCH = '/api/audit/sessions?q=user:alice&fields=session_id,verdict,device.name,start_time';
  const search = async () => {
    const before = reads.search;
    const res = await get(SEARCH);
    const body = res.json() as Page;
    return { res, body, read: reads.search - before };
  };
  const ids = (body: Page) => body.items.map((i) => i.body.session_id);

  it('answers a repeated search from the cache, the same bytes with this request’s remaining_seconds', async () => {
    const first = await search();
    assert.equal(first.read, 1);
    assert.deepEqual(ids(first.body), [`${d.hostname}/a1`]);
    const second = await search();
    assert.equal(second.read, 0, 'no query for an unchanged inventory');
    assert.equal(typeof second.body.meta.remaining_seconds, 'number');
    const strip = (text: string) => text.replace(/"remaining_seconds":\d+/, '');
    assert.equal(strip(second.res.body), strip(first.res.body));
    assert.equal(second.res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(second.res.headers['content-language'], 'en');
  });

  it('shows a session that a sync added on the very next search, and keeps answering after a steady sync', async () => {
    await search();
    const listed = [session(d, 'a1', 'alice', 1000), session(d, 'a2', 'alice', 2000)];
    await h.store.replaceDeviceSessions(d.id, listed, Date.now());
    const next = await search();
    assert.equal(next.read, 1);
    assert.deepEqual(ids(next.body), [`${d.hostname}/a2`, `${d.hostname}/a1`]);
    await h.store.replaceDeviceSessions(d.id, listed, Date.now() + 1000);
    assert.equal((await search()).read, 0, 'a sync that found nothing new keeps the cache');
  });

  it('shows a kill, a device renamed and a device removed on the next search', async () => {
    await search();
    const actor = { name: 'admin', address: '::1' };
    const task = newKillTask(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor, 100);
    await h.store.createTask(task, {
      at: 1,
      actor: 'admin',
      address: '::1',
      action: 'x',
      subject: task.id,
      details: {},
    });
    await h.store.insertTargets([pendingTarget(task.id, d.id)]);
    const outcome = { taskId: task.id, deviceId: d.id, status: 'done' as const, killed: ['a2'], notFound: [] };
    await h.store.recordOutcomes(
      [{ ...outcome, failed: [], errorCode: null, errorMessage: null, attempts: 1 }],
      Date.now(),
    );
    const killed = await search();
    assert.equal(killed.read, 1);
    assert.deepEqual(
      killed.body.items.map((i) => i.body.verdict),
      ['TERMINATED', 'ACTIVE'],
    );

    const renamed = { ...d, hostname: `renamed-${d.hostname}` };
    await writeFleetOps(h.store, { op: 'updateDevice', device: renamed });
    const afterRename = await search();
    assert.equal(afterRename.read, 1);
    assert.deepEqual(
      afterRename.body.items.map((i) => i.body.device.name),
      [renamed.hostname, renamed.hostname],
    );

    await removeDevices(h.store, d);
    const afterRemoval = await search();
    assert.equal(afterRemoval.read, 1);
    assert.deepEqual(afterRemoval.body.items, []);
    assert.equal(afterRemoval.body.meta.match_count, 0);
  });

  it('keeps CSV and stats answers the same way', async () => {
    const e = device();
    await putDevices(h.store, e);
    await h.store.replaceDeviceSessions(e.id, [session(e, 'b1', 'bob', 1000)], Date.now());
    const csv = `/api/audit/sessions?format=csv&q=device_id:${e.id}`;
    const stats = `/api/audit/sessions/stats?field=user&q=device_id:${e.id}`;
    const [csvReads, statsReads] = [reads.search, reads.counts];
    const firstCsv = await get(csv);
    const firstStats = await get(stats);
    assert.equal((await get(csv)).body, firstCsv.body);
    assert.deepEqual((await get(stats)).json().items, [{ value: 'bob', count: 1 }]);
    assert.deepEqual([reads.search - csvReads, reads.counts - statsReads], [1, 1]);
    assert.match(String(firstCsv.headers['content-type']), /^text\/csv/);
    assert.equal(typeof firstStats.json().meta.remaining_seconds, 'number');

    await h.store.replaceDeviceSessions(
      e.id,
      [session(e, 'b1', 'bob', 1000), session(e, 'b2', 'bob', 2000)],
      Date.now(),
    );
    assert.equal((await get(csv)).body.trim().split('\r\n').length, 3, 'header and two sessions');
    assert.deepEqual((await get(stats)).json().items, [{ value: 'bob', count: 2 }]);
    assert.deepEqual([reads.search - csvReads, reads.counts - statsReads], [2, 2]);
    await removeDevices(h.store, e);
  });
});

describe('SearchCache', () => {
  const answer = (text: string) => ({ type: 'json' as const, text });
  const limits = { maxEntries: 3, maxChars: 10, maxEntryChars: 6, clockPageMaxAgeMs: 1000 };

  it('keeps answers of one generation only, and ignores answers of another', () => {
    const cache = new SearchCache(limits);
    assert.equal(cache.get(1, 'k'), undefined);
    cache.set(1, 'k', answer('one'), false);
    assert.equal(cache.get(1, 'k')?.text, 'one');
    assert.equal(cache.get(2, 'k'), undefined, 'another generation empties it');
    assert.equal(cache.size, 0);
    cache.set(1, 'k', answer('late'), false);
    assert.equal(cache.get(2, 'k'), undefined, 'an answer read under an older generation is not kept');
    assert.equal(cache.get(1, 'k'), undefined, 'nor under one it has moved away from');
  });

  it('drops the least recently used beyond its entries and characters, and never keeps a too long answer', () => {
    const cache = new SearchCache(limits);
    cache.get(7, '');
    cache.set(7, 'a', answer('aa'), false);
    cache.set(7, 'b', answer('bb'), false);
    cache.set(7, 'c', answer('cc'), false);
    cache.get(7, 'a');
    cache.set(7, 'd', answer('dd'), false);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => cache.get(7, k)?.text),
      ['aa', undefined, 'cc', 'dd'],
    );
    cache.set(7, 'e', answer('eeeee'), false);
    assert.deepEqual(
      ['a', 'c', 'd', 'e'].map((k) => cache.get(7, k)?.text),
      [undefined, 'cc', 'dd', 'eeeee'],
      '10 characters at most: the least recently used went',
    );
    cache.set(7, 'f', answer('fffffff'), false);
    assert.equal(cache.get(7, 'f'), undefined);
  });

  it('keeps an answer that shows the clock at most clockPageMaxAgeMs', () => {
    let now = 0;
    const cache = new SearchCache(limits, () => now);
    cache.get(1, '');
    cache.set(1, 'clock', answer('c'), true);
    cache.set(1, 'still', answer('s'), false);
    now = 999;
    assert.equal(cache.get(1, 'clock')?.text, 'c');
    now = 1000;
    assert.equal(cache.get(1, 'clock'), undefined);
    assert.equal(cache.get(1, 'still')?.text, 's');
  });
});

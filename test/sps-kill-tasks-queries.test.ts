// The SPS task list reads a page with a constant number of store calls, whatever the page size (no per-task reads).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { selectorOf } from '../src/core/kill-request.js';
import type { Store } from '../src/store/store.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';

/** Counts every method call on the store (each one is one or a few SQL statements, never one per row). */
function counting(store: Store, calls: string[]): Store {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('GET /api/kill-tasks store calls', () => {
  let h: AppHarness;
  const calls: string[] = [];
  const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

  before(async () => {
    h = await startApp({ wrapStore: (store) => counting(store, calls) });
    const actor = { name: 'admin', address: '127.0.0.1' };
    for (let i = 0; i < 520; i++) {
      await h.engine.tasks.submit(selectorOf({ action: 'KILL_ALL_SESSIONS', all: true }), actor);
    }
    await h.engine.stop(); // no background claims while calls are counted
  });
  after(() => h.close());

  const storeCallsFor = async (limit: number) => {
    await h.app.inject({ method: 'GET', url: '/api/kill-tasks?limit=1', headers: { authorization: basic } });
    calls.length = 0;
    const res = await h.app.inject({
      method: 'GET',
      url: `/api/kill-tasks?limit=${limit}`,
      headers: { authorization: basic },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().items.length, limit);
    return [...calls];
  };

  it('makes the same store calls for 5 and for 500 tasks', async () => {
    // Authentication's own reads (login sessions, privileges) are cached over time, not per page: left out here.
    const taskReads = (calls: string[]) => calls.filter((c) => /Task|Target|Device/.test(c));
    const few = await storeCallsFor(5);
    const many = await storeCallsFor(500);
    assert.deepEqual(taskReads(many), taskReads(few));
    assert.ok(taskReads(many).length <= 4, many.join(', '));
    assert.ok(many.length <= 8, many.join(', '));
  });
});

// Login sessions are read from the store at most every 2 s per node: an end through this node takes effect at once,
// one through another node (two LoginSessions on one store) within that time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LOGIN_SESSION_OPTIONS, LoginSessions } from '../src/engine/login-sessions.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';

describe('LoginSessions resolution', () => {
  let store: Store;
  let now = 1_000_000;
  const clock = () => now;
  const principal = { name: 'alice', isAdmin: false, grants: new Map() };
  let reads = 0;

  before(async () => {
    const opened = await openStore({ dataDir: ':memory:' });
    store = {
      ...opened,
      findLoginSession: (id) => {
        reads++;
        return opened.findLoginSession(id);
      },
    };
  });
  after(() => store.close());

  const node = () => new LoginSessions(store, DEFAULT_LOGIN_SESSION_OPTIONS, async () => {}, clock);

  it('reads a session once per 2 s, and refuses it at once after an end through the same node', async () => {
    const a = node();
    const { value, record } = await a.open(principal, '::1');
    reads = 0;
    assert.ok('record' in (await a.resolve(value)));
    assert.ok('record' in (await a.resolve(value)));
    assert.equal(reads, 1);
    now += 2_000;
    assert.ok('record' in (await a.resolve(value)));
    assert.equal(reads, 2);
    await a.end(record.id);
    assert.deepEqual(await a.resolve(value), { error: 'unknown' });
  });

  it('refuses a session ended through another node within 2 s', async () => {
    const [a, b] = [node(), node()];
    const { value } = await a.open(principal, '::1');
    assert.ok('record' in (await b.resolve(value)));
    await a.endAllOf('alice');
    assert.deepEqual(await a.resolve(value), { error: 'unknown' });
    now += 1_999;
    assert.ok('record' in (await b.resolve(value)), 'the other node answers from memory for 2 s');
    now += 1;
    assert.deepEqual(await b.resolve(value), { error: 'unknown' });
  });

  it('still expires a kept session at its idle timeout', async () => {
    const a = node();
    const { value } = await a.open(principal, '::1');
    assert.ok('record' in (await a.resolve(value)));
    now += DEFAULT_LOGIN_SESSION_OPTIONS.idleTimeoutSec * 1000;
    assert.deepEqual(await a.resolve(value), { error: 'expired' });
  });
});

// Curfews and per-device prevention state in the store: create and read back, listings, conditional extend / lift /
// expire (each applies once, also when racing), violations, and prevention upserts. Part of the store conformance
// suite, so it runs on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { type NewCurfew, newCurfew } from '../src/core/curfew.js';
import type { PreventionState, Store } from '../src/store/store.js';

const actor = { name: 'admin', address: '2001:db8::1' };

function draft(createdAt: number, until: number | null, over: Partial<NewCurfew> = {}): NewCurfew {
  return {
    ...newCurfew(
      {
        who: { users: ['alice', 'svc-*'], ips: ['10.0.0.0/8'], query: 'protocol:ssh' },
        where: { all: false, accessGroupNames: ['g1'], clusterNames: [], deviceIds: ['dev-1'] },
        until,
        reason: 'incident 42 — “quoted”',
        mode: 'enforce',
      },
      actor,
      createdAt,
      `curfew-${randomUUID()}`,
    ),
    ...over,
  };
}

export function curfewStoreContract(store: () => Store): void {
  it('creates a curfew and reads it back whole', async () => {
    const s = store();
    const d = draft(1_000, 5_000, { mode: 'monitor' });
    const created = await s.createCurfew(d);
    const expected = {
      ...d,
      updatedAt: 1_000,
      updatedBy: 'admin',
      state: 'active',
      endedAt: null,
      endedBy: null,
      violations: 0,
      generation: 1,
    };
    assert.deepEqual(created, expected);
    assert.deepEqual(await s.getCurfew(d.id), expected);
    assert.equal(await s.getCurfew('no-such-curfew'), undefined);
    await assert.rejects(s.createCurfew(d), 'a taken id is refused');
    const open = await s.createCurfew(draft(1_001, null));
    assert.equal(open.until, null, 'until lifted');
  });

  it('lists newest first, by state, with counts and pages', async () => {
    const s = store();
    // Newer than every other curfew of the suite's shared store.
    const base = 1e13;
    const [a, b, c] = [draft(base + 1, null), draft(base + 2, null), draft(base + 3, null)];
    for (const d of [a, b, c]) await s.createCurfew(d);
    await s.liftCurfew(b.id, 'admin', base + 4);
    const listed = await s.listCurfews({ limit: 3, offset: 0 });
    assert.deepEqual(
      listed.map((x) => x.id),
      [c.id, b.id, a.id],
    );
    assert.deepEqual(
      (await s.listCurfews({ limit: 1, offset: 1 })).map((x) => x.id),
      [b.id],
    );
    const lifted = await s.listCurfews({ state: ['lifted'], limit: 100, offset: 0 });
    assert.ok(lifted.some((x) => x.id === b.id) && lifted.every((x) => x.state === 'lifted'));
    const total = await s.countCurfews();
    assert.equal(await s.countCurfews({ state: [] }), total, 'no states: every state');
    const byState = await Promise.all(
      (['active', 'lifted', 'expired'] as const).map((state) => s.countCurfews({ state: [state] })),
    );
    assert.equal(
      byState.reduce((x, y) => x + y, 0),
      total,
    );
    assert.equal(await s.countCurfews({ state: ['active', 'lifted', 'expired'] }), total);
  });

  it('extends and lifts only while active, once, bumping generation', async () => {
    const s = store();
    const d = await s.createCurfew(draft(2_000, 9_000));
    const extended = await s.extendCurfew(d.id, 20_000, 'bob', 3_000);
    assert.deepEqual(
      [extended?.until, extended?.updatedAt, extended?.updatedBy, extended?.generation, extended?.state],
      [20_000, 3_000, 'bob', 2, 'active'],
    );
    assert.equal((await s.extendCurfew(d.id, null, 'bob', 4_000))?.until, null, 'until lifted');
    assert.equal(await s.extendCurfew('no-such-curfew', 5_000, 'bob', 4_000), undefined);

    const lifts = await Promise.all([s.liftCurfew(d.id, 'carol', 5_000), s.liftCurfew(d.id, 'dave', 5_001)]);
    const applied = lifts.filter((x) => x !== undefined);
    assert.equal(applied.length, 1, 'of two racing lifts one applies');
    assert.deepEqual(
      [applied[0]?.state, applied[0]?.generation, applied[0]?.endedBy === applied[0]?.updatedBy],
      ['lifted', 4, true],
    );
    assert.equal(await s.extendCurfew(d.id, 99_000, 'bob', 6_000), undefined, 'a lifted curfew is not extended');
    assert.equal((await s.getCurfew(d.id))?.until, null, 'and unchanged');

    const past = await s.createCurfew(draft(2_000, 7_000));
    assert.equal(await s.extendCurfew(past.id, 99_000, 'bob', 7_000), undefined, 'past its until: not active');
    assert.equal(await s.liftCurfew(past.id, 'bob', 7_000), undefined);
    assert.equal((await s.getCurfew(past.id))?.state, 'active', 'left for expireCurfews');
  });

  it('expires each curfew once, at its until, even with racing callers', async () => {
    const s = store();
    // Far in the future of the other tests' curfews, so only these expire here.
    const t = 1e12;
    const ending = await s.createCurfew(draft(t, t + 100));
    const later = await s.createCurfew(draft(t, t + 200));
    const open = await s.createCurfew(draft(t, null));
    await s.expireCurfews(t - 1); // the other tests' curfews
    assert.deepEqual(await s.expireCurfews(t + 99), [], 'nothing ends before its until');
    const active = (await s.listActiveCurfews(t + 99)).map((c) => c.id);
    assert.ok([ending.id, later.id, open.id].every((id) => active.includes(id)));
    assert.ok(!(await s.listActiveCurfews(t + 100)).some((c) => c.id === ending.id), 'not active at its until');

    const runs = await Promise.all([s.expireCurfews(t + 150), s.expireCurfews(t + 150), s.expireCurfews(t + 150)]);
    const expired = runs.flat();
    assert.deepEqual(
      expired.map((c) => c.id),
      [ending.id],
      'reported by one call only',
    );
    assert.deepEqual(
      [expired[0]?.state, expired[0]?.endedAt, expired[0]?.endedBy, expired[0]?.generation],
      ['expired', t + 100, null, 2],
    );
    const both = await s.expireCurfews(t + 10_000);
    assert.deepEqual(
      both.map((c) => c.id),
      [later.id],
    );
    assert.equal((await s.getCurfew(open.id))?.state, 'active', 'a curfew until lifted never expires');
    assert.equal(await s.liftCurfew(later.id, 'admin', t + 10_001), undefined, 'an expired curfew is not lifted');
  });

  it('counts violations whatever the state', async () => {
    const s = store();
    const d = await s.createCurfew(draft(3_000, null));
    assert.equal((await s.addViolations(d.id, 3))?.violations, 3);
    await s.liftCurfew(d.id, 'admin', 3_500);
    const after = await Promise.all([s.addViolations(d.id, 2), s.addViolations(d.id, 5)]);
    assert.ok(after.every((x) => x !== undefined));
    const read = await s.getCurfew(d.id);
    assert.deepEqual([read?.violations, read?.generation, read?.state], [10, 5, 'lifted'], 'no increment lost');
    assert.equal(await s.addViolations('no-such-curfew', 1), undefined);
    await assert.rejects(s.addViolations(d.id, -1));
  });

  it('claims each caught session once, counting it into its curfew', async () => {
    const s = store();
    const c = await s.createCurfew(draft(2_000, null));
    const caught = (sessionId: string, deviceId = 'dev-1') => ({
      curfewId: c.id,
      deviceId,
      sessionId,
      user: 'alice',
      clientIp: '10.1.2.3',
      action: 'killed' as const,
      taskId: null,
      seenAt: 2_100,
    });
    const first = await s.claimViolations([caught('a'), caught('b'), caught('a', 'dev-2')]);
    assert.equal(first.inserted.length, 3);
    assert.deepEqual(first.existing, []);
    // Racing callers (two nodes seeing the same listing): every session lands for exactly one of them.
    const racing = await Promise.all([s.claimViolations([caught('a'), caught('c')]), s.claimViolations([caught('c')])]);
    const inserted = racing.flatMap((r) => r.inserted.map((v) => v.sessionId));
    assert.deepEqual(inserted, ['c']);
    assert.deepEqual(
      racing[0].existing.map((v) => v.sessionId),
      inserted.length === 1 && racing[0].inserted.length === 1 ? ['a'] : ['a', 'c'],
    );
    assert.equal((await s.getCurfew(c.id))?.violations, 4);
    await s.setViolationTask(c.id, [{ deviceId: 'dev-1', sessionId: 'a' }], 'task-1');
    const again = await s.claimViolations([caught('a')]);
    assert.equal(again.existing[0]?.taskId, 'task-1', 'the stored row, with its task');
    const listed = await s.listViolations(c.id, { limit: 10, offset: 0 });
    assert.equal(listed.length, 4);
    assert.deepEqual(await s.claimViolations([]), { inserted: [], existing: [] });
  });

  it('finds curfews by text in who or reason, case-insensitively, with % and _ literal', async () => {
    const s = store();
    const a = await s.createCurfew(draft(3_000, null, { reason: 'Leaver: 100% access removed' }));
    const b = await s.createCurfew(
      draft(3_001, null, { who: { users: ['Zed_Ops'], ips: ['192.0.2.0/24'], query: null }, reason: 'watch' }),
    );
    const ids = async (text: string) =>
      (await s.listCurfews({ text, limit: 100, offset: 0 }))
        .map((c) => c.id)
        .filter((id) => id === a.id || id === b.id);
    assert.deepEqual(await ids('ZED_OPS'), [b.id]);
    assert.deepEqual(await ids('192.0.2.'), [b.id]);
    assert.deepEqual(await ids('100%'), [a.id]);
    assert.deepEqual(await ids('d_o'), [b.id], '_ matches itself only');
    assert.deepEqual(await ids('0% a'), [a.id]);
    assert.equal(await s.countCurfews({ text: 'zed_ops' }), 1);
  });

  it('keeps one prevention state per device, replaced by each put', async () => {
    const s = store();
    const row = (deviceId: string, over: Partial<PreventionState> = {}): PreventionState => ({
      deviceId,
      status: 'in_sync',
      recordsHash: 'abc',
      recordsText: 'deny alice\n',
      checkedAt: 1,
      message: null,
      ...over,
    });
    await s.putPreventionState([]);
    await s.putPreventionState([
      row('p-2'),
      row('p-1', { status: 'unsupported', recordsHash: null, recordsText: null }),
    ]);
    await s.putPreventionState([row('p-2', { status: 'drifted', checkedAt: 2, message: 'records differ' })]);
    const mine = (await s.listPreventionState()).filter((p) => p.deviceId.startsWith('p-'));
    assert.deepEqual(mine, [
      row('p-1', { status: 'unsupported', recordsHash: null, recordsText: null }),
      row('p-2', { status: 'drifted', checkedAt: 2, message: 'records differ' }),
    ]);
    const many = Array.from({ length: 1500 }, (_, i) =>
      row(`q-${String(i).padStart(4, '0')}`, { status: 'unreachable' }),
    );
    await s.putPreventionState(many);
    const stored = (await s.listPreventionState()).filter((p) => p.deviceId.startsWith('q-'));
    assert.equal(stored.length, 1500);
    assert.ok(stored.every((p) => p.status === 'unreachable'));
  });
}

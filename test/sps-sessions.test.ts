// SPS sessions (docs/compat/sps.md §6, §9 items 4, 5, 10): search /api/audit/sessions with the Lucene subset, fields,
// pages, sort, time bounds and CSV; read one session; end one with DELETE /api/active-sessions as the seed shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ADMIN = basic('admin', ADMIN_PASSWORD);
const SPS_ID = 'svc/rpokH8fD9kx6CaxNLznKx2/test:12';
const QUOTED_USER = 'eve, "the" auditor';

interface Item {
  key: string;
  meta: { href: string };
  body?: Record<string, unknown>;
}

interface Listing {
  items: Item[];
  meta: Record<string, unknown> & { match_count: number; next: string | null };
}

describe('SPS sessions', () => {
  let h: AppHarness;
  /** Expected sessions as the lab serves them: session_id → user, client address. */
  const lab = new Map<string, { user: string; clientIp: string; hostname: string; labId: string; native: string }>();

  before(async () => {
    h = await startApp({ fleet: { devices: 6, sessionsPerDevice: 10, users: ['alice', 'bob', 'carol', 'dave'] } });
    const fleet = h.fleet;
    assert.ok(fleet);
    const active = fleet.devices.filter((d) => d.failover === 'ACTIVE');
    const [first, second] = active;
    assert.ok(first && second);
    fleet.addSession(first.id, { user: QUOTED_USER, clientIp: '198.51.100.7' });
    await h.engine.sync.syncAll();
    for (const d of active) {
      for (const s of fleet.sessions(d.id)) {
        lab.set(`${d.hostname}/${s.sessionId}`, { ...s, hostname: d.hostname, labId: d.id, native: s.sessionId });
      }
    }
    // BIG-IP ids are 8 hex; an SPS-style id (with / and :) goes into the inventory as an SPS gateway would report it.
    const listed = await h.store.listSessions({ deviceIds: [second.id], limit: 100, offset: 0 });
    const mallory = { user: 'mallory', clientIp: '198.51.100.8', sessionId: SPS_ID };
    await h.store.replaceDeviceSessions(
      second.id,
      [...listed, { ...mallory, deviceId: second.id, startedAt: Date.now(), protocol: 'apm' }],
      Date.now(),
    );
    lab.set(`${second.hostname}/${SPS_ID}`, {
      ...mallory,
      hostname: second.hostname,
      labId: second.id,
      native: SPS_ID,
    });
  });
  after(() => h.close());

  const get = async (url: string, authorization = ADMIN) =>
    h.app.inject({ method: 'GET', url, headers: { authorization } });
  const list = async (query: string): Promise<Listing> => {
    const res = await get(`/api/audit/sessions?${query}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  /** session_ids matching q (through fields=session_id). */
  const ids = async (q: string) =>
    (await list(`fields=session_id&q=${encodeURIComponent(q)}`)).items.map((i) => i.body?.session_id as string).sort();
  const expected = (keep: (s: { user: string; clientIp: string; hostname: string }) => boolean) =>
    [...lab]
      .filter(([, s]) => keep(s))
      .map(([id]) => id)
      .sort();

  it('lists every recorded session as key + href, with SPS page meta', async () => {
    const res = await get('/api/audit/sessions');
    assert.equal(res.statusCode, 200);
    const body: Listing = res.json();
    assert.equal(body.items.length, lab.size);
    for (const item of body.items) {
      assert.deepEqual(Object.keys(item).sort(), ['key', 'meta']);
      assert.match(item.key, /^[A-Za-z0-9_-]+$/);
      assert.equal(item.meta.href, `/api/audit/sessions/${item.key}`);
    }
    const { remaining_seconds, ...meta } = body.meta;
    assert.equal(typeof remaining_seconds, 'number');
    assert.deepEqual(meta, {
      fields: [],
      first: '/api/audit/sessions?limit=500&offset=0&fields=',
      href: '/api/audit/sessions',
      last: '/api/audit/sessions?limit=500&offset=0&fields=',
      limit: 500,
      match_count: lab.size,
      next: null,
      offset: 0,
      parent: '/api/audit',
      previous: null,
    });
  });

  it('searches with field:value, quotes, AND, OR, NOT, parentheses, groups and wildcards', async () => {
    const [someHost] = [...lab.values()].map((s) => s.hostname);
    assert.deepEqual(
      await ids('user:alice'),
      expected((s) => s.user === 'alice'),
    );
    assert.deepEqual(
      await ids('user:"alice"'),
      expected((s) => s.user === 'alice'),
    );
    assert.deepEqual(
      await ids('user:alice OR user:bob'),
      expected((s) => ['alice', 'bob'].includes(s.user)),
    );
    assert.deepEqual(await ids('user:(alice || bob)'), await ids('user:alice OR user:bob'));
    assert.deepEqual(
      await ids('NOT user:alice'),
      expected((s) => s.user !== 'alice'),
    );
    assert.deepEqual(await ids('-user:alice'), await ids('NOT user:alice'));
    assert.deepEqual(
      await ids(`(user:alice OR user:bob) AND device:${someHost}`),
      expected((s) => ['alice', 'bob'].includes(s.user) && s.hostname === someHost),
    );
    assert.deepEqual(
      await ids('user:al*'),
      expected((s) => s.user === 'alice'),
    );
    assert.deepEqual(
      await ids('user:ALI?E'),
      expected((s) => s.user === 'alice'),
      'wildcards ignore case',
    );
    assert.deepEqual(await ids('user:ALICE'), [], 'exact values do not');
    assert.deepEqual(
      await ids(`user:"${QUOTED_USER.replace(/"/g, '\\"')}"`),
      expected((s) => s.user === QUOTED_USER),
    );
    assert.deepEqual(
      await ids('client.ip:198.51.100.*'),
      expected((s) => s.clientIp.startsWith('198.51.100.')),
    );
    assert.deepEqual(
      await ids('cluster:cluster-1 AND active:true'),
      expected((s) => /-[12]\.lab/.test(s.hostname)),
    );
    assert.equal((await ids('origin:("RECORDING")')).length, 0, 'SPS origins other than ours match nothing');
  });

  it('returns the requested fields as a nested body, and carries them in the page links', async () => {
    const body = await list('fields=user.name,client.ip,verdict&q=user:bob&limit=2');
    assert.deepEqual(body.meta.fields, ['user.name', 'client.ip', 'verdict']);
    assert.equal(body.meta.first, '/api/audit/sessions?limit=2&offset=0&fields=user.name,client.ip,verdict&q=user:bob');
    for (const item of body.items) {
      assert.deepEqual(Object.keys(item.body ?? {}).sort(), ['client', 'user', 'verdict']);
      assert.deepEqual(item.body?.user, { name: 'bob' });
      assert.equal(item.body?.verdict, 'ACTIVE');
    }
  });

  it('pages with limit and offset: exact match_count, first/last/next/previous links, caps', async () => {
    const first = await list('limit=7&sort=session_id');
    assert.equal(first.meta.match_count, lab.size);
    assert.equal(first.meta.next, '/api/audit/sessions?limit=7&offset=7&fields=&sort=session_id');
    assert.equal(first.meta.previous, null);
    const lastOffset = Math.floor((lab.size - 1) / 7) * 7;
    assert.equal(first.meta.last, `/api/audit/sessions?limit=7&offset=${lastOffset}&fields=&sort=session_id`);
    const seen: string[] = [];
    let page: Listing = first;
    for (;;) {
      seen.push(...page.items.map((i) => i.key));
      if (!page.meta.next) break;
      page = await list(page.meta.next.split('?')[1] ?? '');
    }
    assert.equal(new Set(seen).size, lab.size, 'following next visits every session once');
    assert.equal(page.meta.previous, `/api/audit/sessions?limit=7&offset=${lastOffset - 7}&fields=&sort=session_id`);
    assert.equal((await list('limit=600')).meta.limit, 500, 'limit is capped at 500');
    assert.equal((await list('offset=20000')).meta.offset, 0, 'an offset above 10000 is ignored');
    const zero = await list('limit=0&q=user:alice');
    assert.deepEqual([zero.items.length, zero.meta.match_count], [0, expected((s) => s.user === 'alice').length]);
  });

  it('sorts by whitelisted fields, newest first by default, and filters on start', async () => {
    const starts = async (query: string) =>
      (await list(`fields=start_time,user.name&${query}`)).items.map((i) => i.body as Record<string, unknown>);
    const byDefault = (await starts('')).map((b) => Date.parse(b.start_time as string));
    assert.deepEqual(
      byDefault,
      [...byDefault].sort((a, b) => b - a),
    );
    const users = (await starts('sort=user')).map((b) => (b.user as { name: string }).name);
    assert.deepEqual(users, [...users].sort());
    const reversed = (await starts('sort=-user,start_time')).map((b) => (b.user as { name: string }).name);
    assert.deepEqual(reversed, [...users].reverse());
    assert.equal((await list('start=2000-01-01')).meta.match_count, lab.size);
    assert.equal((await list('start=2999-01-01T00:00Z')).meta.match_count, 0);
    assert.equal((await list('end=2999-01-01')).meta.match_count, 0, 'no session has ended yet');
  });

  it('answers CSV: a header of the requested fields, RFC 4180 quoting', async () => {
    const res = await get(
      `/api/audit/sessions?format=csv&fields=session_id,user.name,active&q=${encodeURIComponent('user:eve*')}`,
    );
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const [header, row, end] = res.body.split('\r\n');
    assert.equal(header, 'key,session_id,user.name,active');
    const [id] = expected((s) => s.user === QUOTED_USER);
    assert.match(row ?? '', new RegExp(`^[A-Za-z0-9_-]+,${id?.replace(/\./g, '\\.')},"eve, ""the"" auditor",true$`));
    assert.equal(end, '');
    const defaults = await get('/api/audit/sessions?format=csv&limit=1');
    assert.equal(
      defaults.body.split('\r\n')[0],
      'key,session_id,verdict,user.name,client.ip,device.name,protocol,start_time,end_time',
    );
  });

  it('shows one session in the SPS body shape, and 404s unknown keys', async () => {
    const [key] = (await list('q=user:mallory')).items.map((i) => i.key);
    const res = await get(`/api/audit/sessions/${key}`);
    assert.equal(res.statusCode, 200, res.body);
    const { body, meta } = res.json();
    const device = h.fleet?.devices.find((d) => d.hostname === lab.get(body.session_id)?.hostname);
    assert.ok(device);
    assert.deepEqual(meta.href, `/api/audit/sessions/${key}`);
    assert.deepEqual(meta.parent, '/api/audit/sessions');
    assert.equal(body.session_id, `${device.hostname}/${SPS_ID}`);
    assert.deepEqual(
      { ...body, start_time: undefined, last_seen_time: undefined, duration: undefined },
      {
        active: true,
        protocol: body.protocol,
        client: { ip: '198.51.100.8', name: '198.51.100.8', port: null },
        start_time: undefined,
        end_time: null,
        last_seen_time: undefined,
        duration: undefined,
        user: { name: 'mallory' },
        gateway_username: 'mallory',
        device: {
          key: device.id,
          name: device.hostname,
          kind: 'bigip',
          meta: { href: `/api/configuration/devices/${device.id}` },
        },
        cluster: device.cluster,
        access_group: device.accessGroup,
        origin: 'CURFEW_INVENTORY',
        verdict: 'ACTIVE',
        end_reason: null,
        session_id: `${device.hostname}/${SPS_ID}`,
        events: { href: `/api/audit/sessions/${key}/events` },
      },
    );
    assert.ok(Number.isInteger(body.duration) && body.duration >= 0);
    assert.ok(!Number.isNaN(Date.parse(body.start_time)));
    for (const bad of ['bm9wZQ', 'not*a*key', `${key}x`]) {
      const missing = await get(`/api/audit/sessions/${encodeURIComponent(bad)}`);
      assert.equal(missing.statusCode, 404, bad);
      assert.equal(missing.json().error.type, 'NotFound');
    }
  });

  it('ends a session as the seed does (Basic login, then DELETE with the cookie); it shows TERMINATED', async () => {
    const [id, victim] = [...lab].find(([, s]) => s.user === 'carol') ?? assert.fail('no carol');
    const login = await h.app.inject({ method: 'GET', url: '/api/authentication', headers: { authorization: ADMIN } });
    const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0];
    const res = await h.app.inject({ method: 'DELETE', url: `/api/active-sessions?id=${id}`, headers: { cookie } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.meta, {
      href: '/api/active-sessions',
      parent: '/api',
      task: `/mgmt/cm/access/tasks/kill-sessions/${body.key}`,
      remaining_seconds: body.meta.remaining_seconds,
    });
    assert.equal((await h.engine.tasks.find(body.key))?.status, 'FINISHED');
    assert.ok(!h.fleet?.sessions(victim.labId).some((s) => s.sessionId === victim.native), 'gone from the device');
    const shown = await list(`fields=active,verdict,end_time&q=${encodeURIComponent(`session_id:"${id}"`)}`);
    assert.deepEqual([shown.items[0]?.body?.active, shown.items[0]?.body?.verdict], [false, 'TERMINATED']);
    assert.deepEqual(await ids('active:false'), [id]);
    assert.deepEqual(await ids('verdict:TERMINATED AND user:carol'), [id]);
    assert.equal((await list('end=2999-01-01')).meta.match_count, 1);
    assert.ok(!(await ids('active:true')).includes(id));
    const again = await h.app.inject({ method: 'DELETE', url: `/api/active-sessions?id=${id}`, headers: { cookie } });
    assert.equal(again.statusCode, 404, 'an ended session is no longer ongoing');
    assert.equal(again.json().error.type, 'SessionCouldNotBeFound');
  });

  it('takes ids with / and : raw or percent-encoded; a session the device no longer has ends as CLOSED', async () => {
    const bob = [...lab].filter(([, s]) => s.user === 'bob').map(([id]) => id);
    const [raw, encoded] = bob;
    assert.ok(raw && encoded);
    const del = (query: string) =>
      h.app.inject({ method: 'DELETE', url: `/api/active-sessions?${query}`, headers: { authorization: ADMIN } });
    assert.equal((await del(`id=${raw}`)).statusCode, 200);
    assert.equal((await del(`id=${encodeURIComponent(encoded)}`)).statusCode, 200);
    const [spsSession] = expected((s) => s.user === 'mallory');
    assert.ok(spsSession?.endsWith(`/${SPS_ID}`));
    // The lab BIG-IP does not have it: the kill finds it gone (not_found), which is success, and it ends as CLOSED.
    const res = await del(`id=${spsSession}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await ids('user:mallory AND verdict:CLOSED'), [spsSession]);
  });

  it('answers 400 for a missing id or a malformed search, with the position at fault', async () => {
    for (const url of ['/api/active-sessions', '/api/active-sessions?id=']) {
      const res = await h.app.inject({ method: 'DELETE', url, headers: { authorization: ADMIN } });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(res.json().error, {
        type: 'SessionIdMissing',
        message: 'No session id is given in the id query parameter.',
        details: {},
      });
    }
    const bad = await get(`/api/audit/sessions?q=${encodeURIComponent('user:alice AND (user:bob')}`);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.type, 'InvalidQuery');
    assert.equal(bad.json().error.message, 'Invalid query: this ( is never closed at position 15.');
    assert.deepEqual([bad.json().error.details.parameter, bad.json().error.details.position], ['q', 15]);
    const unknown = await get(`/api/audit/sessions?q=${encodeURIComponent('usr:alice')}`);
    assert.match(unknown.json().error.message, /unknown field "usr" .*at position 0/);
    for (const query of ['limit=ten', 'offset=-1', 'sort=password', 'fields=secret', 'start=yesterday', 'format=xml']) {
      const res = await get(`/api/audit/sessions?${query}`);
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().error.type, 'InvalidQuery', query);
    }
  });

  it('answers 404 for an unknown session and 500 naming the task when the device does not end it', async () => {
    const unknown = await h.app.inject({
      method: 'DELETE',
      url: '/api/active-sessions?id=nowhere.lab/deadbeef',
      headers: { authorization: ADMIN },
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.type, 'SessionCouldNotBeFound');
    const [id, stuck] = [...lab].find(([, s]) => s.user === 'dave') ?? assert.fail('no dave');
    h.fleet?.setFault(stuck.labId, 'silent_nonkill');
    try {
      const res = await h.app.inject({
        method: 'DELETE',
        url: `/api/active-sessions?id=${id}`,
        headers: { authorization: ADMIN },
      });
      assert.equal(res.statusCode, 500);
      const { error } = res.json();
      assert.equal(error.type, 'SessionTerminationFailed');
      assert.equal(error.message, 'The session could not be terminated due to internal errors.');
      assert.equal(error.details.task.status, 'FAILED');
      assert.equal(error.details.task.href, `/mgmt/cm/access/tasks/kill-sessions/${error.details.task.key}`);
      assert.deepEqual([error.details.session_id, error.details.device.error], [id, 'kill_unverified']);
      assert.deepEqual(await ids(`session_id:"${id}" AND active:true`), [id], 'still active');
    } finally {
      h.fleet?.setFault(stuck.labId, 'none');
    }
  });

  it('refuses other methods with 405 and callers without the privilege with 403', async () => {
    for (const method of ['GET', 'POST', 'PUT'] as const) {
      const res = await h.app.inject({ method, url: '/api/active-sessions', headers: { authorization: ADMIN } });
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.json().error.type, 'MethodNotAllowed');
      assert.equal(res.headers.allow, 'DELETE');
    }
    await h.addUser('viewer', 'viewer-pw');
    const viewer = basic('viewer', 'viewer-pw');
    const [id] = [...lab.keys()];
    for (const res of [
      await get('/api/audit/sessions', viewer),
      await h.app.inject({
        method: 'DELETE',
        url: `/api/active-sessions?id=${id}`,
        headers: { authorization: viewer },
      }),
    ]) {
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.type, 'Forbidden');
    }
  });
});

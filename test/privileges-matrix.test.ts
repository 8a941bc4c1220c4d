// Fail-closed privileges over every route of both surfaces (SPS /api, BIG-IQ /mgmt and /info), enumerated from the
// app as it registers them, so a new route is covered the day it lands. Callers: no credentials, a user with no
// grants, a read grant, a write grant, admin. Without the privilege a route must never answer 2xx; with it, never
// 401/403; nothing ever answers 5xx. Public and self-service routes are listed here explicitly.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ACTIVE_SESSIONS, AUDIT, CONFIGURATION, CURFEWS } from '../src/core/access.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { basic, loginSps } from './support/sps-client.js';

/** Answer without any authentication. */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /info/system',
  'POST /mgmt/shared/authn/login',
  'POST /mgmt/shared/authn/exchange',
  'GET /api/authentication',
  'POST /api/authentication',
  'GET /api/authentication/login_methods',
  'GET /api/authentication/types',
]);
/** The web console's files (index.html and hashed assets) hold no data: everything outside the API surfaces. */
const isConsole = (url: string) => !/^\/(api|mgmt|info|docs|healthz)(\/|$)/.test(url);
const isPublic = (route: string) => {
  const url = route.split(' ')[1] ?? '';
  return PUBLIC.has(route) || url.startsWith('/docs') || isConsole(url);
};
/** Server-sent event streams never end by themselves: only callers refused before the stream starts are tried. */
const STREAMS = new Set(['GET /api/events']);

/** Need authentication only: discovery, your own login, transaction and tokens, liveness probes. */
const SELF_SERVICE = new Set([
  'GET /api',
  'GET /api/endpoints',
  'GET /api/user_info',
  'GET /api/user/info',
  'GET /api/userinfo',
  'GET /api/audit',
  'GET /api/configuration',
  'DELETE /api/authentication',
  'GET /api/transaction',
  'POST /api/transaction',
  'PUT /api/transaction',
  'DELETE /api/transaction',
  'GET /api/transaction/changes',
  'GET /mgmt/shared/echo',
  'GET /mgmt/shared/echo-query',
  'GET /mgmt/shared/identified-devices/config/device-info',
  'GET /mgmt/shared/fast/info',
  'GET /mgmt/shared/appsvcs/info',
  'GET /mgmt/shared/declarative-onboarding/info',
  'GET /mgmt/shared/telemetry/info',
  'GET /mgmt/shared/cloud-failover/info',
  'GET /mgmt/tm/sys',
  'GET /mgmt/tm/sys/version',
  'GET /mgmt/shared/authz/tokens',
  'GET /mgmt/shared/authz/tokens/:token',
  'PATCH /mgmt/shared/authz/tokens/:token',
  'DELETE /mgmt/shared/authz/tokens/:token',
]);

/** Every privilege object a route may check is under one of these; the read and write users hold them. */
const GRANTED_OBJECTS = [CONFIGURATION, ACTIVE_SESSIONS, AUDIT, CURFEWS];

type Role = 'anonymous' | 'nogrant' | 'reader' | 'writer' | 'admin';
const PASSWORD = 'matrix-pw';

const concrete = (url: string) => url.replace(/:(\w+)/g, 'matrix-$1-0000').replace(/\*/g, 'x');
const isSps = (url: string) => url === '/api' || url.startsWith('/api/');
const is2xx = (res: LightMyRequestResponse) => res.statusCode >= 200 && res.statusCode < 300;
const denied = (res: LightMyRequestResponse) => res.statusCode === 401 || res.statusCode === 403;

describe('privileges: every route × every caller fails closed', () => {
  let h: AppHarness;
  const tokens = new Map<Role, string>();
  let routes: { method: string; url: string; id: string }[] = [];

  before(async () => {
    h = await startApp({ fleet: { devices: 1, sessionsPerDevice: 1 } });
    for (const name of ['nogrant', 'reader', 'writer']) await h.addUser(name, PASSWORD);
    const admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const keyOf = async (name: string) => (await h.store.findUserByName(name))?.key;
    for (const [group, member] of [
      ['matrix-read', 'reader'],
      ['matrix-write', 'writer'],
    ] as const) {
      const res = await admin.call('POST', '/api/configuration/aaa/local_database/groups', {
        name: group,
        members: [await keyOf(member)],
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const acls = await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'matrix-read', objects: GRANTED_OBJECTS, permission: 'read' },
      { group: 'matrix-write', objects: GRANTED_OBJECTS, permission: 'write' },
    ]);
    assert.equal(acls.statusCode, 200, acls.body);
    assert.equal((await admin.call('PUT', '/api/transaction', { status: 'commit' })).statusCode, 200);
    for (const role of ['nogrant', 'reader', 'writer', 'admin'] as const) {
      tokens.set(role, await h.token(role, role === 'admin' ? ADMIN_PASSWORD : PASSWORD));
    }
    const seen = new Set<string>();
    for (const route of h.routes) {
      for (const method of [route.method].flat()) {
        const id = `${method} ${route.url}`;
        if (method === 'HEAD' || method === 'OPTIONS' || seen.has(id)) continue;
        seen.add(id);
        routes.push({ method, url: route.url, id });
      }
    }
    routes = routes.sort((a, b) => a.id.localeCompare(b.id));
  });
  after(() => h.close());

  function request(role: Role, method: string, url: string): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {};
    if (role !== 'anonymous') {
      const password = role === 'admin' ? ADMIN_PASSWORD : PASSWORD;
      if (isSps(url)) headers.authorization = basic(role, password);
      else headers['x-f5-auth-token'] = tokens.get(role) ?? '';
    }
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    return h.app.inject({ method: method as 'GET', url: concrete(url), headers, ...(hasBody && { payload: {} }) });
  }

  it('enumerates both surfaces, and no route is public unless listed', () => {
    assert.ok(routes.some((r) => r.url.startsWith('/api/configuration/')));
    assert.ok(routes.some((r) => r.url.startsWith('/mgmt/cm/')));
    const publicRoutes = h.routes
      .filter((r) => r.config && (r.config as { public?: boolean }).public)
      .flatMap((r) => [r.method].flat().map((m) => `${m} ${r.url}`))
      .filter((id) => !id.startsWith('HEAD '));
    for (const id of publicRoutes) assert.ok(isPublic(id), `${id} is public but not listed as such`);
  });

  it('never answers 2xx without credentials, and 401 on every non-public route', async () => {
    for (const route of routes.filter((r) => !isPublic(r.id))) {
      const res = await request('anonymous', route.method, route.url);
      assert.equal(res.statusCode, 401, `${route.id} without credentials: ${res.statusCode} ${res.body}`);
    }
  });

  it('refuses a user without grants on every guarded route (403 SPS, 401 BIG-IQ, or 405 where no method works)', async () => {
    for (const route of routes.filter((r) => !isPublic(r.id) && !SELF_SERVICE.has(r.id))) {
      const res = await request('nogrant', route.method, route.url);
      assert.ok(!is2xx(res), `${route.id} for a user without grants: ${res.statusCode} ${res.body}`);
      assert.ok(denied(res) || res.statusCode === 405, `${route.id} must refuse first: ${res.statusCode} ${res.body}`);
    }
  });

  it('lets a read grant read but never write', async () => {
    for (const route of routes.filter((r) => !isPublic(r.id) && !SELF_SERVICE.has(r.id) && !STREAMS.has(r.id))) {
      const res = await request('reader', route.method, route.url);
      assert.ok(res.statusCode < 500, `${route.id}: ${res.statusCode} ${res.body}`);
      if (route.method === 'GET') assert.ok(!denied(res), `${route.id} denied to a reader: ${res.body}`);
      else assert.ok(!is2xx(res), `${route.id} allowed to a reader: ${res.statusCode} ${res.body}`);
    }
  });

  it('lets a write grant and admin through everywhere, and nothing answers 5xx', async () => {
    for (const role of ['writer', 'admin', 'nogrant'] as const) {
      for (const route of routes.filter((r) => !isPublic(r.id) && (role === 'nogrant' || !STREAMS.has(r.id)))) {
        const res = await request(role, route.method, route.url);
        assert.ok(res.statusCode < 500, `${route.id} as ${role}: ${res.statusCode} ${res.body}`);
        if (role !== 'nogrant' || SELF_SERVICE.has(route.id)) {
          assert.ok(!denied(res), `${route.id} denied to ${role}: ${res.statusCode} ${res.body}`);
        }
      }
    }
  });
});

// OpenAPI is generated from the route schemas: every public route appears at /docs/json, and the UI is served.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AppHarness, startApp } from './support/app-harness.js';

describe('OpenAPI and health', () => {
  let h: AppHarness;
  before(async () => {
    h = await startApp();
  });
  after(() => h.close());

  it('documents every BIG-IQ route', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.0.3');
    for (const [path, method] of [
      ['/mgmt/shared/authn/login', 'post'],
      ['/mgmt/shared/authn/exchange', 'post'],
      ['/mgmt/shared/authz/tokens/{token}', 'patch'],
      ['/mgmt/cm/access/tasks/kill-sessions', 'post'],
      ['/mgmt/cm/access/tasks/kill-sessions/{id}', 'patch'],
      ['/mgmt/cm/system/machineid-resolver', 'get'],
      ['/mgmt/shared/resolver/device-groups/{groupName}/devices', 'get'],
      ['/mgmt/cm/access/utility/view/mgmt-authority-status', 'get'],
      ['/info/system', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
    }
    assert.equal((await h.app.inject({ method: 'GET', url: '/docs' })).statusCode, 200);
  });

  it('answers /healthz without authentication or fleet details', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual(Object.keys(res.json()).sort(), ['status', 'version']);
  });
});

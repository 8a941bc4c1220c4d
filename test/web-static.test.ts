// The console's files on the API listener: index.html revalidated on every load (and for every client-side route),
// hashed assets cached for a year, security headers, and the API surfaces' own 404s untouched.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AppHarness, startApp } from './support/app-harness.js';

const INDEX = '<!doctype html><title>curfew</title><script type="module" src="/assets/index-Ab12Cd34.js"></script>';

describe('web console files', () => {
  let h: AppHarness;
  let root: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'curfew-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'index-Ab12Cd34.js'), 'console.log("curfew")');
    h = await startApp({ webRoot: root });
  });
  after(async () => {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (url: string, method: 'GET' | 'HEAD' = 'GET') => h.app.inject({ method, url });

  it('answers index.html at / and at client-side routes, never cached without revalidation', async () => {
    for (const url of ['/', '/sessions', '/tasks/0b5e7d7c-1111-4222-8333-944455556666', '/devices?x=1']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    assert.equal((await get('/', 'HEAD')).statusCode, 200);
  });

  it('serves hashed assets as immutable for a year', async () => {
    const res = await get('/assets/index-Ab12Cd34.js');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await get('/assets/index-missing.js')).statusCode, 404);
  });

  it('leaves the APIs, docs and probe as they were', async () => {
    const sps = await get('/api/no-such-node');
    assert.equal(sps.statusCode, 404);
    assert.equal(sps.json().error.type, 'NotFound');
    const bigiq = await get('/mgmt/no/such/path');
    assert.equal(bigiq.statusCode, 404);
    assert.equal(bigiq.json().message, 'Public URI path not registered');
    assert.equal((await get('/healthz')).json().status, 'ok');
    assert.equal((await get('/docs/json')).statusCode, 200);
  });

  it('serves no console when it is not built', async () => {
    const bare = await startApp({ webRoot: join(root, 'missing') });
    try {
      assert.equal((await bare.app.inject({ method: 'GET', url: '/' })).statusCode, 404);
    } finally {
      await bare.close();
    }
  });
});

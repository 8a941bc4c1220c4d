// The listener of a real node (issue 11, docs/security.md "Transport"): slow clients are cut off, TLS 1.2 offers only
// ECDHE with AEAD ciphers, and every answer carries the security headers. Raw TLS sockets against a loopback node
// started with short deadlines; nothing here asserts a duration, only that the node hangs up.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { type ConnectionOptions, connect, type TLSSocket } from 'node:tls';
import { DEFAULT_HTTP_TIMEOUTS } from '../src/http/transport.js';
import { type AppHarness, startApp } from './support/app-harness.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const SHORT_TIMEOUTS = { headersMs: 300, requestMs: 600, keepAliveMs: 300, idleMs: 5_000, checkIntervalMs: 50 };
/** Generous: the node hangs up after about a second; a node that never does fails here instead of hanging. */
const HANG_UP_WITHIN = { timeout: 20_000 };

describe('transport of a running node', () => {
  let node: TestServer;
  let port: number;
  before(async () => {
    node = await startTestServer({ adminPassword: 'admin-password-1', timeouts: SHORT_TIMEOUTS });
    port = Number(new URL(node.server.url).port);
  });
  after(() => node.stop());

  const open = async (options: ConnectionOptions = {}): Promise<TLSSocket> => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    await once(socket, 'secureConnect');
    return socket;
  };

  /** Everything the node sends until it closes the connection. */
  const untilClosed = async (socket: TLSSocket): Promise<string> => {
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    // A hang-up may come as a reset (the server destroys the socket mid-request): that is a close too. events.once
    // would reject on the 'error' that precedes it, so wait for 'close' alone.
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve));
    return received;
  };

  describe('slow clients', () => {
    it('hangs up on a request whose body never completes', HANG_UP_WITHIN, async () => {
      const socket = await open();
      socket.write(
        'POST /mgmt/shared/authn/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\n\r\n{"username":',
      );
      const answer = await untilClosed(socket);
      assert.match(answer, /^(HTTP\/1\.1 408|$)/);
    });

    it('hangs up on a body sent a byte at a time, although the connection is never idle', HANG_UP_WITHIN, async () => {
      const socket = await open();
      socket.write('POST /api/transaction HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n');
      const drip = setInterval(() => socket.write('x'), 20);
      try {
        await untilClosed(socket);
      } finally {
        clearInterval(drip);
      }
    });

    it('hangs up on headers sent a byte at a time', HANG_UP_WITHIN, async () => {
      const socket = await open();
      socket.write('GET /mgmt/shared/echo HTTP/1.1\r\nHost: localhost\r\n');
      const drip = setInterval(() => socket.write('X-Slow: a\r\n'), 20);
      try {
        await untilClosed(socket);
      } finally {
        clearInterval(drip);
      }
    });

    it('closes a kept-alive connection once it is idle', HANG_UP_WITHIN, async () => {
      const socket = await open();
      socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
      const answer = await untilClosed(socket);
      assert.match(answer, /^HTTP\/1\.1 \d{3}/);
    });
  });

  describe('TLS', () => {
    const handshake = async (options: ConnectionOptions): Promise<string> => {
      const socket = await open(options);
      const cipher = socket.getCipher().name;
      socket.destroy();
      return cipher;
    };
    const refused = (options: ConnectionOptions) =>
      assert.rejects(handshake(options), /handshake failure|alert|no cipher/i);

    it('refuses TLS 1.2 clients that offer only CBC, CCM8 or ARIA suites', async () => {
      for (const ciphers of [
        'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA',
        'ECDHE-ECDSA-AES128-CCM8:ECDHE-ECDSA-AES256-CCM8',
        'ECDHE-ECDSA-ARIA128-GCM-SHA256:ECDHE-ECDSA-ARIA256-GCM-SHA384',
      ]) {
        await refused({ maxVersion: 'TLSv1.2', ciphers });
      }
    });

    it('accepts TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305, and TLS 1.3', async () => {
      const tls12 = { maxVersion: 'TLSv1.2' } as const;
      assert.equal(
        await handshake({ ...tls12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
        'ECDHE-ECDSA-AES128-GCM-SHA256',
      );
      assert.equal(
        await handshake({ ...tls12, ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' }),
        'ECDHE-ECDSA-CHACHA20-POLY1305',
      );
      assert.match(await handshake({ minVersion: 'TLSv1.3' }), /^TLS_(AES|CHACHA20)/);
    });

    it('answers over HTTPS with HSTS, nosniff and no framing', async () => {
      const socket = await open();
      socket.write('GET /mgmt/shared/echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const answer = await untilClosed(socket);
      assert.match(answer, /^HTTP\/1\.1 401/);
      assert.match(answer, /\r\nstrict-transport-security: max-age=31536000\r\n/i);
      assert.match(answer, /\r\nx-content-type-options: nosniff\r\n/i);
      assert.match(answer, /\r\nx-frame-options: DENY\r\n/i);
    });
  });
});

describe('security headers', () => {
  let h: AppHarness;
  before(async () => {
    h = await startApp({ webRoot: null });
  });
  after(() => h.close());

  it('sets nosniff and X-Frame-Options on answers, errors and 404s of both surfaces, HSTS only over HTTPS', async () => {
    const token = await h.token();
    for (const [url, headers] of [
      ['/mgmt/shared/echo', { 'x-f5-auth-token': token }],
      ['/mgmt/shared/echo', {}],
      ['/mgmt/nothing-here', { 'x-f5-auth-token': token }],
      ['/api/authentication/login_methods', {}],
      ['/api/nothing-here', {}],
      ['/healthz', {}],
    ] as const) {
      const res = await h.app.inject({ method: 'GET', url, headers });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['strict-transport-security'], undefined, `${url}: plain HTTP`);
    }
  });

  it("serves /docs with a CSP that forbids framing, and Swagger UI's own files from 'self'", async () => {
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    const csp = String(docs.headers['content-security-policy']);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(docs.headers['x-frame-options'], 'DENY');
    // No inline script: everything the page runs comes from its own static files, which load.
    const scripts = [...docs.body.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attributes = '', body = ''] of scripts) {
      assert.equal(body.trim(), '', 'inline script');
      const src = /src="\.\/([^"]+)"/.exec(attributes)?.[1];
      assert.ok(src, attributes);
      const asset = await h.app.inject({ method: 'GET', url: `/docs/${src}` });
      assert.equal(asset.statusCode, 200, src);
    }
    const spec = await h.app.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(spec.statusCode, 200);
  });

  it('applies the default deadlines to the listener', () => {
    const server = h.app.server;
    assert.equal(server.headersTimeout, DEFAULT_HTTP_TIMEOUTS.headersMs);
    assert.equal(server.requestTimeout, DEFAULT_HTTP_TIMEOUTS.requestMs);
    assert.equal(server.keepAliveTimeout, DEFAULT_HTTP_TIMEOUTS.keepAliveMs);
    assert.equal(server.timeout, DEFAULT_HTTP_TIMEOUTS.idleMs);
  });
});

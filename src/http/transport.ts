// How the listener treats connections (docs/security.md "Transport"): deadlines for slow clients, the TLS profile,
// and the security headers on every answer.
import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

export interface HttpTimeouts {
  /** Time to receive a request's headers (Node's `headersTimeout`). */
  headersMs: number;
  /** Time to receive a whole request, body included (`requestTimeout`): ends a body sent a byte at a time. */
  requestMs: number;
  /** Idle time allowed between two requests on a kept-alive connection (`keepAliveTimeout`). */
  keepAliveMs: number;
  /** Inactivity allowed on a socket at any point, e.g. a stalled body or answer (`connectionTimeout`). */
  idleMs: number;
  /** How often Node checks the header and request deadlines (`connectionsCheckingInterval`). */
  checkIntervalMs: number;
}

// Vault's choices for the first two. Keep-alive outlives the 60 s idle timeout of common load balancers, so they close
// first and never send on a connection this side is closing. The idle limit stays above the SSE heartbeat (15 s) and
// the longest synchronous answer (SPS kill waits).
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 65_000,
  idleMs: 120_000,
  checkIntervalMs: 1_000,
};

/** Mozilla's "intermediate" profile without the DHE suites: TLS 1.2 with ECDHE and AEAD ciphers only, and TLS 1.3. */
export const TLS_PROFILE = {
  minVersion: 'TLSv1.2',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  // Every suite offered is strong: let clients pick (ChaCha20 for those without AES hardware), as Mozilla advises.
  honorCipherOrder: false,
} as const;

/** HSTS for a year: browsers that saw the console over HTTPS never try it over plain HTTP. */
const HSTS = 'max-age=31536000';

/** Swagger UI at /docs loads its own scripts and styles only; it sets inline styles at run time. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface ListenerOptions
  extends Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'> {
  https?: HttpsServerOptions;
  http?: HttpServerOptions;
}

/** The Fastify options that create the listener: TLS material and profile, and every deadline. */
export function listenerOptions(https: { cert: string; key: string } | null, timeouts: HttpTimeouts): ListenerOptions {
  // Node reads these when it creates the server; Fastify's own options set the rest on it afterwards.
  const node = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  };
  return {
    ...(https ? { https: { cert: https.cert, key: https.key, ...TLS_PROFILE, ...node } } : { http: node }),
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
  };
}

/** nosniff and no framing on every answer; HSTS when the listener is HTTPS. Routes may add their own (CSP). */
export function registerSecurityHeaders(app: FastifyInstance, https: boolean): void {
  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(https && { 'strict-transport-security': HSTS }),
  };
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers);
  });
}

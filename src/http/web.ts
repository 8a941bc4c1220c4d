// The web console: the Vite build of web/ (dist/web), served at `/` by the same listener as the APIs. Hashed assets
// are cached for a year; index.html is revalidated on every load, so a new build is picked up at once. Any other GET
// outside the API surfaces answers index.html, for the console's client-side routes (/sessions, /tasks/<id>, …).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Paths that belong to an API (or the docs and probes), never to the console: their unknown URLs stay API 404s. */
const NOT_CONSOLE = /^\/(api|mgmt|info|docs|healthz)(\/|\?|$)/;

// The console talks only to its own origin and is never framed; styles and scripts come from its own files.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** dist/web of the package this file belongs to (src/http/web.ts under tsx, dist/src/http/web.js when built). */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}

/** Serves the console from `root` (the Vite output); false when it is not built there, so nothing is registered. */
export async function registerWeb(app: FastifyInstance, root: string): Promise<boolean> {
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) return false;
  const index = readFileSync(indexFile);
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      cacheControl: false,
      setHeaders: (reply) => {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
        reply.header('x-content-type-options', 'nosniff');
      },
    });
    const sendIndex = (reply: FastifyReply) =>
      reply
        .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
        .type('text/html; charset=utf-8')
        .send(index);
    scope.get('/', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
    scope.get('/*', { schema: { hide: true } }, (request, reply) =>
      NOT_CONSOLE.test(request.url) ? reply.callNotFound() : sendIndex(reply),
    );
  });
  return true;
}

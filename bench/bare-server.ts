// The comparison for `api`: bare Fastify over the same TLS certificate, answering each path with the exact bytes curfew
// returned for it. Whatever curfew costs above this is ours (auth, store, rendering).
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [fixtureFile, certFile, keyFile, port] = process.argv.slice(2);
if (!fixtureFile || !certFile || !keyFile || !port)
  throw new Error('usage: bare-server <fixtures.json> <cert> <key> <port>');
const fixtures = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { path: string; contentType: string; body: string }[];
const app = Fastify({ https: { cert: readFileSync(certFile), key: readFileSync(keyFile) } });
for (const fixture of fixtures) {
  const path = fixture.path.split('?')[0] ?? fixture.path;
  app.get(path, async (_request, reply) => reply.type(fixture.contentType).send(fixture.body));
}
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.send?.('ready');

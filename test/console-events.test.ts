// GET /api/events over a real listener: authenticated, privileged, streams the engine's task / targets / sync events
// as server-sent events, and ends its streams when the server closes (app.close() must not hang on them).
import assert from 'node:assert/strict';
import { type IncomingMessage, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { waitForFinal } from './support/engine-harness.js';
import { basic } from './support/sps-client.js';

interface Stream {
  response: IncomingMessage;
  /** Resolves with everything received once `predicate` holds for it. */
  until(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  ended: Promise<void>;
}

function open(port: number, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers }, (response) => {
      let text = '';
      const waiters: (() => void)[] = [];
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        for (const wake of waiters.splice(0)) wake();
      });
      const ended = new Promise<void>((done) => response.on('end', done));
      const until = async (predicate: (text: string) => boolean, timeoutMs = 5000) => {
        const deadline = Date.now() + timeoutMs;
        while (!predicate(text)) {
          if (Date.now() > deadline) throw new Error(`stream did not show the expected data; got:\n${text}`);
          await new Promise<void>((wake) => {
            waiters.push(wake);
            setTimeout(wake, 100);
          });
        }
        return text;
      };
      resolve({ response, until, ended });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The parsed data of every event of one type in an SSE text. */
function eventsOf(text: string, type: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith(`event: ${type}\n`))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as unknown);
}

describe('GET /api/events', () => {
  let h: AppHarness;
  let port = 0;

  before(async () => {
    h = await startApp({ fleet: { devices: 2, sessionsPerDevice: 2 } });
    await h.addUser('nogrant', 'pw-nogrant');
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => h.close());

  it('refuses no credentials (401) and a login without read on sessions (403), as SPS errors', async () => {
    const anonymous = await open(port, {});
    assert.equal(anonymous.response.statusCode, 401);
    await anonymous.ended;
    const denied = await open(port, { authorization: basic('nogrant', 'pw-nogrant') });
    assert.equal(denied.response.statusCode, 403);
    await denied.ended;
  });

  it('streams sync, task and targets events as JSON, then ends when the server closes', async () => {
    const stream = await open(port, { authorization: basic('admin', ADMIN_PASSWORD) });
    assert.equal(stream.response.statusCode, 200);
    assert.match(String(stream.response.headers['content-type']), /^text\/event-stream/);
    assert.equal(stream.response.headers['cache-control'], 'no-cache');
    await stream.until((text) => text.includes(': connected'));

    await h.engine.sync.syncAll();
    const device = h.fleet?.devices.find((d) => d.failover === 'ACTIVE');
    assert.ok(device);
    const task = await h.engine.submitKill(
      { action: 'KILL_ALL_SESSIONS', accessGroupNames: [], clusterNames: [], deviceIds: [device.id], sessions: [] },
      { name: 'admin', address: '127.0.0.1' },
    );
    await waitForFinal(h.store, task.id);
    const text = await stream.until((t) =>
      eventsOf(t, 'task').some((e) => (e as { status: string }).status === 'FINISHED'),
    );

    const syncs = eventsOf(text, 'sync') as { deviceId: string; ok: boolean; sessions: number }[];
    assert.ok(
      syncs.some((s) => s.deviceId === device.id && s.ok && s.sessions === 2),
      JSON.stringify(syncs),
    );
    const tasks = eventsOf(text, 'task') as { id: string; action: string; username: string }[];
    assert.ok(tasks.every((t) => t.id === task.id && t.action === 'KILL_ALL_SESSIONS' && t.username === 'admin'));
    const targets = (eventsOf(text, 'targets') as { deviceId: string; killed: number; failedIds: string[] }[][]).flat();
    assert.deepEqual(
      targets.map((t) => [t.deviceId, t.killed, t.failedIds]),
      [[device.id, 2, []]],
    );

    const closing = Date.now();
    await h.app.close();
    await stream.ended;
    assert.ok(Date.now() - closing < 2000, 'close() is not held up by the open stream');
  });
});

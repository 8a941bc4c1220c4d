// F5's own TypeScript SDK (f5-conx-core 1.0.0) as a real third-party client, over HTTPS against `curfew serve`'s
// composition with a lab fleet: log in, discover('BIG-IQ'), KILL_BY_USER scoped to one access group, followAsync to
// FINISHED — and the user's sessions gone from that group's devices, untouched elsewhere.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../src/cli/server.js';
import { startTestServer, type TestServer } from './support/test-server.js';

// f5-conx-core flips NODE_TLS_REJECT_UNAUTHORIZED from this (misspelled) variable: curfew's certificate is self-signed.
process.env.F5_CONX_CORE_REJECT_UNAUTORIZED = 'false';
const { F5Client } = await import('f5-conx-core');

const PASSWORD = 'conx-admin-pw';
const VICTIM = 'user7';

describe('f5-conx-core 1.0.0 against curfew', () => {
  let node: TestServer;
  let server: RunningServer;
  before(async () => {
    node = await startTestServer({
      lab: 8,
      labSps: 0,
      labSessions: 0,
      adminPassword: PASSWORD,
    });
    server = node.server;
    const fleet = server.lab?.fleet;
    assert.ok(fleet);
    for (const d of fleet.devices.filter((x) => x.failover === 'ACTIVE')) {
      fleet.addSession(d.id, { user: VICTIM, clientIp: '198.51.100.20' });
      fleet.addSession(d.id, { user: 'bystander', clientIp: '198.51.100.21' });
    }
    await server.engine.sync.syncAll();
  });
  after(async () => {
    await node.stop();
  });

  it('logs in, discovers BIG-IQ, kills one user in one access group and follows the task to FINISHED', async () => {
    const fleet = server.lab?.fleet;
    assert.ok(fleet);
    const port = Number(new URL(server.url).port);
    const f5 = new F5Client('127.0.0.1', 'admin', PASSWORD, { port, provider: 'local' });
    try {
      await f5.discover('BIG-IQ');
      assert.equal(f5.host?.product, 'BIG-IQ');
      const post = await f5.https('/mgmt/cm/access/tasks/kill-sessions', {
        method: 'POST',
        data: { action: 'KILL_BY_USER', userName: VICTIM, accessGroupNames: ['group-1'] },
      });
      assert.equal(post.status, 202);
      const done = await f5.mgmtClient.followAsync(`/mgmt/cm/access/tasks/kill-sessions/${post.data.id}`);
      assert.equal(done.data.status, 'FINISHED');
      assert.equal(done.data.result, 'COMPLETE');
    } finally {
      await f5.clearLogin();
    }
    for (const d of fleet.devices.filter((x) => x.failover === 'ACTIVE')) {
      const victims: number = fleet.sessions(d.id).filter((s) => s.user === VICTIM).length;
      const bystanders: number = fleet.sessions(d.id).filter((s) => s.user === 'bystander').length;
      assert.equal(victims, d.accessGroup === 'group-1' ? 0 : 1, `${d.hostname} (${d.accessGroup})`);
      assert.equal(bystanders, 1, `${d.hostname} keeps other users' sessions`);
    }
  });
});

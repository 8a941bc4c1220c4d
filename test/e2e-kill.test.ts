// The kill's guarantees end to end, as an operator meets them: the lab fleet in its own process, the node in its own
// process on a data dir the devices were imported into, every request over HTTPS, and every report compared with what
// the devices themselves hold afterwards (the lab control API).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ADMIN_PASSWORD,
  bigiqClient,
  https,
  importedDataDir,
  isFinalStatus,
  type KillTaskView,
  type LabProcess,
  labControl,
  type NodeProcess,
  pollUntil,
  startLabProcess,
  startNodeProcess,
} from './support/e2e.js';

describe('kills end to end against a lab in its own process', () => {
  let lab: LabProcess;
  let node: NodeProcess;
  let data: { dataDir: string; remove(): void };
  let client: Awaited<ReturnType<typeof bigiqClient>>;

  before(async () => {
    lab = await startLabProcess({ devices: 6, sps: 2, sessions: 20 });
    data = importedDataDir(lab);
    node = await startNodeProcess(data.dataDir);
    client = await bigiqClient(node);
  });
  after(async () => {
    await node?.stop();
    await lab?.stop();
    data?.remove();
  });

  const waitFinal = (id: string) =>
    pollUntil(
      () => client.task(id),
      (t) => isFinalStatus(t.status),
      30_000,
    );

  it("kills a session opened after the last sync with the console's kill-all-of-user", async () => {
    // The node synced at start; these logins happen after it, so only a live listing can find them.
    const active = lab.devices.filter((d) => d.kind === 'sps' || d.failover !== 'STANDBY');
    const opened = await Promise.all(active.slice(0, 4).map((d) => labControl(lab, d).login('eve')));
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    // The body the console's "Kill all of eve" sends (web/src/pages/kill.tsx).
    const posted = await https(`${node.url}/api/kill-tasks`, 'POST', {
      body: { action: 'KILL_BY_USER', userName: 'eve', fleet: true },
      headers: { authorization: basic },
    });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const id = (posted.body as { key: string }).key;
    const done = await waitFinal(id);
    assert.deepEqual([done.status, done.result], ['FINISHED', 'COMPLETE']);
    const killed = done.deviceResults.flatMap((r) => r.killedIds).sort();
    assert.deepEqual(killed, [...opened].sort());
    for (const d of lab.devices) {
      const left = (await labControl(lab, d).sessions()).filter((s) => s.user === 'eve');
      assert.deepEqual(left, [], `${d.hostname} still has eve`);
    }
  });

  it('fails the task, naming the device and the reason, when a device in scope does not answer', async () => {
    const [dead] = lab.devices.filter((d) => d.kind === 'bigip' && d.failover !== 'STANDBY');
    assert.ok(dead);
    await labControl(lab, dead).fault('timeout');
    try {
      const id = await client.kill({ action: 'KILL_BY_USER', userName: 'nobody-in-particular', fleet: true });
      const done = await waitFinal(id);
      assert.deepEqual([done.status, done.result], ['FAILED', 'FAILED']);
      assert.match(done.errorMessage ?? '', /Failed to kill sessions on 1 of \d+ devices/);
      const details = done.resultDetails ?? [];
      assert.deepEqual(
        details.map((r) => r.host),
        [dead.hostname],
      );
      assert.match(details[0]?.reason ?? '', /no answer within/);
    } finally {
      await labControl(lab, dead).clearFault();
    }
  });

  it('reports exactly what a device failing 30 % of its requests lost and kept', async () => {
    const [flaky] = lab.devices.filter((d) => d.kind === 'bigip' && d.failover !== 'STANDBY');
    assert.ok(flaky);
    const control = labControl(lab, flaky);
    for (let i = 0; i < 30; i++) await control.login(`crowd-${i % 7}`);
    const before = new Set((await control.sessions()).map((s) => s.sessionId));
    await control.fault('http500', 0.3, 7);
    let done: KillTaskView;
    try {
      const id = await client.kill({
        action: 'KILL_ALL_SESSIONS',
        deviceReferences: [{ link: `https://localhost/mgmt/cm/system/machineid-resolver/${flaky.id}` }],
      });
      done = await waitFinal(id);
    } finally {
      await control.clearFault();
    }
    const left = new Set((await control.sessions()).map((s) => s.sessionId));
    const [result] = done.deviceResults;
    assert.ok(result);
    assert.deepEqual([...result.killedIds].sort(), [...before].filter((id) => !left.has(id)).sort());
    assert.deepEqual([...result.failedIds].sort(), [...left].sort());
    assert.deepEqual(result.notFoundIds, []);
  });
});

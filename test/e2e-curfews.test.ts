// Curfews end to end, as an operator meets them: the lab (BIG-IPs and an SPS appliance) in its own process, the node in
// its own process, every request over HTTPS. A curfew kills the user's sessions, BIG-IPs whose access policy consults
// the deny list refuse the user's logon, a logon where nothing prevents it is killed within the enforcement interval,
// a node restart keeps the curfew and its enforcement, and lifting it — or its expiry — lets the user back in with
// every deny list emptied.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ADMIN_PASSWORD,
  https,
  importedDataDir,
  type LabDeviceEntry,
  type LabProcess,
  labControl,
  type NodeProcess,
  pollUntil,
  startLabProcess,
  startNodeProcess,
} from './support/e2e.js';

const INTERVAL_MS = 500;
/** A killed session is gone within the interval plus a few round trips; the bound leaves room for a loaded CI. */
const KILLED_WITHIN_MS = INTERVAL_MS + 4_000;
const basic = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` };

interface CurfewView {
  key: string;
  body: { state: string; violations: number };
}

describe('curfews end to end against a lab in its own process', () => {
  let lab: LabProcess;
  let node: NodeProcess;
  let data: { dataDir: string; remove(): void };
  let bigips: LabDeviceEntry[];
  let appliance: LabDeviceEntry;
  const startNode = () => startNodeProcess(data.dataDir, 3600, ['--curfew-interval', String(INTERVAL_MS)]);

  before(async () => {
    lab = await startLabProcess({ devices: 4, sps: 1, sessions: 5 });
    data = importedDataDir(lab);
    node = await startNode();
    bigips = lab.devices.filter((d) => d.kind === 'bigip' && d.failover !== 'STANDBY');
    const [sps] = lab.devices.filter((d) => d.kind === 'sps');
    assert.ok(sps && bigips.length >= 2);
    appliance = sps;
  });
  after(async () => {
    await node?.stop();
    await lab?.stop();
    data?.remove();
  });

  const api = (path: string, method = 'GET', body?: unknown) =>
    https(`${node.url}${path}`, method, { headers: basic, ...(body !== undefined && { body }) });
  const sessionsOf = async (user: string, devices: readonly LabDeviceEntry[]) =>
    (await Promise.all(devices.map((d) => labControl(lab, d).sessions()))).flat().filter((s) => s.user === user);
  const goneWithin = (user: string, devices: readonly LabDeviceEntry[], ms: number) =>
    pollUntil(
      () => sessionsOf(user, devices),
      (left) => left.length === 0,
      ms,
    );
  const deniedEverywhere = (user: string, present: boolean) =>
    pollUntil(
      () => Promise.all(bigips.map((d) => labControl(lab, d).denied())),
      (lists) => lists.every((names) => names.includes(user) === present),
      10_000,
    );

  it('keeps a user out: killed, refused at logon, killed on sight, kept across a restart, let back in when lifted', async () => {
    const user = 'mallory';
    const [guarded, open] = bigips;
    assert.ok(guarded && open);
    for (const d of [guarded, open, appliance]) await labControl(lab, d).login(user);

    const set = await api('/api/curfews', 'POST', {
      users: [user],
      fleet: true,
      duration: 'PT2M',
      reason: 'account compromised (e2e)',
    });
    assert.equal(set.status, 201, JSON.stringify(set.body));
    const id = (set.body as CurfewView).key;
    await goneWithin(user, lab.devices, KILLED_WITHIN_MS);
    await deniedEverywhere(user, true);

    // A BIG-IP whose access policy checks the deny list refuses the logon.
    const refused = await labControl(lab, guarded).logon(user);
    assert.equal(refused.status, 401);
    assert.deepEqual(refused.body, { denied: 'curfew' });

    // Where nothing prevents it — the policy not installed, or an SPS appliance — the session is killed on sight.
    await labControl(lab, open).policy(false);
    await labControl(lab, open).login(user);
    await labControl(lab, appliance).login(user);
    await goneWithin(user, [open, appliance], KILLED_WITHIN_MS);

    // A restarted node keeps the curfew and enforces it.
    await node.stop();
    node = await startNode();
    const kept = await api(`/api/curfews/${id}`);
    assert.equal((kept.body as CurfewView).body.state, 'active');
    await labControl(lab, open).login(user);
    await goneWithin(user, [open], KILLED_WITHIN_MS);
    assert.ok((kept.body as CurfewView).body.violations >= 5, JSON.stringify(kept.body));

    const lifted = await api(`/api/curfews/${id}/lift`, 'POST', {});
    assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
    assert.equal((lifted.body as CurfewView).body.state, 'lifted');
    await deniedEverywhere(user, false);
    const back = await labControl(lab, guarded).logon(user);
    assert.equal(back.status, 201, 'the lifted curfew lets the user back in');
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
    assert.equal((await sessionsOf(user, [guarded])).length, 1, 'and the session stays');
    await labControl(lab, open).policy(true);
  });

  it('ends by itself at its time: deny lists emptied, the user let back in', async () => {
    const user = 'trudy';
    const set = await api('/api/curfews', 'POST', {
      users: [user],
      fleet: true,
      duration: '4s',
      reason: 'expiry (e2e)',
    });
    assert.equal(set.status, 201, JSON.stringify(set.body));
    const id = (set.body as CurfewView).key;
    await deniedEverywhere(user, true);
    const [device] = bigips;
    assert.ok(device);
    assert.equal((await labControl(lab, device).logon(user)).status, 401);
    const expired = await pollUntil(
      () => api(`/api/curfews/${id}`),
      (reply) => (reply.body as CurfewView).body.state === 'expired',
      15_000,
    );
    assert.equal(expired.status, 200);
    await deniedEverywhere(user, false);
    assert.equal((await labControl(lab, device).logon(user)).status, 201);
  });
});

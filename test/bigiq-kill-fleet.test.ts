// curfew's `"fleet": true` scope on the BIG-IQ kill-sessions POST (docs/decisions/0007): a user is killed on every
// device, each listed live, including sessions the inventory never saw (opened after the last sync, or on a device
// that was unreachable at it). The validation messages are in bigiq-kill-sessions.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitForFinal } from './support/engine-harness.js';
import { BLUE_ID, GREEN_ID, RED_ID, type SeedFleet, startSeedFleet } from './support/seed-fleet.js';

const PATH = '/mgmt/cm/access/tasks/kill-sessions';
const link = (id: string) => `https://localhost/mgmt/cm/system/machineid-resolver/${id}`;
const USER = 'roaming';

interface DeviceResult {
  deviceReference: { link: string };
  killedIds: string[];
}

describe('BIG-IQ kill-sessions with "fleet": true', () => {
  let h: SeedFleet;
  let token: string;
  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: { 'x-f5-auth-token': token }, ...(payload && { payload }) });

  before(async () => {
    h = await startSeedFleet();
    token = await h.token();
  });
  after(() => h.close());

  it('kills a user on every device, including sessions the inventory never saw', async () => {
    h.fleet?.addSession(h.labIdOf(BLUE_ID), { user: USER, clientIp: '192.0.2.20' });
    // RED is unreachable at the sync, so the inventory knows none of its sessions.
    h.fleet?.setFault(h.labIdOf(RED_ID), 'reset');
    await h.engine.sync.syncAll();
    h.fleet?.setFault(h.labIdOf(RED_ID), 'none');
    assert.notEqual((await h.store.findDeviceById(RED_ID))?.state, 'online', 'RED missed the sync');
    const onRed = h.fleet?.addSession(h.labIdOf(RED_ID), { user: USER, clientIp: '192.0.2.21' });
    // GREEN's session opens after the sync.
    const onGreen = h.fleet?.addSession(h.labIdOf(GREEN_ID), { user: USER, clientIp: '192.0.2.22' });
    const others = h.sessionsOf(GREEN_ID).length - 1;

    const res = await call('POST', PATH, { action: 'KILL_BY_USER', userName: USER, fleet: true });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().fleet, true);
    const done = await waitForFinal(h.store, res.json().id);
    assert.deepEqual([done.status, done.result], ['FINISHED', 'COMPLETE'], done.errorMessage ?? '');
    for (const id of [BLUE_ID, RED_ID, GREEN_ID]) assert.deepEqual(h.sessionsOf(id, USER), [], id);
    assert.equal(h.sessionsOf(GREEN_ID).length, others, "other users' sessions stay");

    const task = (await call('GET', `${PATH}/${done.id}`)).json();
    assert.equal(task.fleet, true, 'the task shows the scope it was given');
    assert.deepEqual(task.deviceReferences, []);
    const killedOn = (id: string) =>
      task.deviceResults.find((r: DeviceResult) => r.deviceReference.link === link(id))?.killedIds;
    assert.deepEqual(killedOn(RED_ID), [onRed]);
    assert.deepEqual(killedOn(GREEN_ID), [onGreen]);
    assert.equal(task.deviceResults.length, 3, 'each cluster through its ACTIVE unit');
  });

  it('kills all sessions fleet-wide, and a union with other scopes is still the whole fleet', async () => {
    const res = await call('POST', PATH, { action: 'KILL_ALL_SESSIONS', clusterNames: ['BlueCluster'], fleet: true });
    assert.equal(res.statusCode, 202, res.body);
    const done = await waitForFinal(h.store, res.json().id);
    assert.equal(done.status, 'FINISHED', done.errorMessage ?? '');
    for (const id of [BLUE_ID, RED_ID, GREEN_ID]) assert.deepEqual(h.sessionsOf(id), [], id);
    const task = (await call('GET', `${PATH}/${done.id}`)).json();
    assert.deepEqual([task.fleet, task.clusterNames], [true, ['BlueCluster']]);
  });

  it('keeps BIG-IQ\'s refusal for "fleet": false without another scope', async () => {
    const res = await call('POST', PATH, { action: 'KILL_BY_USER', userName: USER, fleet: false });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().message, /^Request should have atleast one of these fields populated/);
    const scoped = await call('POST', PATH, {
      action: 'KILL_BY_USER',
      userName: USER,
      fleet: false,
      clusterNames: ['RedCluster'],
    });
    assert.equal(scoped.statusCode, 202);
    assert.equal(scoped.json().fleet, undefined, 'no fleet echoed for a named scope');
    await waitForFinal(h.store, scoped.json().id);
  });
});

// Store contract for configuration (docs/decisions/0005): password objects, per-login transactions with version
// checks, and commits that apply their writes, log the commit and bump the revision in one database transaction.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ConfigCommitRequest, ConfigTransactionRecord, Store } from '../src/store/store.js';
import { device } from './support/factories.js';

export function configStoreContract(storeOf: () => Store): void {
  it('keeps password objects sealed: found without the secret, revealed for a commit', async () => {
    const store = storeOf();
    await store.insertPasswordObject('pw-contract-1', 'the secret', 10);
    assert.deepEqual(await store.findPasswordObject('pw-contract-1'), {
      key: 'pw-contract-1',
      createdAt: 10,
      usedBy: null,
    });
    assert.equal(await store.revealPasswordObject('pw-contract-1'), 'the secret');
    assert.equal(await store.findPasswordObject('pw-missing'), undefined);
    assert.equal(await store.revealPasswordObject('pw-missing'), undefined);
  });

  it('keeps one transaction per login: insert once, save on the expected version, purge those of ended logins', async () => {
    const store = storeOf();
    const login = { userName: 'cfg', grants: [], address: '::1', createdAt: 1, lastSeenAt: 1, expiresAt: 10_000 };
    await store.insertLoginSession({ ...login, id: 'e'.repeat(64) });
    const record: ConfigTransactionRecord = {
      loginId: 'e'.repeat(64),
      userName: 'cfg',
      address: '::1',
      baseRevision: 0,
      changes: [],
      version: 1,
      openedAt: 5,
      updatedAt: 5,
    };
    assert.equal(await store.insertConfigTransaction(record), true);
    assert.equal(await store.insertConfigTransaction(record), false);
    assert.equal(await store.insertConfigTransaction({ ...record, loginId: 'orphan' }), true);
    const change = { type: 'create' as const, path: '/api/configuration/clusters/c', old_value: null, new_value: {} };
    assert.equal(await store.saveConfigTransaction(record.loginId, [change], 1, 6), true);
    assert.equal(await store.saveConfigTransaction(record.loginId, [], 1, 7), false, 'stale version');
    assert.deepEqual(await store.findConfigTransaction(record.loginId), {
      ...record,
      changes: [change],
      version: 2,
      updatedAt: 6,
    });
    const live = await store.listLiveConfigTransactions(100);
    assert.deepEqual(
      live.map((t) => t.loginId),
      [record.loginId],
    );
    assert.equal(await store.findConfigTransaction('orphan'), undefined, 'its login session does not exist');
    assert.deepEqual(
      (await store.deleteConfigTransactions([record.loginId, 'none'])).map((t) => t.loginId),
      [record.loginId],
    );
    assert.deepEqual(await store.deleteConfigTransactions([record.loginId]), []);
  });

  it('commits in one go: writes applied, commit logged, revision bumped; a stale revision writes nothing', async () => {
    const store = storeOf();
    const { revision } = await store.loadConfiguration();
    await store.insertLoginSession({
      id: 'f'.repeat(64),
      userName: 'cfg',
      grants: [],
      address: '::1',
      createdAt: 1,
      lastSeenAt: 1,
      expiresAt: 10_000,
    });
    const base = { loginId: 'f'.repeat(64), userName: 'cfg', address: '::1', baseRevision: revision, changes: [] };
    await store.insertConfigTransaction({ ...base, version: 1, openedAt: 1, updatedAt: 1 });
    await store.insertPasswordObject('pw-contract-2', 'device secret', 1);
    const d = device({ cluster: 'contract-cluster', credentialRef: 'device:contract' });
    const devicePath = `/api/configuration/devices/${d.id}`;
    const request: ConfigCommitRequest = {
      expectedRevision: revision,
      loginId: base.loginId,
      expectedVersion: 1,
      at: 42,
      actor: 'cfg',
      address: '::1',
      message: 'contract',
      paths: [devicePath],
      ops: [
        { op: 'putCluster', cluster: { name: 'contract-cluster', description: 'c' } },
        {
          op: 'insertUser',
          user: {
            key: 'a1'.repeat(11),
            name: 'contract-user',
            passwordHash: 'h',
            createdAt: 42,
            passwordChangedAt: 42,
          },
        },
        { op: 'putGroup', group: { key: 'b2'.repeat(11), name: 'contract-group', members: ['a1'.repeat(11)] } },
        { op: 'replaceAcls', acls: [{ group: 'contract-group', objects: ['/x'], permission: 'write' }] },
        { op: 'putCredential', ref: 'device:contract', username: 'root', password: 'device secret' },
        { op: 'insertDevice', device: d },
        { op: 'consumePassword', key: 'pw-contract-2', usedBy: devicePath },
      ],
    };
    assert.equal(await store.commitConfiguration({ ...request, expectedRevision: revision + 7 }), 'stale');
    assert.equal(await store.findDeviceById(d.id), undefined, 'nothing written');
    assert.equal(await store.commitConfiguration(request), revision + 1);

    const after = await store.loadConfiguration();
    assert.equal(after.revision, revision + 1);
    assert.equal(await store.configRevision(), revision + 1);
    assert.ok(after.users.some((u) => u.key === 'a1'.repeat(11) && u.name === 'contract-user'));
    assert.deepEqual(await store.listAaaGroups(), [
      { key: 'b2'.repeat(11), name: 'contract-group', members: ['a1'.repeat(11)] },
    ]);
    assert.deepEqual(await store.listAcls(), [{ group: 'contract-group', objects: ['/x'], permission: 'write' }]);
    assert.equal(after.deviceUsernames.get(d.id), 'root');
    assert.equal(after.passwordByPath.get(devicePath), 'pw-contract-2');
    assert.deepEqual(await store.findCredential('device:contract'), { username: 'root', password: 'device secret' });
    assert.equal((await store.findPasswordObject('pw-contract-2'))?.usedBy, devicePath);
    assert.equal(await store.revealPasswordObject('pw-contract-2'), undefined, 'the sealed copy is wiped');
    assert.equal(await store.findConfigTransaction(base.loginId), undefined, 'the transaction is closed');
    const [logged] = await store.listConfigCommits(revision);
    assert.deepEqual(logged, {
      revision: revision + 1,
      at: 42,
      actor: 'cfg',
      address: '::1',
      message: 'contract',
      paths: [devicePath],
    });
    assert.equal(await store.commitConfiguration(request), 'stale', 'the revision moved on');
  });
}

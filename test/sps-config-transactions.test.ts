// Configuration transactions on the SPS surface (docs/compat/sps.md §4, §9 item 6): auto-open on the first write,
// explicit open with any body or none, both status shapes, the changelog, commit messages, rollback, isolation between
// logins, conflicts between commits, NoTransaction, and transactions that end with their login session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { commit, loginSps, type SpsClient } from './support/sps-client.js';

const GROUPS = '/api/configuration/aaa/local_database/groups';

describe('SPS configuration: transactions', () => {
  let h: AppHarness;
  let clock = Date.now();
  let admin: SpsClient;
  before(async () => {
    h = await startApp({ now: () => clock, loginSessions: { idleTimeoutSec: 600 } });
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
  });
  after(() => h.close());

  const status = async (client: SpsClient) => {
    const res = await client.call('GET', '/api/transaction');
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  it('opens on the first write; GET shows both shapes, meta.changes and remaining_seconds; /changes lists them', async () => {
    const closed = await status(admin);
    assert.deepEqual(closed.body, { status: 'closed', commit_message: 'optional' });
    assert.deepEqual(closed.transaction, { status: 'closed' });
    assert.equal(closed.key, 'transaction');
    assert.equal(closed.meta.changes, false);

    const created = await admin.call('POST', GROUPS, { name: 'auto-open' });
    assert.equal(created.statusCode, 201, created.body);
    const open = await status(admin);
    assert.equal(open.body.status, 'open');
    assert.equal(open.transaction.status, 'open');
    assert.equal(open.meta.changes, true);
    assert.equal(open.meta.remaining_seconds, 600);
    assert.equal(open.meta.href, '/api/transaction');

    const changes = await admin.call('GET', '/api/transaction/changes');
    assert.equal(changes.statusCode, 200);
    assert.deepEqual(changes.json().changes, [
      {
        type: 'create',
        path: `${GROUPS}/${created.json().key}`,
        old_value: null,
        new_value: { name: 'auto-open', members: [] },
      },
    ]);
    assert.equal(changes.json().meta.parent, '/api/transaction');
    await commit(admin, { status: 'commit', commit_message: 'auto-opened' });
    assert.equal((await status(admin)).body.status, 'closed');
    const [event] = await h.store.listAudit({ limit: 1, offset: 0, action: 'config.commit' });
    assert.equal(event?.actor, 'admin');
    assert.deepEqual(event?.details, { paths: [`${GROUPS}/${created.json().key}`], message: 'auto-opened' });
  });

  it('opens explicitly with an empty body, {} or no Content-Length, and commits with "message"', async () => {
    const bare = await h.app.inject({
      method: 'POST',
      url: '/api/transaction',
      headers: { cookie: `session_id=${admin.cookie}` },
    });
    assert.equal(bare.statusCode, 200, bare.body);
    assert.equal(bare.json().body.status, 'open');
    const empty = await h.app.inject({
      method: 'POST',
      url: '/api/transaction',
      headers: { cookie: `session_id=${admin.cookie}`, 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(empty.statusCode, 200, empty.body);
    assert.equal((await admin.call('POST', '/api/transaction', {})).statusCode, 200);
    const created = await admin.call('POST', GROUPS, { name: 'by-message' });
    await commit(admin, { status: 'commit', message: 'from a script' });
    const [event] = await h.store.listAudit({ limit: 1, offset: 0, action: 'config.commit' });
    assert.equal(event?.details.message, 'from a script');
    assert.equal((await admin.call('GET', `${GROUPS}/${created.json().key}`)).statusCode, 200);
  });

  it('rolls back with DELETE: the pending change is gone', async () => {
    const created = await admin.call('POST', GROUPS, { name: 'rolled-back' });
    assert.equal((await admin.call('GET', `${GROUPS}/${created.json().key}`)).statusCode, 200, 'own change visible');
    const rollback = await admin.call('DELETE', '/api/transaction');
    assert.equal(rollback.statusCode, 200);
    assert.equal(rollback.json().body.status, 'closed');
    assert.equal((await admin.call('GET', `${GROUPS}/${created.json().key}`)).statusCode, 404);
    const [event] = await h.store.listAudit({ limit: 1, offset: 0, action: 'config.rollback' });
    assert.deepEqual(event?.details, { paths: [`${GROUPS}/${created.json().key}`] });
  });

  it('hides pending changes from other logins until the commit', async () => {
    const other = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const created = await admin.call('POST', GROUPS, { name: 'not-yet' });
    const path = `${GROUPS}/${created.json().key}`;
    assert.equal((await other.call('GET', path)).statusCode, 404);
    assert.equal((await other.call('GET', '/api/transaction')).json().body.status, 'closed');
    await commit(admin);
    assert.equal((await other.call('GET', path)).statusCode, 200);
  });

  it('refuses the second of two commits that changed the same object: 409 TransactionConflict naming the path', async () => {
    const created = await admin.call('POST', GROUPS, { name: 'contested' });
    const path = `${GROUPS}/${created.json().key}`;
    await commit(admin);
    const first = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const second = await loginSps(h, 'admin', ADMIN_PASSWORD);
    assert.equal((await first.call('PUT', path, { name: 'contested', members: [] })).statusCode, 200);
    assert.equal((await second.call('DELETE', path)).statusCode, 200);
    await commit(first);
    const clash = await second.call('PUT', '/api/transaction', { status: 'commit' });
    assert.equal(clash.statusCode, 409, clash.body);
    assert.equal(clash.json().error.type, 'TransactionConflict');
    assert.ok(clash.json().error.message.includes(path), clash.json().error.message);
    assert.deepEqual(clash.json().error.details.paths, [path]);
    assert.equal((await second.call('GET', '/api/transaction')).json().body.status, 'open', 'still open');
    assert.equal((await second.call('DELETE', '/api/transaction')).statusCode, 200);
    assert.equal((await admin.call('GET', path)).statusCode, 200, 'the first commit stands');
  });

  it('answers 409 NoTransaction for a commit or a changelog with nothing open', async () => {
    const res = await admin.call('PUT', '/api/transaction', { status: 'commit' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.type, 'NoTransaction');
    assert.equal((await admin.call('GET', '/api/transaction/changes')).json().error.type, 'NoTransaction');
    const bad = await admin.call('PUT', '/api/transaction', { status: 'maybe' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.type, 'SemanticError');
  });

  it('drops the transaction when its login session expires', async () => {
    const client = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const created = await client.call('POST', GROUPS, { name: 'expires' });
    assert.equal(created.statusCode, 201);
    assert.equal((await h.store.listLiveConfigTransactions(clock)).length, 1);
    clock += 601_000;
    assert.equal((await client.call('GET', '/api/transaction')).statusCode, 401, 'the login session is over');
    assert.equal((await h.store.listLiveConfigTransactions(clock)).length, 0, 'and its transaction with it');
    const [event] = await h.store.listAudit({ limit: 1, offset: 0, action: 'config.transaction_dropped' });
    assert.deepEqual(event?.details.paths, [`${GROUPS}/${created.json().key}`]);
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    assert.equal((await admin.call('GET', `${GROUPS}/${created.json().key}`)).statusCode, 404);
  });

  it("accepts bodies sent with curl's default form content type, and says SyntaxError for bad JSON", async () => {
    const form = await h.app.inject({
      method: 'POST',
      url: GROUPS,
      headers: { cookie: `session_id=${admin.cookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '{"name": "form-typed"}',
    });
    assert.equal(form.statusCode, 201, form.body);
    const bad = await h.app.inject({
      method: 'POST',
      url: GROUPS,
      headers: { cookie: `session_id=${admin.cookie}`, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.type, 'SyntaxError');
    await admin.call('DELETE', '/api/transaction');
  });
});

// Configuration in transactions on the SPS surface (docs/compat/sps.md §2, §4, §5, §9 items 4–9): the seed's curl
// commands for the local database, groups, users and ACLs run as printed; the transaction lifecycle; one-use passwords;
// admin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AAA_USERS } from '../src/core/access.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';
import { commit, curl, loginSps, newPassword, type SpsClient, withoutRemaining } from './support/sps-client.js';

const USERS = AAA_USERS;
const GROUPS = '/api/configuration/aaa/local_database/groups';
const PASSWORDS = '/api/configuration/passwords';
const REUSE =
  'You tried to reuse a password object. You can use a password object for only one purpose, that is, you cannot reference a password object twice.';
/** The seed's member keys, given to two users so the seed's group POST runs verbatim. */
const SEED_KEYS = ['46785097158061f46c63d0', '1362061674580df4e00620d'];

describe('SPS configuration: the seed commands', () => {
  let h: AppHarness;
  let admin: SpsClient;
  const sh = () => curl(h);
  let c: ReturnType<typeof sh>;
  before(async () => {
    h = await startApp();
    await h.addUser('seed-one', 'pw-one', SEED_KEYS[0]);
    await h.addUser('seed-two', 'pw-two', SEED_KEYS[1]);
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
    c = curl(h);
    c.jars.set('cookies', admin.cookie);
  });
  after(() => h.close());

  it('lists the local database exactly as the reference shows it', async () => {
    const res = await c.run('curl --cookie cookies https://<IP-address-of-SPS>/api/configuration/aaa/local_database');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(withoutRemaining(res.json()), {
      items: [
        { key: 'groups', meta: { href: '/api/configuration/aaa/local_database/groups' } },
        { key: 'users', meta: { href: '/api/configuration/aaa/local_database/users' } },
      ],
      meta: {
        first: '/api/configuration/aaa/acls',
        href: '/api/configuration/aaa/local_database',
        last: '/api/configuration/aaa/settings',
        next: '/api/configuration/aaa/settings',
        parent: '/api/configuration/aaa',
        previous: '/api/configuration/aaa/acls',
        transaction: '/api/transaction',
      },
    });
    assert.equal(res.headers['content-language'], 'en');
  });

  it('lists users with the reference meta, and shows one user with its password reference', async () => {
    const list = await c.run(
      'curl --cookie cookies https://<IP-address-of-SPS>/api/configuration/aaa/local_database/users',
    );
    assert.equal(list.statusCode, 200, list.body);
    const body = list.json();
    assert.deepEqual(
      { ...withoutRemaining(body).meta },
      {
        first: '/api/configuration/aaa/local_database/groups',
        href: '/api/configuration/aaa/local_database/users',
        last: '/api/configuration/aaa/local_database/users',
        next: null,
        parent: '/api/configuration/aaa/local_database',
        previous: '/api/configuration/aaa/local_database/groups',
        transaction: '/api/transaction',
      },
    );
    for (const key of SEED_KEYS) {
      assert.ok(
        body.items.some(
          (i: { key: string; meta: { href: string } }) => i.key === key && i.meta.href === `${USERS}/${key}`,
        ),
      );
    }
    const one = await c.run(
      'curl --cookie cookies https://<IP-address-of-SPS>/api/configuration/aaa/local_database/users/<ID-of-the-user>',
      { '<ID-of-the-user>': SEED_KEYS[0] as string },
    );
    assert.equal(one.statusCode, 200, one.body);
    const user = one.json();
    assert.equal(user.key, SEED_KEYS[0]);
    assert.deepEqual(Object.keys(user.body).sort(), ['name', 'password', 'password_created']);
    assert.equal(user.body.name, 'seed-one');
    assert.equal(typeof user.body.password_created, 'number');
    assert.equal(user.meta.parent, USERS);
    assert.equal(user.meta.href, `${USERS}/${SEED_KEYS[0]}`);
  });

  it('creates a group from member user keys (POST), commits it, and lists it', async () => {
    const res = await c.run(
      `curl -X POST -H "Content-Type: application/json" --cookie cookies https://<IP-address-of-SPS>/api/configuration/aaa/local_database/groups --data '{"name": "new-usergroup", "members": ["46785097158061f46c63d0", "1362061674580df4e00620d"]}'`,
    );
    assert.equal(res.statusCode, 201, res.body);
    const { key, meta } = res.json();
    assert.match(key, /^[0-9a-f]{22}$/);
    assert.equal(meta.href, `${GROUPS}/${key}`);
    // The reference's own body, typo and all.
    const typo = await admin.call('POST', GROUPS, { name: 'new-userggroup', members: SEED_KEYS });
    assert.equal(typo.statusCode, 201, typo.body);
    await commit(admin);

    const list = await c.run(
      'curl --cookie cookies https://<IP-address-of-SPS>/api/configuration/aaa/local_database/groups',
    );
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().items.some((i: { key: string }) => i.key === key));
    const group = (await admin.call('GET', `${GROUPS}/${key}`)).json();
    assert.equal(group.body.name, 'new-usergroup');
    assert.deepEqual(
      group.body.members,
      SEED_KEYS.map((k) => ({ key: k, meta: { href: `${USERS}/${k}` } })),
    );
    assert.equal(group.meta.parent, GROUPS);
    assert.equal(group.meta.transaction, '/api/transaction');
  });

  it('removes a user from a group with PUT, and deletes a group (the answer is the meta object only)', async () => {
    const created = await admin.call('POST', GROUPS, { name: 'to-edit', members: SEED_KEYS });
    const key = created.json().key;
    await commit(admin);
    const current = (await admin.call('GET', `${GROUPS}/${key}`)).json().body;
    // GET → modify → PUT back, references and all (safeguard-ps style).
    const put = await admin.call('PUT', `${GROUPS}/${key}`, { ...current, members: current.members.slice(1) });
    assert.equal(put.statusCode, 200, put.body);
    await commit(admin);
    assert.deepEqual(
      (await admin.call('GET', `${GROUPS}/${key}`)).json().body.members.map((m: { key: string }) => m.key),
      [SEED_KEYS[1]],
    );

    const del = await admin.call('DELETE', `${GROUPS}/${key}`);
    assert.equal(del.statusCode, 200, del.body);
    assert.deepEqual(withoutRemaining(del.json()), { meta: { href: `${GROUPS}/${key}`, parent: GROUPS } });
    await commit(admin);
    assert.equal((await admin.call('GET', `${GROUPS}/${key}`)).statusCode, 404);
  });

  it('refuses unknown member keys with a SemanticError', async () => {
    const res = await admin.call('POST', GROUPS, { name: 'ghosts', members: ['0000000000000000000000'] });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.type, 'SemanticError');
    assert.match(res.json().error.message, /0000000000000000000000.*not a user/);
    await admin.call('DELETE', '/api/transaction');
  });

  it('lists the ACLs, and runs the active-sessions commands for a user granted /special/active_sessions', async () => {
    const acls = await c.run('curl --cookie cookies https://<IP-address-of-SPS>/api/configuration/aaa/acls');
    assert.equal(acls.statusCode, 200, acls.body);
    assert.equal(acls.json().key, 'acls');
    assert.ok(Array.isArray(acls.json().body));

    const user1 = await admin.call('POST', USERS, {
      name: 'user1',
      password: await newPassword(admin, 'user1-password'),
    });
    const group = await admin.call('POST', GROUPS, { name: 'sessions-ops', members: [user1.json().key] });
    assert.equal(group.statusCode, 201, group.body);
    const put = await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'sessions-ops', objects: ['/special/active_sessions'], permission: 'write' },
    ]);
    assert.equal(put.statusCode, 200, put.body);
    await commit(admin, { status: 'commit', commit_message: 'user1 may end sessions' });
    assert.deepEqual((await admin.call('GET', '/api/configuration/aaa/acls')).json().body, [
      { group: 'sessions-ops', objects: ['/special/active_sessions'], permission: 'write' },
    ]);

    c.passwords.set('user1', 'user1-password');
    const login = await c.run(
      'curl -k --user user1 --cookie-jar /tmp/cookie https://192.168.122.194/api/authentication',
    );
    assert.equal(login.statusCode, 200, login.body);
    const kill = await c.run(
      'curl -k --cookie /tmp/cookie https://192.168.122.194/api/active-sessions?id=svc/rpokH8fD9kx6CaxNLznKx2/test:12 -X DELETE',
    );
    assert.ok(
      ![401, 403].includes(kill.statusCode),
      `user1 is authenticated and allowed: ${kill.statusCode} ${kill.body}`,
    );
    assert.ok(kill.json().meta, 'an SPS body');
  });
});

describe('SPS configuration: passwords and users', () => {
  let h: AppHarness;
  let admin: SpsClient;
  before(async () => {
    h = await startApp();
    admin = await loginSps(h, 'admin', ADMIN_PASSWORD);
  });
  after(() => h.close());

  it('stores a password object without a transaction and never shows the secret', async () => {
    const key = await newPassword(admin, 'never-shown-1');
    assert.match(key, /^[0-9a-f-]{36}$/);
    assert.equal((await admin.call('GET', '/api/transaction')).json().body.status, 'closed');
    const res = await admin.call('GET', `${PASSWORDS}/${key}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().body, { used: false });
    assert.equal(res.json().key, key);
    assert.ok(!res.body.includes('never-shown-1'));
    assert.equal((await admin.call('GET', `${PASSWORDS}/00000000-0000-0000-0000-000000000000`)).statusCode, 404);
    const empty = await admin.call('POST', PASSWORDS, { plain: '' });
    assert.equal(empty.json().error.type, 'SemanticError');
  });

  it('answers 405 to listing, replacing or deleting passwords', async () => {
    const key = await newPassword(admin);
    for (const [method, url] of [
      ['GET', PASSWORDS],
      ['PUT', `${PASSWORDS}/${key}`],
      ['DELETE', `${PASSWORDS}/${key}`],
    ] as const) {
      const res = await admin.call(method, url, method === 'PUT' ? { plain: 'x' } : undefined);
      assert.equal(res.statusCode, 405, `${method} ${url}`);
      assert.equal(res.json().error.type, 'MethodNotAllowed');
      assert.ok(res.headers.allow);
    }
  });

  it('lets a password object be referenced once: in the same transaction, another one, or after commit', async () => {
    const key = await newPassword(admin);
    const dave = await admin.call('POST', USERS, { name: 'dave', password: key });
    assert.equal(dave.statusCode, 201, dave.body);
    const again = await admin.call('POST', USERS, { name: 'erin', password: key });
    assert.equal(again.statusCode, 400);
    assert.deepEqual([again.json().error.type, again.json().error.message], ['SemanticError', REUSE]);

    const other = await loginSps(h, 'admin', ADMIN_PASSWORD);
    const pending = await other.call('POST', USERS, { name: 'erin', password: key });
    assert.equal(pending.json().error.message, REUSE, 'pending in another transaction');
    await commit(admin);
    assert.deepEqual((await admin.call('GET', `${PASSWORDS}/${key}`)).json().body, { used: true });
    const device = await other.call('POST', '/api/configuration/devices', {
      hostname: 'reuser.lab',
      address: '127.0.0.1',
      username: 'admin',
      password: key,
    });
    assert.equal(device.json().error.message, REUSE, 'used by a committed user');
    const unknown = await other.call('POST', USERS, { name: 'frank', password: 'no-such-password' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().error.message, /no password object "no-such-password"/);
  });

  it('creates a user who can log in; a new password or deletion ends their login sessions at commit', async () => {
    const created = await admin.call('POST', USERS, {
      name: 'gina',
      password: await newPassword(admin, 'gina-password-1'),
    });
    const key = created.json().key;
    await commit(admin);
    const gina = await loginSps(h, 'gina', 'gina-password-1');
    assert.equal((await gina.call('GET', '/api/transaction')).statusCode, 200);

    const body = (await admin.call('GET', `${USERS}/${key}`)).json().body;
    const changed = await admin.call('PUT', `${USERS}/${key}`, {
      ...body,
      password: await newPassword(admin, 'gina-password-2'),
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((await gina.call('GET', '/api/transaction')).statusCode, 200, 'not before the commit');
    await commit(admin);
    assert.equal((await gina.call('GET', '/api/transaction')).statusCode, 401, 'ended by the password change');
    await assert.rejects(loginSps(h, 'gina', 'gina-password-1'));
    const again = await loginSps(h, 'gina', 'gina-password-2');
    assert.equal(
      (await admin.call('GET', `${PASSWORDS}/${body.password.key}`)).statusCode,
      404,
      'replaced one is gone',
    );

    assert.equal((await admin.call('DELETE', `${USERS}/${key}`)).statusCode, 200);
    await commit(admin);
    assert.equal((await again.call('GET', '/api/transaction')).statusCode, 401, 'ended by the deletion');
    await assert.rejects(loginSps(h, 'gina', 'gina-password-2'));
  });

  it('keeps admin: it cannot be deleted, and names cannot change', async () => {
    const users = (await admin.call('GET', USERS)).json().items as { key: string }[];
    const bodies = await Promise.all(
      users.map(async (u) => ({ key: u.key, ...(await admin.call('GET', `${USERS}/${u.key}`)).json() })),
    );
    const adminKey = bodies.find((b) => b.body.name === 'admin')?.key as string;
    const res = await admin.call('DELETE', `${USERS}/${adminKey}`);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.type, 'SemanticError');
    assert.match(res.json().error.message, /admin user cannot be deleted/);
    const rename = await admin.call('PUT', `${USERS}/${adminKey}`, { name: 'root' });
    assert.equal(rename.statusCode, 400);
    assert.match(rename.json().error.message, /name cannot be changed/);
    assert.equal((await admin.call('DELETE', `${USERS}/ffffffffffffffffffffff`)).statusCode, 404);
  });

  it('refuses a user in a group from being deleted, and ACLs naming unknown groups', async () => {
    const user = await admin.call('POST', USERS, { name: 'hal', password: await newPassword(admin) });
    await admin.call('POST', GROUPS, { name: 'hal-group', members: [user.json().key] });
    await commit(admin);
    const del = await admin.call('DELETE', `${USERS}/${user.json().key}`);
    assert.equal(del.statusCode, 400);
    assert.match(del.json().error.message, /Group "hal-group" lists user key/);
    const acl = await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'nope', objects: ['/special/active_sessions'], permission: 'read' },
    ]);
    assert.match(acl.json().error.message, /group "nope", which does not exist/);
    const perm = await admin.call('PUT', '/api/configuration/aaa/acls', [
      { group: 'hal-group', objects: ['/special/active_sessions'], permission: 'admin' },
    ]);
    assert.match(perm.json().error.message, /permission must be "read" or "write"/);
    await admin.call('DELETE', '/api/transaction');
  });
});

// The SPS reference's own flow with the real curl binary over HTTPS, against `curfew serve`'s composition with an
// emulated SPS appliance: curl's cookie jar must accept curfew's session_id cookie (Secure, expires) and send it back.
// Host, port and credentials are substituted; everything else is the reference's command line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { RunningServer } from '../src/cli/server.js';
import { shellWords as splitCommandLine } from './support/sps-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const run = promisify(execFile);
const ADMIN_PW = 'curl-admin-pw';

describe('the SPS reference with real curl', () => {
  let node: TestServer;
  let server: RunningServer;
  let host: string;
  const jar = (name: string) => join(node.dataDir, name);

  /** Runs a command line with the real curl, silently, returning the status code and the parsed body. */
  async function curl(commandLine: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const words = splitCommandLine(
      commandLine.replaceAll('https://192.168.122.194', host).replaceAll('https://<IP-address-of-SPS>', host),
    );
    assert.equal(words[0], 'curl');
    const { stdout } = await run('curl', ['-s', '-k', '-w', '\n%{http_code}', ...words.slice(1)]);
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut) || '{}') };
  }

  before(async () => {
    node = await startTestServer({
      lab: 0,
      labSps: 1,
      labSessions: 3,
      adminPassword: ADMIN_PW,
    });
    server = node.server;
    host = server.url.replace(/\/$/, '');
  });
  after(async () => {
    await node.stop();
  });

  it('lets user1, granted /special/active_sessions write, end a session with the two documented commands', async () => {
    const admin = `--cookie ${jar('admin')}`;
    assert.equal(
      (await curl(`curl --user admin:${ADMIN_PW} --cookie-jar ${jar('admin')} ${host}/api/authentication`)).status,
      200,
    );
    const json = (data: unknown) => `-H "Content-Type: application/json" --data '${JSON.stringify(data)}'`;
    const password = await curl(
      `curl -X POST ${admin} ${host}/api/configuration/passwords ${json({ plain: 'user1-password' })}`,
    );
    assert.equal(password.status, 201);
    const user = await curl(
      `curl -X POST ${admin} ${host}/api/configuration/aaa/local_database/users ${json({ name: 'user1', password: password.body.key })}`,
    );
    assert.equal(user.status, 201);
    const group = await curl(
      `curl -X POST ${admin} ${host}/api/configuration/aaa/local_database/groups ${json({ name: 'incident-response', members: [user.body.key] })}`,
    );
    assert.equal(group.status, 201);
    const acls = await curl(`curl ${admin} ${host}/api/configuration/aaa/acls`);
    const grant = { group: 'incident-response', objects: ['/special/active_sessions'], permission: 'write' };
    assert.equal(
      (
        await curl(
          `curl -X PUT ${admin} ${host}/api/configuration/aaa/acls ${json([...(acls.body.body as unknown[]), grant])}`,
        )
      ).status,
      200,
    );
    assert.equal(
      (
        await curl(
          `curl -X PUT ${admin} ${host}/api/transaction ${json({ status: 'commit', message: 'user1 may end sessions' })}`,
        )
      ).status,
      200,
    );

    const search = await curl(`curl ${admin} "${host}/api/audit/sessions?q=active:true&fields=session_id,device"`);
    const items = search.body.items as { body: { session_id: string } }[];
    const sessionId = items[0]?.body.session_id ?? '';
    assert.ok(sessionId.includes('/svc/'), `an SPS session id: ${sessionId}`);
    const before = server.labSps?.fleet.devices[0];
    assert.ok(before);

    // The reference's two commands.
    assert.equal(
      (
        await curl(
          `curl -k --user user1:user1-password --cookie-jar ${jar('cookie')} https://192.168.122.194/api/authentication`,
        )
      ).status,
      200,
    );
    const killed = await curl(
      `curl -k --cookie ${jar('cookie')} https://192.168.122.194/api/active-sessions?id=${sessionId} -X DELETE`,
    );
    assert.equal(killed.status, 200, JSON.stringify(killed.body));
    const nativeId = sessionId.slice(sessionId.indexOf('/') + 1);
    assert.ok(
      !server.labSps?.fleet.sessions(before.id).some((s) => s.sessionId === nativeId),
      'gone from the appliance',
    );

    const again = await curl(
      `curl -k --cookie ${jar('cookie')} https://192.168.122.194/api/active-sessions?id=${sessionId} -X DELETE`,
    );
    assert.equal(again.status, 404);
    assert.equal((again.body.error as { type: string }).type, 'SessionCouldNotBeFound');
    const missing = await curl(
      `curl -k --cookie ${jar('cookie')} https://192.168.122.194/api/active-sessions -X DELETE`,
    );
    assert.equal((missing.body.error as { type: string }).type, 'SessionIdMissing');
  });
});

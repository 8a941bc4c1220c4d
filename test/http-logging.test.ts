// Request logging (issue 11, docs/security.md "Logging"): per-request lines at debug only, and no credential in the
// log, whether it travels in the path, the query string, a header or a body.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { redactUrl } from '../src/http/logging.js';
import { ADMIN_PASSWORD, type AppHarness, startApp } from './support/app-harness.js';

interface LogLine {
  level: number;
  msg: string;
  req?: { url: string };
  res?: { statusCode: number };
}

/** An app whose log lines are kept in `lines`. */
async function loggedApp(level: string): Promise<{ h: AppHarness; lines: string[] }> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { h: await startApp({ logger: { level, stream }, webRoot: null }), lines };
}

describe('request logging', () => {
  let h: AppHarness;
  let lines: string[];
  before(async () => {
    ({ h, lines } = await loggedApp('debug'));
  });
  after(() => h.close());

  it('keeps tokens, passwords and session ids out of the log, wherever they travel', async () => {
    const token = await h.token();
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const secrets = [token, 'QUERYTOKEN1', 'FILTERTOKEN2', 'SELFLINKTOKEN3', 'SESSION4', 'GATEWAYSESSION5', 'PW6'];
    const requests: [string, Record<string, string>][] = [
      [`/mgmt/shared/authz/tokens/${token}`, { 'x-f5-auth-token': token }],
      ['/mgmt/shared/echo?token=QUERYTOKEN1&keep=visible', { 'x-f5-auth-token': token }],
      [`/mgmt/shared/authz/tokens?$filter=${encodeURIComponent("token eq 'FILTERTOKEN2'")}`, { cookie: 'a=b' }],
      [`/mgmt/shared/authz/tokens?%24filter=selfLink+eq+'*SELFLINKTOKEN3'`, { 'x-f5-auth-token': token }],
      ['/api/user_info?session_id=SESSION4', { authorization: basic }],
      [`/api/audit/sessions?q=${encodeURIComponent('session_id:GATEWAYSESSION5')}`, { cookie: 'session_id=SESSION4' }],
      ['/api/authentication?password=PW6', { authorization: basic }],
    ];
    for (const [url, headers] of requests) await h.app.inject({ method: 'GET', url, headers });
    await h.app.inject({
      method: 'POST',
      url: '/mgmt/shared/authn/login',
      payload: { username: 'admin', password: 'PW6' },
    });
    const log = lines.join('\n');
    const urls = lines.map((line) => (JSON.parse(line) as LogLine).req?.url).filter((url) => url !== undefined);
    assert.ok(urls.length >= requests.length, 'the requests are logged');
    for (const secret of [...secrets, ADMIN_PASSWORD, basic.slice('Basic '.length)]) {
      assert.ok(!log.includes(secret), `${secret} is in the log`);
    }
    assert.ok(urls.includes('/mgmt/shared/echo?token=[redacted]&keep=visible'), urls.join('\n'));
  });

  it('logs requests at debug, not info', async () => {
    lines.length = 0;
    await h.app.inject({ method: 'GET', url: '/healthz' });
    const entries = lines.map((line) => JSON.parse(line) as LogLine);
    const completed = entries.filter((entry) => entry.msg === 'request completed');
    assert.equal(completed.length, 1);
    assert.ok(
      entries.every((entry) => entry.level === 20),
      JSON.stringify(entries),
    );
  });

  it('writes nothing per request at info', async () => {
    const quiet = await loggedApp('info');
    try {
      const token = await quiet.h.token();
      await quiet.h.app.inject({ method: 'GET', url: '/mgmt/shared/echo', headers: { 'x-f5-auth-token': token } });
      await quiet.h.app.inject({ method: 'GET', url: '/api/nothing-here' });
      assert.deepEqual(quiet.lines, []);
    } finally {
      await quiet.h.close();
    }
  });
});

describe('redactUrl', () => {
  it('masks tokens in the path and credential-like query parameters, and keeps the rest', () => {
    assert.equal(redactUrl('/mgmt/shared/authz/tokens/abc?x=1'), '/mgmt/shared/authz/tokens/[redacted]?x=1');
    assert.equal(redactUrl('/mgmt/shared/authz/tokens'), '/mgmt/shared/authz/tokens');
    assert.equal(
      redactUrl("/mgmt/shared/authz/tokens?$filter=selfLink eq '*abc'&$top=1"),
      '/mgmt/shared/authz/tokens?$filter=[redacted]&$top=1',
    );
    assert.equal(
      redactUrl('/x?Refresh_Token=a&PASSWORD=b&sessionId=c&apikey=d'),
      '/x?Refresh_Token=[redacted]&PASSWORD=[redacted]&sessionId=[redacted]&apikey=[redacted]',
    );
    assert.equal(redactUrl('/x?to%6Ben=a&%E0%A4%A=b'), '/x?to%6Ben=[redacted]&%E0%A4%A=b');
    assert.equal(redactUrl('/api/audit/sessions?q=user:alice&limit=5'), '/api/audit/sessions?q=user:alice&limit=5');
    assert.equal(redactUrl('/x?flag&y='), '/x?flag&y=');
  });
});

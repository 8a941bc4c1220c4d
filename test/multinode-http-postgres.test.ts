// Two nodes' HTTP apps on one PostgreSQL database: an SPS login made on one node is valid on the other, a
// configuration transaction opened on one is committed on the other, and a BIG-IQ token from one works on the other.
// Needs CURFEW_TEST_PG_URL (`.ci/run` provides it); without it the test is skipped and says so, under CI=true it fails.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { hashPassword } from '../src/core/passwords.js';
import { AuthService, DEFAULT_AUTH_OPTIONS } from '../src/engine/auth-service.js';
import { ConfigService } from '../src/engine/config/transactions.js';
import type { Engine } from '../src/engine/engine.js';
import { DEFAULT_LOGIN_SESSION_OPTIONS, LoginSessions } from '../src/engine/login-sessions.js';
import { buildApp, DEFAULT_BIGIQ_OPTIONS, engineDeps } from '../src/http/app.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { newEngine } from './support/engine-harness.js';

const adminUrl = process.env.CURFEW_TEST_PG_URL;
const SKIP_MESSAGE = 'CURFEW_TEST_PG_URL not set: multi-node HTTP test on PostgreSQL skipped';
const PASSWORD = 'mn-admin-pw';
const basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

interface Node {
  app: FastifyInstance;
  engine: Engine;
  store: Store;
}

async function startNode(url: string, secretKey: string, nodeId: string, machineId: string): Promise<Node> {
  const store = await openStore({ url, secretKey });
  const engine = newEngine(store, nodeId);
  await engine.start();
  const auth = new AuthService(store, DEFAULT_AUTH_OPTIONS);
  const config = new ConfigService(store, engine, {});
  const loginSessions = new LoginSessions(store, DEFAULT_LOGIN_SESSION_OPTIONS, (ids) => config.dropTransactions(ids));
  const app = await buildApp(
    { ...engineDeps(engine), auth, config, loginSessions, machineId, version: 'test', bigiq: DEFAULT_BIGIQ_OPTIONS },
    { https: null, logger: false },
  );
  return { app, engine, store };
}

if (!adminUrl) {
  if (process.env.CI === 'true') {
    it('multi-node HTTP test on PostgreSQL', () => {
      assert.fail('CI=true but CURFEW_TEST_PG_URL is not set: CI must run the multi-node tests, not skip them');
    });
  } else {
    process.stderr.write(`${SKIP_MESSAGE}\n`);
    it('multi-node HTTP test on PostgreSQL', { skip: SKIP_MESSAGE }, () => undefined);
  }
} else {
  describe('two nodes behind a load balancer, one PostgreSQL', () => {
    const name = `curfew_mnhttp_${process.pid}_${randomBytes(4).toString('hex')}`;
    const nodes: Node[] = [];
    const admin = new pg.Client({ connectionString: adminUrl });
    let a: Node;
    let b: Node;

    before(async () => {
      await admin.connect();
      await admin.query(`create database ${name} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const secretKey = randomBytes(32).toString('base64');
      const machineId = randomUUID();
      a = await startNode(url.toString(), secretKey, 'node-a', machineId);
      b = await startNode(url.toString(), secretKey, 'node-b', machineId);
      nodes.push(a, b);
      await a.store.upsertUser({ name: 'admin', passwordHash: await hashPassword(PASSWORD), createdAt: Date.now() });
    });
    after(async () => {
      for (const node of nodes) {
        await node.app.close();
        await node.engine.stop();
        await node.store.close();
      }
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    });

    it('serves an SPS login and its configuration transaction from either node', async () => {
      const login = await a.app.inject({
        method: 'GET',
        url: '/api/authentication',
        headers: { authorization: basic },
      });
      assert.equal(login.statusCode, 200);
      const cookie = String([login.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
      const onB = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
        b.app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });
      const onA = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
        a.app.inject({ method, url, headers: { cookie }, ...(payload && { payload }) });

      assert.equal((await onB('GET', '/api/configuration')).statusCode, 200, 'the login made on A is valid on B');
      const password = await onA('POST', '/api/configuration/passwords', { plain: 'ops-password' });
      assert.equal(password.statusCode, 201);
      const user = await onA('POST', '/api/configuration/aaa/local_database/users', {
        name: 'ops',
        password: password.json().key,
      });
      assert.equal(user.statusCode, 201, user.body);
      const status = (await onB('GET', '/api/transaction')).json();
      assert.equal(status.body.status, 'open', 'B sees the transaction A opened');
      const commit = await onB('PUT', '/api/transaction', { status: 'commit', message: 'committed on B' });
      assert.equal(commit.statusCode, 200, commit.body);
      const ops = await b.store.findUserByName('ops');
      assert.ok(ops, 'the committed user exists for every node');
      const opsLogin = await a.app.inject({
        method: 'GET',
        url: '/api/authentication',
        headers: { authorization: `Basic ${Buffer.from('ops:ops-password').toString('base64')}` },
      });
      assert.equal(opsLogin.statusCode, 200, 'and can log in on A');
    });

    it('accepts a BIG-IQ token issued by one node on the other', async () => {
      const login = await a.app.inject({
        method: 'POST',
        url: '/mgmt/shared/authn/login',
        payload: { username: 'admin', password: PASSWORD },
      });
      const token = login.json().token.token as string;
      const echo = await b.app.inject({
        method: 'GET',
        url: '/mgmt/shared/echo',
        headers: { 'x-f5-auth-token': token },
      });
      assert.equal(echo.statusCode, 200);
    });
  });
}

// One running node per data dir: a second `curfew serve` on a running node's data dir fails at once, names the holder
// and changes nothing (issue 10); a SIGKILLed node's lock does not outlive it; read-only commands create no data dir;
// the data dir and curfew's files in it are private to their owner (issue 11).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Agent, request } from 'undici';
import { DataDirInUseError, HOLDER_FILE, lockDataDir, readHolder } from '../src/cli/data-dir-lock.js';
import { main } from '../src/cli/main.js';
import { openStore } from '../src/store/open-store.js';
import { killAll, runCurfew, type ServeNode, startServe } from './support/cli-process.js';
import { writeFleetOps } from './support/factories.js';

const agent = new Agent({ connect: { rejectUnauthorized: false } });
/** Tables the second node used to change: lab devices re-pointed or removed, their credentials, settings, audit. */
const INVENTORY_TABLES = ['devices', 'credentials', 'settings', 'audit_events', 'users'];
const PRIVATE_FILES = [
  'curfew.db',
  'curfew.db-wal',
  'curfew.db-shm',
  'node-id',
  'secret.key',
  'serve.lock',
  'serve.lock.db',
  'tls/key.pem',
  'tls/cert.pem',
];

/** Every inventory row, read from the SQLite file read-only while the node runs. */
function inventoryDump(dataDir: string): string {
  const db = new SQLite(join(dataDir, 'curfew.db'), { readonly: true, fileMustExist: true });
  try {
    const dump = INVENTORY_TABLES.map((table) => [table, db.prepare(`select * from ${table} order by 1`).all()]);
    return JSON.stringify(dump);
  } finally {
    db.close();
  }
}

/** argv of `curfew <args>` for calling the CLI's main in this process. */
const cli = (...args: string[]) => ['node', 'curfew', ...args];

const modeOf = (path: string) => statSync(path).mode & 0o777;

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { dispatcher: agent, headers });
  await res.body.dump();
  return res.statusCode;
}

/** Every registered device answers an authenticated BIG-IP request at the address and port the inventory has. */
async function assertDevicesAnswer(dataDir: string): Promise<void> {
  const db = new SQLite(join(dataDir, 'curfew.db'), { readonly: true, fileMustExist: true });
  const devices = db.prepare('select hostname, address, port from devices').all() as {
    hostname: string;
    address: string;
    port: number;
  }[];
  db.close();
  assert.ok(devices.length > 0);
  const basic = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
  for (const d of devices) {
    const status = await statusOf(`https://${d.address}:${d.port}/mgmt/tm/cm/failover-status`, {
      authorization: basic,
    });
    assert.equal(status, 200, `${d.hostname} at ${d.address}:${d.port}`);
  }
}

describe('one curfew serve per data dir', () => {
  let root: string;
  let dataDir: string;
  let first: ServeNode;

  before(async () => {
    // The modes below must come from curfew, not from a strict umask of the machine running the tests.
    process.umask(0o022);
    root = mkdtempSync(join(tmpdir(), 'curfew-lock-'));
    dataDir = join(root, 'node');
    first = await startServe(dataDir, ['--lab', '4']);
  });
  after(async () => {
    await killAll();
    await agent.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a second serve at once, naming the holder, and changes nothing in the data dir or the store', async () => {
    const inventory = inventoryDump(dataDir);
    const holderFile = readFileSync(join(dataDir, HOLDER_FILE), 'utf8');
    const files = readdirSync(dataDir).sort();
    assert.equal(JSON.parse(inventory)[0][1].length, 4, 'four lab devices registered');

    const second = await runCurfew([
      'serve',
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--lab',
      '2',
      '--sync-interval',
      '0',
    ]);
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /^curfew: the data dir .* is in use by another curfew serve/m);
    assert.match(second.stderr, new RegExp(`pid ${first.pid}, since \\d{4}-\\d\\d-\\d\\dT`));
    assert.ok(second.stderr.includes(first.url), `the holder's address in: ${second.stderr}`);
    assert.equal(second.stdout, '', 'no banner');

    assert.equal(inventoryDump(dataDir), inventory, 'inventory byte-identical');
    assert.equal(readFileSync(join(dataDir, HOLDER_FILE), 'utf8'), holderFile);
    assert.deepEqual(readdirSync(dataDir).sort(), files);
    assert.equal(await statusOf(`${first.url}healthz`), 200);
    await assertDevicesAnswer(dataDir);
    assert.equal(first.child.exitCode, null, 'the first node still runs');
  });

  it('fails on a busy port before it registers its lab devices', async () => {
    const other = join(root, 'busy-port');
    const busy = await runCurfew(['serve', '--data-dir', other, '--listen', new URL(first.url).host, '--lab', '2']);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /EADDRINUSE/);
    const devices = JSON.parse(inventoryDump(other))[0][1];
    assert.deepEqual(devices, [], 'no lab device registered');
    assert.equal(existsSync(join(other, HOLDER_FILE)), false, 'the failed start released its lock');
  });

  it('creates the data dir 0700 and every file in it 0600', () => {
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, 'tls')), 0o700);
    for (const file of PRIVATE_FILES) assert.equal(modeOf(join(dataDir, file)), 0o600, file);
  });

  it('starts a new node after the holder was SIGKILLed, and tightens a loosened data dir', async () => {
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(readHolder(dataDir)?.pid, first.pid, 'the stale holder file stays behind');
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'node-id'), 0o644);

    const restarted = await startServe(dataDir, ['--lab', '2']);
    assert.equal(readHolder(dataDir)?.pid, restarted.pid);
    assert.equal(await statusOf(`${restarted.url}healthz`), 200);
    assert.match(restarted.stderr(), /curfew: warning: .*node-id.* could be read by other local users/);
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(join(dataDir, 'node-id')), 0o600);
    await assertDevicesAnswer(dataDir);

    restarted.child.kill('SIGTERM');
    assert.equal((await restarted.exited).code, 0);
    assert.equal(existsSync(join(dataDir, HOLDER_FILE)), false, 'a clean shutdown removes the holder file');
  });
});

describe('curfew devices on a missing data dir', () => {
  let root: string;

  before(() => {
    process.umask(0o022);
    root = mkdtempSync(join(tmpdir(), 'curfew-devices-'));
  });
  after(async () => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('list and remove fail and create nothing', async () => {
    const missing = join(root, 'missing', 'x');
    const list = await runCurfew(['devices', 'list', '--data-dir', missing]);
    assert.notEqual(list.code, 0);
    assert.match(list.stderr, /^curfew: no data directory at .*missing\/x \(start a node with curfew serve/);
    // The same checks in this process (a spawned CLI costs seconds): the error is what the CLI prints after `curfew: `.
    await assert.rejects(main(cli('devices', 'remove', 'some-id', '--data-dir', missing)), /no data directory at/);
    assert.equal(existsSync(join(root, 'missing')), false);

    const empty = join(root, 'empty');
    mkdirSync(empty);
    await assert.rejects(main(cli('devices', 'list', '--data-dir', empty)), /no curfew database in .*empty/);
    await assert.rejects(main(cli('devices', 'remove', 'some-id', '--data-dir', empty)), /no curfew database in/);
    assert.deepEqual(readdirSync(empty), []);
  });

  it('add creates a private data dir that list then reads', async () => {
    const dataDir = join(root, 'added');
    const add = await runCurfew(
      ['devices', 'add', '--hostname', 'bigip-a', '--address', '127.0.0.1', '--data-dir', dataDir],
      { CURFEW_DEVICE_PASSWORD: 'secret' },
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal(modeOf(dataDir), 0o700);
    for (const file of ['curfew.db', 'secret.key']) assert.equal(modeOf(join(dataDir, file)), 0o600, file);
    const list = await runCurfew(['devices', 'list', '--data-dir', dataDir]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /bigip-a {2}bigip {2}127\.0\.0\.1:443/);
  });
});

describe('openStore without create', () => {
  it('fails on a missing SQLite database, creating nothing, and never makes a secret key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'curfew-nocreate-'));
    try {
      const missing = join(root, 'missing');
      await assert.rejects(openStore({ dataDir: missing, create: false }));
      assert.equal(existsSync(missing), false);

      const dataDir = join(root, 'keyless');
      await (await openStore({ dataDir })).close();
      rmSync(join(dataDir, 'secret.key'));
      const store = await openStore({ dataDir, create: false });
      try {
        assert.deepEqual(await store.listDevices(), [], 'reading needs no key');
        await assert.rejects(
          writeFleetOps(store, { op: 'putCredential', ref: 'ref', username: 'u', password: 'p' }),
          /no secret key/,
        );
      } finally {
        await store.close();
      }
      assert.equal(existsSync(join(dataDir, 'secret.key')), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('data dir lock in one process', () => {
  it('refuses a second holder until the first releases, and changes nothing while refusing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'curfew-lock-unit-'));
    try {
      const lock = lockDataDir(dataDir, '127.0.0.1:8443');
      const holderFile = readFileSync(join(dataDir, HOLDER_FILE), 'utf8');
      assert.throws(
        () => lockDataDir(dataDir, '127.0.0.1:9443'),
        (err: unknown) => err instanceof DataDirInUseError && err.holder?.pid === process.pid,
      );
      assert.equal(readFileSync(join(dataDir, HOLDER_FILE), 'utf8'), holderFile);
      lock.setAddress('https://127.0.0.1:8443/');
      assert.equal(readHolder(dataDir)?.address, 'https://127.0.0.1:8443/');
      // The refused attempt closed its connection: the first holder's lock must have survived it.
      assert.throws(() => lockDataDir(dataDir, '127.0.0.1:9443'), DataDirInUseError);
      lock.release();
      lock.release();
      assert.equal(existsSync(join(dataDir, HOLDER_FILE)), false);
      const again = lockDataDir(dataDir, '127.0.0.1:9443');
      assert.equal(readHolder(dataDir)?.address, '127.0.0.1:9443');
      again.release();
      assert.deepEqual(readdirSync(dataDir).sort(), ['serve.lock.db']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

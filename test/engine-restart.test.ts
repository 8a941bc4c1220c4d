// A node killed mid-task (SIGKILL, no cleanup) leaves a task that the restarted node finishes: every device
// processed, none twice, and the user's sessions gone everywhere.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LabFleet } from '../lab/bigip/emulator.js';
import { registerLabDevices } from '../src/cli/lab-fleet.js';
import { selectorOf } from '../src/core/kill-request.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { newEngine, waitForFinal } from './support/engine-harness.js';

const DEVICES = 20;
const victim = 'mallory';

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('restart mid-task', () => {
  let fleet: LabFleet;
  let dir: string;
  let child: ChildProcess | undefined;
  let store: Store | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'curfew-restart-'));
    fleet = await LabFleet.start({
      devices: DEVICES,
      sessionsPerDevice: 5,
      haPairs: false,
      users: ['alice'],
      password: 'admin',
      latencyMs: 60,
    });
    for (const d of fleet.devices)
      for (let i = 0; i < 3; i++) fleet.addSession(d.id, { user: victim, clientIp: '198.51.100.7' });
  });
  after(async () => {
    child?.kill('SIGKILL');
    await store?.close();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the task on restart and processes every device exactly once', async () => {
    process.env.CURFEW_LAB_PASSWORD = 'admin';
    const setup = await openStore({ dataDir: dir });
    const idle = newEngine(setup, 'node-a');
    await registerLabDevices(idle, fleet.devices);
    const task = await idle.submitKill(selectorOf({ action: 'KILL_BY_USER', userName: victim, all: true }), {
      name: 'admin',
      address: '::1',
    });
    await setup.close();

    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/engine-child.ts', dir, 'node-a', '2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    store = await openStore({ dataDir: dir });
    const observer = store;
    await until(async () => {
      const targets = await observer.listTargets(task.id);
      return targets.filter((t) => t.status === 'done').length >= 4;
    }, 20_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    const before = await observer.listTargets(task.id);
    assert.equal(before.length, DEVICES);
    assert.ok(
      before.some((t) => t.status === 'pending'),
      'the kill landed mid-task',
    );
    assert.equal((await observer.findTaskById(task.id))?.status, 'STARTED');

    const restarted = newEngine(observer, 'node-a');
    await restarted.start();
    const done = await waitForFinal(observer, task.id, 20_000);

    await restarted.stop();

    assert.equal(done.status, 'FINISHED');
    assert.equal(done.result, 'COMPLETE');
    const targets = await observer.listTargets(task.id);
    assert.deepEqual(new Set(targets.map((t) => t.status)), new Set(['done']));
    // Sessions killed before the crash are the kill's too (write-ahead attempts), never not_found.
    for (const t of targets) assert.deepEqual([t.killed.length, t.notFound.length, t.failed.length], [3, 0, 0]);
    for (const d of fleet.devices) {
      assert.equal(
        fleet.sessions(d.id).filter((s) => s.user === victim).length,
        0,
        `${d.hostname} still has ${victim}`,
      );
      assert.equal(fleet.sessions(d.id).length, 5, `${d.hostname} lost other sessions`);
      assert.equal(fleet.counters(d.id).delete, 3, `${d.hostname}: each session deleted exactly once`);
    }
    const audit = await observer.listAudit({ limit: 10, offset: 0, action: 'task.finished' });
    assert.ok(audit.some((e) => e.subject === task.id));
  });
});

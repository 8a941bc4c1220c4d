// The web console end to end: Debian's Chromium (/usr/bin/chromium), driven by playwright-core, against a real
// `curfew serve` composition over HTTPS with a lab fleet. Sign in, search a user, kill their sessions after the
// confirmation, watch the task finish and the sessions go from the emulated devices; add a device in a transaction
// and commit it; a user without the kill privilege gets no kill controls and a 403. Every page is screenshotted into
// test-results/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LabFleet } from '../lab/bigip/emulator.js';
import type { RunningServer } from '../src/cli/server.js';
import { browserSuite, grantViewer, launchChromium, navLink, newConsolePage, SHOTS } from './support/chromium.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ADMIN_PW = 'console-admin-pw';
const VIEWER_PW = 'console-viewer-pw';
const VICTIM = 'mallory';

describe('web console in Chromium', browserSuite, () => {
  let node: TestServer;
  let server: RunningServer;
  let extra: LabFleet;
  let browser: Browser;
  let page: Page;

  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(SHOTS, `console-${name}.png`) });
  const nav = (name: string, target: Page = page) => navLink(target, name);
  const victimSessions = () =>
    (server.lab?.fleet.devices ?? [])
      .flatMap((d) => server.lab?.fleet.sessions(d.id) ?? [])
      .filter((s) => s.user === VICTIM);

  before(async () => {
    node = await startTestServer({
      lab: 6,
      labSps: 0,
      labSessions: 12,
      adminPassword: ADMIN_PW,
    });
    server = node.server;
    const fleet = server.lab?.fleet;
    assert.ok(fleet);
    for (const d of fleet.devices.filter((x) => x.failover === 'ACTIVE')) {
      fleet.addSession(d.id, { user: VICTIM, clientIp: '203.0.113.66' });
    }
    await server.engine.sync.syncAll();
    extra = await LabFleet.start({
      devices: 1,
      sessionsPerDevice: 3,
      haPairs: false,
      accessGroups: 0,
      password: 'admin',
      hostnamePrefix: 'branch-',
    });
    await grantViewer(server, ADMIN_PW, VIEWER_PW, ['/special/active_sessions']);
    browser = await launchChromium();
    page = await newConsolePage(browser);
  });
  after(async () => {
    await browser?.close();
    await extra?.stop();
    await node?.stop();
  });

  it('signs in with a curfew account and shows the fleet-wide sessions', async () => {
    await page.goto(server.url);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PW);
    await shot('sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    await page.getByRole('heading', { name: /^\d+ sessions$/ }).waitFor();
    await page.getByRole('cell', { name: 'cluster-1' }).first().waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await shot('sessions');
  });

  it('kills all of a user on the whole fleet, including what the inventory missed, after the confirmation', async () => {
    const fleet = server.lab?.fleet;
    assert.ok(fleet);
    const actives = fleet.devices.filter((d) => d.failover === 'ACTIVE');
    const active = actives.length;
    assert.equal(victimSessions().length, active);
    // The bug of issue 10: `down` misses a sync, then a session of the victim opens there that no inventory saw.
    const down = actives[0];
    assert.ok(down);
    await syncWithFault(server, down.id);
    fleet.addSession(down.id, { user: VICTIM, clientIp: '203.0.113.67' });
    await page.getByLabel('Search', { exact: true }).fill(`user:${VICTIM}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: `${active} sessions` }).waitFor();
    await page
      .getByRole('button', { name: `Kill all of ${VICTIM}` })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: `Kill all sessions of ${VICTIM}` });
    await dialog.getByText(`The inventory sees ${active} sessions of 1 user on ${active} devices right now.`).waitFor();
    const scope = dialog.getByTestId('scope-devices');
    await scope
      .getByText(
        `Every device is listed live: ${fleet.devices.length} devices in scope (the whole fleet), ${active} asked`,
      )
      .waitFor();
    await scope.getByText(`1 unreachable (${down.hostname}: unreachable`).waitFor();
    await scope.getByText(/the task will fail for it unless it answers\.$/).waitFor();
    await scope.getByText(`The other ${active - 1} are online and synced in the last 90 s.`).waitFor();
    await shot('kill-confirmation');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/kill-tasks'));
    await dialog.getByRole('button', { name: `Kill all of ${VICTIM}` }).click();
    assert.deepEqual((await posted).postDataJSON(), { action: 'KILL_BY_USER', userName: VICTIM, fleet: true });

    await page.waitForURL(/\/tasks\/[0-9a-f-]+$/);
    await page.getByTestId('task-status').getByText('FINISHED').waitFor({ timeout: 15_000 });
    await page.getByText(`${active + 1} killed, 0 already gone, 0 failed`).waitFor();
    await page.getByText(`user ${VICTIM} · every device`).first().waitFor();
    await shot('task');
    assert.deepEqual(victimSessions(), [], 'gone from the emulated devices, the one the inventory missed included');
    await server.engine.sync.syncAll();

    await nav('Kill tasks').click();
    await page.getByRole('cell', { name: VICTIM, exact: false }).first().waitFor();
    await shot('tasks');
  });

  it('kills the selected rows, and asks for the name before killing everything in a scope', async () => {
    await nav('Sessions').click();
    await page.getByLabel('Search', { exact: true }).fill('cluster:cluster-2');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: '12 sessions' }).waitFor();
    const boxes = page.getByRole('checkbox', { name: /^Select session / });
    const labels = [await boxes.nth(0).getAttribute('aria-label'), await boxes.nth(1).getAttribute('aria-label')];
    const ids = labels.map((label) => /^Select session \S+?\/(\S+) of /.exec(label ?? '')?.[1] ?? '');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('button', { name: 'Kill selected (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Kill 2 selected sessions' });
    await dialog.getByText(/This ends 2 sessions of [12] users? on 1 device\./).waitFor();
    await dialog.getByRole('button', { name: 'Kill 2 sessions' }).click();
    await page.getByTestId('task-status').getByText('FINISHED').waitFor({ timeout: 15_000 });
    const remaining = (server.lab?.fleet.devices ?? []).flatMap((d) => server.lab?.fleet.sessions(d.id) ?? []);
    assert.deepEqual(
      remaining.filter((s) => ids.includes(s.sessionId)),
      [],
    );

    await nav('Sessions').click();
    await page.getByRole('button', { name: 'Kill all sessions in access group group-2' }).click();
    const scoped = page.getByRole('dialog', { name: 'Kill all sessions in access group group-2' });
    const kill = scoped.getByRole('button', { name: 'Kill all in group-2' });
    await scoped.getByText(/The inventory sees 10 sessions/).waitFor();
    const inGroup = (await server.engine.fleet.devices()).filter((d) => d.accessGroup === 'group-2').length;
    await scoped
      .getByTestId('scope-devices')
      .getByText(`Every device is listed live: ${inGroup} devices in scope (access group group-2)`)
      .waitFor();
    assert.ok(await kill.isDisabled(), 'disabled until the name is typed');
    await scoped.getByLabel('Type group-2 to confirm').fill('group-2');
    assert.ok(await kill.isEnabled());
    await shot('kill-scope-confirmation');
    await page.keyboard.press('Escape');
    await scoped.waitFor({ state: 'hidden' });
    assert.equal((await server.engine.tasks.page(0)).total, 2, 'nothing killed without the confirmation');
  });

  it('adds a device in a transaction, shows the pending change, and commits it', async () => {
    const device = extra.devices[0];
    assert.ok(device);
    await nav('Devices').click();
    await page.getByRole('heading', { name: 'Devices (6)' }).waitFor();
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.getByLabel('Host name').fill(device.hostname);
    await page.getByLabel('Management address').fill(device.address);
    await page.getByLabel('Port').fill(String(device.port));
    await page.getByLabel('API user name').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill('admin');
    await page.getByLabel('Access group', { exact: true }).selectOption('group-2');
    await page.getByLabel("Verify the device's TLS certificate").uncheck();
    await page.getByRole('button', { name: 'Add to transaction' }).click();

    await page.getByRole('heading', { name: 'Pending changes (1)' }).waitFor();
    await page.getByText(/\/api\/configuration\/devices\/[0-9a-f-]+/).waitFor();
    assert.equal((await server.engine.fleet.devices()).length, 6, 'nothing applied before the commit');
    await shot('devices-pending');
    await page.getByLabel('Commit message').fill('branch office gateway');
    await page.getByRole('button', { name: 'Commit 1 change' }).click();
    await page.getByRole('heading', { name: 'Pending changes (0)' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(device.hostname) });
    await row.getByText('online').waitFor({ timeout: 15_000 });
    await row.getByRole('cell', { name: '3', exact: true }).waitFor({ timeout: 15_000 });
    await shot('devices');
    const added = (await server.engine.fleet.devices()).find((d) => d.hostname === device.hostname);
    assert.equal(added?.accessGroup, 'group-2');
  });

  it('shows users, groups and privileges, and the audit log of who did what', async () => {
    await nav('Users & privileges').click();
    await page.getByRole('rowheader', { name: 'viewer' }).first().waitFor();
    await shot('access');
    await nav('Audit log').click();
    await page.getByRole('cell', { name: 'task.create' }).first().waitFor();
    await page.getByRole('cell', { name: 'config.commit' }).first().waitFor();
    await shot('audit');
  });

  it('stays usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await nav('Sessions').click();
    await page.getByRole('heading', { name: /^\d+ sessions$/ }).waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px (tables scroll inside their panel)`);
    await shot('sessions-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('gives a user without the kill privilege no kill controls, and the API refuses the kill', async () => {
    const viewer = await newConsolePage(browser);
    try {
      await viewer.goto(server.url);
      await viewer.getByLabel('User name').fill('viewer');
      await viewer.getByLabel('Password').fill(VIEWER_PW);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.getByRole('heading', { name: /^\d+ sessions$/ }).waitFor();
      await viewer.getByRole('cell', { name: 'cluster-1' }).first().waitFor();
      assert.equal(await viewer.getByRole('button', { name: /kill/i }).count(), 0);
      assert.equal(await viewer.getByRole('checkbox', { name: /select/i }).count(), 0);
      assert.equal(await nav('Devices', viewer).count(), 0);
      await shot('viewer', viewer);
      const status = await viewer.evaluate(async () => {
        const res = await fetch('/api/kill-tasks', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ action: 'KILL_ALL_SESSIONS', clusterNames: ['cluster-1'] }),
        });
        return res.status;
      });
      assert.equal(status, 403);
    } finally {
      await viewer.close();
    }
  });
});

/** Syncs one device while the emulator resets its connections, so the inventory has it unreachable. */
async function syncWithFault(server: RunningServer, deviceId: string): Promise<void> {
  const fleet = server.lab?.fleet;
  const device = (await server.engine.fleet.devices()).find((d) => d.id === deviceId);
  assert.ok(fleet && device);
  fleet.setFault(deviceId, 'reset');
  try {
    assert.equal((await server.engine.sync.syncDevice(device)).ok, false);
  } finally {
    fleet.setFault(deviceId, 'none');
  }
}

// Curfews in the web console, end to end: Debian's Chromium (playwright-core) against a real `curfew serve` with a
// lab fleet (BIG-IPs and one SPS) and curfew enforcement every 300 ms. Set a curfew from a session row, watch the
// enforcement kill the session and the BIG-IP refuse the user's next login, follow the kill task to its origin, lift it;
// kill a user "and keep out" from the kill dialog; a read-only account sees curfews but no control that changes
// them. Screenshots go to test-results/ (the harness of web-console.test.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../src/cli/server.js';
import { browserSuite, grantViewer, launchChromium, navLink, newConsolePage, SHOTS } from './support/chromium.js';
import { eventually } from './support/eventually.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ADMIN_PW = 'curfew-console-admin';
const VIEWER_PW = 'curfew-console-viewer';
const VICTIM = 'eve';
const KEPT_OUT = 'trudy';

describe('curfews in the web console', browserSuite, () => {
  let node: TestServer;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let victimDevice: { id: string; hostname: string };

  const shot = (name: string, target: Page = page) => target.screenshot({ path: join(SHOTS, `curfews-${name}.png`) });
  const nav = (name: string, target: Page = page) => navLink(target, name);
  const labSessionsOf = (user: string) =>
    (server.lab?.fleet.devices ?? [])
      .flatMap((d) => server.lab?.fleet.sessions(d.id) ?? [])
      .filter((s) => s.user === user);
  const until = (what: string, check: () => boolean, timeoutMs = 15_000) => eventually(what, check, timeoutMs, 100);
  const search = async (q: string) => {
    await nav('Sessions').click();
    await page.getByLabel('Search', { exact: true }).fill(q);
    await page.getByRole('button', { name: 'Search' }).click();
  };

  before(async () => {
    node = await startTestServer({
      lab: 4,
      labSps: 1,
      labSessions: 3,
      adminPassword: ADMIN_PW,
      curfewIntervalMs: 300,
    });
    server = node.server;
    const fleet = server.lab?.fleet;
    assert.ok(fleet);
    const active = fleet.devices.find((d) => d.failover === 'ACTIVE');
    assert.ok(active);
    victimDevice = { id: active.id, hostname: active.hostname };
    fleet.addSession(active.id, { user: VICTIM, clientIp: '203.0.113.70' });
    for (const d of fleet.devices.filter((x) => x.failover === 'ACTIVE'))
      fleet.addSession(d.id, { user: KEPT_OUT, clientIp: '203.0.113.71' });
    await server.engine.sync.syncAll();
    await grantViewer(server, ADMIN_PW, VIEWER_PW, ['/special/active_sessions', '/special/curfews']);
    browser = await launchChromium();
    page = await newConsolePage(browser);
    await page.goto(server.url);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PW);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^\d+ sessions$/ }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await node?.stop();
  });

  it('sets a curfew from a session row and shows the session it killed', async () => {
    await search(`user:${VICTIM}`);
    await page.getByRole('heading', { name: '1 session', exact: true }).waitFor();
    await page.getByRole('button', { name: new RegExp(`^Curfew ${VICTIM} \\(session `) }).click();
    const dialog = page.getByRole('dialog', { name: `Curfew ${VICTIM}` });
    await dialog.getByLabel(`Device ${victimDevice.hostname}`).waitFor();
    assert.ok(await dialog.getByLabel(`Device ${victimDevice.hostname}`).isChecked(), 'its device by default');
    assert.equal(await dialog.getByLabel('Duration').inputValue(), '1h');
    const set = dialog.getByRole('button', { name: 'Set curfew' });
    assert.ok(await set.isDisabled(), 'a reason is required');
    await dialog.getByLabel('Reason (required)').fill('phished credentials');
    await shot('from-session');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/curfews'));
    await set.click();
    const body = (await posted).postDataJSON() as Record<string, unknown>;
    assert.deepEqual(body.users, [VICTIM]);
    assert.equal(body.duration, '1h');
    assert.equal(body.reason, 'phished credentials');
    assert.equal((body.devices as string[]).length, 1);

    await page.waitForURL(/\/curfews\/[0-9a-f-]+$/);
    const detail = page.getByTestId('curfew-detail');
    await detail.getByRole('heading', { name: `Curfew on ${VICTIM}` }).waitFor();
    await detail.getByTestId('curfew-state').getByText('active').waitFor();
    const caught = detail.getByRole('table', { name: 'Caught sessions' });
    await caught.getByRole('cell', { name: 'killed', exact: true }).first().waitFor({ timeout: 15_000 });
    await caught.getByRole('cell', { name: victimDevice.hostname }).first().waitFor();
    await until('the session to go from the device', () => labSessionsOf(VICTIM).length === 0);
    const activeTable = page.getByRole('table', { name: 'Active curfews' });
    const row = activeTable.getByRole('row', { name: new RegExp(`^${VICTIM} `) });
    await row.getByText('phished credentials').waitFor();
    await row.getByText(/^(59m \d\ds|1h 00m)$/).waitFor();
    await shot('caught');

    const prevention = page.getByTestId('prevention');
    await prevention.getByText('SPS has no login block over its API: enforced on sight only.').first().waitFor();
    await prevention
      .getByRole('row', { name: new RegExp(victimDevice.hostname.replace(/\./g, '\\.')) })
      .getByText('in sync')
      .waitFor({ timeout: 15_000 });
    // The device's access policy now refuses them at login (its deny list holds the name).
    assert.throws(() => server.lab?.fleet.addSession(victimDevice.id, { user: VICTIM, clientIp: '203.0.113.72' }), {
      name: 'LabLogonDenied',
    });
    await shot('prevention');
  });

  it('shows the session gone from the sessions page and the kill task as started by the curfew', async () => {
    await server.engine.sync.syncAll();
    await search(`user:${VICTIM}`);
    await page.getByRole('heading', { name: '0 sessions', exact: true }).waitFor();
    await nav('Kill tasks').click();
    await page.getByRole('link', { name: 'curfew', exact: true }).first().waitFor();
    await nav('Curfews').click();
    await page.getByRole('table', { name: 'Active curfews' }).getByRole('link', { name: VICTIM }).click();
    const caught = page.getByTestId('curfew-detail').getByRole('table', { name: 'Caught sessions' });
    await caught.getByRole('link', { name: 'task' }).first().click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]+$/);
    await page.getByTestId('task-origin').getByText('its enforcement caught these sessions').waitFor();
    await page.getByTestId('task-status').getByText('FINISHED').waitFor({ timeout: 15_000 });
    await shot('task-origin');
  });

  it('lifts the curfew after a confirmation; it moves to the history', async () => {
    await nav('Curfews').click();
    await page.getByRole('table', { name: 'Active curfews' }).getByRole('link', { name: VICTIM }).click();
    const detail = page.getByTestId('curfew-detail');
    await detail.getByRole('button', { name: `Lift the curfew on ${VICTIM}` }).click();
    const dialog = page.getByRole('dialog', { name: `Lift the curfew on ${VICTIM}` });
    await dialog.getByText('with the 1 session it caught').waitFor();
    await dialog.getByRole('button', { name: 'Lift curfew' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await detail.getByTestId('curfew-state').getByText('lifted').waitFor();
    await detail
      .getByTestId('curfew-state')
      .getByText(/by admin$/)
      .waitFor();
    assert.equal(await detail.getByRole('button', { name: /^Lift/ }).count(), 0, 'no action on an ended curfew');
    await page.getByRole('table', { name: 'Ended curfews' }).getByRole('link', { name: VICTIM }).waitFor();
    await page.getByRole('table', { name: 'Active curfews' }).getByText('No active curfew.').waitFor();
    const curfews = await server.engine.curfews.page({ state: ['lifted'], limit: 10, offset: 0 });
    assert.equal(curfews.total, 1);
    await shot('lifted');
  });

  it('kills all of a user and keeps them out from the kill dialog', async () => {
    await search(`user:${KEPT_OUT}`);
    await page
      .getByRole('button', { name: `Kill all of ${KEPT_OUT}` })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: `Kill all sessions of ${KEPT_OUT}` });
    await dialog.getByTestId('blast-radius').waitFor();
    await dialog.getByLabel(`and keep ${KEPT_OUT} out of the fleet with a curfew`).check();
    await dialog.getByLabel('Keep out for').fill('10m');
    const kill = dialog.getByRole('button', { name: `Kill all of ${KEPT_OUT}` });
    assert.ok(await kill.isDisabled(), 'a reason is required');
    await dialog.getByLabel('Reason (required)').fill('leaver');
    await shot('kill-keep-out');
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/kill-tasks'));
    await kill.click();
    assert.deepEqual((await posted).postDataJSON(), {
      action: 'KILL_BY_USER',
      userName: KEPT_OUT,
      fleet: true,
      curfew: { duration: '10m', reason: 'leaver' },
    });
    const result = page.getByTestId('kill-curfew-result');
    await result.getByText(/^Curfew [0-9a-f-]+ set:/).waitFor();
    await shot('kill-keep-out-done');
    await result.getByRole('link', { name: 'open the curfew' }).click();
    await page.waitForURL(/\/curfews\/[0-9a-f-]+$/);
    const detail = page.getByTestId('curfew-detail');
    await detail.getByRole('heading', { name: `Curfew on ${KEPT_OUT}` }).waitFor();
    await detail.getByText('whole fleet').waitFor();
    const activeTable = page.getByRole('table', { name: 'Active curfews' });
    await activeTable.getByText('expiring').waitFor();
    await until('their sessions to go', () => labSessionsOf(KEPT_OUT).length === 0);

    await detail.getByRole('button', { name: `Extend the curfew on ${KEPT_OUT}` }).click();
    const extend = page.getByRole('dialog', { name: `Extend the curfew on ${KEPT_OUT}` });
    await extend.getByLabel('Duration').fill('2h');
    const extended = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/extend'));
    await extend.getByRole('button', { name: 'Set the new end' }).click();
    assert.deepEqual((await extended).postDataJSON(), { duration: '2h' });
    await extend.waitFor({ state: 'hidden' });
    await activeTable.getByText(/^(1h 59m|2h 00m)$/).waitFor();
    assert.equal(await activeTable.getByText('expiring').count(), 0);
  });

  it('sets a curfew from the form of the curfews page', async () => {
    await nav('Curfews').click();
    await page.getByRole('button', { name: 'Set a curfew' }).click();
    const form = page.getByRole('form', { name: 'Set a curfew' });
    await form.getByLabel('Client addresses').fill('198.51.100.0/24');
    await form.getByLabel('Chosen access groups, clusters and devices').check();
    await form.getByRole('group', { name: 'Clusters' }).getByLabel('cluster-1').check();
    await form.getByLabel('Mode').selectOption('monitor');
    await form.getByLabel('Reason (required)').fill('incident 4711');
    await form.screenshot({ path: join(SHOTS, 'curfews-form.png') });
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/curfews'));
    await form.getByRole('button', { name: 'Set curfew' }).click();
    assert.deepEqual((await posted).postDataJSON(), {
      ips: ['198.51.100.0/24'],
      clusters: ['cluster-1'],
      duration: '2h',
      reason: 'incident 4711',
      mode: 'monitor',
    });
    const detail = page.getByTestId('curfew-detail');
    await detail.getByRole('heading', { name: 'Curfew on 198.51.100.0/24' }).waitFor();
    await detail.getByText('cluster cluster-1').waitFor();
    await page.screenshot({ path: join(SHOTS, 'curfews-page.png'), fullPage: true });
  });

  it('gives a read-only account the curfews but no control that changes them', async () => {
    const viewer = await newConsolePage(browser);
    try {
      await viewer.goto(server.url);
      await viewer.getByLabel('User name').fill('viewer');
      await viewer.getByLabel('Password').fill(VIEWER_PW);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.getByRole('heading', { name: /^\d+ sessions$/ }).waitFor();
      await viewer.getByRole('cell', { name: 'cluster-1' }).first().waitFor();
      assert.equal(await viewer.getByRole('button', { name: /^Curfew/ }).count(), 0);
      await nav('Curfews', viewer).click();
      await viewer.getByRole('table', { name: 'Active curfews' }).getByRole('link', { name: KEPT_OUT }).click();
      await viewer
        .getByTestId('curfew-detail')
        .getByRole('heading', { name: `Curfew on ${KEPT_OUT}` })
        .waitFor();
      await viewer.getByTestId('prevention').getByText('SPS has no login block').first().waitFor();
      assert.equal(await viewer.getByRole('button', { name: /set a curfew|extend|lift/i }).count(), 0);
      await shot('viewer', viewer);
      const status = await viewer.evaluate(async () => {
        const res = await fetch('/api/curfews', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ users: ['someone'], fleet: true, reason: 'not allowed' }),
        });
        return res.status;
      });
      assert.equal(status, 403);
    } finally {
      await viewer.close();
    }
  });
});

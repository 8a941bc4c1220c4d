// The console's browser tests: Debian's Chromium (/usr/bin/chromium, .ci/run installs it) driven by playwright-core,
// and a read-only `viewer` account made through the SPS API as a script would. Without Chromium the suites are skipped
// and say so; under CI=true a missing browser is a failure, never a skip.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { RunningServer } from '../../src/cli/server.js';
import { basic } from './sps-client.js';

export const CHROMIUM = process.env.CURFEW_CHROMIUM ?? '/usr/bin/chromium';
// This machine's network is closed: without the background-networking flags Chromium's own connections fail noisily.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SHOTS = 'test-results';

const NO_BROWSER = existsSync(CHROMIUM)
  ? undefined
  : `Chromium is missing at ${CHROMIUM}: browser tests skipped (install it with "apt-get install -y chromium")`;
if (NO_BROWSER && process.env.CI !== 'true') process.stderr.write(`${NO_BROWSER}\n`);

/** The `skip` option of a browser suite: skipped without Chromium, except under CI=true (then `before` fails). */
export const browserSuite = { skip: process.env.CI === 'true' ? false : (NO_BROWSER ?? false) };

/** Checks Chromium and the built console are there, then launches the browser (screenshots go to SHOTS). */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium"`);
  assert.ok(existsSync(join('dist', 'web', 'index.html')), 'the console is not built: run npm run build:web');
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export const newConsolePage = (browser: Browser): Promise<Page> =>
  browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });

/** A link of the console's main navigation. */
export const navLink = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** A `viewer` (password `viewerPassword`) in group soc-viewers with read on `objects`, committed by admin. */
export async function grantViewer(
  server: RunningServer,
  adminPassword: string,
  viewerPassword: string,
  objects: readonly string[],
): Promise<void> {
  const call = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      payload: payload as object,
      headers: { authorization: basic('admin', adminPassword) },
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const password = await call('POST', '/api/configuration/passwords', { plain: viewerPassword });
  const user = await call('POST', '/api/configuration/aaa/local_database/users', {
    name: 'viewer',
    password: password.key,
  });
  await call('POST', '/api/configuration/aaa/local_database/groups', { name: 'soc-viewers', members: [user.key] });
  await call('PUT', '/api/configuration/aaa/acls', [{ group: 'soc-viewers', objects, permission: 'read' }]);
  await call('PUT', '/api/transaction', { status: 'commit', commit_message: 'read-only viewers' });
}

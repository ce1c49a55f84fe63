import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { issueLink } from '../../src/adapters/web';
import { LinkSigner } from '../../src/adapters/web/links';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { launchChromium } from './browser';

const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');
const SECRET = 'e2e-tab-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-tab-'));
let app: App;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const requests: string[] = [];
const failed: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp, WEB_LINK_SECRET: SECRET, WEB_CONSOLE: 'off' }),
  );
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the Teams tab configuration page outside Teams: a clear message, links still checked, no script error', async () => {
  const coord = { tenantId: 'teams:tenant-e2e', userId: 'UC', displayName: 'Coordinator' };
  const d = await app.service.setupDistrict(coord, {
    name: 'Lakeview Schools',
    channelId: '19:c@thread.tacv2',
  });
  const link = issueLink({
    signer: new LinkSigner(SECRET),
    clock: { now: () => new Date() },
    baseUrl: () => app.url,
    linkTtlMs: 86_400_000,
  })(coord.tenantId, d.id).url;

  await page.goto(`${app.url}/teams/tab/config`);
  // The Teams library cannot start outside Teams: the page says so instead of breaking.
  await page.locator('body[data-teams="unavailable"]').waitFor({ timeout: 15_000 });
  expect(await page.locator('#teams-status').textContent()).toMatch(/meant to be opened by Microsoft Teams/);

  await page.locator('#link').fill(`${app.url.replace('localhost', 'example.org')}/dashboard?k=abc`);
  await page.locator('#check').click();
  await page.locator('body[data-link="invalid"]').waitFor();
  expect(await page.locator('#result').textContent()).toMatch(/not on this server/);

  await page.locator('#link').fill(link);
  await page.locator('#check').click();
  await page.locator('body[data-link="valid"]').waitFor();
  expect(await page.locator('#result').textContent()).toMatch(
    /Valid link to the dashboard of Lakeview Schools .*Open this page from Teams/,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'teams-tab-config.png'), fullPage: true });

  expect(pageErrors).toEqual([]);
  // Only the library's refused start-up fetch of its origin list (blocked by the page's CSP) may be reported.
  // Reported: the library's start-up fetch of its origin list from a CDN, refused by the page's CSP (it then uses
  // the list it ships with), and the refused check of the foreign link (400). Nothing else.
  expect(failed).toEqual(['400 /teams/tab/check']);
  expect(
    consoleErrors.filter((e) => !/res\.cdn\.office\.net/.test(e) && !/status of 400 \(Bad Request\)/.test(e)),
  ).toEqual([]);
  const foreign = requests.filter((u) => !u.startsWith(app.url));
  expect(foreign).toEqual([]);
});

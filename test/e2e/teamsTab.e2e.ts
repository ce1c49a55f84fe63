import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { issueLink } from '../../src/adapters/web';
import { LinkSigner } from '../../src/adapters/web/links';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { asker } from '../support/fixtures';
import { launchChromium } from './browser';

/**
 * The Teams tab configuration page in real Chromium. The app is published as https://micip.test (PUBLIC_URL) and a
 * fake Teams web client at https://teams.microsoft.com/host frames it; Playwright answers both origins (the app's
 * through the real server on 127.0.0.1, the host page from FAKE_HOST below) and aborts everything else, so nothing
 * leaves the machine. The fake host speaks the Teams JavaScript client library's postMessage protocol: it answers
 * `initialize` with a runtime that supports pages.config, records validity and the saved settings, and presses Save.
 */
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');
const SECRET = 'e2e-tab-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const PUBLIC = 'https://micip.test';
const HOST = 'https://teams.microsoft.com/host';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-tab-'));
let app: App;
let local: string;
let browser: { context: BrowserContext; close: () => Promise<void> };
let district: { tenant: string; id: string };

const FAKE_HOST = `<!doctype html><html><head><title>Fake Teams</title></head><body>
<iframe id="tab" src="${PUBLIC}/teams/tab/config" style="width:1000px;height:700px"></iframe>
<script>
window.host = { funcs: [], validity: [], saved: null, result: null };
const frame = document.getElementById('tab');
window.addEventListener('message', (e) => {
  if (e.source !== frame.contentWindow || !e.data || typeof e.data.func !== 'string') return;
  const m = e.data;
  const reply = (args) => frame.contentWindow.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
  host.funcs.push(m.func);
  if (m.func === 'initialize') {
    reply(['settings', 'web', JSON.stringify({ apiVersion: 4, supports: { app: {}, pages: { config: {} } } }), '2.0.0']);
  } else if (m.func === 'settings.getSettings') reply([{}]);
  else if (m.func === 'settings.setValidityState') host.validity.push(m.args[0]);
  else if (m.func === 'settings.setSettings') { host.saved = m.args[0]; reply([true]); }
  else if (m.func === 'settings.save.success') host.result = 'success';
  else if (m.func === 'settings.save.failure') host.result = 'failure: ' + m.args[0];
});
window.pressSave = () => frame.contentWindow.postMessage({ func: 'settings.save', args: [{}] }, '${PUBLIC}');
</script></body></html>`;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_URL: PUBLIC,
      DATA_DIR: tmp,
      WEB_LINK_SECRET: SECRET,
      WEB_CONSOLE: 'off',
    }),
  );
  const addr = app.server.address();
  local = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const coord = asker('teams:tenant-e2e', 'UC', '19:c@thread.tacv2', 'Coordinator');
  const d = await app.service.setupDistrict(coord, {
    name: 'Lakeview Schools',
    channelId: '19:c@thread.tacv2',
  });
  district = { tenant: coord.tenantId, id: d.id };

  browser = await launchChromium();
  await browser.context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === PUBLIC) {
      const response = await route.fetch({ url: `${local}${url.pathname}${url.search}` });
      await route.fulfill({ response });
    } else if (url.href === HOST) {
      await route.fulfill({ status: 200, contentType: 'text/html', body: FAKE_HOST });
    } else {
      await route.abort();
    }
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The link `@MICIP dashboard` gives (the issuer main wires into the command), on the public URL. */
const botLink = () =>
  issueLink({
    signer: new LinkSigner(SECRET),
    clock: { now: () => new Date() },
    baseUrl: () => PUBLIC,
    linkTtlMs: 86_400_000,
  })(district.tenant, district.id).url;

function watch(page: Page) {
  const seen = { pageErrors: [] as string[], consoleErrors: [] as string[], failed: [] as string[] };
  page.on('pageerror', (e) => seen.pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.consoleErrors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) seen.failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  return seen;
}

/** Console errors other than the library's start-up fetch of its origin list, refused by the page's CSP. */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/res\.cdn\.office\.net/.test(e) && !/status of 400 \(Bad Request\)/.test(e));

test('outside Teams the configuration page says so, still checks links, and has no script error', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  await page.goto(`${PUBLIC}/teams/tab/config`);
  // The Teams library cannot start outside Teams: the page says so instead of breaking.
  await page.locator('body[data-teams="unavailable"]').waitFor({ timeout: 15_000 });
  expect(await page.locator('#teams-status').textContent()).toMatch(/meant to be opened by Microsoft Teams/);

  await page.locator('#link').fill('https://evil.example.org/dashboard?k=abc');
  await page.locator('#check').click();
  await page.locator('body[data-link="invalid"]').waitFor();
  expect(await page.locator('#result').textContent()).toMatch(/not on this server/);

  await page.locator('#link').fill(botLink());
  await page.locator('#check').click();
  await page.locator('body[data-link="valid"]').waitFor();
  expect(await page.locator('#result').textContent()).toMatch(
    /Valid link to the dashboard of Lakeview Schools .*Open this page from Teams/,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'teams-tab-config.png'), fullPage: true });

  expect(seen.pageErrors).toEqual([]);
  // Reported: the refused check of the foreign link (400), and the CSP refusal of the library's CDN fetch.
  expect(seen.failed).toEqual(['400 /teams/tab/check']);
  expect(unexpected(seen.consoleErrors)).toEqual([]);
  await page.close();
});

test('framed by a Teams host: Save is enabled only for a valid link and saves the dashboard as the tab', async () => {
  const page = await browser.context.newPage();
  const seen = watch(page);
  await page.goto(HOST);
  const tab = page.frameLocator('#tab');
  await tab.locator('body[data-teams="ready"]').waitFor({ timeout: 15_000 });
  expect(await tab.locator('#teams-status').textContent()).toMatch(/Connected to Microsoft Teams/);
  const host = () =>
    page.evaluate(
      () =>
        (
          globalThis as unknown as {
            host: { funcs: string[]; validity: boolean[]; saved: unknown; result: string | null };
          }
        ).host,
    );
  expect((await host()).funcs).toEqual(expect.arrayContaining(['initialize', 'registerHandler']));
  expect((await host()).validity).toEqual([false]);

  // Save before a valid link: refused by the page itself.
  await page.evaluate(() => (globalThis as unknown as { pressSave: () => void }).pressSave());
  await page.waitForFunction(
    () => (globalThis as unknown as { host: { result: unknown } }).host.result !== null,
  );
  expect((await host()).result).toBe('failure: Paste a valid dashboard link first.');
  await page.evaluate(() => {
    (globalThis as unknown as { host: { result: unknown } }).host.result = null;
  });

  // A link of another server keeps Save disabled; the bot's link enables it.
  await tab.locator('#link').fill('https://evil.example.org/dashboard?k=abc');
  await tab.locator('body[data-link="invalid"]').waitFor();
  expect((await host()).validity.at(-1)).toBe(false);
  const link = botLink();
  await tab.locator('#link').fill(link);
  await tab.locator('body[data-link="valid"]').waitFor();
  expect(await tab.locator('#result').textContent()).toMatch(/Select Save to add the tab/);
  expect((await host()).validity.at(-1)).toBe(true);

  await page.evaluate(() => (globalThis as unknown as { pressSave: () => void }).pressSave());
  await page.waitForFunction(
    () => (globalThis as unknown as { host: { result: unknown } }).host.result !== null,
  );
  const h = await host();
  expect(h.result).toBe('success');
  expect(h.saved).toEqual({
    entityId: `micip-dashboard-${district.id}`,
    contentUrl: link,
    websiteUrl: link,
    suggestedDisplayName: 'MICIP dashboard',
  });
  await page.screenshot({ path: path.join(ARTIFACTS, 'teams-tab-host.png') });

  // What the tab then shows: the dashboard, framed by the Teams host.
  await page.locator('#tab').evaluate((el, url) => {
    (el as unknown as { src: string }).src = url;
  }, link);
  await tab.locator('h1', { hasText: 'Lakeview Schools' }).waitFor();

  expect(seen.pageErrors).toEqual([]);
  expect(unexpected(seen.consoleErrors)).toEqual([]);
  await page.close();
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { audit, overflow, shoot, WIDTHS } from './a11y';
import { launchChromium } from './browser';

/**
 * Issue 15: the console (with its polls), the dashboard (with its heat map), a review's results page and the Teams
 * tab's configuration page pass axe-core's WCAG 2.1 A/AA rules at 1366 and 390 px, do not scroll sideways on a
 * phone, and a vote can be cast with the keyboard alone. Screenshots: test-artifacts/e2e/<page>-<width>.png.
 */
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');
const ROW = 'vision-mission-beliefs';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-a11y-'));
let app: App;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp, WEB_CONSOLE: 'on' }));
  browser = await launchChromium({ bypassCSP: true });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Audits the page at each width: axe violations at both, horizontal overflow at the phone's. */
async function check(name: string): Promise<Record<string, { violations: string[]; overflow: number }>> {
  const out: Record<string, { violations: string[]; overflow: number }> = {};
  for (const width of WIDTHS) {
    await shoot(page, ARTIFACTS, name, width);
    out[`${name}@${width}`] = {
      violations: await audit(page),
      overflow: width < 800 ? await overflow(page) : 0,
    };
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  return out;
}
const clean = (name: string) =>
  Object.fromEntries(WIDTHS.map((w) => [`${name}@${w}`, { violations: [], overflow: 0 }]));

async function api(path: string, body: unknown) {
  const res = await page.request.post(`${app.url}/console/api${path}`, { data: body });
  const json = await res.json();
  expect({ status: res.status(), error: json.error }).toEqual({ status: 200, error: undefined });
  return json;
}

test('console: a vote is cast with the keyboard alone, and the focused button shows it', async () => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${app.url}/console?as=demo-alex`);
  await page.locator('body[data-ready="true"]').waitFor();
  // The page's style sheet draws a :focus-visible outline.
  const focusRules = (await page.evaluate(
    `[...document.styleSheets].flatMap((s) => [...s.cssRules].map((r) => r.selectorText ?? ''))
      .filter((t) => t.includes(':focus-visible'))`,
  )) as string[];
  expect(focusRules.length).toBeGreaterThan(0);

  // Tab from the top of the page until a vote button of the first row has the focus.
  const votes = ['Beginning', 'Developing', 'Evolving', 'Accomplished'];
  type Focused = { label: string; row: string | null; visible: boolean; outline: string } | null;
  let focused: Focused = null;
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    focused = (await page.evaluate(`(() => {
      const el = document.activeElement;
      if (el?.tagName !== 'BUTTON') return null;
      const s = getComputedStyle(el);
      return {
        label: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim(),
        row: el.closest('.card[data-row]')?.dataset.row ?? null,
        visible: el.matches(':focus-visible'),
        outline: s.outlineStyle + ' ' + s.outlineWidth,
      };
    })()`)) as Focused;
    if (focused?.row === ROW && votes.includes(focused.label)) break;
  }
  expect(focused).toMatchObject({ row: ROW, visible: true });
  expect(focused?.outline).not.toMatch(/^none|\b0px$/);
  const level = focused?.label as string;
  await page.keyboard.press('Enter');
  await page.locator('#message', { hasText: 'Your vote is recorded.' }).waitFor();
  await page.locator(`.card[data-row="${ROW}"]`).getByText(`Your vote: ${level}`).waitFor();
  // The open round, with its vote buttons, audited like the other pages.
  expect(await check('console-voting')).toEqual(clean('console-voting'));
});

test('console with polls, results and reflection: WCAG 2.1 AA, fits 390 px', async () => {
  const state = await (await page.request.get(`${app.url}/console/api/state?as=demo-alex`)).json();
  const reviewId = state.review.reviewId as string;
  for (const as of ['demo-alex', 'demo-blair', 'demo-devon']) {
    await api('/action', { as, verb: 'vote', data: { reviewId, rowId: ROW, choice: '3' } });
  }
  await api('/action', {
    as: 'demo-alex',
    verb: 'evidence',
    data: { reviewId, rowId: ROW, evidence: 'Posters.' },
  });
  await api('/command', { as: 'demo-coordinator', line: 'close' });
  await api('/action', {
    as: 'demo-alex',
    verb: 'reflect',
    data: { reviewId, rowId: ROW, q1: 'Never asked.' },
  });
  await page.goto(`${app.url}/console?as=demo-alex`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator(`.card[data-reflection="${ROW}"]`).waitFor();
  expect(await check('console')).toEqual(clean('console'));
});

test('dashboard with its heat map: WCAG 2.1 AA, fits 390 px', async () => {
  await page.goto(`${app.url}/console?as=demo-alex`);
  // The page's script sets the link once the state has loaded; before that it points back at the console.
  await page.locator('body[data-ready="true"]').waitFor();
  const href = await page.locator('#dashboard').getAttribute('href');
  expect(href).toMatch(/^\/dashboard\?k=/);
  await page.goto(`${app.url}${href}`);
  await page.locator(`table.heat tr[data-row="${ROW}"] td.cell[data-rating="3"]`).waitFor();
  expect(await check('dashboard')).toEqual(clean('dashboard'));
});

test("a review's results page: WCAG 2.1 AA, fits 390 px", async () => {
  await page.locator('table.heat thead a', { hasText: 'Demo cycle 1' }).click();
  await page
    .locator(`section.row[data-row="${ROW}"] [data-testid="rating"]`, { hasText: 'Evolving' })
    .waitFor();
  expect(await check('results')).toEqual(clean('results'));
});

test("the Teams tab's configuration page: WCAG 2.1 AA, fits 390 px", async () => {
  await page.goto(`${app.url}/teams/tab/config`);
  await page.locator('body[data-teams="unavailable"]').waitFor({ timeout: 15_000 });
  await page.locator('#link').fill('https://evil.example.org/dashboard?k=abc');
  await page.locator('#check').click();
  await page.locator('body[data-link="invalid"]').waitFor();
  expect(await check('teams-tab')).toEqual(clean('teams-tab'));
});

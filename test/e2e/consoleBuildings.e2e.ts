import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { SUBMISSION_FIELDS } from '../../src/app/nudges/nudgeViews';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { audit, overflow, shoot, WIDTHS } from './a11y';
import { launchChromium } from './browser';

/**
 * Issue 15: a newcomer tries the building teams' side in the console. As the coordinator they press "Nudge building
 * teams now"; as Blair (on Oak's team) they open the form from the nudge in Oak's simulated channel, fill it in and
 * save; the nudge then reads as answered. The channel view passes axe-core (WCAG 2.1 AA) at 1366 and 390 px.
 */
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-buildings-'));
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

const oakMessages = () => page.locator('#building-messages');

test('nudge, open the form, save: all from the console, as the coordinator and a building team member', async () => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${app.url}/console?as=demo-coordinator`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator('#building-tabs button', { hasText: 'Oak Elementary' }).waitFor();
  // The welcome posted when the demo registered the building.
  await oakMessages()
    .getByText(/building team/)
    .first()
    .waitFor();

  await page.getByRole('button', { name: 'Nudge building teams now' }).click();
  await page.locator('#message', { hasText: /Nudged 2 building team/ }).waitFor();
  await oakMessages().getByRole('button', { name: 'Open the form' }).waitFor();

  // Blair is on Oak's team.
  await page.locator('#who button', { hasText: 'Blair Chen' }).click();
  await page.locator('#building-team', { hasText: 'Oak Elementary building team: Blair Chen' }).waitFor();
  await oakMessages().getByRole('button', { name: 'Open the form' }).click();
  const inputs = oakMessages().locator('input, textarea');
  await inputs.first().waitFor();
  const n = await inputs.count();
  expect(n).toBeGreaterThanOrEqual(8);
  // The form's fields in SUBMISSION_FIELDS order; three of them take numbers.
  for (let i = 0; i < n; i++) {
    const field = SUBMISSION_FIELDS[i] ?? '';
    await inputs.nth(i).fill(/Percent|Value|Target/.test(field) ? '40' : `Oak's answer ${i}`);
  }
  for (const width of WIDTHS) await shoot(page, ARTIFACTS, 'console-building-form', width);
  await page.setViewportSize({ width: 1366, height: 900 });
  await oakMessages()
    .getByRole('button', { name: /Save|Submit/ })
    .first()
    .click();
  await oakMessages().getByText('Saved version 1. Thank you!').waitFor();

  // The coordinator's view of the channel: the nudge redrawn as answered.
  await page.locator('#who button', { hasText: 'Casey Morgan' }).click();
  await oakMessages().getByRole('button', { name: 'View or edit' }).waitFor();
  const out: Record<string, { violations: string[]; overflow: number }> = {};
  for (const width of WIDTHS) {
    await shoot(page, ARTIFACTS, 'console-buildings', width);
    out[`console-buildings@${width}`] = {
      violations: await audit(page),
      overflow: width < 800 ? await overflow(page) : 0,
    };
  }
  expect(out).toEqual(
    Object.fromEntries(WIDTHS.map((w) => [`console-buildings@${w}`, { violations: [], overflow: 0 }])),
  );
});

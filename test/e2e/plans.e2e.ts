import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { loadRubricCatalog } from '../../src/adapters/files/rubricCatalog';
import { DEMO_CHANNEL, DEMO_TENANT } from '../../src/adapters/web/console';
import { BuildingService } from '../../src/app/nudges/buildingService';
import { PlanService } from '../../src/app/plans/planService';
import type { Actor } from '../../src/app/schemas';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { counterIds, TestClock } from '../support/fixtures';
import { audit, overflow, shoot, WIDTHS } from './a11y';
import { launchChromium } from './browser';

/**
 * Issue 16: the dashboard's Action plans (building templates side by side, the district's template) and Actions
 * (open and done) sections, with data made through the console's commands and the plans use case, pass axe-core's
 * WCAG 2.1 A/AA rules at 1366 and 390 px and do not scroll sideways on a phone. Screenshots:
 * test-artifacts/e2e/plans-<width>.png, copied to docs/images/plans-<width>.png (linked from docs/usage.md).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const DOC_IMAGES = path.join(ROOT, 'docs', 'images');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-plans-'));
const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
let app: App;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp, WEB_CONSOLE: 'on' }), {
    clock,
  });
  browser = await launchChromium({ bypassCSP: true });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A console command as `as`; its reply as plain text (fails unless answered 200). */
async function command(as: string, line: string): Promise<string> {
  const res = await page.request.post(`${app.url}/console/api/command`, { data: { as, line } });
  const json = await res.json();
  expect({ status: res.status(), error: json.error }).toEqual({ status: 200, error: undefined });
  return String(json.text);
}

const inChannel = (userId: string, channelId: string): Actor => ({
  tenantId: DEMO_TENANT,
  userId,
  displayName: userId,
  channelId,
  conversation: 'channel',
});

test('dashboard with building and district plans and open and done actions: WCAG 2.1 AA, fits 390 px', async () => {
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${app.url}/console?as=demo-coordinator`);
  await page.locator('body[data-ready="true"]').waitFor();

  // Two building teams in their own channels (the console's district), a third that has not sent its template,
  // registered through the building-teams use case as the chats' `building add` calls it.
  const buildings = new BuildingService({
    store: app.store,
    nudges: app.store.nudges,
    clock,
    ids: counterIds(),
  });
  const coordinator = inChannel('demo-coordinator', DEMO_CHANNEL);
  // The console registers Oak Elementary (console-oak, Blair) and Pine Middle (console-pine, Devon) itself.
  for (const [name, buildingChannelId, members] of [['Elm High', 'CELM', []]] as const)
    await buildings.register(coordinator, {
      channelId: DEMO_CHANNEL,
      name,
      buildingChannelId,
      members: [...members],
    });

  // The building teams fill in their templates in their channels (the plans use case, as the chats call it).
  const plans = new PlanService({
    store: app.store,
    rubrics: loadRubricCatalog(app.config.RUBRICS_DIR),
    clock,
  });
  const oak = inChannel('demo-blair', 'console-oak');
  await plans.setEntry(oak, 'building', {
    channelId: 'console-oak',
    fn: '1',
    status: 'create',
    actions: ['Name a data lead for each grade band', 'Share monitoring data monthly'],
  });
  await plans.setEntry(oak, 'building', { channelId: 'console-oak', fn: '2', status: 'in-place' });
  await plans.setEntry(inChannel('demo-devon', 'console-pine'), 'building', {
    channelId: 'console-pine',
    fn: '1',
    status: 'strengthen',
    actions: ['Meet with the district team every month'],
  });
  // The district's template, from the district channel.
  expect(
    await command('demo-coordinator', 'plan district 1 strengthen "Add a board member to the district team"'),
  ).toMatch(/saved|version/i);

  // Actions: two open, one done by its owner.
  const first = await command(
    'demo-coordinator',
    'action add 1 "Publish a shared planning calendar" owner=<@demo-alex> due=2027-02-01 target=3',
  );
  await command(
    'demo-coordinator',
    'action add 2 "Visit each building team once a term" owner=<@demo-blair> due=2027-03-15 target=2',
  );
  await command(
    'demo-coordinator',
    'action add 3 "Write down how decisions are shared" owner=<@demo-devon> due=2027-01-10 target=3',
  );
  const id = /\bac_[A-Za-z0-9_-]+/.exec(first)?.[0] ?? '';
  expect(id).not.toBe('');
  expect(await command('demo-alex', `action done ${id}`)).toMatch(/done/i);

  // The dashboard, through the console's signed link.
  await page.goto(`${app.url}/console?as=demo-coordinator`);
  await page.locator('body[data-ready="true"]').waitFor();
  const href = await page.locator('#dashboard').getAttribute('href');
  expect(href).toMatch(/^\/dashboard\?k=/);
  await page.goto(`${app.url}${href}`);
  const plansTable = page.locator('table[data-testid="plans"]');
  await plansTable.waitFor();
  expect(await plansTable.locator('thead th').allInnerTexts()).toEqual([
    'Function',
    'Oak Elementary',
    'Pine Middle',
  ]);
  expect(await page.locator('[data-testid="plans-missing"]').textContent()).toBe(
    'Not submitted yet: Elm High',
  );
  expect(await page.locator('table[data-testid="district-plan"]').textContent()).toContain(
    'Add a board member to the district team',
  );
  // Actions: the one marked done and the two still open.
  const actions = page.locator('tr[data-testid="action"]');
  expect(await actions.count()).toBe(3);
  expect(
    await actions.filter({ hasText: 'Publish a shared planning calendar' }).locator('.status-done').count(),
  ).toBe(1);
  expect(await actions.locator('.status-open').count()).toBe(2);
  await page.getByText('Add a board member to the district team').waitFor();
  await page.getByText('Publish a shared planning calendar').waitFor();
  await page.getByText('Visit each building team once a term').waitFor();

  const found: Record<string, { violations: string[]; overflow: number }> = {};
  for (const width of WIDTHS) {
    await shoot(page, ARTIFACTS, 'plans', width);
    fs.mkdirSync(DOC_IMAGES, { recursive: true });
    fs.copyFileSync(path.join(ARTIFACTS, `plans-${width}.png`), path.join(DOC_IMAGES, `plans-${width}.png`));
    found[`plans@${width}`] = {
      violations: await audit(page),
      overflow: width < 800 ? await overflow(page) : 0,
    };
  }
  expect(found).toEqual(
    Object.fromEntries(WIDTHS.map((w) => [`plans@${w}`, { violations: [], overflow: 0 }])),
  );
});

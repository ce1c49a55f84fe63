import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { LinkSigner, webLinks } from '../../src/adapters/web/links';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import type { Actor } from '../../src/app/schemas';
import { loadConfig } from '../../src/config';
import { NOT_ENOUGH } from '../../src/domain/network';
import { type App, startApp } from '../../src/main';
import { counterIds, rubrics, TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import { audit, overflow, WIDTHS } from './a11y';
import { launchChromium } from './browser';

/**
 * The co-op network page of a district's dashboard (/dashboard/network) in real headless Chromium: six districts
 * with settled ratings for one cycle (counts shown) and two with another cycle (fewer than k = 5: "not enough
 * districts yet"). At 1366 and 390 px: axe-core's WCAG 2.1 A/AA rules and best practices find nothing, the phone
 * does not scroll sideways, and the screenshots are the ones docs/usage.md shows (docs/images/network-*.png).
 */
const DOCS_IMAGES = path.resolve(__dirname, '..', '..', 'docs', 'images');
const SECRET = 'e2e-network-secret-0123456789-abcdefghijklmnop';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-network-'));
// A fixed clock: the page prints the link's expiry, so the screenshots do not change from run to run.
const clock = new TestClock(new Date('2026-11-24T14:00:00Z'));
const RUBRIC = rubrics.get('culture-of-collaboration');
const ROWS = RUBRIC?.rows ?? [];
const LEVELS = ['Beginning', 'Developing', 'Evolving', 'Accomplished'];

/** Ratings per row for "2026-27 Fall"; 0 on a row: the votes split and it stays not settled (one round). */
const DISTRICTS = [
  { name: 'Aspen Public Schools', plan: [2, 2, 3, 1, 2, 3] },
  { name: 'Birch Community Schools', plan: [3, 4, 2, 2, 3, 3] },
  { name: 'Cedar Lake Schools', plan: [1, 3, 2, 0, 4, 2], named: true },
  { name: 'Dogwood Area Schools', plan: [2, 4, 3, 1, 2, 4] },
  { name: 'Elm Valley Schools', plan: [3, 2, 4, 2, 3, 0] },
  { name: 'Fir Township Schools', plan: [4, 3, 1, 3, 2, 2], named: true },
];

let app: App;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;

const person = (tenantId: string, channelId: string, userId: string, displayName: string): Actor => ({
  tenantId,
  userId,
  displayName,
  channelId,
  conversation: 'channel',
  isAdmin: async () => true,
});

beforeAll(async () => {
  fs.mkdirSync(DOCS_IMAGES, { recursive: true });
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: tmp,
      WEB_LINK_SECRET: SECRET,
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      NETWORK_MIN_DISTRICTS: '5',
    }),
    { clock, logger: testLogger() },
  );
  // The districts' reviews through the use cases on the app's own store; the page is then read through HTTP.
  const network = new NetworkService({
    store: app.store,
    clock,
    rubrics,
    ids: counterIds(),
    newCode: () => 'NETWORKE2E23',
    k: 5,
  });
  const commands = new CommandService(app.service, { network });
  const run = (a: Actor, line: string) => commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
  await run(person('T0', 'D0', 'UFAC', 'Fay Facilitator'), 'network create "Great Lakes CoOp"');
  const tenants: string[] = [];
  for (const [i, d] of DISTRICTS.entries()) {
    const tenantId = i % 2 ? `teams:tenant-${i}` : `T${i}`;
    const channelId = `C${i}`;
    tenants.push(tenantId);
    const coord = person(tenantId, channelId, `UC${i}`, `Coordinator ${i}`);
    await app.service.setupDistrict(coord, { name: d.name, channelId });
    await run(coord, `network join NETWORKE2E23${d.named ? ' named' : ''}`);
    const review = await app.service.startReview(coord, {
      channelId,
      cycle: '2026-27 Fall',
      maxRounds: 1,
      rule: { minVoters: 3, minShareOfMembers: 0 },
    });
    for (const [r, row] of ROWS.entries()) {
      const level = d.plan[r] as number;
      for (let v = 0; v < 4; v++) {
        // A row planned as 0 splits 2–2 between Developing and Evolving: no consensus.
        const choice = level === 0 ? (v < 2 ? 2 : 3) : level;
        await app.service.castVote(person(tenantId, channelId, `U${i}v${v}`, `Voter ${v}`), {
          reviewId: review.reviewId,
          rowId: row.id,
          choice,
        });
      }
    }
    await app.service.closeRound(coord, { reviewId: review.reviewId });
  }
  // Two districts with a complete first review start the next cycle: fewer than k, so nothing of it is shown.
  for (const i of [0, 1]) {
    const coord = person(tenants[i] as string, `C${i}`, `UC${i}`, `Coordinator ${i}`);
    const review = await app.service.startReview(coord, {
      channelId: `C${i}`,
      cycle: '2027-28 Fall',
      maxRounds: 1,
      rule: { minVoters: 3, minShareOfMembers: 0 },
    });
    for (let v = 0; v < 3; v++) {
      await app.service.castVote(person(tenants[i] as string, `C${i}`, `U${i}v${v}`, `Voter ${v}`), {
        reviewId: review.reviewId,
        rowId: ROWS[0]?.id ?? '',
        choice: 3,
      });
    }
    await app.service.closeRound(coord, { reviewId: review.reviewId });
  }
  browser = await launchChromium({ bypassCSP: true });
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const linkFor = async (tenantId: string, channelId: string) => {
  const d = await app.store.districts.findByChannel(tenantId, channelId);
  return webLinks({
    signer: new LinkSigner(SECRET),
    clock,
    baseUrl: () => app.url.replace('//localhost:', '//127.0.0.1:'),
    linkTtlMs: 7 * 86_400_000,
  }).network?.(tenantId, d?.id ?? '').url as string;
};

/** The table of a cycle (by its caption). */
const table = (cycle: string) =>
  page.locator('table.network', { has: page.locator('caption', { hasText: cycle }) });
/** The counts of a row as a cycle's table shows them (levels, then not settled). */
const rowCounts = (cycle: string, title: string): Promise<number[]> =>
  table(cycle)
    .locator('tbody tr', { has: page.locator('th[scope="row"]', { hasText: title }) })
    .locator('td.count')
    .allTextContents()
    .then((cells) => cells.map(Number));
const ownColumn = (cycle: string) => table(cycle).locator('tbody tr td:last-child').allTextContents();

test('the network page: counts of the six districts, a small cycle shows only the district’s own ratings; WCAG 2.1 AA, fits 390 px', async () => {
  const found: Record<string, { violations: string[]; overflow: number }> = {};
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(await linkFor('T0', 'C0'));
    await page.locator('[data-testid="network"]', { hasText: 'Great Lakes CoOp' }).waitFor();
    // What the page shows is the districts' ratings, counted: each row, each level (and not settled).
    await table('2026-27 Fall').locator('caption', { hasText: '6 districts' }).waitFor();
    for (const [r, row] of ROWS.entries()) {
      const expected = [0, 0, 0, 0, 0];
      for (const d of DISTRICTS) {
        const at = (d.plan[r] || 5) - 1;
        expected[at] = (expected[at] ?? 0) + 1;
      }
      expect(await rowCounts('2026-27 Fall', row.title)).toEqual(expected);
    }
    expect(await ownColumn('2026-27 Fall')).toEqual(DISTRICTS[0]?.plan.map((l) => LEVELS[l - 1]));
    // The next cycle, which two districts reviewed: no count at all, only Aspen's own ratings.
    await table('2027-28 Fall').locator('caption', { hasText: NOT_ENOUGH }).waitFor();
    expect(await table('2027-28 Fall').locator('td.count').count()).toBe(0);
    expect(await ownColumn('2027-28 Fall')).toEqual(['Evolving', ...ROWS.slice(1).map(() => 'not settled')]);
    await page.screenshot({
      path: path.join(DOCS_IMAGES, width < 800 ? 'network-phone.png' : 'network-desktop.png'),
      fullPage: true,
    });
    found[`network@${width}`] = {
      violations: await audit(page),
      overflow: width < 800 ? await overflow(page) : 0,
    };
  }
  expect(found).toEqual(
    Object.fromEntries(WIDTHS.map((w) => [`network@${w}`, { violations: [], overflow: 0 }])),
  );
});

test('a district without a review of the small cycle does not even see its name', async () => {
  await page.setViewportSize({ width: 390, height: 900 });
  await page.goto(await linkFor('T2', 'C2'));
  await page.getByText(`1 other cycle: ${NOT_ENOUGH}.`).waitFor();
  expect(await page.locator('body').textContent()).not.toContain('2027-28');
  expect(await page.locator('table.network').count()).toBe(1);
});

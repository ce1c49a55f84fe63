import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { launchChromium } from './browser';

/** Screenshots land here (uploaded by CI as artifacts). */
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');
const ROW = 'vision-mission-beliefs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-e2e-'));
let app: App;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp, WEB_CONSOLE: 'on' }));
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (r) => requests.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function actAs(member: string) {
  await page.locator(`#who button[data-member="${member}"]`).click();
  await page.locator(`#who button[data-member="${member}"][aria-pressed="true"]`).waitFor();
  await page.locator(`[data-row="${ROW}"]`).waitFor();
}

async function vote(member: string, level: string) {
  await actAs(member);
  const card = page.locator(`.card[data-row="${ROW}"]`);
  await card.getByRole('button', { name: level, exact: true }).click();
  await page.locator('#message', { hasText: 'Your vote is recorded.' }).waitFor();
  // The redrawn card is personal: it shows this member's own vote.
  await card.getByText(`Your vote: ${level}`).waitFor();
}

test('three members vote in the console, the coordinator closes the round, the dashboard shows the consensus', async () => {
  await page.goto(`${app.url}/console?as=demo-alex`);
  await page.locator('body[data-ready="true"]').waitFor();
  // The cards are drawn by the adaptivecards library (its root element class), one per rubric row.
  expect(await page.locator('#polls .card .ac-adaptiveCard').count()).toBe(6);

  await vote('demo-alex', 'Evolving');
  // Evidence through the card's own input and "Save evidence" action.
  await page.locator(`.card[data-row="${ROW}"] textarea`).fill('Every building shows the district vision.');
  await page.locator(`.card[data-row="${ROW}"]`).getByRole('button', { name: 'Save evidence' }).click();
  await page.locator('#message', { hasText: 'Your evidence is recorded.' }).waitFor();
  await vote('demo-blair', 'Evolving');
  await vote('demo-devon', 'Evolving');
  await page.screenshot({ path: path.join(ARTIFACTS, 'console.png'), fullPage: false });

  // A member who is not a coordinator is refused; the coordinator closes the round.
  await page.locator('#close-round').click();
  await page.locator('#message.error', { hasText: 'Only a coordinator' }).waitFor();
  await actAs('demo-coordinator');
  await page.locator('#close-round').click();
  await page.locator('#message', { hasText: 'Round 1 closed: 1 of 6 rows rated.' }).waitFor();

  // The rated row prompts the toolkit's reflection questions; the answer is kept with the results.
  const reflection = page.locator(`.card[data-reflection="${ROW}"]`);
  await reflection.locator('textarea').first().fill('Buildings were never asked about the vision.');
  await reflection.getByRole('button', { name: 'Save my answers' }).click();
  await page.locator('#message', { hasText: 'Your answer is kept with the results.' }).waitFor();

  const href = await page.locator('#dashboard').getAttribute('href');
  expect(href).toMatch(/^\/dashboard\?k=/);
  await page.goto(`${app.url}${href}`);
  const cell = page.locator(`table.heat tr[data-row="${ROW}"] td.cell`).first();
  expect(await cell.getAttribute('data-rating')).toBe('3');
  expect(await cell.textContent()).toBe('Evolving');
  expect(await page.locator(`table.heat tr[data-row="${ROW}"] td.latest .counts`).textContent()).toBe(
    'B0 D0 E3 A0',
  );
  // Other rows had no votes: not settled.
  expect(await page.locator('table.heat td.cell.ns').count()).toBe(5);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  expect(fs.statSync(path.join(ARTIFACTS, 'dashboard.png')).size).toBeGreaterThan(10_000);

  // The cycle's results page carries the rating, the evidence and the reflection answer.
  await page.locator('table.heat thead a', { hasText: 'Demo cycle 1' }).click();
  await page
    .locator(`section.row[data-row="${ROW}"] [data-testid="rating"]`, { hasText: 'Evolving' })
    .waitFor();
  const detail = await page.locator(`section.row[data-row="${ROW}"]`).textContent();
  expect(detail).toContain('Every building shows the district vision.');
  expect(detail).toContain('Buildings were never asked about the vision. — Casey Morgan (coordinator)');

  // A second cycle: the heat map gains a column and the results show the change since the first cycle.
  await page.goto(`${app.url}/console?as=demo-coordinator`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator('#new-cycle').click();
  await page.locator('#message', { hasText: 'Review Demo cycle 2 started' }).waitFor();
  // Replies are rich text as in the chats: the cycle's name is emphasised.
  expect(await page.locator('#message strong').textContent()).toBe('Demo cycle 2');
  await page.locator('#review-title', { hasText: 'Demo cycle 2' }).waitFor();
  for (const m of ['demo-alex', 'demo-blair', 'demo-devon']) await vote(m, 'Accomplished');
  await actAs('demo-coordinator');
  await page.locator('#close-round').click();
  await page.locator('#message', { hasText: 'Round 1 closed: 1 of 6 rows rated.' }).waitFor();
  await page.goto(`${app.url}${href}`);
  const cells = page.locator(`table.heat tr[data-row="${ROW}"] td.cell`);
  expect(await cells.allTextContents()).toEqual(['Evolving', 'Accomplished']);
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-two-cycles.png'), fullPage: true });
  await page.locator('table.heat thead a', { hasText: 'Demo cycle 2' }).click();
  expect(await page.locator(`section.row[data-row="${ROW}"]`).textContent()).toContain(
    'Demo cycle 1: Evolving (change +1)',
  );

  // The browser only ever talked to the app.
  const foreign = requests.filter((u) => !u.startsWith(app.url) && !u.startsWith('data:'));
  expect(foreign).toEqual([]);
});

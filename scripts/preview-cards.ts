/**
 * `npm run preview:cards`: renders every review card template (poll, results, status) in each state to PNG with
 * Teams' light host config, using the same renderer as Teams (src/adapters/cards/render.ts) and the official
 * `adaptivecards` library in headless Chromium. Output: docs/images/cards/*.png (+ index.json of the states).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderPollCard, renderResultsCard, renderStatusCard } from '../src/adapters/cards/render';
import { NedbStore } from '../src/adapters/embedded/nedbStore';
import { loadRubricCatalog } from '../src/adapters/files/rubricCatalog';
import { renderReflectionCard } from '../src/adapters/web/reflectionCard';
import type { Clock } from '../src/app/ports';
import { ResultsService } from '../src/app/reviews/results';
import { ReviewService } from '../src/app/reviews/reviewService';
import { launchChromium } from '../test/e2e/browser';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'images', 'cards'));
const ROWS: readonly [string, string, string, string, string, string] = [
  'vision-mission-beliefs',
  'policies-structures',
  'collaborative-routines',
  'goal-setting',
  'improvement-plans',
  'decision-perspectives',
];

class FixedClock implements Clock {
  t = new Date('2026-11-23T15:00:00Z').getTime();
  now() {
    this.t += 1000;
    return new Date(this.t);
  }
}

async function buildStates(): Promise<Array<{ name: string; state: string; card: object }>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-preview-'));
  const store = new NedbStore(dir);
  await store.init();
  let n = 0;
  const rubrics = loadRubricCatalog(path.join(ROOT, 'rubrics'));
  const service = new ReviewService({
    store,
    clock: new FixedClock(),
    rubrics,
    ids: { next: (p) => `${p}_preview${++n}` },
    defaultTimezone: 'America/Detroit',
  });
  const names = ['Alex Rivera', 'Blair Chen', 'Devon Patel', 'Emery Walsh', 'Frankie Ruiz'];
  const T = 'preview';
  const coord = { tenantId: T, userId: 'U0', displayName: 'Casey Morgan' };
  const who = (i: number) => ({ tenantId: T, userId: `U${i}`, displayName: names[i - 1] as string });
  const district = async (channelId: string) => {
    await service.setupDistrict(coord, { name: 'Lakeview Schools', channelId });
    for (let i = 1; i <= 5; i++) {
      await service.setMember(coord, {
        channelId,
        memberId: `U${i}`,
        displayName: names[i - 1],
        perspective: i <= 2 ? 'building' : 'district',
      });
    }
  };
  const out: Array<{ name: string; state: string; card: object }> = [];
  const poll = async (state: string, reviewId: string, rowId: string, viewer: number) =>
    out.push({
      name: 'poll',
      state,
      card: renderPollCard(await service.getPollState(who(viewer), { reviewId, rowId }), { personal: true }),
    });

  // Named, open review.
  await district('C1');
  const named = await service.startReview(coord, { channelId: 'C1', cycle: '2026-27 Fall', maxRounds: 2 });
  const r1 = named.reviewId;
  const votes1: Array<number | 'unsure'> = [4, 3, 3, 3, 'unsure'];
  for (let i = 1; i <= 5; i++) {
    await service.castVote(who(i), {
      reviewId: r1,
      rowId: ROWS[0],
      choice: votes1[i - 1],
      evidence:
        i <= 2
          ? ['Vision posters in every building', 'Staff survey: 62% can state the mission'][i - 1]
          : null,
    });
    await service.castVote(who(i), { reviewId: r1, rowId: ROWS[1], choice: 3 });
  }
  await poll('open-named', r1, ROWS[0], 1);
  out.push({
    name: 'status',
    state: 'round-open',
    card: renderStatusCard(await service.getReviewState(coord, { reviewId: r1 })),
  });

  // Blind, open review: no distribution until the round closes.
  await district('C2');
  const blind = await service.startReview(coord, { channelId: 'C2', cycle: '2026-27 Fall', blind: true });
  for (let i = 1; i <= 3; i++)
    await service.castVote(who(i), { reviewId: blind.reviewId, rowId: ROWS[0], choice: 3 });
  await poll('open-blind', blind.reviewId, ROWS[0], 1);

  // Round 1 closes: row 2 settles, row 1 does not.
  await service.closeRound(coord, { reviewId: r1 });
  await poll('closed-settled', r1, ROWS[1], 2);
  await poll('closed-no-consensus', r1, ROWS[0], 2);
  out.push({
    name: 'results',
    state: 'after-round-1',
    card: renderResultsCard(await service.getReviewState(coord, { reviewId: r1 })),
  });
  // Round 2 shows round 1's distribution and evidence.
  await service.startNextRound(coord, { reviewId: r1 });
  for (let i = 1; i <= 5; i++)
    await service.castVote(who(i), { reviewId: r1, rowId: ROWS[0], choice: i <= 3 ? 3 : 2 });
  await poll('round-2', r1, ROWS[0], 3);
  await service.closeRound(coord, { reviewId: r1 });
  await service.recordDecision(coord, {
    reviewId: r1,
    rowId: ROWS[0],
    level: 3,
    note: 'Agreed on Evolving after reviewing the survey by building.',
  });
  await poll('decided', r1, ROWS[0], 1);
  // Reflection on a rated row, with answers so far (named review: answers carry names).
  const results = new ResultsService({ store, rubrics, clock: new FixedClock() });
  await results.answerReflection(who(1), {
    reviewId: r1,
    rowId: ROWS[1],
    question: 1,
    answer: 'Policies were written without building input.',
  });
  await results.answerReflection(who(4), {
    reviewId: r1,
    rowId: ROWS[1],
    question: 3,
    answer: 'Co-write the handbook with two principals.',
  });
  const namedResults = await results.results(who(2), { reviewId: r1 });
  out.push({
    name: 'reflection',
    state: 'named',
    card: renderReflectionCard(
      namedResults,
      namedResults.rows[1] as (typeof namedResults.rows)[number],
      who(2),
    ),
  });
  out.push({
    name: 'status',
    state: 'round-closed',
    card: renderStatusCard(await service.getReviewState(coord, { reviewId: r1 })),
  });

  // Anonymous review, closed: counts and evidence without names.
  await district('C3');
  const anon = await service.startReview(coord, { channelId: 'C3', cycle: '2026-27 Fall', anonymous: true });
  for (let i = 1; i <= 4; i++) {
    await service.castVote(who(i), {
      reviewId: anon.reviewId,
      rowId: ROWS[2],
      choice: i === 4 ? 3 : 2,
      evidence: i === 1 ? 'PLC agendas exist but roles are unclear' : null,
    });
  }
  await poll('open-anonymous', anon.reviewId, ROWS[2], 1);
  await service.closeRound(coord, { reviewId: anon.reviewId });
  await poll('closed-anonymous', anon.reviewId, ROWS[2], 1);
  await results.answerReflection(who(2), {
    reviewId: anon.reviewId,
    rowId: ROWS[2],
    question: 2,
    answer: 'No common planning time across buildings.',
  });
  const anonResults = await results.results(who(1), { reviewId: anon.reviewId });
  const anonRow = anonResults.rows[2] as (typeof anonResults.rows)[number];
  out.push({
    name: 'reflection',
    state: 'anonymous',
    card: renderReflectionCard(anonResults, anonRow, who(1)),
  });

  // A complete review: every row settled in round 1.
  await district('C4');
  const done = await service.startReview(coord, { channelId: 'C4', cycle: '2025-26 Spring' });
  for (const [k, rowId] of ROWS.entries()) {
    for (let i = 1; i <= 4; i++) {
      await service.castVote(who(i), {
        reviewId: done.reviewId,
        rowId,
        choice: ((k % 4) + 1) as 1 | 2 | 3 | 4,
      });
    }
  }
  await service.closeRound(coord, { reviewId: done.reviewId });
  out.push({
    name: 'results',
    state: 'complete',
    card: renderResultsCard(await service.getReviewState(coord, { reviewId: done.reviewId })),
  });
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

async function main() {
  const states = await buildStates();
  fs.mkdirSync(OUT, { recursive: true });
  const hostConfig = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'web', 'hostconfig-teams-light.json'), 'utf8'),
  );
  const css = fs.readFileSync(path.join(ROOT, 'web', 'style.css'), 'utf8');
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 560, height: 800 });
    await page.setContent(
      `<!doctype html><html><head><style>${css} body{background:#f5f5f5;padding:16px} .card{width:520px}</style></head><body><div id="host"></div></body></html>`,
    );
    await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
    const index: Array<{ file: string; card: string; state: string; bytes: number }> = [];
    for (const s of states) {
      const problems = await page.evaluate(
        ({ card, hostConfig }) => {
          // biome-ignore lint/suspicious/noExplicitAny: browser globals (this function runs in the page)
          const g = globalThis as any;
          const AC = g.AdaptiveCards;
          const doc = g.document;
          AC.AdaptiveCard.onProcessMarkdown = (
            text: string,
            result: { outputHtml: string; didProcess: boolean },
          ) => {
            const esc = text.replace(
              /[&<>]/g,
              (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string,
            );
            result.outputHtml = esc.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/\n/g, '<br>');
            result.didProcess = true;
          };
          const ac = new AC.AdaptiveCard();
          ac.hostConfig = new AC.HostConfig(hostConfig);
          ac.parse(card);
          const host = doc.getElementById('host');
          host.textContent = '';
          const box = doc.createElement('div');
          box.className = 'card';
          box.appendChild(ac.render());
          host.appendChild(box);
          return ac.validateProperties().validationEvents.map((e: { message: string }) => e.message);
        },
        { card: s.card, hostConfig },
      );
      if (problems.length) throw new Error(`${s.name}/${s.state}: ${problems.join('; ')}`);
      const file = `${s.name}-${s.state}.png`;
      await page.locator('#host .card').screenshot({ path: path.join(OUT, file) });
      index.push({ file, card: s.name, state: s.state, bytes: Buffer.byteLength(JSON.stringify(s.card)) });
      console.log(`${file}  (${index[index.length - 1]?.bytes} bytes of card JSON)`);
    }
    fs.writeFileSync(path.join(OUT, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    console.log(`${index.length} previews in ${path.relative(process.cwd(), OUT) || '.'}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

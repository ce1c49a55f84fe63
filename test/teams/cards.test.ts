import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AdaptiveCard,
  CARD_TEMPLATE_NAMES,
  cardBytes,
  loadCardTemplates,
  MAX_CARD_BYTES,
  renderPollCard,
  renderResultsCard,
  renderStatusCard,
} from '../../src/adapters/cards/render';
import { validateCard } from '../../src/adapters/cards/validate';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import type { Store } from '../../src/app/ports';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import type { PollView } from '../../src/app/reviews/views';
import { districtWithReview, makeService, member } from '../support/fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-cards-'));
let n = 0;
/** "${" built so that linters do not mistake it for a broken template literal. */
const CURLY = ['$', '{'].join('');
const USER_TEXT = `Board minutes ${CURLY}x}`;
let store: Store;
let service: ReviewService;

beforeEach(async () => {
  store = new NedbStore(path.join(tmp, String(++n)));
  await store.init();
  service = makeService(store);
});
afterEach(() => store.close());

const texts = (card: unknown): string[] => {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if ((k === 'text' || k === 'title' || k === 'value') && typeof v === 'string') out.push(v);
        walk(v);
      }
    }
  };
  walk(card);
  return out;
};
const actionsOf = (card: AdaptiveCard) =>
  (card.body as Array<{ type: string; actions?: Array<Record<string, unknown>> }>)
    .filter((b) => b.type === 'ActionSet')
    .flatMap((b) => b.actions ?? []);

function expectValid(card: AdaptiveCard) {
  expect(card.version).toBe('1.5');
  expect(validateCard(card)).toEqual([]);
  // Template expressions are all expanded; user text that looks like one is kept literally, never evaluated.
  expect(JSON.stringify(card).replaceAll(USER_TEXT, '')).not.toContain(CURLY);
  expect(cardBytes(card)).toBeLessThan(MAX_CARD_BYTES);
}

test('every template in cards/ is an AdaptiveCard 1.5 and is loaded once', () => {
  const t = loadCardTemplates();
  expect([...t.keys()]).toEqual([...CARD_TEMPLATE_NAMES]);
  for (const tpl of t.values()) expect((tpl as { version: string }).version).toBe('1.5');
  expect(loadCardTemplates()).toBe(t);
});

test('validateCard reports a broken card (the check can fail)', () => {
  const issues = validateCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }] });
  expect(issues.length).toBeGreaterThan(0);
  expect(
    validateCard({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text' }] }).length,
  ).toBeGreaterThan(0);
});

test('open review: levels Accomplished first, vote actions with Submit fallback, distribution visible', async () => {
  const { review } = await districtWithReview(service);
  const rowId = review.polls[0]?.rowId as string;
  await service.castVote(member(1), {
    reviewId: review.reviewId,
    rowId,
    choice: 3,
    evidence: USER_TEXT,
  });
  await service.castVote(member(2), { reviewId: review.reviewId, rowId, choice: 4 });
  const view = await service.getPollState(member(1), { reviewId: review.reviewId, rowId });
  const card = renderPollCard(view, { personal: true, refreshUserIds: ['29:1', '29:2'] });
  expectValid(card);
  const t = texts(card);
  const levelLines = t.filter((s) => /^[1-4] · [A-Z]/.test(s));
  expect(levelLines.map((s) => s[0])).toEqual(['4', '3', '2', '1']);
  expect(levelLines[0]).toContain('Accomplished (Collaborative)');
  expect(t).toContain('2 of 3 have voted.');
  expect(t.some((s) => s.includes(USER_TEXT))).toBe(true);
  expect(t.some((s) => s.startsWith('Your vote: Evolving'))).toBe(true);
  const actions = actionsOf(card);
  expect(actions.map((a) => a.title)).toEqual([
    'Accomplished',
    '✓ Evolving',
    'Developing',
    'Beginning',
    'Not sure',
    'Save evidence',
  ]);
  for (const a of actions) {
    expect(a.type).toBe('Action.Execute');
    expect((a.fallback as { type: string }).type).toBe('Action.Submit');
  }
  expect(actions[0]?.data).toEqual({ reviewId: review.reviewId, rowId, choice: 4 });
  expect(actions[4]?.data).toEqual({ reviewId: review.reviewId, rowId, choice: 'unsure' });
  expect(card.refresh).toMatchObject({ action: { verb: 'refresh' }, userIds: ['29:1', '29:2'] });
  expect(t.some((s) => s.startsWith('1 █'))).toBe(true);
});

test('blind review: no distribution while the round is open; evidence input present', async () => {
  const { review } = await districtWithReview(service, { blind: true });
  const rowId = review.polls[1]?.rowId as string;
  await service.castVote(member(1), {
    reviewId: review.reviewId,
    rowId,
    choice: 2,
    evidence: 'secret evidence',
  });
  const view = await service.getPollState(member(1), { reviewId: review.reviewId, rowId });
  const card = renderPollCard(view);
  expectValid(card);
  const json = JSON.stringify(card);
  expect(json).toContain('Blind round');
  expect(json).not.toContain('FactSet');
  expect(json).not.toContain('secret evidence');
  expect(json).toContain('"Input.Text"');
  expect(json).not.toContain('Your vote');
});

test('anonymous review: no names of voters or non-voters', async () => {
  const { review } = await districtWithReview(service, { anonymous: true });
  const rowId = review.polls[0]?.rowId as string;
  await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 2, evidence: 'data walls' });
  const view = await service.getPollState(member(1), { reviewId: review.reviewId, rowId });
  const card = renderPollCard(view);
  expectValid(card);
  const json = JSON.stringify(card);
  expect(json).toContain('data walls');
  expect(json).not.toContain('Member 1');
  expect(json).not.toContain('Casey');
  expect(json).not.toContain('Not voted yet');
});

test('anonymous review: the shared card lists no refresh user ids (they would grow with each voter)', async () => {
  const { review } = await districtWithReview(service, { anonymous: true });
  const rowId = review.polls[0]?.rowId as string;
  await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 2 });
  const view = await service.getPollState(member(1), { reviewId: review.reviewId, rowId });
  for (const personal of [false, true]) {
    const card = renderPollCard(view, { personal, refreshUserIds: ['29:voter-1', '29:voter-2'] });
    expectValid(card);
    expect(card.refresh).toMatchObject({ action: { verb: 'refresh' } });
    expect(card.refresh).not.toHaveProperty('userIds');
    expect(JSON.stringify(card)).not.toContain('29:voter');
  }
});

test('closed and multi-round states: result, previous round, no vote actions; results and status cards', async () => {
  const { coord, review } = await districtWithReview(service, { maxRounds: 2 });
  const [r0, r1] = review.polls.map((p) => p.rowId) as [string, string];
  for (const i of [1, 2, 3, 4]) {
    await service.castVote(member(i), { reviewId: review.reviewId, rowId: r0, choice: 3 });
    await service.castVote(member(i), { reviewId: review.reviewId, rowId: r1, choice: i <= 2 ? 1 : 4 });
  }
  const closed = await service.closeRound(coord, { reviewId: review.reviewId });
  const settledCard = renderPollCard(closed.polls[0] as PollView);
  expectValid(settledCard);
  expect(JSON.stringify(settledCard)).toContain('Result: Evolving');
  expect(actionsOf(settledCard)).toEqual([]);
  expect(JSON.stringify(settledCard)).not.toContain('Input.Text');
  for (const c of [renderResultsCard(closed), renderStatusCard(closed)]) expectValid(c);

  const next = await service.startNextRound(coord, { reviewId: review.reviewId });
  const round2 = renderPollCard(next.polls[1] as PollView);
  expectValid(round2);
  expect(JSON.stringify(round2)).toContain('Round 1: Accomplished 2');
  expect(actionsOf(round2)).toHaveLength(6);
  await service.closeRound(coord, { reviewId: review.reviewId });
  const decided = await service.recordDecision(coord, {
    reviewId: review.reviewId,
    rowId: r1,
    level: 2,
    note: 'We agreed on Developing',
  });
  const results = renderResultsCard(decided);
  expectValid(results);
  expect(JSON.stringify(results)).toContain('We agreed on Developing');
  expectValid(renderStatusCard(decided));
});

test('cards stay under 80 KB however much evidence there is; >60 refresh ids fall back to manual refresh', async () => {
  const { review } = await districtWithReview(service);
  const rowId = review.polls[0]?.rowId as string;
  for (let i = 0; i < 80; i++) {
    await service.castVote(member(i), {
      reviewId: review.reviewId,
      rowId,
      choice: 4,
      evidence: 'é'.repeat(2000),
    });
  }
  const view = await service.getPollState(member(1), { reviewId: review.reviewId, rowId });
  const ids = Array.from({ length: 61 }, (_, i) => `29:${i}`);
  const card = renderPollCard(view, { refreshUserIds: ids, maxEvidence: 80 });
  expectValid(card);
  expect(card.refresh).toMatchObject({ action: { verb: 'refresh' } });
  expect((card.refresh as { userIds?: unknown }).userIds).toBeUndefined();
});

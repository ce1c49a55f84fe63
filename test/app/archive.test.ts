import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { ResultsService } from '../../src/app/reviews/results';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { archiveReview, everyday, unarchiveReview } from '../../src/domain/reviewArchive';
import { cancelReview } from '../../src/domain/reviewLifecycle';
import { coordinator, makeService, member, people, rubrics, TestClock } from '../support/fixtures';
import { expectCode, freshReview, later } from '../support/reviews';

/** Issue 15: `review archive` / `review unarchive`. */
async function setup() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock(); // 2026-11-23T15:00:00Z
  const service = makeService(store, clock);
  const results = new ResultsService({ store, rubrics, clock });
  const commands = new CommandService(service, { results });
  const as = (actor: Actor) => async (line: string) => {
    const r = await commands.run({ actor, channelId: 'C1', people: people('U1', 'U2') }, line);
    const text = 'message' in r ? plainText(r.message) : 'text' in r ? plainText(r.text) : '';
    return { r, text };
  };
  const coord = as(coordinator);
  await coord('setup "Lakeview Schools" tz=America/Detroit');
  return { store, clock, service, results, coord, m1: as(member(1)) };
}

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
  );

const rubric = rubrics.list()[0];
if (!rubric) throw new Error('no rubric');

describe('the domain rule', () => {
  test('only a closed or cancelled review is archived, once; unarchive needs an archived one', () => {
    const open = freshReview(rubric);
    expectCode(() => archiveReview(open, 'U0', later(1)), 'invalid-state');
    const cancelled = cancelReview(open, 'U0', 'wrong year', later(1));
    const archived = archiveReview(cancelled, 'U0', later(2));
    expect(archived.archived).toEqual({ by: 'U0', at: later(2) });
    expectCode(() => archiveReview(archived, 'U0', later(3)), 'invalid-state');
    const back = unarchiveReview(archived);
    expect(back.archived).toBeNull();
    expectCode(() => unarchiveReview(back), 'invalid-state');
    expect(everyday([open, archived, back]).map((r) => r.archived ?? null)).toEqual([null, null]);
  });
});

describe('review archive / unarchive', () => {
  test('an archived review leaves status, results and reviews, stays on the dashboard and in exports', async () => {
    const { coord, service, results, clock } = await setup();
    const { r: first } = await coord('review start "2025-26 Fall"');
    if (first.kind !== 'review') throw new Error('expected a review');
    await coord('review cancel "wrong year"');
    clock.advance(60_000);
    const { r: second } = await coord('review start "2026-27 Fall"');
    if (second.kind !== 'review') throw new Error('expected a review');
    await coord('review cancel "2026-27 Fall" "second try"');

    // Without a name, status and results mean the latest review: the second.
    expect((await coord('status')).text).toContain('2026-27 Fall');
    const archived = await coord('review archive "2026-27 Fall"');
    expect(archived.r).toMatchObject({ kind: 'review', action: 'archived' });
    expect(archived.text).toMatch(/2026-27 Fall is archived/);
    const stored = await service.listReviews(coordinator, 'C1');
    expect(stored.find((x) => x.cycle === '2026-27 Fall')?.archived).toMatchObject({
      by: coordinator.userId,
    });

    // The everyday lists skip it: status/results without a name mean the other one now.
    expect((await coord('status')).text).toMatch(/^2025-26 Fall:/);
    expect((await coord('results')).text).toContain('2025-26 Fall');
    const list = await coord('reviews');
    expect(list.text).toContain('2025-26 Fall');
    expect(list.text).not.toContain('2026-27 Fall');
    expect(list.text).toMatch(/1 archived review\(s\) not listed: `reviews all` lists them/);
    expect((await coord('reviews all')).text).toMatch(/2026-27 Fall — cancelled, archived/);
    // Named, it is still there; the dashboard's heat map and the exports keep it.
    expect((await coord('status "2026-27 Fall"')).text).toMatch(/^2026-27 Fall:/);
    const dash = await results.dashboard('T1', first.review.districtId);
    expect(dash.rubrics[0]?.cycles.map((c) => c.reviewId)).toContain(second.review.reviewId);
    const exported = await results.results(coordinator, { reviewId: second.review.reviewId });
    expect(exported.cycle).toBe('2026-27 Fall');

    // Unarchived, it is back.
    expect((await coord('review unarchive "2026-27 Fall"')).text).toMatch(/back in the everyday lists/);
    expect((await coord('status')).text).toMatch(/^2026-27 Fall:/);
    expect((await coord('reviews')).text).not.toMatch(/archived/);
  });

  test('an open review cannot be archived; members cannot archive; a cycle name is required', async () => {
    const { coord, m1 } = await setup();
    await coord('review start "2026-27 Fall"');
    expect(await fail(coord('review archive "2026-27 Fall"'))).toMatchObject({
      code: 'invalid-state',
      message: expect.stringMatching(/“2026-27 Fall” is still open: only a closed or cancelled review/),
    });
    await coord('review cancel "test"');
    expect(await fail(m1('review archive "2026-27 Fall"'))).toMatchObject({ code: 'not-coordinator' });
    expect(await fail(coord('review archive'))).toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('Name the review to archive'),
    });
    expect(await fail(coord('review unarchive "2026-27 Fall"'))).toMatchObject({
      code: 'invalid-state',
      message: '“2026-27 Fall” is not archived.',
    });
    expect(await fail(coord('reviews archived'))).toMatchObject({ code: 'invalid-input' });
  });
});

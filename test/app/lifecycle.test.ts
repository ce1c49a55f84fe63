import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { ResultsService } from '../../src/app/reviews/results';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { coordinator, makeService, member, people, rubrics, TestClock } from '../support/fixtures';

/** Issue 15: one open review per rubric per district, `review cancel`, `review deadline`. */
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

describe('one open review per rubric per district', () => {
  test('a second review start is refused with what is open and how to close or cancel it', async () => {
    const { coord, service } = await setup();
    const { r } = await coord('review start "2026-27 Fall" quorum=1');
    if (r.kind !== 'review') throw new Error('expected a review');
    await service.castVote(member(1), { reviewId: r.review.reviewId, rowId: 'goal-setting', choice: 2 });
    await coord('close');
    await coord('next');
    expect(await fail(coord('review start "2026-27 Spring"'))).toEqual({
      code: 'conflict',
      message:
        '“2026-27 Fall” is still open (round 2, 1 of 6 rows rated). Close its rounds and record the last decisions, or cancel it: review cancel "2026-27 Fall" "why"',
    });
    expect((await service.listReviews(coordinator, 'C1')).length).toBe(1);
  });

  test('two starts at the same moment: one opens, the other is refused naming it, kept as cancelled', async () => {
    const { coord, store, service } = await setup();
    // Both starts have read the district's reviews before either stores its own (the race a check alone loses):
    // each waits at its write until the other gets there too.
    const create = store.reviews.create.bind(store.reviews);
    const arrived: Array<() => void> = [];
    store.reviews.create = async (review) => {
      if (arrived.length === 0) await new Promise<void>((go) => arrived.push(go));
      else for (const go of arrived.splice(0)) go();
      return create(review);
    };
    const [a, b] = await Promise.allSettled([
      coord('review start "2026-27 Fall"'),
      coord('review start "2026-27 Fall bis"'),
    ]);
    store.reviews.create = create;
    const won = [a, b].filter((x) => x.status === 'fulfilled');
    const lost = [a, b].filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const all = await service.listReviews(coordinator, 'C1');
    expect(all.map((r) => r.status).sort()).toEqual(['active', 'cancelled']);
    const winner = all.find((r) => r.status === 'active');
    expect(lost[0]?.reason).toMatchObject({ code: 'conflict' });
    expect(String(lost[0]?.reason.message)).toContain(`“${winner?.cycle}” is still open`);
    expect(all.find((r) => r.status === 'cancelled')?.cancellation?.reason).toMatch(/same moment/);
    // After the winner is cancelled, the next start opens normally.
    await coord(`review cancel "${winner?.cycle}" "test"`);
    expect((await coord('review start "2026-27 Spring"')).r).toMatchObject({
      kind: 'review',
      action: 'started',
    });
  });

  test('cancel, then start works; the cancelled review stays listed, with its results saying why', async () => {
    const { coord, m1, store } = await setup();
    const { r } = await coord('review start "2026-27 Fall"');
    if (r.kind !== 'review') throw new Error('expected a review');
    const fallId = r.review.reviewId;
    await expect(m1('review cancel "nope"')).rejects.toMatchObject({ code: 'not-coordinator' });
    const cancelled = await coord('review cancel "2026-27 Fall" "we started the wrong rubric year"');
    expect(cancelled.r).toMatchObject({ kind: 'review', action: 'cancelled' });
    expect(cancelled.text).toMatch(/2026-27 Fall was cancelled: we started the wrong rubric year/);
    // Redrawn without vote buttons.
    if (cancelled.r.kind !== 'review') throw new Error('expected a review');
    expect(cancelled.r.review.polls.every((p) => !p.votingOpen && p.cancelled)).toBe(true);
    expect(cancelled.r.review.cancellation).toMatchObject({
      by: 'U_COORD',
      reason: 'we started the wrong rubric year',
    });
    // Stored as such (the Date comes back a Date).
    const stored = await store.reviews.get(fallId);
    expect(stored?.status).toBe('cancelled');
    expect(stored?.cancellation?.at).toEqual(new Date('2026-11-23T15:00:00Z'));

    const started = await coord('review start "2026-27 Fall (again)"');
    expect(started.r).toMatchObject({ kind: 'review', action: 'started' });
    const list = await m1('reviews');
    expect(list.text).toContain('• 2026-27 Fall — cancelled, round 1');
    expect(list.text).toContain('• 2026-27 Fall (again) — active, round 1');

    const res = await m1('results "2026-27 Fall"');
    expect(res.text).toMatch(/This review was cancelled on 2026-11-23: we started the wrong rubric year\./);
    const md = await m1('export md "2026-27 Fall"');
    expect(md.r.kind === 'file' && md.r.content).toMatch(
      /\*\*Status:\*\* cancelled on 2026-11-23: we started the wrong rubric year/,
    );
    const json = await m1('export json "2026-27 Fall"');
    expect(json.r.kind === 'file' && JSON.parse(json.r.content)).toMatchObject({
      status: 'cancelled',
      cancelled: { reason: 'we started the wrong rubric year' },
    });
  });

  test('a cancelled review takes no votes, and close, next, decide and cancel refuse it', async () => {
    const { coord, service } = await setup();
    const { r } = await coord('review start "2026-27 Fall"');
    if (r.kind !== 'review') throw new Error('expected a review');
    const reviewId = r.review.reviewId;
    await coord('review cancel "not this week"');
    expect(await fail(service.castVote(member(1), { reviewId, rowId: 'goal-setting', choice: 2 }))).toEqual({
      code: 'round-closed',
      message: '“2026-27 Fall” was cancelled, so voting is closed. Your vote was not recorded.',
    });
    for (const line of ['close', 'next', 'decide 1 2 "why"', 'review deadline none']) {
      expect(await fail(coord(line))).toMatchObject({
        code: 'invalid-state',
        message: expect.stringMatching(/“2026-27 Fall” was cancelled \(not this week\)/),
      });
    }
    expect(await fail(coord('review cancel "again"'))).toMatchObject({ code: 'invalid-state' });
  });

  test('a complete review cannot be cancelled', async () => {
    const { coord, service } = await setup();
    const { r } = await coord('review start "2026-27 Fall" quorum=1 quorum-share=0');
    if (r.kind !== 'review') throw new Error('expected a review');
    for (const p of r.review.polls) {
      await service.castVote(member(1), { reviewId: r.review.reviewId, rowId: p.rowId, choice: 3 });
    }
    await coord('close');
    expect(await fail(coord('review cancel "why"'))).toMatchObject({
      code: 'invalid-state',
      message: expect.stringMatching(/is complete/),
    });
    // And a new review may start: the complete one is not open.
    expect((await coord('review start "2026-27 Spring"')).r).toMatchObject({ action: 'started' });
  });
});

describe('review deadline', () => {
  test("sets the open round's deadline (announced in the district's time zone), clears it, refuses the past", async () => {
    const { coord, store, clock } = await setup();
    const { r } = await coord('review start "2026-27 Fall"');
    if (r.kind !== 'review') throw new Error('expected a review');
    const set = await coord('review deadline 2026-12-15T17:00Z');
    expect(set.r).toMatchObject({ kind: 'review', action: 'deadline' });
    expect(set.text).toBe('Round 1 of 2026-27 Fall now closes for votes at Tue 2026-12-15 12:00 EST.');
    expect((await store.reviews.get(r.review.reviewId))?.deadline).toEqual(new Date('2026-12-15T17:00:00Z'));
    const cleared = await coord('review deadline none "2026-27 Fall"');
    expect(cleared.text).toBe('Round 1 of 2026-27 Fall no longer has a deadline.');
    expect((await store.reviews.get(r.review.reviewId))?.deadline).toBeNull();
    clock.advance(86_400_000);
    expect(await fail(coord('review deadline 2026-11-24T10:00Z'))).toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/must be in the future/),
    });
    expect(await fail(coord('review deadline tomorrowish'))).toMatchObject({
      message: expect.stringMatching(/"deadline" must be a date/),
    });
    expect(await fail(coord('review deadline'))).toMatchObject({
      message: expect.stringMatching(/Give the new deadline/),
    });
    await coord('close');
    expect(await fail(coord('review deadline 2026-12-15T17:00Z'))).toMatchObject({
      code: 'invalid-state',
      message: expect.stringMatching(/Round 1 is closed/),
    });
  });
});

describe('decide: correcting a recorded decision', () => {
  test('a recorded rating can be corrected with a note, the earlier decision kept; a consensus rating cannot', async () => {
    const { coord, service, results, clock } = await setup();
    const { r } = await coord('review start "2026-27 Fall" quorum=1 rounds=1');
    if (r.kind !== 'review') throw new Error('expected a review');
    const reviewId = r.review.reviewId;
    // Row 1: the two members agree and it settles; row 2: they disagree and it needs a decision.
    const [row1, row2] = r.review.polls.map((p) => p.rowId);
    for (const i of [1, 2]) await service.castVote(member(i), { reviewId, rowId: row1 ?? '', choice: 3 });
    for (const [i, choice] of [
      [1, 1],
      [2, 4],
    ] as const) {
      await service.castVote(member(i), { reviewId, rowId: row2 ?? '', choice });
    }
    await coord('close');
    expect((await coord('decide 2 2 "we met in the middle"')).text).toMatch(/^Recorded: row 2 /);
    clock.advance(60_000);
    const corrected = await coord('decide 2 3 "the PLC minutes show more"');
    expect(corrected.text).toMatch(
      /^Corrected: row 2 ".+" is now rated Evolving \(was Developing; the earlier decision and its note are kept in the results\)\.$/,
    );
    const row = (await results.results(coordinator, { reviewId })).rows[1];
    expect(row?.rating).toBe(3);
    expect(row?.how).toMatchObject({
      kind: 'decision',
      note: 'the PLC minutes show more',
      corrected: [{ rating: 2, ratingLabel: 'Developing', note: 'we met in the middle' }],
    });
    expect(row?.howText).toMatch(
      /the PLC minutes show more; corrects Developing by .+: we met in the middle$/,
    );
    expect(await fail(coord('decide 1 2 "override"'))).toEqual({
      code: 'invalid-state',
      message: 'A decision cannot be recorded: the team reached this rating by consensus.',
    });
  });
});

import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { RecentReviews } from '../../src/app/reviews/recentReviews';
import type { Review } from '../../src/domain/review';
import { districtWithReview, makeService, member } from '../support/fixtures';

/**
 * With a close grace, a vote reuses a read of the open review sent less than a quarter of the grace ago instead of
 * reading it again (src/app/reviews/recentReviews.ts). Never a read that found the round closed or the review
 * cancelled, never a read older than a save made through this process, and nothing is reused without a grace.
 */
async function setup(closeGraceMs: number) {
  const store = new NedbStore(null);
  await store.init();
  let reads = 0;
  const get = store.reviews.get.bind(store.reviews);
  store.reviews.get = (id: string) => {
    reads++;
    return get(id);
  };
  let now = 0;
  const service = makeService(store, undefined, { closeGraceMs, elapsed: () => now });
  const { coord, review } = await districtWithReview(service);
  const rowId = review.polls[0]?.rowId as string;
  const vote = (i: number) => service.recordVote(member(i), { reviewId: review.reviewId, rowId, choice: 2 });
  return {
    store,
    service,
    coord,
    reviewId: review.reviewId,
    vote,
    reads: () => reads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('votes reuse a recent read of the open review (with a close grace)', () => {
  test('one read serves the votes of the next quarter grace; the first vote after it reads again', async () => {
    const s = await setup(1000);
    await s.vote(1);
    const before = s.reads();
    for (let i = 2; i <= 20; i++) {
      s.advance(10); // 190 ms in all: under 250
      await s.vote(i);
    }
    expect(s.reads()).toBe(before);
    s.advance(100); // 290 ms after the read was sent
    await s.vote(21);
    expect(s.reads()).toBe(before + 1);
    expect(await s.store.votes.listRound(s.reviewId, 1)).toHaveLength(21);
  });

  test('without a grace every vote reads the review (its round check, then the barrier’s second read)', async () => {
    const s = await setup(0);
    await s.vote(1);
    const before = s.reads();
    for (let i = 2; i <= 5; i++) await s.vote(i);
    expect(s.reads()).toBe(before + 4 * 2);
  });

  test('a close through this process is seen by the next vote at once: refused, not counted', async () => {
    const s = await setup(20);
    await s.vote(1); // kept: the round is open
    await s.service.closeRound(s.coord, { reviewId: s.reviewId });
    // No time has passed on the votes' clock: the kept read would still be young enough, but the close forgot it.
    await expect(s.vote(2)).rejects.toThrow(/closed/);
    expect((await s.store.votes.listRound(s.reviewId, 1)).map((v) => v.memberId)).toEqual(['U1']);
  });

  test('a cancel through this process is seen by the next vote at once', async () => {
    const s = await setup(1000);
    await s.vote(1);
    await s.service.cancelReview(s.coord, { reviewId: s.reviewId, reason: 'Wrong rubric' });
    await expect(s.vote(2)).rejects.toThrow(/cancelled/);
  });
});

describe('RecentReviews', () => {
  const open = { id: 'R1', status: 'active', roundStatus: 'open' } as Review;
  let now = 0;
  const recent = () => new RecentReviews(250, () => now);

  test('keeps only reads of an open round of an active review', () => {
    const r = recent();
    r.keep('R1', { review: { ...open, roundStatus: 'closed' }, sentAt: now });
    expect(r.get('R1')).toBeNull();
    r.keep('R1', { review: { ...open, status: 'cancelled' }, sentAt: now });
    expect(r.get('R1')).toBeNull();
    r.keep('R1', { review: null, sentAt: now });
    expect(r.get('R1')).toBeNull();
    r.keep('R1', { review: open, sentAt: now });
    expect(r.get('R1')?.review).toBe(open);
  });

  test('a read that finds the round closed drops the kept open one', () => {
    const r = recent();
    r.keep('R1', { review: open, sentAt: now });
    r.keep('R1', { review: { ...open, roundStatus: 'closed' }, sentAt: now + 1 });
    expect(r.get('R1')).toBeNull();
  });

  test('keeps the newer of two reads, and no read sent before a save it saw', () => {
    now = 1000;
    const r = recent();
    r.keep('R1', { review: open, sentAt: 990 });
    r.keep('R1', { review: { ...open, round: 1 } as Review, sentAt: 980 });
    expect(r.get('R1')?.sentAt).toBe(990);
    r.forget('R1'); // a save answered at 1000
    r.keep('R1', { review: open, sentAt: 995 }); // sent before it: may be older than the save
    expect(r.get('R1')).toBeNull();
    r.keep('R1', { review: open, sentAt: 1001 });
    expect(r.get('R1')?.sentAt).toBe(1001);
  });

  test('reuses a read for less than reuseMs after it was sent; never with reuseMs 0', () => {
    now = 0;
    const r = recent();
    r.keep('R1', { review: open, sentAt: 0 });
    now = 249;
    expect(r.get('R1')).not.toBeNull();
    now = 250;
    expect(r.get('R1')).toBeNull();
    const none = new RecentReviews(0, () => 0);
    none.keep('R1', { review: open, sentAt: 0 });
    expect(none.get('R1')).toBeNull();
  });
});

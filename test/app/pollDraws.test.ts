import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { PollDraws } from '../../src/app/reviews/pollDraws';
import type { Vote } from '../../src/domain/district';
import { DomainError } from '../../src/domain/errors';
import { districtWithReview, makeService, member, TestClock } from '../support/fixtures';

async function setup() {
  const store = new NedbStore(null);
  await store.init();
  const service = makeService(store, new TestClock());
  const ctx = await districtWithReview(service);
  const rowIds = ctx.review.polls.map((p) => p.rowId);
  // Every store read a drawing makes, counted.
  const reads = { listRow: 0, listRound: 0, members: 0 };
  const { votes, members } = store;
  const listRow = votes.listRow.bind(votes);
  const listRound = votes.listRound.bind(votes);
  const list = members.list.bind(members);
  votes.listRow = (...a) => {
    reads.listRow++;
    return listRow(...a);
  };
  votes.listRound = (...a) => {
    reads.listRound++;
    return listRound(...a);
  };
  members.list = (...a) => {
    reads.members++;
    return list(...a);
  };
  return { store, service, reads, rowIds, reviewId: ctx.review.reviewId, coord: ctx.coord, listRow };
}

describe('PollDraws: the polls of a review redrawn together share their reads', () => {
  test('six polls asked for together: one read of the members, each poll its own votes, and each poll as drawn alone', async () => {
    const { service, reads, rowIds, reviewId, coord } = await setup();
    expect(rowIds).toHaveLength(6);
    // Row 0 agrees (settled in round 1), the others split (voted again in round 2, shown beside round 1).
    for (const [n, rowId] of rowIds.entries()) {
      for (let m = 1; m <= 4; m++) {
        await service.castVote(member(m), { reviewId, rowId, choice: n === 0 ? 3 : (m % 4) + 1 });
      }
    }
    await service.closeRound(coord, { reviewId });
    await service.startNextRound(coord, { reviewId });
    for (const rowId of rowIds.slice(1, 4)) await service.castVote(member(2), { reviewId, rowId, choice: 2 });

    const alone = [];
    for (const rowId of rowIds) alone.push(await service.getPollState(member(1), { reviewId, rowId }));
    expect(alone.map((p) => p.round)).toEqual([1, 2, 2, 2, 2, 2]);
    expect(alone[1]?.participation.voted).toBe(1);

    const draws = new PollDraws(service, 5);
    reads.listRow = reads.listRound = reads.members = 0;
    const together = await Promise.all(rowIds.map((rowId) => draws.draw(member(1), reviewId, rowId)));
    expect(together).toEqual(alone);
    // Row 0: its round 1; rows 1-5: round 2 and round 1 each.
    expect(reads).toEqual({ listRow: 11, listRound: 0, members: 1 });
  });

  test('a poll asked for while a drawing reads is drawn from new reads: it shows a vote stored before it was asked for', async () => {
    const { service, store, rowIds, reviewId, listRow } = await setup();
    const [a, b] = rowIds as [string, string];
    // The first drawing's votes are read at once but answered only when released (a slow store).
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let holding = true;
    let begun = () => {};
    const readBegun = new Promise<void>((r) => {
      begun = r;
    });
    store.votes.listRow = async (...args) => {
      const hold = holding;
      if (hold) begun();
      const votes: Vote[] = await listRow(...args);
      if (hold) await held;
      return votes;
    };
    const draws = new PollDraws(service, 5);
    const drawA = draws.draw(member(1), reviewId, a);
    const drawA2 = draws.draw(member(1), reviewId, b);
    await readBegun;
    holding = false;
    await service.castVote(member(3), { reviewId, rowId: b, choice: 4 });
    const drawB = draws.draw(member(1), reviewId, b);
    release();
    expect((await drawA2).participation.voted).toBe(0);
    expect((await drawB).participation.voted).toBe(1);
    expect((await drawA).participation.voted).toBe(0);
  });

  test('a row the review does not have fails alone; an actor who may not read the review gets its refusal', async () => {
    const { service, rowIds, reviewId } = await setup();
    const draws = new PollDraws(service, 5);
    const [good, bad] = await Promise.allSettled([
      draws.draw(member(1), reviewId, rowIds[0] as string),
      draws.draw(member(1), reviewId, 'no-such-row'),
    ]);
    expect(good.status).toBe('fulfilled');
    expect(bad.status === 'rejected' && (bad.reason as DomainError).code).toBe('unknown-row');

    const other = await Promise.allSettled(
      rowIds.slice(0, 2).map((r) => draws.draw(member(1, 'T2'), reviewId, r)),
    );
    for (const r of other) {
      expect(r.status).toBe('rejected');
      expect(r.status === 'rejected' && r.reason).toBeInstanceOf(DomainError);
      expect(r.status === 'rejected' && (r.reason as DomainError).code).toBe('unknown-review');
    }
  });
});

import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import type { Actor } from '../../src/app/schemas';
import { coordinator, makeService, member, rubrics, TestClock } from '../support/fixtures';
import { freshReview } from '../support/reviews';

/**
 * A roster per review: frozen at `review start`, late joiners added by their first vote or `roster add`, people
 * taken off by `roster remove`; the quorum at the close and the poll's "N of M voted" count it.
 */

async function setup() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const district = await service.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  return { store, clock, service, district };
}

const rowIds = (rubrics.get('culture-of-collaboration')?.rows ?? []).map((r) => r.id);

async function start(service: ReviewService, cycle: string) {
  return service.startReview(coordinator, { channelId: 'C1', cycle });
}

async function voteAll(service: ReviewService, who: Actor, reviewId: string, choice: number) {
  for (const rowId of rowIds) await service.castVote(who, { reviewId, rowId, choice });
}

const person = (id: string) => ({ channelId: 'C1', memberId: id, displayName: `Person ${id}` });

test('8 voters last cycle, 4 new ones this cycle: once the 8 are off the roster, 4 unanimous votes settle', async () => {
  const { service, store } = await setup();
  const first = await start(service, '2025-26');
  for (let i = 1; i <= 8; i++) await voteAll(service, member(i), first.reviewId, 3);
  const closed1 = await service.closeRound(coordinator, first);
  expect(closed1.status).toBe('complete');
  expect(closed1.polls[0]?.lastRound?.quorum).toBe(5); // 9 members (coordinator + 8): half is 5

  for (let i = 1; i <= 8; i++)
    await service.rosters.remove(coordinator, { channelId: 'C1', memberId: `U${i}` });
  const second = await start(service, '2026-27');
  expect((await store.reviews.get(second.reviewId))?.roster).toEqual(['U_COORD']);
  // The late joiners' first votes would put them on the roster off the vote's path; here that write fails, and
  // the close puts them there anyway (every counted voter of the round).
  const addToRoster = store.reviews.addToRoster.bind(store.reviews);
  store.reviews.addToRoster = async () => {
    throw new Error('store unavailable');
  };
  for (let i = 11; i <= 14; i++) await voteAll(service, member(i), second.reviewId, 2);
  store.reviews.addToRoster = addToRoster;
  expect((await store.reviews.get(second.reviewId))?.roster).toEqual(['U_COORD']);
  const closed2 = await service.closeRound(coordinator, second);
  expect([...((await store.reviews.get(second.reviewId))?.roster ?? [])].sort()).toEqual([
    'U11',
    'U12',
    'U13',
    'U14',
    'U_COORD',
  ]);
  expect(closed2.polls.map((p) => [p.status, p.lastRound?.quorum, p.result?.rating])).toEqual(
    rowIds.map(() => ['settled', 3, 2]),
  );
  // The first cycle's results stay as they were counted.
  const again = await service.getReviewState(coordinator, { reviewId: first.reviewId });
  expect(again.polls.map((p) => p.lastRound?.distribution.total)).toEqual(rowIds.map(() => 8));
});

test('without taking anyone off, the frozen roster still counts last cycle’s 8: no quorum (7 needed)', async () => {
  const { service } = await setup();
  const first = await start(service, '2025-26');
  for (let i = 1; i <= 8; i++) await voteAll(service, member(i), first.reviewId, 3);
  await service.closeRound(coordinator, first);
  const second = await start(service, '2026-27');
  for (let i = 11; i <= 14; i++) await voteAll(service, member(i), second.reviewId, 2);
  const closed = await service.closeRound(coordinator, second);
  expect(closed.polls.map((p) => [p.status, p.lastRound?.reason, p.lastRound?.quorum])).toEqual(
    rowIds.map(() => ['unsettled', 'no-quorum', 7]),
  );
});

test('"N of M voted" counts the roster: late joiners join it, people taken off leave it with their open votes', async () => {
  const { service, store } = await setup();
  for (const id of ['U1', 'U2', 'U3']) await service.rosters.add(coordinator, person(id));
  const review = await start(service, '2026-27');
  const rowId = rowIds[0] as string;
  const poll = async () =>
    (await service.getPollState(coordinator, { reviewId: review.reviewId, rowId })).participation;
  expect(await poll()).toEqual({
    voted: 0,
    eligible: 4,
    notVoted: ['Person U1', 'Person U2', 'Person U3', 'Casey Coordinator'], // in the roster's order (by id)
  });
  await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 2 });
  await service.castVote(member(9), { reviewId: review.reviewId, rowId, choice: 2 }); // a late joiner
  expect(await poll()).toMatchObject({ voted: 2, eligible: 5 });
  // roster add during the open review: counted at once, before voting.
  await service.rosters.add(coordinator, person('U20'));
  expect(await poll()).toMatchObject({ voted: 2, eligible: 6 });
  const removed = await service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U1' });
  expect(removed.openVotes).toEqual([{ cycle: '2026-27', votes: 1 }]);
  expect(await poll()).toMatchObject({ voted: 1, eligible: 5 });
  // Their vote is kept, and they may not vote again until a coordinator adds them back.
  expect(await store.votes.get(review.reviewId, rowId, 1, 'U1')).not.toBeNull();
  await expect(
    service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 3 }),
  ).rejects.toMatchObject({ code: 'not-member' });
  await expect(
    service.setMember(member(1), { ...person('U1'), perspective: 'building' }),
  ).rejects.toMatchObject({
    code: 'not-member',
  });
  const back = await service.rosters.add(coordinator, person('U1'));
  expect(back).toMatchObject({ back: true, reviews: ['2026-27'] });
  expect(await poll()).toMatchObject({ voted: 2, eligible: 6 });
});

test('a removed member’s vote in the open round does not count at the close; closed rounds keep theirs', async () => {
  const { service } = await setup();
  for (const id of ['U1', 'U2', 'U3', 'U4']) await service.rosters.add(coordinator, person(id));
  const review = await start(service, '2026-27');
  const rowId = rowIds[0] as string;
  for (const i of [1, 2, 3])
    await service.castVote(member(i), { reviewId: review.reviewId, rowId, choice: 4 });
  await service.castVote(member(4), { reviewId: review.reviewId, rowId, choice: 1 });
  await service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U4' });
  const closed = await service.closeRound(coordinator, review);
  const p = closed.polls[0];
  // Roster of 4 (coordinator, U1–U3): quorum 3; U4's vote is not counted, so 3 of 3 votes at level 4.
  expect(p?.lastRound).toMatchObject({ quorum: 3, settled: true, distribution: { total: 3 } });
  expect(p?.result?.rating).toBe(4);
  // Taken off after the close, nothing of that round changes.
  await service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U2' });
  const later = await service.getReviewState(coordinator, { reviewId: review.reviewId });
  expect(later.polls[0]?.lastRound).toMatchObject({ quorum: 3, distribution: { total: 3 } });
});

test('a review stored before rosters counts every member still on the district roster', async () => {
  const { service, store, district } = await setup();
  const rubric = rubrics.get('culture-of-collaboration');
  if (!rubric) throw new Error('no rubric');
  await store.reviews.create(
    freshReview(rubric, { id: 'r-legacy', tenantId: 'T1', districtId: district.id, channelId: 'C1' }),
  );
  for (const id of ['U1', 'U2', 'U3', 'U4', 'U5', 'U6']) await service.rosters.add(coordinator, person(id));
  await service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U6' });
  expect((await store.reviews.get('r-legacy'))?.roster).toBeUndefined();
  const rowId = rowIds[0] as string;
  const state = await service.getPollState(coordinator, { reviewId: 'r-legacy', rowId });
  expect(state.participation.eligible).toBe(6); // coordinator + U1–U5
  const closed = await service.closeRound(coordinator, { reviewId: 'r-legacy' });
  expect(closed.polls[0]?.lastRound?.quorum).toBe(3);
});

test('roster changes are refused to members, and a coordinator must lose the role before leaving the roster', async () => {
  const { service } = await setup();
  await service.rosters.add(coordinator, person('U1'));
  await expect(service.rosters.add(member(1), person('U2'))).rejects.toMatchObject({
    code: 'not-coordinator',
  });
  await expect(
    service.rosters.remove(member(1), { channelId: 'C1', memberId: 'U_COORD' }),
  ).rejects.toMatchObject({ code: 'not-coordinator' });
  await expect(
    service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U_COORD' }),
  ).rejects.toMatchObject({ code: 'invalid-state' });
  await expect(
    service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U_NOBODY' }),
  ).rejects.toMatchObject({ code: 'invalid-input' });
  await expect(service.rosters.show(member(1), 'C1')).rejects.toMatchObject({ code: 'not-coordinator' });
});

import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import type { Building } from '../../src/domain/building';
import { coordinator, makeService, member, TestClock } from '../support/fixtures';

/**
 * Issue 15: a member whose perspective is unknown is asked on their first vote in a review ("Are you rating as the
 * district team or for a building?"); the answer is stored on the member (building linked) and the close counts
 * their votes with it (the district − building gap), in anonymous reviews too.
 */

const oak: Building = {
  id: 'b-oak',
  tenantId: 'T1',
  districtId: '',
  name: 'Oak Elementary',
  channelId: 'C-OAK',
  members: ['U2'],
  createdAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'U_COORD',
};

async function setup(opts: { anonymous?: boolean } = {}) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const district = await service.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  await store.nudges.buildings.put({ ...oak, districtId: district.id });
  await store.nudges.buildings.put({
    ...oak,
    id: 'b-ash',
    name: 'Ash Middle',
    members: [],
    districtId: district.id,
  });
  const review = await service.startReview(coordinator, {
    channelId: 'C1',
    cycle: '2026-27 Fall',
    anonymous: opts.anonymous ?? false,
    rule: { minVoters: 2, minShareOfMembers: 0 },
  });
  const rows = review.polls.map((p) => p.rowId);
  const vote = (i: number, rowId: string, choice: number) =>
    service.castVote(member(i), { reviewId: review.reviewId, rowId, choice });
  return { store, service, district, review, rows, vote };
}

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
  );

test('asked once per review on the first vote, with the district and each building (their own first)', async () => {
  const { service, rows, vote } = await setup();
  const first = await vote(2, rows[0] as string, 3);
  const q = await service.perspectives.afterVote('T1', first.vote);
  expect(q).toEqual({
    reviewId: first.vote.reviewId,
    question: 'Are you rating as the district team or for a building?',
    options: [
      { value: 'district', label: 'The district team' },
      { value: 'building:b-oak', label: 'Oak Elementary' }, // U2 is on Oak's building team
      { value: 'building:b-ash', label: 'Ash Middle' },
    ],
  });
  // Their next vote in this review does not ask again (not even from another replica: the ask is claimed).
  const second = await vote(2, rows[1] as string, 3);
  expect(await service.perspectives.afterVote('T1', second.vote)).toBeNull();
  // Another tenant's lookup learns nothing.
  expect(await service.perspectives.afterVote('T2', first.vote)).toBeNull();
});

test('a member who said their perspective is not asked', async () => {
  const { service, rows, vote } = await setup();
  await service.setMember(member(1), {
    channelId: 'C1',
    memberId: 'U1',
    displayName: 'Person U1',
    perspective: 'building',
  });
  const r = await vote(1, rows[0] as string, 2);
  expect(await service.perspectives.afterVote('T1', r.vote)).toBeNull();
});

test.each([false, true])(
  'the answer is stored on the member and counted by the close (anonymous: %s)',
  async (anonymous) => {
    const { store, service, district, review, rows, vote } = await setup({ anonymous });
    const row = rows[0] as string;
    const a = await vote(1, row, 4); // district perspective (the default)
    const b = await vote(2, row, 2); // stored with the default too, before the answer
    expect(b.vote.perspective).toBe('district');
    expect(await service.perspectives.afterVote('T1', a.vote)).not.toBeNull();
    expect(await service.perspectives.afterVote('T1', b.vote)).not.toBeNull();
    const answered = await service.perspectives.answer(member(2), {
      reviewId: review.reviewId,
      value: 'building:b-oak',
    });
    expect(answered.text).toBe('Noted: you rate for Oak Elementary (the building perspective).');
    const stored = await store.members.get('T1', district.id, 'U2');
    expect(stored).toMatchObject({ perspective: 'building', buildingId: 'b-oak' });
    expect(stored?.perspectiveSetAt).toBeInstanceOf(Date);
    expect(
      (await service.perspectives.answer(member(1), { reviewId: review.reviewId, value: 'district' })).text,
    ).toBe('Noted: you rate as the district team.');
    const closed = await service.closeRound(coordinator, { reviewId: review.reviewId });
    expect(closed.polls.find((p) => p.rowId === row)).toBeDefined();
    const saved = await store.reviews.get(review.reviewId);
    const stats = saved?.polls.find((p) => p.rowId === row)?.rounds[0]?.stats;
    expect(stats).toMatchObject({ districtMedian: 4, buildingMedian: 2, perspectiveGap: 2 });
  },
);

test('bad answers are refused with a reason; only from the district channel', async () => {
  const { service, review } = await setup();
  expect(
    await fail(service.perspectives.answer(member(1), { reviewId: review.reviewId, value: 'school' })),
  ).toMatchObject({
    code: 'invalid-input',
    message: 'That answer is not one of the choices: choose the district or a building.',
  });
  expect(
    await fail(
      service.perspectives.answer(member(1), { reviewId: review.reviewId, value: 'building:b-gone' }),
    ),
  ).toMatchObject({
    code: 'invalid-input',
    message: 'That building is no longer registered: nothing was changed.',
  });
  expect(
    await fail(
      service.perspectives.answer(member(1, 'T1', 'C-OTHER'), {
        reviewId: review.reviewId,
        value: 'district',
      }),
    ),
  ).toMatchObject({ code: 'unknown-district' });
});

test('a first-time voter enrolled by a vote is asked by that vote only, with no claim written, on any replica', async () => {
  const { store, service, district, review, rows, vote } = await setup();
  const replica = makeService(store); // a second process on the same database
  const first = await vote(2, rows[0] as string, 3);
  expect((await store.members.get('T1', district.id, 'U2'))?.perspectiveAskedIn).toBe(review.reviewId);
  // The other replica handles their next vote before this one's confirmation asks: it does not ask.
  const onReplica = await replica.castVote(member(2), {
    reviewId: review.reviewId,
    rowId: rows[1] as string,
    choice: 2,
  });
  expect(await replica.perspectives.afterVote('T1', onReplica.vote)).toBeNull();
  expect(await service.perspectives.afterVote('T1', first.vote)).not.toBeNull();
  expect(await service.perspectives.afterVote('T1', first.vote)).toBeNull();
  expect(await store.kv.get('perspective-asked', `${review.reviewId}|U2`)).toBeNull();
});

test('a member already on the roster is asked once per review through the claim, whichever replica asks first', async () => {
  const { store, service, district, review, rows } = await setup();
  // On the roster before voting (as `roster add` or an import puts them), perspective not said.
  await store.members.ensure({
    tenantId: 'T1',
    districtId: district.id,
    memberId: 'U3',
    displayName: 'Person U3',
    perspective: 'district',
    roles: [],
    joinedAt: new Date('2026-11-01T00:00:00Z'),
  });
  const replica = makeService(store);
  const a = await service.castVote(member(3), {
    reviewId: review.reviewId,
    rowId: rows[0] as string,
    choice: 1,
  });
  const b = await replica.castVote(member(3), {
    reviewId: review.reviewId,
    rowId: rows[1] as string,
    choice: 1,
  });
  expect((await store.members.get('T1', district.id, 'U3'))?.perspectiveAskedIn ?? null).toBeNull();
  const asked = await Promise.all([
    service.perspectives.afterVote('T1', a.vote),
    replica.perspectives.afterVote('T1', b.vote),
  ]);
  expect(asked.filter((q) => q !== null)).toHaveLength(1);
  expect(await store.kv.get('perspective-asked', `${review.reviewId}|U3`)).not.toBeNull();
});

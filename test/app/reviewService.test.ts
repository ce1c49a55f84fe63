import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import { DomainError } from '../../src/domain/errors';
import { coordinator, districtWithReview, makeService, member, TestClock } from '../support/fixtures';

async function setup(opts: Parameters<typeof districtWithReview>[1] = {}) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const ctx = await districtWithReview(service, opts);
  return { store, clock, service, ...ctx, rowId: ctx.review.polls[0]?.rowId as string };
}

const rejectsWith = async (p: Promise<unknown>, code: string) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  expect((e as DomainError).code).toBe(code);
  expect((e as DomainError).message.length).toBeGreaterThan(10);
  return e as DomainError;
};

describe('ReviewService', () => {
  test('a review of another workspace is an unknown review and nothing is written', async () => {
    const { service, store, review, rowId } = await setup();
    await rejectsWith(
      service.castVote(member(1, 'T_OTHER'), { reviewId: review.reviewId, rowId, choice: 2 }),
      'unknown-review',
    );
    await rejectsWith(service.closeRound({ ...coordinator, tenantId: 'T_OTHER' }, review), 'unknown-review');
    expect(await store.votes.listRound(review.reviewId, 1)).toHaveLength(0);
  });

  test('coordinator-only use cases refuse members', async () => {
    const { service, review, rowId } = await setup();
    await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 2 });
    await rejectsWith(service.closeRound(member(1), { reviewId: review.reviewId }), 'not-coordinator');
    await rejectsWith(service.startReview(member(1), { channelId: 'C1', cycle: 'X' }), 'not-coordinator');
    await rejectsWith(
      service.setCoordinator(member(1), { channelId: 'C1', memberId: 'U1' }, true),
      'not-coordinator',
    );
  });

  test('bad levels and bad input are refused with a clear message', async () => {
    const { service, store, review, rowId } = await setup();
    for (const choice of [0, 5, '3', null, 2.5, { $gt: 1 }, [1]]) {
      await rejectsWith(
        service.castVote(member(1), { reviewId: review.reviewId, rowId, choice }),
        'bad-level',
      );
    }
    const e = await rejectsWith(
      service.castVote(member(1), {
        reviewId: review.reviewId,
        rowId,
        choice: 2,
        evidence: 'x'.repeat(2001),
      }),
      'invalid-input',
    );
    expect(e.fields.evidence).toMatch(/2000/);
    await rejectsWith(
      service.castVote(member(1), { reviewId: 'bad id with spaces', rowId, choice: 2 }),
      'invalid-input',
    );
    await rejectsWith(
      service.castVote(member(1), { reviewId: review.reviewId, rowId: 'nope', choice: 2 }),
      'unknown-row',
    );
    await rejectsWith(
      service.castVote({ tenantId: '', userId: 'U1' }, { reviewId: review.reviewId, rowId, choice: 2 }),
      'invalid-input',
    );
    expect(await store.votes.listRound(review.reviewId, 1)).toHaveLength(0);
  });

  test('without auto-enrolment a stranger is not a member and nothing is written', async () => {
    const { service, store, district, review, rowId } = await setup();
    const d = await store.districts.get('T1', district.id);
    if (!d) throw new Error('missing');
    await store.districts.save({ ...d, autoEnroll: false });
    await rejectsWith(
      service.castVote(member(9), { reviewId: review.reviewId, rowId, choice: 2 }),
      'not-member',
    );
    expect(await store.votes.listRound(review.reviewId, 1)).toHaveLength(0);
    await service.setMember(coordinator, {
      channelId: 'C1',
      memberId: 'U9',
      displayName: 'Nine',
      perspective: 'building',
    });
    const r = await service.castVote(member(9), { reviewId: review.reviewId, rowId, choice: 2 });
    expect(r.vote.perspective).toBe('building');
  });

  test('with auto-enrolment a new voter is enrolled once and a known member keeps their perspective', async () => {
    const { service, store, district, review } = await setup();
    await service.setMember(coordinator, {
      channelId: 'C1',
      memberId: 'U8',
      displayName: 'Eight',
      perspective: 'building',
    });
    const rows = review.polls.map((p) => p.rowId);
    // A new member's first clicks on every row at once, beside a known member's.
    const results = await Promise.all([
      ...rows.map((rowId) => service.castVote(member(9), { reviewId: review.reviewId, rowId, choice: 2 })),
      ...rows.map((rowId) => service.castVote(member(8), { reviewId: review.reviewId, rowId, choice: 3 })),
    ]);
    const d = await store.districts.get('T1', district.id);
    const byMember = (id: string) =>
      results.filter((r) => r.vote.memberId === id).map((r) => r.vote.perspective);
    expect(new Set(byMember('U9'))).toEqual(new Set([d?.defaultPerspective]));
    expect(new Set(byMember('U8'))).toEqual(new Set(['building']));
    const members = (await store.members.list('T1', district.id)).filter((m) =>
      ['U8', 'U9'].includes(m.memberId),
    );
    expect(members.map((m) => [m.memberId, m.perspective])).toEqual([
      ['U8', 'building'],
      ['U9', d?.defaultPerspective],
    ]);
    expect(await store.votes.listRound(review.reviewId, 1)).toHaveLength(rows.length * 2);
  });

  test('a vote can be changed until the round closes; evidence can be added', async () => {
    const { service, review, rowId } = await setup();
    await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 2 });
    const r = await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 3 });
    expect(r.poll.myChoice).toBe(3);
    expect(r.poll.participation.voted).toBe(1);
    const e = await service.addEvidence(member(1), {
      reviewId: review.reviewId,
      rowId,
      evidence: 'PLC calendars',
    });
    expect(e.poll.myChoice).toBe(3);
    expect(e.poll.myEvidence).toBe('PLC calendars');
    await rejectsWith(
      service.addEvidence(member(2), { reviewId: review.reviewId, rowId, evidence: 'x' }),
      'invalid-state',
    );
  });

  test('evidence is saved on a vote whose click time (from Slack) is ahead of the server clock', async () => {
    const { service, review, rowId, clock } = await setup();
    const ahead = (clock.now().getTime() + 60_000) * 1000; // Slack's clock a minute ahead of ours
    await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 4, clickedAtUs: ahead });
    const e = await service.addEvidence(member(1), {
      reviewId: review.reviewId,
      rowId,
      evidence: 'Walkthrough notes',
    });
    expect(e.write).toBe('written');
    expect(e.poll.myChoice).toBe(4);
    expect(e.poll.myEvidence).toBe('Walkthrough notes');
    // A later click is still ordered after it.
    const later = await service.castVote(member(1), {
      reviewId: review.reviewId,
      rowId,
      choice: 2,
      clickedAtUs: ahead + 5_000_000,
    });
    expect(later.write).toBe('written');
    expect(later.poll.myChoice).toBe(2);
  });

  test('blind reviews hide the distribution until the round closes', async () => {
    const { service, coord, review, rowId } = await setup({ blind: true });
    const r = await service.castVote(member(1), {
      reviewId: review.reviewId,
      rowId,
      choice: 4,
      evidence: 'Survey',
    });
    expect(r.poll.distribution).toBeNull();
    expect(r.poll.evidence).toEqual([]);
    expect(r.poll.participation.voted).toBe(1);
    expect(r.poll.myChoice).toBe(4);
    const closed = await service.closeRound(coord, { reviewId: review.reviewId });
    expect(closed.polls[0]?.distribution?.levels).toEqual([0, 0, 0, 1]);
    expect(closed.polls[0]?.evidence[0]).toMatchObject({ text: 'Survey', by: 'Member 1' });
  });

  test('anonymous reviews show counts and who has voted, never who voted what', async () => {
    const { service, coord, review, rowId } = await setup({ anonymous: true });
    await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 4, evidence: 'Minutes' });
    const view = await service.getReviewState(coord, { reviewId: review.reviewId });
    const poll = view.polls[0];
    expect(poll?.participation.notVoted).toBeNull();
    expect(poll?.evidence).toEqual([{ text: 'Minutes', by: null, choice: null }]);
    expect(JSON.stringify(view)).not.toContain('U1');
    expect(JSON.stringify(view)).not.toContain('Member 1');
    expect((await service.getPollState(member(1), { reviewId: review.reviewId, rowId })).myChoice).toBe(4);
  });

  test('participation lists who has not voted (not anonymous)', async () => {
    const { service, review, rowId } = await setup();
    await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 1 });
    const r = await service.castVote(member(2), {
      reviewId: review.reviewId,
      rowId: review.polls[1]?.rowId as string,
      choice: 1,
    });
    expect(r.poll.participation).toEqual({
      voted: 1,
      eligible: 3,
      notVoted: ['Member 1', 'Casey Coordinator'].sort(),
    });
  });

  test('a concurrent close by two coordinators closes once', async () => {
    const { service, coord, review } = await setup();
    await service.setCoordinator(coord, { channelId: 'C1', memberId: 'U2', displayName: 'Two' }, true);
    const results = await Promise.allSettled([
      service.closeRound(coord, { reviewId: review.reviewId }),
      service.closeRound(member(2), { reviewId: review.reviewId }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  test('the only coordinator cannot remove their own role', async () => {
    const { service, coord } = await setup();
    await rejectsWith(
      service.setCoordinator(coord, { channelId: 'C1', memberId: coord.userId }, false),
      'invalid-state',
    );
  });

  test('a second setup of the same channel is a coordinator-only rename', async () => {
    const { service } = await setup();
    await rejectsWith(
      service.setupDistrict(member(5), { name: 'Hijack', channelId: 'C1' }),
      'not-coordinator',
    );
    const d = await service.setupDistrict(coordinator, { name: 'Lakeview Public Schools', channelId: 'C1' });
    expect(d.name).toBe('Lakeview Public Schools');
    await rejectsWith(
      service.setupDistrict(coordinator, { name: 'X', channelId: 'C2', timezone: 'Mars/Olympus' }),
      'invalid-input',
    );
  });

  test('votes after the deadline are refused', async () => {
    const store = new NedbStore(null);
    await store.init();
    const clock = new TestClock();
    const service: ReviewService = makeService(store, clock);
    await service.setupDistrict(coordinator, { name: 'D', channelId: 'C1' });
    const review = await service.startReview(coordinator, {
      channelId: 'C1',
      cycle: 'Spring',
      deadline: new Date(clock.now().getTime() + 3600_000).toISOString(),
    });
    const rowId = review.polls[0]?.rowId as string;
    await service.castVote(member(1), { reviewId: review.reviewId, rowId, choice: 1 });
    clock.advance(3601_000);
    await rejectsWith(
      service.castVote(member(2), { reviewId: review.reviewId, rowId, choice: 1 }),
      'deadline-passed',
    );
  });
});

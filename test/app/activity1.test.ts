import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { Activity1Service } from '../../src/app/activity1/activity1Service';
import { CommandService } from '../../src/app/commands';
import { plain, plainText } from '../../src/app/text';
import { coordinator, counterIds, makeService, member, rubrics, TestClock } from '../support/fixtures';

/** Activity 1 through its use cases and commands, on a real (in-memory) store. */
async function world() {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const activity1 = new Activity1Service({ store, rubrics, clock, ids: counterIds() });
  const commands = new CommandService(service, { activity1 });
  const run = (actor: typeof coordinator | ReturnType<typeof member>, line: string) =>
    commands.run({ actor, channelId: actor.channelId }, line);
  await service.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  return { store, clock, service, activity1, run };
}

const posted = async (w: Awaited<ReturnType<typeof world>>) => {
  const r = await w.run(coordinator, 'activity1');
  if (r.kind !== 'activity1') throw new Error(`expected activity1, got ${r.kind}`);
  return r;
};

describe('Activity 1', () => {
  test('a coordinator posts it; members pick and say why; re-picking replaces; the spread and reasons', async () => {
    const w = await world();
    const r = await posted(w);
    expect(r.action).toBe('posted');
    expect(r.activity.outcomes.map((o) => o.count)).toEqual([0, 0, 0]);
    expect(r.activity.outcomes[0]?.text).toMatch(/^Understand why the shift/);
    const id = r.activity.activityId;
    w.clock.advance(60_000);
    await w.activity1.answer(member(1), { activityId: id, outcome: 2, reason: 'Roles are blurry here' });
    w.clock.advance(60_000);
    await w.activity1.answer(member(2), { activityId: id, outcome: '2', reason: 'Same' });
    w.clock.advance(60_000);
    const mine = await w.activity1.answer(member(1), {
      activityId: id,
      outcome: 3,
      reason: 'Changed my mind',
    });
    expect(mine.mine).toEqual({ outcome: 3, reason: 'Changed my mind' });
    expect(mine.outcomes.map((o) => o.count)).toEqual([0, 1, 1]);
    expect(mine.total).toBe(2);
    const results = await w.run(member(3), 'activity1 results');
    if (results.kind !== 'activity1') throw new Error('expected activity1');
    expect(results.action).toBe('results');
    const text = plainText(results.message);
    expect(text).toContain('outcome 1: 0 · outcome 2: 1 · outcome 3: 1 (2 people)');
    expect(text).toContain('Member 2: Same');
    expect(text).toContain('Member 1: Changed my mind');
    expect(text).not.toContain('Roles are blurry here');
  });

  test('posting again shows the same Activity 1 until a review starts; then the next cycle gets a new one', async () => {
    const w = await world();
    const first = await posted(w);
    await w.activity1.answer(member(1), {
      activityId: first.activity.activityId,
      outcome: 1,
      reason: 'Data',
    });
    const again = await posted(w);
    expect(again.activity.activityId).toBe(first.activity.activityId);
    expect(again.activity.total).toBe(1);
    await w.run(coordinator, 'review start "2026-27 Fall"');
    await w.run(coordinator, 'review cancel "done"');
    const next = await posted(w);
    expect(next.activity.activityId).not.toBe(first.activity.activityId);
    expect(next.activity.total).toBe(0);
  });

  test('`review start` shows the spread before round 1 when anyone picked, and attaches it to the review', async () => {
    const w = await world();
    const a = await posted(w);
    await w.activity1.answer(member(1), { activityId: a.activity.activityId, outcome: 2, reason: 'Balance' });
    await w.activity1.answer(member(2), { activityId: a.activity.activityId, outcome: 2, reason: 'Roles' });
    await w.activity1.answer(member(3), { activityId: a.activity.activityId, outcome: 1, reason: 'Why' });
    const started = await w.run(coordinator, 'review start "2026-27 Fall"');
    if (started.kind !== 'review') throw new Error('expected review');
    const text = plainText(started.message);
    expect(text).toMatch(/Before round 1 — Activity 1/);
    expect(text).toContain('outcome 1: 1 · outcome 2: 2 · outcome 3: 0 (3 people)');
    expect(text).toContain('most chose outcome 2');
    const district = await w.store.districts.findByChannel('T1', 'C1');
    const stored = await w.store.activity1.get('T1', district?.id ?? '', a.activity.activityId);
    expect(stored?.reviewId).toBe(started.review.reviewId);
  });

  test('`review start` says nothing of Activity 1 when nobody picked or there is none', async () => {
    const w = await world();
    const plain1 = await w.run(coordinator, 'review start "A"');
    expect(plainText(plain1.kind === 'review' ? plain1.message : plain(''))).not.toMatch(/Activity 1/);
    await w.run(coordinator, 'review cancel "x"');
    await posted(w);
    const plain2 = await w.run(coordinator, 'review start "B"');
    expect(plainText(plain2.kind === 'review' ? plain2.message : plain(''))).not.toMatch(/Activity 1/);
  });

  test('bad input is refused with a clear message and changes nothing', async () => {
    const w = await world();
    const a = await posted(w);
    const id = a.activity.activityId;
    await w.activity1.answer(member(1), { activityId: id, outcome: 1, reason: 'Kept' });
    await expect(
      w.activity1.answer(member(1), { activityId: id, outcome: 4, reason: 'x' }),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/1 to 3/),
    });
    await expect(
      w.activity1.answer(member(1), { activityId: id, outcome: 2, reason: '  ' }),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/Say why/),
    });
    await expect(
      w.activity1.answer(member(1), { activityId: id, outcome: 2, reason: 'y'.repeat(1001) }),
    ).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/1000 characters/) });
    await expect(w.run(coordinator, 'activity1 resluts')).rejects.toThrow(/activity1 results/);
    const v = await w.activity1.view(member(1), { activityId: id });
    expect(v.mine).toEqual({ outcome: 1, reason: 'Kept' });
    expect(v.total).toBe(1);
  });

  test('who may: coordinators start it, anyone in the channel answers, nobody elsewhere', async () => {
    const w = await world();
    await expect(w.run(member(1), 'activity1')).rejects.toThrow(
      /Only a coordinator of this district can start Activity 1/,
    );
    await expect(w.run(member(1), 'activity1 results')).rejects.toThrow(/no Activity 1 yet/);
    const a = await posted(w);
    const id = a.activity.activityId;
    // From another channel (another district's or none), in another workspace, or from a 1:1 chat: not here.
    for (const outsider of [
      member(1, 'T1', 'C2'),
      member(1, 'T2', 'C1'),
      { ...member(1), channelId: 'D1', conversation: 'personal' as const },
    ]) {
      await expect(w.activity1.answer(outsider, { activityId: id, outcome: 1, reason: 'x' })).rejects.toThrow(
        /does not belong to this channel's district/,
      );
    }
    expect((await w.activity1.view(member(9), { activityId: id })).total).toBe(0);
    // A member asking from elsewhere reads the spread without names (the names are for the team's channel).
    await w.activity1.answer(member(1), { activityId: id, outcome: 1, reason: 'Our data is scattered' });
    await w.service.setMember(coordinator, {
      channelId: 'C1',
      memberId: 'U1',
      displayName: 'M',
      perspective: 'district',
    });
    const away = await w.activity1
      .results({ ...member(1), channelId: 'D1', conversation: 'personal' }, { channelId: 'D1' })
      .catch((e: Error) => e);
    expect(away).toBeInstanceOf(Error); // a 1:1 chat is no district channel
    const inChannel = await w.activity1.results(member(2), { channelId: 'C1' });
    expect(inChannel.outcomes[0]?.reasons).toEqual([{ name: 'Member 1', reason: 'Our data is scattered' }]);
  });
});

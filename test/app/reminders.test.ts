import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import type { ReminderMessenger } from '../../src/app/ports';
import { QUORUM_NOTICE_NS } from '../../src/app/reviews/quorumNotices';
import type { ReminderView } from '../../src/app/reviews/reminders';
import type { ReviewService } from '../../src/app/reviews/reviewService';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { coordinator, makeService, member, rubrics, TestClock } from '../support/fixtures';

/**
 * `remind`: exactly the roster's non-voters of the open round's rows are reminded (through the chat's messenger),
 * the coordinator learns how many and (named reviews) who; and the quorum notice is claimed once per row and round.
 */

const rowIds = (rubrics.get('culture-of-collaboration')?.rows ?? []).map((r) => r.id);
const person = (id: string) => ({ channelId: 'C1', memberId: id, displayName: `Person ${id}` });

/** A messenger that records what it was asked to deliver; `unreachable` ids are reported as not reached. */
function recorder(opts: { private?: boolean; unreachable?: string[] } = {}) {
  const calls: Array<{ place: Destination; view: ReminderView }> = [];
  const messenger: ReminderMessenger = {
    private: opts.private ?? true,
    remind: async (place, view) => {
      calls.push({ place, view });
      return {
        unreachable: view.reminders.map((r) => r.userId).filter((id) => opts.unreachable?.includes(id)),
      };
    },
  };
  return { messenger, calls };
}

async function setup(opts: { anonymous?: boolean; quorum?: number; people?: string[] } = {}) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const commands = new CommandService(service);
  await service.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  for (const id of opts.people ?? ['U1', 'U2', 'U3', 'U4'])
    await service.rosters.add(coordinator, person(id));
  const review = await service.startReview(coordinator, {
    channelId: 'C1',
    cycle: '2026-27 Fall',
    anonymous: opts.anonymous ?? false,
    ...(opts.quorum ? { rule: { minVoters: opts.quorum, minShareOfMembers: 0 } } : {}),
  });
  const run = (actor: Actor, line: string, messenger: ReminderMessenger) =>
    commands.run({ actor, channelId: 'C1', reminders: messenger }, line);
  return { store, clock, service, review, run };
}

async function vote(service: ReviewService, who: Actor, reviewId: string, rows: readonly string[]) {
  for (const rowId of rows) await service.castVote(who, { reviewId, rowId, choice: 3 });
}

const text = (r: Awaited<ReturnType<CommandService['run']>>) => ('text' in r ? plainText(r.text) : '');

test('remind reaches exactly the roster’s non-voters, each with the rows still waiting for their vote', async () => {
  const { service, review, run } = await setup();
  await vote(service, member(1), review.reviewId, rowIds); // U1: every row
  await vote(service, member(2), review.reviewId, rowIds.slice(0, 2)); // U2: rows 1–2
  await vote(service, member(4), review.reviewId, [rowIds[0] as string]);
  await service.rosters.remove(coordinator, { channelId: 'C1', memberId: 'U4' }); // off the roster: not reminded
  const { messenger, calls } = recorder();
  const reply = text(await run(coordinator, 'remind', messenger));

  expect(calls).toHaveLength(1);
  expect(calls[0]?.place).toEqual({ tenantId: 'T1', channelId: 'C1' });
  const sent = calls[0]?.view.reminders.map((r) => [r.userId, r.rows.map((x) => x.rowNumber)]);
  expect(sent).toEqual([
    ['U2', [3, 4, 5, 6]],
    ['U3', [1, 2, 3, 4, 5, 6]],
    ['U_COORD', [1, 2, 3, 4, 5, 6]],
  ]);
  expect(reply).toContain('reminded 3 person(s) privately: Casey Coordinator, Person U2, Person U3.');
  expect(reply).toContain('(6 row(s) open, 4 on the roster)');
  expect(reply).not.toMatch(/Person U1|Person U4/);
});

test('only rows still open in the current round: a settled row is not asked about in round 2', async () => {
  const { service, review, run } = await setup({ quorum: 1, people: ['U1', 'U2'] });
  await vote(service, member(1), review.reviewId, [rowIds[0] as string]); // row 1: 1 vote, unanimous → settled
  await service.castVote(member(1), { reviewId: review.reviewId, rowId: rowIds[1] as string, choice: 1 });
  await service.castVote(member(2), { reviewId: review.reviewId, rowId: rowIds[1] as string, choice: 4 });
  await service.closeRound(coordinator, review);
  await service.startNextRound(coordinator, review);
  const { messenger, calls } = recorder();
  await run(coordinator, 'remind', messenger);
  const rows = calls[0]?.view.reminders.map((r) => [r.userId, r.rows.map((x) => x.rowNumber)]);
  expect(calls[0]?.view.round).toBe(2);
  // Row 1 settled in round 1; rows 2–6 are open again in round 2 and nobody has voted there yet.
  expect(rows).toEqual([
    ['U1', [2, 3, 4, 5, 6]],
    ['U2', [2, 3, 4, 5, 6]],
    ['U_COORD', [2, 3, 4, 5, 6]],
  ]);
});

test('nobody is reminded when everyone on the roster has voted on every open row', async () => {
  const { service, review, run } = await setup({ people: ['U1'] });
  await vote(service, member(1), review.reviewId, rowIds);
  await vote(service, coordinator, review.reviewId, rowIds);
  const { messenger, calls } = recorder();
  const reply = text(await run(coordinator, 'remind', messenger));
  expect(calls).toHaveLength(0);
  expect(reply).toContain('everyone on the roster has voted on every open row, so nobody was reminded');
});

test('refused for members, outside the district channel and once the round is closed; nobody is reminded', async () => {
  const { service, review, run } = await setup();
  const { messenger, calls } = recorder();
  await expect(run(member(1), 'remind', messenger)).rejects.toMatchObject({ code: 'not-coordinator' });
  await expect(
    service.reminders.remind(member(1), { reviewId: review.reviewId }, messenger),
  ).rejects.toMatchObject({ code: 'not-coordinator' });
  await expect(
    service.reminders.remind({ ...coordinator, channelId: 'C9' }, { reviewId: review.reviewId }, messenger),
  ).rejects.toMatchObject({ code: 'not-coordinator' });
  await service.closeRound(coordinator, review);
  await expect(run(coordinator, 'remind', messenger)).rejects.toMatchObject({ code: 'invalid-state' });
  expect(calls).toHaveLength(0);
});

test('anonymous review: reminders go to the non-voters only, the reply gives counts and never a name', async () => {
  const { service, review, run } = await setup({ anonymous: true });
  await vote(service, member(1), review.reviewId, rowIds);
  const { messenger, calls } = recorder({ unreachable: ['U3'] });
  const reply = text(await run(coordinator, 'remind', messenger));
  expect(calls[0]?.view.anonymous).toBe(true);
  expect(calls[0]?.view.reminders.map((r) => r.userId)).toEqual(['U2', 'U3', 'U4', 'U_COORD']);
  expect(reply).toContain('reminded 3 person(s) privately. The review is anonymous');
  expect(reply).toContain('Could not reach 1');
  for (const name of ['Person U1', 'Person U2', 'Person U3', 'Person U4', 'Casey', 'U2', 'U3']) {
    expect(reply).not.toContain(name);
  }
  // A chat that can only remind in the open channel would show who has not voted: refused.
  const open = recorder({ private: false });
  await expect(run(coordinator, 'remind', open.messenger)).rejects.toMatchObject({ code: 'invalid-state' });
  expect(open.calls).toHaveLength(0);
});

test('named review: people the chat could not reach are counted and named apart', async () => {
  const { run } = await setup({ people: ['U1', 'U2'] });
  const { messenger } = recorder({ unreachable: ['U2'] });
  const reply = text(await run(coordinator, 'remind', messenger));
  expect(reply).toContain('reminded 2 person(s) privately: Casey Coordinator, Person U1.');
  expect(reply).toContain('Could not reach 1 (not in this channel?): Person U2.');
});

describe('quorum notice', () => {
  test('once per row and round, when the row reaches its quorum, with N of M', async () => {
    const { service, review, store } = await setup({ people: ['U1', 'U2', 'U3', 'U4', 'U5'] });
    const rowId = rowIds[2] as string;
    // Roster of 6: quorum max(3, 3) = 3.
    const voteAndCheck = async (i: number) => {
      const r = await service.castVote(member(i), { reviewId: review.reviewId, rowId, choice: 2 });
      return service.quorum.afterVote(r.vote);
    };
    expect(await voteAndCheck(1)).toBeNull();
    expect(await voteAndCheck(2)).toBeNull();
    const notice = await voteAndCheck(3);
    expect(notice && plainText(notice.text)).toBe(
      `Row 3 “${rubrics.get('culture-of-collaboration')?.rows[2]?.title}” has reached its quorum in round 1: 3 of 6 voted. Voting stays open until a coordinator closes the round.`,
    );
    expect(notice).toMatchObject({ tenantId: 'T1', channelId: 'C1', round: 1 });
    expect(await voteAndCheck(4)).toBeNull();
    expect(await store.kv.list(QUORUM_NOTICE_NS)).toHaveLength(1);
  });

  test('exactly once with concurrent votes on two service instances sharing a store', async () => {
    const { review, store, clock } = await setup({ people: ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7'] });
    const a = makeService(store, clock);
    const b = makeService(store, clock);
    const rowId = rowIds[0] as string;
    const notices = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7].map(async (i) => {
        const svc = i % 2 ? a : b;
        const r = await svc.castVote(member(i), { reviewId: review.reviewId, rowId, choice: 3 });
        return svc.quorum.afterVote(r.vote);
      }),
    );
    // Whatever the interleaving, every vote after the last check is re-checked: at 7 of 8 the quorum (4) is met.
    const again = await Promise.all([
      a.quorum.afterVote({ reviewId: review.reviewId, rowId, round: 1 }),
      b.quorum.afterVote({ reviewId: review.reviewId, rowId, round: 1 }),
    ]);
    expect([...notices, ...again].filter((n) => n !== null)).toHaveLength(1);
    expect(await store.kv.list(QUORUM_NOTICE_NS)).toHaveLength(1);
  });

  test('a released claim (the post failed) is taken by the next vote; a closed round gets none', async () => {
    const { service, review } = await setup({ people: ['U1', 'U2'] });
    const rowId = rowIds[1] as string;
    for (const i of [1, 2])
      await service.castVote(member(i), { reviewId: review.reviewId, rowId, choice: 2 });
    const r = await service.castVote(coordinator, { reviewId: review.reviewId, rowId, choice: 2 });
    const first = await service.quorum.afterVote(r.vote);
    expect(first).not.toBeNull();
    await first?.release();
    expect(await service.quorum.afterVote(r.vote)).not.toBeNull();
    const other = rowIds[3] as string;
    for (const who of [member(1), member(2), coordinator])
      await service.castVote(who, { reviewId: review.reviewId, rowId: other, choice: 2 });
    await service.closeRound(coordinator, review);
    expect(await service.quorum.afterVote({ reviewId: review.reviewId, rowId: other, round: 1 })).toBeNull();
  });
});

import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import type { Actor } from '../../src/app/schemas';
import { levelLabel, type Rubric } from '../../src/domain/rubric';
import { coordinator, makeService, member, people, rubrics, TestClock } from '../support/fixtures';

/**
 * Each small group rates in its own place (src/app/reviews/groupPolls.ts): a split hands the chats each group's own
 * polls; a group's poll counts only its people and the votes they recorded in the group; a vote cast on a group's
 * poll by someone outside the group is refused before anything is written; `groups compare` carries the card's
 * model (each group's rating by the rule, or "not settled").
 */

const rubric = rubrics.get('culture-of-collaboration') as Rubric;
const [row1, row2] = rubric.rows.map((r) => r.id) as [string, string];

async function setup(start = 'review start "Fall"') {
  const store = new NedbStore(null);
  await store.init();
  const service = makeService(store, new TestClock());
  const commands = new CommandService(service);
  const dir = people('U1', 'U2', 'U3', 'U4', 'U5');
  const run = (actor: Actor, line: string) =>
    commands.run({ actor, channelId: actor.channelId ?? 'C1', people: dir }, line);
  await run(coordinator, 'setup "Lakeview Schools"');
  for (const i of [1, 2, 3, 4, 5]) await run(coordinator, `roster add <@U${i}|Member ${i}>`);
  await run(coordinator, start);
  const district = await service.districtForChannel(coordinator, 'C1');
  const reviewId = (await store.reviews.listByDistrict('T1', district.id))[0]?.id as string;
  const vote = (i: number, rowId: string, choice: number | 'unsure', group?: string) =>
    service.castVote(member(i), { reviewId, rowId, choice, ...(group ? { group } : {}) });
  return { store, service, run, reviewId, vote };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
  );

test('a split hands the chats each group’s polls of the rows still voting, with only that group counted', async () => {
  const { service, run, reviewId, vote } = await setup();
  await vote(1, row1, 4); // before the split: recorded in no group
  const r = await run(coordinator, 'groups "Table one" <@U1> <@U2> "Table two" <@U3> <@U4> <@U5>');
  if (r.kind !== 'text' || !r.groupThreads) throw new Error('no group threads');
  const t = r.groupThreads;
  expect(t.channelId).toBe('C1');
  expect(t.groups.map((g) => [g.name, g.people])).toEqual([
    ['Table one', ['Person U1', 'Person U2']],
    ['Table two', ['Person U3', 'Person U4', 'Person U5']],
  ]);
  expect(t.groups.map((g) => g.polls.length)).toEqual([rubric.rows.length, rubric.rows.length]);
  const first = t.groups[1]?.polls[0];
  expect([first?.group, first?.rowId, first?.votingOpen]).toEqual(['Table two', row1, true]);
  // U1's vote before the split is the team's, not Table one's.
  expect(t.groups[0]?.polls[0]?.participation).toEqual({
    voted: 0,
    eligible: 2,
    notVoted: ['Person U1', 'Person U2'],
  });

  await vote(3, row1, 2, 'Table two');
  await vote(4, row1, 3, 'Table two');
  await vote(1, row1, 1); // the team's poll: still recorded in the voter's group
  const two = await service.groups.pollState(member(3), { reviewId, rowId: row1, group: 'Table two' });
  expect(two.participation).toEqual({ voted: 2, eligible: 3, notVoted: ['Person U5'] });
  expect(two.distribution?.levels).toEqual([0, 1, 1, 0]);
  expect(two.myChoice).toBe(2);
  const one = await service.groups.pollState(member(1), { reviewId, rowId: row1, group: 'Table one' });
  expect(one.distribution?.levels).toEqual([1, 0, 0, 0]);
  expect(
    await failure(service.groups.pollState(member(1), { reviewId, rowId: row1, group: 'Table nine' })),
  ).toMatch(/no small group named “Table nine”/);
});

test('a vote on a group’s poll from outside the group is refused and writes nothing; after clear, none may', async () => {
  const { store, run, reviewId, vote } = await setup();
  await run(coordinator, 'groups "Table one" <@U1> <@U2> "Table two" <@U3> <@U4>');
  expect(await failure(vote(3, row2, 2, 'Table one'))).toBe(
    "not-in-group: This poll is “Table one”'s and you are in “Table two”: vote on your group's poll in its thread. Nothing was recorded.",
  );
  expect(await failure(vote(5, row2, 2, 'Table one'))).toMatch(
    /^not-in-group: This poll is “Table one”'s and you are in no small group: vote on the team's poll/,
  );
  expect(await store.votes.listRow(reviewId, row2, 1)).toEqual([]);
  await vote(2, row2, 2, 'Table one');
  expect((await store.votes.listRow(reviewId, row2, 1)).map((v) => [v.memberId, v.group])).toEqual([
    ['U2', 'Table one'],
  ]);
  await run(coordinator, 'groups clear');
  expect(await failure(vote(2, row2, 3, 'Table one'))).toMatch(
    /^invalid-state: The small groups this poll was posted for have ended/,
  );
});

test('the comparison card: each group’s rating by the rule applied to its own votes, or not settled', async () => {
  const { run, vote } = await setup('review start "Fall" quorum=1');
  await run(coordinator, 'groups "Table one" <@U1> <@U2> "Table two" <@U3> <@U4> <@U5>');
  await vote(1, row1, 3);
  await vote(2, row1, 3);
  await vote(3, row1, 1);
  await vote(4, row1, 4);
  await vote(5, row1, 2);
  const r = await run(member(4), 'groups compare');
  if (r.kind !== 'text' || !r.comparison) throw new Error('no comparison');
  const c = r.comparison;
  expect(c.state).toBe('round 1 · still open');
  expect(c.groups).toEqual([
    { name: 'Table one', size: 2 },
    { name: 'Table two', size: 3 },
  ]);
  expect(c.rows.map((x) => x.rowNumber)).toEqual([1]);
  expect(c.rows[0]?.cells).toEqual([
    { group: 'Table one', rating: levelLabel(rubric, 3), detail: 'median 3 · 2 votes' },
    { group: 'Table two', rating: null, detail: 'median 2 · 3 votes' },
  ]);
  expect(c.rows[0]?.differ).toBe(true);
  expect(c.differOn).toEqual([1]);
});

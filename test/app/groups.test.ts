import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { coordinator, makeService, member, people, rubrics, TestClock } from '../support/fixtures';

/**
 * Small groups through the commands and the real use cases on a real store: a coordinator splits the open review's
 * roster, each vote records its voter's group, `groups compare` shows the groups side by side, `groups clear` ends
 * the split (later votes record no group), and refusals change nothing.
 */

const rowIds = (rubrics.get('culture-of-collaboration')?.rows ?? []).map((r) => r.id);
const [row1, row2] = rowIds as [string, string];

async function setup(start = 'review start "Fall"') {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const commands = new CommandService(service);
  const dir = people('U1', 'U2', 'U3', 'U4');
  const as = (actor: Actor) => async (line: string) => {
    const r = await commands.run({ actor, channelId: actor.channelId ?? 'C1', people: dir }, line);
    if (r.kind !== 'text' && r.kind !== 'review') throw new Error(`unexpected reply ${r.kind}`);
    return plainText(r.kind === 'text' ? r.text : r.message);
  };
  const coord = as(coordinator);
  await coord('setup "Lakeview Schools"');
  for (const i of [1, 2, 3, 4]) await coord(`roster add <@U${i}|Member ${i}>`);
  await coord(start);
  const reviewId = (
    await store.reviews.listByDistrict('T1', (await service.districtForChannel(coordinator, 'C1')).id)
  )[0]?.id as string;
  const vote = (i: number, rowId: string, choice: number | 'unsure') =>
    service.castVote(member(i), { reviewId, rowId, choice });
  return { store, clock, service, coord, as, reviewId, vote };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error) => e.message,
  );

test('two groups vote differently: compare shows both side by side and where they differ; votes record the group', async () => {
  const { store, service, coord, as, reviewId, vote } = await setup();
  const split = await coord('groups "Table one" <@U1> <@U2> "Table two" <@U3> <@U4>');
  expect(split).toContain('“Fall” is split into 2 small groups (round 1)');
  expect(split).toContain('Table one (2): Person U1, Person U2');
  expect(split).toContain('Table two (2): Person U3, Person U4');
  // The coordinator is on the roster but in no group.
  expect(split).toContain('In no group (their votes still count, shown apart): Casey Coordinator');

  await vote(1, row1, 1);
  await vote(2, row1, 2);
  await vote(3, row1, 4);
  await vote(4, row1, 3);
  await vote(1, row2, 2);
  await vote(3, row2, 2);
  await vote(4, row2, 'unsure');
  await store.votes.listRound(reviewId, 1).then((votes) =>
    expect(
      votes
        .filter((v) => v.rowId === row1)
        .map((v) => [v.memberId, v.group])
        .sort(),
    ).toEqual([
      ['U1', 'Table one'],
      ['U2', 'Table one'],
      ['U3', 'Table two'],
      ['U4', 'Table two'],
    ]),
  );

  // A member reads the comparison, like results.
  const compared = await as(member(2))('groups compare');
  expect(compared).toContain('Small groups of “Fall”, round 1 (still open)');
  const lines = compared.split('\n');
  const line1 = lines.find((l) => l.startsWith('1. ')) ?? '';
  expect(line1).toContain('Table one: median 1.5 (1·1·0·0) · Table two: median 3.5 (0·0·1·1)');
  expect(line1).toContain('the groups differ by 2 level(s)');
  const line2 = lines.find((l) => l.startsWith('2. ')) ?? '';
  expect(line2).toContain('Table one: median 2 (0·1·0·0) · Table two: median 2 (0·1·0·0, 1 not sure)');
  expect(line2).toContain('the groups agree');
  // Rows nobody voted on are left out.
  expect(lines.filter((l) => /^\d\. /.test(l))).toHaveLength(2);
  expect(compared).toContain('The groups differ on row(s) 1.');

  // Consensus is counted as today, over the whole team: both groups' votes count for the row.
  const closed = await service.closeRound(coordinator, { reviewId });
  expect(closed.polls.find((p) => p.rowId === row1)?.lastRound?.distribution.levels).toEqual([1, 1, 1, 1]);
});

test('groups split N: balanced and deterministic from the roster; clearing ends it and later votes record no group', async () => {
  const { store, coord, reviewId, vote } = await setup();
  const first = await coord('groups split 2');
  // Roster U1..U4 and the coordinator (all district perspective), by id: U1 U2 U3 U4 U_COORD dealt in turn.
  expect(first).toContain('Group A (3): Casey Coordinator, Person U1, Person U3');
  expect(first).toContain('Group B (2): Person U2, Person U4');
  expect(await coord('groups split 2')).toBe(first);

  await vote(1, row1, 3);
  const cleared = await coord('groups clear');
  expect(cleared).toContain('The 2 small groups of “Fall” are cleared');
  await vote(2, row1, 2); // after the split: no group
  await vote(1, row1, 4); // a re-vote after the clear records no group either
  const votes = await store.votes.listRound(reviewId, 1);
  expect(votes.map((v) => [v.memberId, v.group]).sort()).toEqual([
    ['U1', null],
    ['U2', null],
  ]);
  // Nothing grouped is left in round 1: the comparison shows both votes outside the groups.
  const compared = await coord('groups compare');
  expect(compared).toContain('the split has ended');
  expect(compared).toContain('Group A: no votes · Group B: no votes; 2 vote(s) in no group');
  expect(await failure(coord('groups clear'))).toMatch(/is not split into groups: nothing to clear/);
});

test('after a cleared split, compare reads the split round; the whole team votes on in the next round', async () => {
  const { coord, vote } = await setup('review start "Fall" quorum=1');
  await coord('groups split 2');
  await vote(1, row1, 1); // Group A
  await vote(2, row1, 4); // Group B
  await coord('close');
  await coord('next');
  await coord('groups clear');
  await vote(1, row1, 2); // round 2: whole team
  const compared = await coord('groups compare');
  expect(compared).toContain('round 1 (closed; the split has ended)');
  expect(compared).toContain('Group A: median 1 (1·0·0·0) · Group B: median 4 (0·0·0·1)');
});

test('refusals: members cannot split or clear, bad input is explained, blind rounds stay blind; nothing changes', async () => {
  const { store, coord, as, reviewId } = await setup();
  const m1 = as(member(1));
  expect(await failure(m1('groups split 2'))).toMatch(/Only a coordinator of this district/);
  expect(await failure(coord('groups compare'))).toMatch(/has not been split into small groups/);
  expect(await failure(coord('groups split 9'))).toMatch(/too few for 9 groups/);
  expect(await failure(coord('groups split two'))).toMatch(/Say how many groups/);
  expect(await failure(coord('groups <@U1> "A"'))).toMatch(/Name a group first/);
  expect(await failure(coord('groups "A" <@U1> "B" <@U1>'))).toMatch(/Person U1 is in both “A” and “B”/);
  expect(await failure(coord('groups "A" <@U1> "B" <@U9>'))).toMatch(/not on this review's roster/);
  expect((await store.reviews.get(reviewId))?.groups).toBeUndefined();
  await coord('groups split 2');
  expect(await failure(m1('groups clear'))).toMatch(/Only a coordinator of this district/);
  expect((await store.reviews.get(reviewId))?.groups?.endedAt).toBeNull();
  // Someone outside the district, in another channel, learns nothing.
  expect(await failure(as(member(7, 'T1', 'C9'))('groups compare'))).toMatch(/not set up as a district team/);

  const blind = await setup('review start "Spring" blind');
  await blind.coord('groups split 2');
  await blind.vote(1, row1, 2);
  expect(await failure(blind.coord('groups compare'))).toMatch(
    /is blind: the groups' ratings show once round 1 closes/,
  );
  await blind.coord('close');
  expect(await blind.coord('groups compare')).toContain('Group A: median 2 (0·1·0·0)');
});

test('an anonymous review needs two people a group', async () => {
  const { coord } = await setup('review start "Fall" anonymous');
  expect(await failure(coord('groups split 3'))).toMatch(
    /too few for 3 groups of at least 2 \(this review is anonymous\)/,
  );
  expect(await coord('groups split 2')).toContain('Group A (3)');
});

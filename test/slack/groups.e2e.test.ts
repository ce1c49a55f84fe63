import { ACTION } from '../../src/adapters/slack/blocks';
import { groupPollRef } from '../../src/adapters/slack/groupBlocks';
import { GROUP_POLLS_NS, type GroupPollMessages } from '../../src/adapters/slack/groupThreads';
import { levelLabel, type Rubric } from '../../src/domain/rubric';
import { rubrics } from '../support/fixtures';
import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startReviewViaSlack, startSlackHarness, waitFor } from './harness';
import { voteClick } from './signedClient';

/**
 * Small groups through the real Slack adapter and the fake Slack Web API (published tiers enforced): a split posts a
 * header message per group ("Table one: …") with that group's polls in its thread (thread_ts); a member of the group
 * votes on them (the vote records the group, the group's message is redrawn); someone of another group is refused
 * privately and nothing is stored; `groups compare` answers with its text and, in the same message, the comparison
 * as Block Kit fields.
 */

const dbName = `micip_slack_groups_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

let harness: SlackHarness;
let fake: FakeSlack;

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);

beforeAll(async () => {
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true });
  fake = harness.fake;
});

afterAll(async () => {
  await harness?.stop();
});

async function command(text: string, user = 'U_COORD', replies = 1) {
  const before = ephemeralsTo(user).length;
  await harness.slack.command({ text, user_id: user });
  await waitFor(() => ephemeralsTo(user).length >= before + replies, 15_000);
  return ephemeralsTo(user).slice(before);
}

async function click(user: string, reviewId: string, rowId: string, group: string, choice: string) {
  const r = await harness.slack.payload(
    voteClick({
      team: 'T1',
      channel: 'C1',
      user,
      actionId: `${ACTION.vote}_${choice}`,
      value: groupPollRef(reviewId, rowId, group),
    }),
  );
  expect(r.status).toBe(200);
}

const blocksText = (args: Record<string, unknown>) => JSON.stringify(args.blocks ?? []);

test('a split posts a thread per group; members vote there, others are refused; compare shows a card', async () => {
  expect(String((await command('setup "Lakeview Schools"'))[0]?.args.text)).toMatch(/now the district team/);
  for (const u of ['U1', 'U2', 'U3', 'U4']) await command(`roster add <@${u}>`);
  const { reviewId, rowIds } = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  const [row1] = rowIds.sort() as [string];
  const postsBefore = fake.of('chat.postMessage').length;

  const [reply] = await command('groups "Table one" <@U1> <@U2> "Table two" <@U3> <@U4>');
  // The command's reply is unchanged: the split, as text.
  expect(String(reply?.args.text)).toContain('is split into 2 small groups (round 1)');
  await waitFor(async () => (await harness.app.store.kv.list(GROUP_POLLS_NS)).length === 6, 15_000);

  const posts = fake.of('chat.postMessage').slice(postsBefore);
  const headers = posts.filter((p) => !p.args.thread_ts);
  expect(headers.map((h) => h.args.text)).toEqual([
    'Table one: Person U1, Person U2',
    'Table two: Person U3, Person U4',
  ]);
  const threaded = posts.filter((p) => p.args.thread_ts);
  expect(threaded).toHaveLength(12);
  // Each group's six polls share one thread, a different one per group, in the review's channel.
  const threadOf = (g: string) =>
    new Set(
      threaded.filter((p) => String(p.args.text).startsWith(`${g}'s poll`)).map((p) => p.args.thread_ts),
    );
  expect(threadOf('Table one').size).toBe(1);
  expect(threadOf('Table two').size).toBe(1);
  expect([...threadOf('Table one')][0]).not.toBe([...threadOf('Table two')][0]);
  expect(threaded.every((p) => p.args.channel === 'C1')).toBe(true);
  // Their buttons carry the group.
  const onePoll = threaded.find((p) => String(p.args.text).startsWith("Table one's poll")) as {
    args: Record<string, unknown>;
  };
  expect(blocksText(onePoll.args)).toContain(`|g:Table%20one`);
  const stored = await harness.app.store.kv.get<GroupPollMessages>(GROUP_POLLS_NS, `${reviewId}|${row1}`);
  expect(stored?.messages.map((m) => m.group)).toEqual(['Table one', 'Table two']);

  // U1 (Table one) votes on Table one's poll: stored with the group; the group's message is redrawn.
  const updatesBefore = fake.of('chat.update').length;
  await click('U1', reviewId, row1, 'Table one', '3');
  await waitFor(async () => (await harness.app.store.votes.listRow(reviewId, row1, 1)).length === 1);
  expect(
    (await harness.app.store.votes.listRow(reviewId, row1, 1)).map((v) => [v.memberId, v.group]),
  ).toEqual([['U1', 'Table one']]);
  const oneTs = stored?.messages.find((m) => m.group === 'Table one')?.ts;
  await waitFor(
    () =>
      fake
        .of('chat.update')
        .slice(updatesBefore)
        .some((u) => u.args.ts === oneTs),
    15_000,
  );
  const redrawn = fake
    .of('chat.update')
    .filter((u) => u.args.ts === oneTs)
    .at(-1);
  expect(blocksText(redrawn?.args ?? {})).toContain('1 of 2');

  // U3 (Table two) clicks on Table one's poll: refused privately, nothing stored.
  const before3 = ephemeralsTo('U3').length;
  await click('U3', reviewId, row1, 'Table one', '1');
  await waitFor(() => ephemeralsTo('U3').length > before3);
  expect(String(ephemeralsTo('U3').at(-1)?.args.text)).toContain(
    "This poll is “Table one”'s and you are in “Table two”: vote on your group's poll in its thread",
  );
  expect((await harness.app.store.votes.listRow(reviewId, row1, 1)).map((v) => v.memberId)).toEqual(['U1']);

  // compare: the text reply as before, then the card (Block Kit fields, one per group).
  await click('U2', reviewId, row1, 'Table one', '3');
  await waitFor(async () => (await harness.app.store.votes.listRow(reviewId, row1, 1)).length === 2);
  const [card, ...more] = await command('groups compare');
  // One private message: the reply's text as before, the card's blocks after the text's.
  expect(String(card?.args.text)).toContain('Small groups of “2026-27 Fall”, round 1');
  expect(String(card?.args.text)).toContain('Table one: median 3 (0·0·2·0) · Table two: no votes');
  expect(more).toEqual([]);
  const fieldSections = ((card?.args.blocks ?? []) as Array<{ fields?: Array<{ text: string }> }>).filter(
    (b) => b.fields,
  );
  expect(fieldSections).toHaveLength(1);
  const fields = fieldSections[0]?.fields?.map((f) => f.text) ?? [];
  // Both of Table one voted level 3: its rating by the rule (quorum capped at the group's 2 people).
  const rubric = rubrics.get('culture-of-collaboration') as Rubric;
  expect(fields[0]).toBe(`*Table one*\n${levelLabel(rubric, 3)}\n_median 3 · 2 votes_`);
  expect(fields[1]).toBe('*Table two*\nnot settled\n_no votes_');

  // groups clear: the groups' messages are redrawn without vote buttons.
  const beforeClear = fake.of('chat.update').length;
  expect(String((await command('groups clear'))[0]?.args.text)).toContain('are cleared');
  await waitFor(
    () =>
      fake
        .of('chat.update')
        .slice(beforeClear)
        .some((u) => u.args.ts === oneTs),
    15_000,
  );
  const cleared = fake
    .of('chat.update')
    .filter((u) => u.args.ts === oneTs)
    .at(-1);
  expect(blocksText(cleared?.args ?? {})).toContain('only Table one votes here (no more votes here)');
  expect(blocksText(cleared?.args ?? {})).not.toContain(ACTION.vote);
});

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});

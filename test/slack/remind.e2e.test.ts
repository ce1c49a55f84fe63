import { rubrics } from '../support/fixtures';
import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startReviewViaSlack, startSlackHarness, voteViaSlack, waitFor } from './harness';

/**
 * `remind` and the quorum notice through the real Slack adapter: each non-voter on the roster gets an ephemeral
 * message in the district channel (chat.postEphemeral, user = them) naming their rows; voters get none; the
 * coordinator is told who. A row's quorum is announced in the channel once.
 */

const dbName = `micip_slack_remind_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

/** The rubric's rows, in order (row 1 first). */
const ROWS = (rubrics.get('culture-of-collaboration')?.rows ?? []).map((r) => r.id);

let harness: SlackHarness;
let fake: FakeSlack;

/**
 * Replies to `user`'s commands: not the reminders a coordinator gets as a non-voter, nor a voter's vote
 * confirmations (they settle before they are sent and wait their turn in the chat.postEphemeral budget, so one can
 * arrive after a later command's reply).
 */
const ephemeralsTo = (user: string) =>
  fake
    .of('chat.postEphemeral')
    .filter(
      (c) =>
        c.args.user === user &&
        !String(c.args.text).startsWith('*Reminder*') &&
        !/^Your vote on .* is recorded/.test(String(c.args.text)),
    );
const lastEphemeralText = (user: string) => String(ephemeralsTo(user).at(-1)?.args.text ?? '');
const quorumPosts = () =>
  fake.of('chat.postMessage').filter((c) => /has reached its quorum/.test(String(c.args.text)));

beforeAll(async () => {
  // With Slack's published rate limits enforced by the fake (a 429 is answered like Slack).
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true });
  fake = harness.fake;
});

afterAll(async () => {
  await harness?.stop();
});

async function command(text: string, user = 'U_COORD') {
  const before = ephemeralsTo(user).length;
  await harness.slack.command({ text, user_id: user });
  await waitFor(() => ephemeralsTo(user).length > before, 15_000);
  return lastEphemeralText(user);
}

test('remind: an ephemeral reminder to each non-voter only, naming their rows; the coordinator hears who', async () => {
  expect(await command('setup "Lakeview Schools"')).toMatch(/now the district team/);
  for (const u of ['U1', 'U2', 'U3']) expect(await command(`roster add <@${u}>`)).toMatch(/is on the roster/);
  const { reviewId, rowIds } = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  // U1 votes on every row, U2 on row 1 only; U3 and the coordinator on none.
  for (const rowId of rowIds)
    await voteViaSlack(harness, { team: 'T1', channel: 'C1', user: 'U1', reviewId, rowId, choice: '3' });
  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U2',
    reviewId,
    rowId: ROWS[0] as string,
    choice: '2',
  });

  const reply = await command('remind');
  expect(reply).toMatch(/reminded 3 person\(s\) privately: /);
  expect(reply).toContain('Person U2');
  expect(reply).toContain('Person U3');
  expect(reply).not.toContain('Person U1');
  const reminders = fake.of('chat.postEphemeral').filter((c) => /Reminder/.test(String(c.args.text)));
  expect(reminders.map((c) => c.args.user).sort()).toEqual(['U2', 'U3', 'U_COORD']);
  expect(reminders.every((c) => c.args.channel === 'C1')).toBe(true);
  const toU2 = String(reminders.find((c) => c.args.user === 'U2')?.args.text);
  expect(toU2).toMatch(/5 rows wait for your vote: row 2 /);
  expect(toU2).not.toMatch(/row 1 /);
  // Members may not remind.
  expect(await command('remind', 'U1')).toMatch(/Only a coordinator of this district can remind people/);
});

test('a row that reaches its quorum is announced in the channel once', async () => {
  const reviews = await harness.app.store.reviews.listByDistrict(
    'T1',
    (await harness.app.store.districts.findByChannel('T1', 'C1'))?.id ?? '',
  );
  const review = reviews[0];
  if (!review) throw new Error('no review');
  // Roster of 4 (coordinator, U1–U3): quorum 3. Row 2 has U1's vote; U2 and U3 bring it to 3.
  const rowId = ROWS[1] as string;
  expect(quorumPosts()).toHaveLength(0); // every row: at most 2 of 4 so far
  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U2',
    reviewId: review.id,
    rowId,
    choice: '3',
  });
  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U3',
    reviewId: review.id,
    rowId,
    choice: '3',
  });
  await waitFor(() => quorumPosts().length === 1, 10_000);
  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U_COORD',
    reviewId: review.id,
    rowId,
    choice: '3',
  });
  await voteViaSlack(harness, {
    team: 'T1',
    channel: 'C1',
    user: 'U3',
    reviewId: review.id,
    rowId,
    choice: '2',
  });
  await new Promise((r) => setTimeout(r, 300));
  const posts = quorumPosts();
  expect(posts).toHaveLength(1);
  expect(posts[0]?.args).toMatchObject({ channel: 'C1' });
  expect(String(posts[0]?.args.text)).toMatch(
    /^Row 2 “.*” has reached its quorum in round 1: 3 of 4 voted\./,
  );
});

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});

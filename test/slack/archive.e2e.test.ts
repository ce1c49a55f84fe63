import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startReviewViaSlack, startSlackHarness, waitFor } from './harness';

/**
 * `review archive` / `review unarchive` through the real Slack endpoint (signed slash commands, a fake Slack Web
 * API enforcing the tiers): the coordinator alone is told (ephemeral, nothing posted in the channel), the archived
 * review leaves `status` and `reviews`, an open review and a member are refused.
 */

const dbName = `micip_slack_archive_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

let harness: SlackHarness;
let fake: FakeSlack;

const ephemeralsTo = (user: string) =>
  fake
    .of('chat.postEphemeral')
    .filter((c) => c.args.user === user && !String(c.args.text).startsWith('*Reminder*'));

beforeAll(async () => {
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true });
  fake = harness.fake;
});

afterAll(async () => {
  await harness?.stop();
});

/** Sends `/micip <text>` as `user`; the text of the next ephemeral message to them. */
async function command(text: string, user = 'U_COORD') {
  const before = ephemeralsTo(user).length;
  await harness.slack.command({ text, user_id: user });
  await waitFor(() => ephemeralsTo(user).length > before, 15_000);
  return String(ephemeralsTo(user)[before]?.args.text ?? '');
}

/** `review cancel <words>` (answered in the channel): waits until the review is stored cancelled. */
async function cancel(reviewId: string, words: string) {
  await harness.slack.command({ text: `review cancel ${words}`, user_id: 'U_COORD' });
  await waitFor(async () => (await harness.app.store.reviews.get(reviewId))?.status === 'cancelled', 15_000);
}

test('archive a cancelled review: out of status and reviews, back with unarchive; open reviews and members refused', async () => {
  expect(await command('setup "Lakeview Schools"')).toMatch(/now the district team/);
  await command('roster add <@U1>');
  const older = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2025-26 Fall"');
  expect(await command('review archive "2025-26 Fall"')).toMatch(
    /2025-26 Fall.* is still open: only a closed or cancelled review can be archived/,
  );
  await cancel(older.reviewId, '"2025-26 Fall" "wrong year"');
  await new Promise((r) => setTimeout(r, 5)); // a later createdAt for the next review
  const newer = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  await cancel(newer.reviewId, '"2026-27 Fall" "test run"');
  expect(await command('status')).toMatch(/2026-27 Fall/);

  expect(await command('review archive "2026-27 Fall"', 'U1')).toMatch(
    /Only a coordinator of this district can archive or unarchive reviews/,
  );
  const posts = fake.of('chat.postMessage').length;
  const archived = await command('review archive "2026-27 Fall"');
  expect(archived).toMatch(/2026-27 Fall.* is archived/);
  expect(archived).toContain('review unarchive "2026-27 Fall"');
  expect(fake.of('chat.postMessage')).toHaveLength(posts); // nothing posted in the channel
  expect(await command('status')).toMatch(/2025-26 Fall/);
  const list = await command('reviews');
  expect(list).toContain('2025-26 Fall');
  expect(list).not.toContain('2026-27 Fall');
  expect(list).toMatch(/1 archived review\(s\) not listed/);
  expect(await command('status "2026-27 Fall"')).toMatch(/2026-27 Fall/);

  expect(await command('review unarchive "2026-27 Fall"')).toMatch(/back in the everyday lists/);
  expect(await command('status')).toMatch(/2026-27 Fall/);
});

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});

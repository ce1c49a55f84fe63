import { isActiveMember } from '../../src/domain/district';
import { fastTime } from '../support/fastTime';
import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startReviewViaSlack, startSlackHarness, waitFor } from './harness';

/**
 * `roster import` through the real Slack adapter: conversations.members paged by cursor, users.info per person to
 * drop bots and deactivated accounts, the count reported; the roster frozen at `review start`; `roster remove`;
 * and a member who is not a coordinator refused.
 */

const dbName = `micip_slack_roster_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

let harness: SlackHarness;
let fake: FakeSlack;

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
const lastEphemeralText = (user: string) => String(ephemeralsTo(user).at(-1)?.args.text ?? '');

/** 205 people (more than one page of 200), the coordinator, a bot and a deactivated account. */
const PEOPLE = Array.from({ length: 205 }, (_, i) => `UP${i}`);

beforeAll(async () => {
  // With Slack's published rate limits enforced by the fake (a 429 is answered like Slack). users.info is Tier 4
  // and spent through the outbound budget, so an import of 208 people takes minutes of Slack's time: the fake
  // and the app's outbound layer share a clock 60× faster than the wall clock.
  const time = fastTime(60);
  harness = await startSlackHarness(
    dbName,
    SECRET,
    {},
    { tiers: true, now: time.now },
    { slackOutboundTime: time },
  );
  fake = harness.fake;
  fake.channelMembers.set('C1', ['U_COORD', ...PEOPLE, 'UBOT1', 'UGONE']);
  fake.bots.add('UBOT1');
  fake.deletedUsers.add('UGONE');
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

test('roster import enrols the channel’s people, pages through the channel and skips the bot and the deactivated', async () => {
  expect(await command('setup "Lakeview Schools"')).toMatch(/now the district team/);
  // The slash command's own answer says at once that a big channel takes minutes; the report follows.
  const before = ephemeralsTo('U_COORD').length;
  const ack = await harness.slack.command({ text: 'roster import', user_id: 'U_COORD' });
  expect(ack.status).toBe(200);
  expect(JSON.parse(ack.body)).toMatchObject({
    response_type: 'ephemeral',
    text: expect.stringMatching(/a big channel takes a few minutes/),
  });
  await waitFor(() => ephemeralsTo('U_COORD').length > before, 15_000);
  const reply = lastEphemeralText('U_COORD');
  expect(reply).toMatch(/205 added, 1 already on the roster, 2 bot\(s\) or deactivated account\(s\) skipped/);
  const pages = fake.of('conversations.members');
  expect(pages).toHaveLength(2);
  expect(pages[1]?.args.cursor).toBe('200');
  const district = await harness.app.store.districts.findByChannel('T1', 'C1');
  const members = await harness.app.store.members.list('T1', district?.id ?? '');
  expect(members.map((m) => m.memberId).sort()).toEqual(['U_COORD', ...PEOPLE].sort());
  expect(members.find((m) => m.memberId === 'UP7')?.displayName).toBe('Person UP7');
  // Importing again adds nobody.
  expect(await command('roster import')).toMatch(/0 added, 206 already on the roster/);
});

test('review start freezes the roster; roster remove takes someone off it; a member may not import', async () => {
  const { reviewId } = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  const review = await harness.app.store.reviews.get(reviewId);
  expect(review?.roster).toHaveLength(206);
  expect(await command('roster remove <@UP3>')).toMatch(/Person UP3 is off the roster/);
  expect((await harness.app.store.reviews.get(reviewId))?.roster).not.toContain('UP3');
  const district = await harness.app.store.districts.findByChannel('T1', 'C1');
  const up3 = await harness.app.store.members.get('T1', district?.id ?? '', 'UP3');
  expect(up3 && isActiveMember(up3)).toBe(false);
  expect(await command('roster', 'U_COORD')).toMatch(/205 member\(s\)/);
  expect(await command('roster import', 'UP4')).toMatch(/Only a coordinator of this district/);
  expect(await command('roster import')).toMatch(/1 taken off the roster earlier stayed off/);
});

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});

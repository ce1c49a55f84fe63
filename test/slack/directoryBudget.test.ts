import { WebClient } from '@slack/web-api';
import { slackAsker } from '../../src/adapters/slack/asker';
import { SlackOutbound } from '../../src/adapters/slack/outbound';
import { SLACK_TIERS } from '../../src/adapters/slack/tiers';
import { fastTime } from '../support/fastTime';
import { FakeSlack } from './fakeSlack';

/**
 * users.info and conversations.members go through the Slack adapter's one outbound layer: a `roster import` of
 * 300 people spends the workspace's Tier 4 budgets (tiers.ts) at their pace and is never answered 429 by a fake
 * Slack that enforces the published tiers; a 429 is waited out (Retry-After) there and the read is sent again.
 * Time runs 60× faster than the wall clock, for the outbound layer and the fake alike.
 */

const FACTOR = 60;
const PEOPLE = Array.from({ length: 300 }, (_, i) => `UP${i}`);

let fake: FakeSlack;
let outbound: SlackOutbound;
let time: ReturnType<typeof fastTime>;

beforeEach(async () => {
  time = fastTime(FACTOR);
  fake = await new FakeSlack({ tiers: true, now: time.now }).start();
  fake.channelMembers.set('C1', [...PEOPLE, 'UBOT1', 'UGONE']);
  fake.bots.add('UBOT1');
  fake.deletedUsers.add('UGONE');
  outbound = new SlackOutbound({ now: time.now, setTimer: time.setTimer });
});

afterEach(async () => {
  outbound.stop();
  await fake.stop();
});

/** A Web API client as the adapter builds it: a 429 is handed back, not waited out by the client. */
const clientOf = (f: FakeSlack) =>
  new WebClient('xoxb-test', {
    slackApiUrl: f.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });

test('the fake enforces users.info’s tier: 110 reads at once, without the outbound layer, meet 429s', async () => {
  const client = clientOf(fake);
  const answers = await Promise.allSettled(PEOPLE.slice(0, 110).map((user) => client.users.info({ user })));
  expect(answers.filter((a) => a.status === 'rejected').length).toBe(
    110 - SLACK_TIERS['users.info'].limitPerMinute,
  );
  expect(fake.limited.length).toBeGreaterThan(0);
});

test('roster import of 300 members through the outbound budget: every person read, 0 × 429', async () => {
  const asker = slackAsker({ adminUserIds: new Set(), outbound });
  const start = time.now();
  const { people, skipped } = await asker.channelMembers(clientOf(fake), 'T1').list('T1', 'C1');
  expect(people).toHaveLength(300);
  expect(people.find((p) => p.userId === 'UP299')?.displayName).toBe('Person UP299');
  expect(skipped).toBe(2);
  expect(fake.of('conversations.members')).toHaveLength(2);
  expect(fake.of('users.info')).toHaveLength(302);
  expect(fake.limited).toEqual([]);
  expect(outbound.stats.rateLimited).toBe(0);
  // Paced by the budget (burst, then perMinute): more than three minutes of the tier's time for 302 reads.
  const { perMinute, burst } = SLACK_TIERS['users.info'];
  expect(time.now() - start).toBeGreaterThanOrEqual(((302 - burst) / perMinute) * 60_000 - 1000);
}, 30_000);

test('other users.info callers of the workspace share the budget during an import, and meet no 429', async () => {
  const asker = slackAsker({ adminUserIds: new Set(), outbound });
  const client = clientOf(fake);
  const importing = asker.channelMembers(client, 'T1').list('T1', 'C1');
  // Someone asks for a coordinator's role while the import runs (same workspace, same users.info budget).
  const confirmed = await asker.people(client, 'T1').confirm('UP7');
  expect(confirmed).toEqual({ displayName: 'Person UP7' });
  expect((await importing).people).toHaveLength(300);
  expect(fake.limited).toEqual([]);
}, 30_000);

test('a 429 is waited out for its Retry-After in the outbound layer and the read sent again', async () => {
  const asker = slackAsker({ adminUserIds: new Set(), outbound });
  fake.failNext('users.info', { status: 429, retryAfter: 3 });
  const start = time.now();
  expect(await asker.people(clientOf(fake), 'T1').confirm('UP1')).toEqual({ displayName: 'Person UP1' });
  expect(time.now() - start).toBeGreaterThanOrEqual(3000);
  expect(outbound.stats.rateLimited).toBe(1);
  expect(outbound.stats.retries).toBe(1);
  expect(fake.of('users.info')).toHaveLength(2);
});

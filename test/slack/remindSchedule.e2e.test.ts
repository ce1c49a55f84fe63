import { cronParserEngine } from '../../src/adapters/scheduler/cronEngine';
import { type ReminderSchedule, reminderWindow } from '../../src/domain/reminderSchedule';
import { upcomingRuns } from '../../src/domain/schedule';
import { TestClock } from '../support/fixtures';
import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startReviewViaSlack, startSlackHarness, voteViaSlack, waitFor } from './harness';

/**
 * `remind every day 9:00` through the real Slack endpoint (MongoDB store, fake Slack Web API with the tiers): at
 * the occurrence, the roster's non-voters get the same private reminder `remind` sends (chat.postEphemeral with
 * the workspace's token), once however often the scheduler ticks; `remind off` stops it.
 */

const dbName = `micip_slack_remind_schedule_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

let harness: SlackHarness;
let fake: FakeSlack;
/** The app's clock (a Monday afternoon); ticks are given their own `now`. */
const clock = new TestClock(new Date('2026-11-23T19:00:00Z'));

const repliesTo = (user: string) =>
  fake
    .of('chat.postEphemeral')
    .filter((c) => c.args.user === user && !String(c.args.text).startsWith('*Reminder*'));
const reminders = () => fake.of('chat.postEphemeral').filter((c) => /Reminder/.test(String(c.args.text)));

beforeAll(async () => {
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true }, { clock });
  fake = harness.fake;
});

afterAll(async () => {
  await harness?.stop();
});

async function command(text: string, user = 'U_COORD') {
  const before = repliesTo(user).length;
  await harness.slack.command({ text, user_id: user });
  await waitFor(() => repliesTo(user).length > before, 15_000);
  return String(repliesTo(user)[before]?.args.text ?? '');
}

/** The schedule's next send time after the app's clock, from what is stored. */
async function nextOccurrence(): Promise<Date> {
  const store = harness.app.store;
  const [stored] = await store.kv.list<ReminderSchedule>('remind-schedule');
  if (!stored) throw new Error('no schedule stored');
  const tz = (await store.districts.get(stored.value.tenantId, stored.value.districtId))?.timezone ?? 'UTC';
  const window = reminderWindow(stored.value, tz, cronParserEngine.source(stored.value.cron, tz));
  const [next] = upcomingRuns(clock.now(), 1, window);
  if (!next) throw new Error('no next occurrence');
  return next.sendAt;
}

test('scheduled reminders reach the non-voters once per occurrence, privately; remind off stops them', async () => {
  expect(await command('setup "Lakeview Schools"')).toMatch(/now the district team/);
  for (const u of ['U1', 'U2']) await command(`roster add <@${u}>`);
  expect(await command('remind every day 9:00')).toMatch(
    /Scheduled reminders: every day at 09:00 \(.+\) while a review is open.*next: /,
  );
  expect(await command('remind every day 9:00', 'U1')).toMatch(/Only a coordinator/);
  const { reviewId, rowIds } = await startReviewViaSlack(harness, 'T1', 'C1', 'U_COORD', '"2026-27 Fall"');
  for (const rowId of rowIds)
    await voteViaSlack(harness, { team: 'T1', channel: 'C1', user: 'U1', reviewId, rowId, choice: '3' });

  const at = await nextOccurrence();
  expect(at.getTime() - clock.now().getTime()).toBeLessThanOrEqual(86_400_000);
  const runs = await Promise.all([
    harness.app.reminderSchedules.tick(at),
    harness.app.reminderSchedules.tick(new Date(at.getTime() + 30_000)),
  ]);
  expect(runs.map((r) => r.sent).reduce((a, b) => a + b)).toBe(1);
  await waitFor(() => reminders().length >= 2, 15_000);
  await harness.app.reminderSchedules.tick(new Date(at.getTime() + 60_000));
  await new Promise((r) => setTimeout(r, 200)); // no late extra reminders
  expect(
    reminders()
      .map((c) => c.args.user)
      .sort(),
  ).toEqual(['U2', 'U_COORD']);
  expect(reminders().every((c) => c.args.channel === 'C1' && c.args.token === 'xoxb-test')).toBe(true);

  expect(await command('remind off')).toBe('Scheduled reminders are off.');
  await harness.app.reminderSchedules.tick(new Date(at.getTime() + 86_400_000));
  await new Promise((r) => setTimeout(r, 200));
  expect(reminders()).toHaveLength(2);
});

test("no Web API call of this file was answered 429 under Slack's tiers", () => {
  expect(harness.fake.limited).toEqual([]);
});

import { MongoClient } from 'mongodb';
import { toTeamsMarkdown } from '../../src/adapters/cards/teamsText';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { toMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { ActionReminderRunner } from '../../src/app/actions/actionReminders';
import type { Destination } from '../../src/app/nudges/nudgePorts';
import type { NoticeMessenger } from '../../src/app/ports';
import { plainText, type RichText } from '../../src/app/text';
import { rubrics, TestClock } from '../support/fixtures';
import { actionWorld, COORD, idIn, OWNER } from './support';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is not set: the global setup should have started a server');
const dbName = `micip_actions_${process.pid}`;
const stores: MongoStore[] = [];

afterAll(async () => {
  for (const s of stores) await s.close();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
});

/** One far side that every replica posts to; `fail` makes the next sends reject. */
class Recording implements NoticeMessenger {
  sent: Array<{ to: Destination; text: RichText }> = [];
  fail = false;
  async sendNotice(to: Destination, text: RichText) {
    await new Promise((r) => setTimeout(r, 1));
    if (this.fail) throw new Error('channel_not_found');
    this.sent.push({ to, text });
  }
}

const at = (iso: string) => new Date(iso);

/**
 * Two replicas, each with its own connection to one MongoDB-wire server, tick the same minutes: an owner gets one
 * reminder per open action per district day (08:00-20:00 Detroit), while it is due within 3 days or overdue.
 */
test('two reminder runners on one store remind each owner once per action per day', async () => {
  const open = async () => {
    const s = await MongoStore.connect({ uri, dbName });
    await s.init();
    stores.push(s);
    return s;
  };
  const [s1, s2] = await Promise.all([open(), open()]);
  const clock = new TestClock(at('2026-11-23T15:00:00Z')); // Monday 10:00 in Detroit
  const w = await actionWorld({ store: s1 as MongoStore, clock });
  const soon = idIn(
    await w.run(
      COORD,
      'action add 2 "Publish the planning calendar" owner=<@U_OWNER|O> due=2026-11-25 target=3',
    ),
  );
  const later = idIn(
    await w.run(COORD, 'action add 3 "Set up peer observation" owner=<@U_OTHER|O> due=2026-12-03 target=2'),
  );
  const messenger = new Recording();
  const replicas = [s1, s2].map(
    (store, i) =>
      new ActionReminderRunner({
        store: store as MongoStore,
        rubrics,
        messenger,
        instanceId: `replica-${i + 1}`,
      }),
  );
  const tickAll = async (iso: string) => {
    const reports = await Promise.all(replicas.map((r) => r.tick(at(iso))));
    return reports.reduce((n, r) => n + r.sent, 0);
  };
  const remindedIds = () =>
    messenger.sent.map((m) => /action done (ac_[a-z0-9_]+)/.exec(plainText(m.text))?.[1]);

  // Monday 10:00 and 10:01: only the action due Wednesday (2 days), once.
  expect(await tickAll('2026-11-23T15:00:00Z')).toBe(1);
  expect(await tickAll('2026-11-23T15:01:00Z')).toBe(0);
  expect(remindedIds()).toEqual([soon]);
  const first = messenger.sent[0];
  expect(first?.to).toEqual({ tenantId: 'T1', channelId: 'C1' });
  expect(toMrkdwn(first?.text as RichText)).toContain('<@U_OWNER>');
  expect(plainText(first?.text as RichText)).toMatch(
    /Action reminder for Person U_OWNER @U_OWNER: “Publish the planning calendar” \(row “.+”, cycle 2026-27 Fall\) is due in 2 days \(2026-11-25\)\. When it is done: `action done ac_/,
  );
  // Tuesday 07:59 is before reminder hours; 08:00 sends Tuesday's (due tomorrow), once.
  expect(await tickAll('2026-11-24T12:59:00Z')).toBe(0);
  expect(await tickAll('2026-11-24T13:00:00Z')).toBe(1);
  expect(await tickAll('2026-11-24T20:00:00Z')).toBe(0);
  expect(plainText(messenger.sent[1]?.text as RichText)).toContain('is due tomorrow (2026-11-25)');
  // Friday: overdue by 2 days; the later action (due Thursday next week) is not yet within 3 days.
  expect(await tickAll('2026-11-27T16:00:00Z')).toBe(1);
  expect(plainText(messenger.sent[2]?.text as RichText)).toContain('was due 2026-11-25 (2 days ago)');
  // Once done, no more reminders; Monday the 30th the later action is 3 days out.
  await w.run(OWNER, `action done ${soon}`);
  expect(await tickAll('2026-11-30T14:00:00Z')).toBe(1);
  expect(remindedIds()).toEqual([soon, soon, soon, later]);
  // A failed delivery is recorded on its claim and not sent again that day.
  messenger.fail = true;
  const failed = await Promise.all(replicas.map((r) => r.tick(at('2026-12-01T14:00:00Z'))));
  expect(failed.reduce((n, r) => n + r.failed, 0)).toBe(1);
  messenger.fail = false;
  expect(await tickAll('2026-12-01T15:00:00Z')).toBe(0);
  expect(messenger.sent).toHaveLength(4);
});

test('hostile action text stays text in the reminder (Slack mrkdwn, Teams markdown)', async () => {
  const clock = new TestClock(at('2026-11-23T15:00:00Z'));
  const w = await actionWorld({ clock });
  const hostile =
    '<!channel> *urgent* [x](https://evil.example) <script>alert(1)</script> =HYPERLINK("x") \u202Eevil';
  await w.run(COORD, `action add 2 "${hostile}" owner=<@U_OWNER|O> due=2026-11-24 target=3`);
  const messenger = new Recording();
  await new ActionReminderRunner({ store: w.store, rubrics, messenger, instanceId: 'r' }).tick(clock.now());
  const text = messenger.sent[0]?.text as RichText;
  const slack = toMrkdwn(text);
  expect(slack).not.toContain('<!channel>');
  expect(slack).not.toContain('<script>');
  expect(slack).not.toContain('\u202E');
  expect(slack).toContain('&lt;!channel&gt;');
  const teams = toTeamsMarkdown(text);
  expect(teams).not.toContain('[x](https://evil.example)');
  expect(teams).not.toContain('<script>');
});

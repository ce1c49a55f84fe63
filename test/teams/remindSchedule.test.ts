import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import { postActivity, type TeamsUser, teamsBotAdded, teamsSay } from './support/activities';
import { type ConnectorCall, FakeConnector } from './support/fakeConnector';

const sam: TeamsUser = { id: '29:sam', name: 'Sam Member', aadObjectId: 'aad-sam' };

/**
 * `remind every day 9:00` in Teams as src/main.ts wires it (POST /api/messages, a fake Bot Connector): at the
 * occurrence (in the district's time zone; the app's clock and each tick's `now` injected) one channel message
 * mentions the roster's non-voters, as `remind` does, once however often the scheduler ticks; an anonymous review is
 * not reminded in the channel; `remind off` stops it.
 */
const TENANT = 'tenant-remind-schedule';
const DISTRICT = '19:district-remind@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey: TeamsUser = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const pat: TeamsUser = { id: '29:pat', name: 'Pat Member', aadObjectId: 'aad-pat' };

const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
let app: App;
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  fake.pagedMembers = [casey, pat, sam];
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-remind-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'teams-remind-test-secret-0123456789abcdef',
      TEAMS_SERVICE_URLS: fake.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
    }),
    { clock, logger: testLogger() },
  );
});

afterAll(async () => {
  await app.stop();
  await fake.stop();
});

const at = () => ({ serviceUrl: fake.url, tenant: TENANT, channel: DISTRICT, bot: BOT });
const api = () => `${app.url}/api/messages`;

/** Types a command; the bot's reply in the command's thread, and every call it made. */
async function say(
  line: string,
  from: TeamsUser = casey,
): Promise<{ reply: string; calls: ConnectorCall[] }> {
  fake.clear();
  const r = await postActivity(api(), teamsSay(at(), line, from));
  expect(r.status).toBe(200);
  await app.teams.idle();
  const calls = [...fake.calls];
  const reply = calls
    .filter((c) => c.method === 'POST' && c.conversationId.startsWith(`${DISTRICT};messageid=`))
    .map((c) => String(c.body.text ?? ''))
    .join('\n');
  return { reply, calls };
}

/** Channel messages (not replies in a command's thread) the bot posted during `calls`. */
const channelPosts = (calls: readonly ConnectorCall[]) =>
  calls
    .filter((c) => c.method === 'POST' && c.conversationId === DISTRICT)
    .map((c) => String(c.body.text ?? ''));

/** Ticks the app's reminder schedules at `utc` (HH:MM) on 2026-11-24 + `day` (14:00Z is 09:00 EST). */
async function tickAt(day: number, utc: string) {
  fake.clear();
  const r = await app.reminderSchedules.tick(new Date(`2026-11-${24 + day}T${utc}:00Z`));
  await app.teams.idle();
  return { report: r, posts: channelPosts(fake.calls) };
}

test('scheduled reminders in Teams: one channel message mentioning the non-voters, once; anonymous reviews not', async () => {
  expect((await postActivity(api(), teamsBotAdded(at(), casey))).status).toBe(200);
  await app.teams.idle();
  expect((await say('setup "Lakeview Schools" tz=America/Detroit')).reply).toMatch(/now the district team/);
  await say('roster import');
  expect((await say('remind every day 9:00')).reply).toMatch(
    /Scheduled reminders: every day at 09:00 \(America\/Detroit\).*next: Tue 2026-11-24 09:00 EST/,
  );
  expect((await say('remind every day 9:00', pat)).reply).toMatch(/Only a coordinator/);
  await say('review start "2026-27 Fall"');

  expect((await tickAt(0, '13:59')).posts).toEqual([]); // 08:59 EST
  const first = await tickAt(0, '14:00');
  expect(first.report.sent).toBe(1);
  expect(first.posts).toHaveLength(1);
  for (const who of [casey, pat, sam]) expect(first.posts[0]).toContain(`<at>${who.name}</at>`);
  expect((await tickAt(0, '14:01')).posts).toEqual([]); // the same occurrence: already claimed

  // An anonymous review: Teams would name the non-voters in the channel, so nothing is sent.
  await say('review cancel "test"');
  await say('review start "2026-27 Spring" anonymous');
  const anonymous = await tickAt(1, '14:00');
  expect(anonymous.report).toMatchObject({ sent: 0, failed: 1 });
  expect(anonymous.posts).toEqual([]);

  expect((await say('remind off')).reply).toMatch(/Scheduled reminders are off/);
  await say('review cancel "test"');
  await say('review start "2026-27 Winter"');
  expect((await tickAt(2, '14:00')).posts).toEqual([]);
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { TestClock } from '../support/fixtures';
import { testLogger } from '../support/logs';
import {
  cardsOf,
  postActivity,
  type TeamsPlace,
  type TeamsUser,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from './support/activities';
import { type ConnectorCall, FakeConnector } from './support/fakeConnector';

/**
 * A district's cycle in Teams as src/main.ts wires it, through POST /api/messages and a fake Bot Connector: roster
 * import from a 40-member team channel, the poll cards' "N of M" following that roster, one open review at a time,
 * votes by Action.Execute, `remind` mentioning exactly the non-voters, cancel; then building teams registered with
 * `building here` in their own channel, the scheduled nudge reaching it, and a channel the connector refuses
 * reported at once and in the digest.
 */
const TENANT = 'tenant-cycle';
const DISTRICT = '19:district@thread.tacv2';
const OAK = '19:oak@thread.tacv2';
const PINE = '19:pine@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey: TeamsUser = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const PEOPLE: TeamsUser[] = Array.from({ length: 37 }, (_, i) => ({
  id: `29:p${i}`,
  name: `Person ${i}`,
  aadObjectId: `aad-p${i}`,
}));
/** The team's 40 members as the connector lists them: people, a bot and an account without an Entra id. */
const MEMBERS: Array<{ id: string; name: string; aadObjectId?: string; userRole?: string }> = [
  casey,
  ...PEOPLE,
  { id: '28:other-bot', name: 'Other bot', userRole: 'bot' },
  { id: '29:no-aad', name: 'Federated account' },
];

const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
let app: App;
let fake: FakeConnector;
const place = (channel: string): TeamsPlace => ({ serviceUrl: '', tenant: TENANT, channel, bot: BOT });

beforeAll(async () => {
  fake = await new FakeConnector().start();
  fake.pagedMembers = MEMBERS;
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-cycle-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'teams-cycle-test-secret-0123456789abcdef',
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

const at = (channel: string): TeamsPlace => ({ ...place(channel), serviceUrl: fake.url });
const api = () => `${app.url}/api/messages`;
const posts = (calls: readonly ConnectorCall[] = fake.calls) =>
  calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/pagedmembers'));
const text = (c: ConnectorCall | undefined) => String(c?.body.text ?? '');

/** Types a command in a channel; the calls the bot made to the connector while handling it. */
async function say(channel: string, line: string, from: TeamsUser = casey): Promise<ConnectorCall[]> {
  fake.clear();
  const r = await postActivity(api(), teamsSay(at(channel), line, from));
  expect(r.status).toBe(200);
  await app.teams.idle();
  return [...fake.calls];
}
/** The bot's reply in the command's thread. */
const replyOf = (calls: readonly ConnectorCall[], channel: string) =>
  posts(calls)
    .filter((c) => c.conversationId.startsWith(`${channel};messageid=`))
    .map(text)
    .join('\n');

async function install(channel: string) {
  const r = await postActivity(api(), teamsBotAdded(at(channel), casey));
  expect(r.status).toBe(200);
  await app.teams.idle();
}

const participation = (card: unknown) => JSON.stringify(card).match(/(\d+) of (\d+) have voted/);

describe('a review cycle in a 40-member team channel', () => {
  let reviewId = '';
  let rows: string[] = [];
  let roster: string[] = [];
  const teamsIdOf = new Map(MEMBERS.map((m) => [m.aadObjectId ?? '', m.id]));

  test('roster import, then review start: the poll cards count the imported roster', async () => {
    await install(DISTRICT);
    expect(replyOf(await say(DISTRICT, 'setup "Lakeview Schools"'), DISTRICT)).toMatch(
      /now the district team/,
    );
    const imported = await say(DISTRICT, 'roster import');
    expect(imported.some((c) => c.path.endsWith('/pagedmembers'))).toBe(true);
    // People the connector listed with an Entra id, not bots.
    const people = MEMBERS.filter((m) => m.aadObjectId && m.userRole !== 'bot').map((m) => m.aadObjectId);
    const district = await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT);
    const members = await app.store.members.list(`teams:${TENANT}`, district?.id ?? '');
    expect(members.map((m) => m.memberId).sort()).toEqual([...people].sort());

    const started = await say(DISTRICT, 'review start "2026-27 Fall"');
    expect(replyOf(started, DISTRICT)).toContain('Review **2026-27 Fall** started');
    const reviews = await app.store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? '');
    expect(reviews).toHaveLength(1);
    reviewId = reviews[0]?.id ?? '';
    rows = (reviews[0]?.polls ?? []).map((p) => p.rowId);
    roster = [...(reviews[0]?.roster ?? [])];
    expect(roster.sort()).toEqual([...people].sort());
    const cards = cardsOf(posts(started).filter((c) => c.conversationId === DISTRICT));
    expect(cards).toHaveLength(rows.length);
    for (const c of cards) expect(participation(c)?.slice(1)).toEqual(['0', String(roster.length)]);
  });

  test('a second review start is refused, naming the open one; nothing is stored', async () => {
    const district = await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT);
    const calls = await say(DISTRICT, 'review start "2026-27 Spring"');
    const open = (await app.store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? ''))[0];
    expect(replyOf(calls, DISTRICT)).toContain(open?.cycle ?? '(none)');
    expect(replyOf(calls, DISTRICT)).not.toMatch(/started/);
    expect(cardsOf(calls)).toEqual([]);
    expect(await app.store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? '')).toHaveLength(1);
  });

  test('Action.Execute votes: the card answers and the shared card counts N of the roster', async () => {
    // Five people vote on every row; a sixth on the first row only (still owes the others).
    const full = PEOPLE.slice(0, 5);
    const partial = PEOPLE[5] as TeamsUser;
    fake.clear();
    for (const p of full)
      for (const rowId of rows) {
        const r = await postActivity(
          api(),
          teamsInvoke(at(DISTRICT), p, 'vote', { reviewId, rowId, choice: 3 }),
        );
        expect(r.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      }
    const last = await postActivity(
      api(),
      teamsInvoke(at(DISTRICT), partial, 'vote', { reviewId, rowId: rows[0], choice: 2 }),
    );
    const voters0 = (await app.store.votes.listRow(reviewId, rows[0] as string, 1)).length;
    expect(participation(last.json?.value)?.slice(1)).toEqual([String(voters0), String(roster.length)]);
    await app.teams.idle();
    // Each poll card's last redraw shows that row's stored votes of the roster.
    const stored = await app.store.votes.listRound(reviewId, 1);
    expect(stored.map((v) => v.memberId).sort()).toEqual(
      [...full.flatMap((p) => rows.map(() => p.aadObjectId)), partial.aadObjectId].sort(),
    );
    const updates = fake.calls.filter((c) => c.method === 'PUT' && c.conversationId === DISTRICT);
    const lastCards = cardsOf(updates.slice(-1));
    expect(lastCards).toHaveLength(1);
    const counts = cardsOf(updates).map((c) => participation(c)?.slice(1));
    expect(counts).toContainEqual([String(voters0), String(roster.length)]);
  });

  test('remind mentions exactly the roster minus those who voted on every row', async () => {
    const stored = await app.store.votes.listRound(reviewId, 1);
    const done = roster.filter((m) =>
      rows.every((r) => stored.some((v) => v.memberId === m && v.rowId === r)),
    );
    const owing = roster.filter((m) => !done.includes(m));
    expect(done.length).toBeGreaterThan(0);
    const calls = await say(DISTRICT, 'remind');
    const reminders = posts(calls).filter((c) => c.conversationId === DISTRICT);
    expect(reminders.length).toBeGreaterThan(0);
    const mentioned = reminders.flatMap((c) =>
      ((c.body.entities ?? []) as Array<{ type: string; mentioned: { id: string } }>)
        .filter((e) => e.type === 'mention')
        .map((e) => e.mentioned.id),
    );
    expect(mentioned.sort()).toEqual(owing.map((m) => teamsIdOf.get(m)).sort());
    expect(replyOf(calls, DISTRICT)).toContain(`reminded ${owing.length} person(s)`);
  });

  test('review cancel closes the open review', async () => {
    const calls = await say(DISTRICT, 'review cancel "wrong rubric"');
    expect(replyOf(calls, DISTRICT)).toMatch(/cancel/i);
    const review = await app.store.reviews.get(reviewId);
    expect(review?.status).toBe('cancelled');
    expect(review?.cancellation?.reason).toBe('wrong rubric');
  });
});

describe('building teams', () => {
  let pineReason = '';

  test('building here in the Oak channel registers it and the welcome arrives there', async () => {
    await install(OAK);
    const calls = await say(OAK, 'building here "Oak"');
    expect(replyOf(calls, OAK)).toMatch(/^Registered \*\*Oak\*\* /);
    expect(replyOf(calls, OAK)).not.toMatch(/could not post/);
    const welcome = posts(calls).filter((c) => c.conversationId === OAK);
    expect(welcome).toHaveLength(1);
    expect(text(welcome[0])).toMatch(/channel of the \*\*Oak\*\* building team of Lakeview Schools/);
    const district = await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT);
    const buildings = await app.store.nudges.buildings.list(`teams:${TENANT}`, district?.id ?? '');
    expect(buildings.map((b) => [b.name, b.channelId, b.unreachable ?? null])).toEqual([['Oak', OAK, null]]);
  });

  test('a building whose channel the connector refuses is reported at once', async () => {
    await install(PINE);
    fake.refuse.set(PINE, { status: 403, code: 'BotNotInConversationRoster' });
    const calls = await say(PINE, 'building here "Pine"');
    // The welcome was tried in the channel and refused.
    expect(fake.calls.some((c) => c.conversationId === PINE && c.method === 'POST')).toBe(true);
    const reply = replyOf(calls, PINE);
    expect(reply).toMatch(/Registered .*Pine.*could not post there/s);
    const district = await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT);
    const pine = (await app.store.nudges.buildings.list(`teams:${TENANT}`, district?.id ?? '')).find(
      (b) => b.name === 'Pine',
    );
    pineReason = pine?.unreachable?.reason ?? '';
    // In plain words, with the connector's status and code for whoever looks it up.
    expect(pineReason).toBe('the MICIP app is not a member of that channel (403 BotNotInConversationRoster)');
    expect(reply).toContain(pineReason);
  });

  test('the scheduled nudge reaches Oak; the digest lists Pine as unreachable with its reason', async () => {
    await say(DISTRICT, 'schedule add "every day at 9:00" weekends quiet=off');
    fake.clear();
    const start = clock.now().getTime();
    let report = await app.nudges.tick(clock.now());
    for (let h = 1; h <= 25 && report.digests === 0; h++) {
      clock.t = new Date(start + h * 3600_000);
      report = await app.nudges.tick(clock.now());
    }
    await app.teams.idle();
    expect(report.digests).toBe(1);
    const toOak = posts().filter((c) => c.conversationId === OAK);
    expect(toOak).toHaveLength(1);
    expect(JSON.stringify(cardsOf(toOak))).toContain('nudge.open');
    const digest = cardsOf(posts().filter((c) => c.conversationId === DISTRICT));
    expect(digest).toHaveLength(1);
    const json = JSON.stringify(digest[0]);
    expect(json).toMatch(/Could not be reached \(1\)/);
    const section = json.slice(json.indexOf('Could not be reached'));
    expect(section).toContain('Pine');
    expect(section).toContain(pineReason);
  });
});

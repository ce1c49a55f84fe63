import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateCard } from '../../src/adapters/cards/validate';
import { GROUP_CARDS_KV, type StoredGroupCards } from '../../src/adapters/teams/groupThreads';
import { loadConfig } from '../../src/config';
import { levelLabel, type Rubric } from '../../src/domain/rubric';
import { type App, startApp } from '../../src/main';
import { rubrics, TestClock } from '../support/fixtures';
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
 * Small groups in Teams, as src/main.ts wires it, through POST /api/messages and a fake Bot Connector: `groups split
 * 2` posts a card per group in the channel and the group's poll cards as replies to it (`;messageid=`, replyToId);
 * a member votes on their group's card (the vote records the group; the group's shared card is redrawn); someone of
 * the other group is refused with a private error and nothing is stored; `groups compare` answers with its text
 * and the comparison as an Adaptive Card attached to it (a column per group: rating or "not settled").
 */
const TENANT = 'tenant-groups';
const DISTRICT = '19:groups@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey: TeamsUser = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const P = Array.from({ length: 4 }, (_, i) => ({
  id: `29:p${i}`,
  name: `Person ${i}`,
  aadObjectId: `aad-p${i}`,
}));
const rubric = rubrics.get('culture-of-collaboration') as Rubric;

let app: App;
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  fake.pagedMembers = [casey, ...P];
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-teams-groups-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      TEAMS_SERVICE_URLS: fake.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
    }),
    { clock: new TestClock(new Date('2026-11-23T15:00:00Z')), logger: testLogger() },
  );
});

afterAll(async () => {
  await app.stop();
  await fake.stop();
});

const at: TeamsPlace = { serviceUrl: '', tenant: TENANT, channel: DISTRICT, bot: BOT };
const place = () => ({ ...at, serviceUrl: fake.url });
const api = () => `${app.url}/api/messages`;
const posts = (calls: readonly ConnectorCall[]) =>
  calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/pagedmembers'));
/** The bot's replies in the command's own thread (the test activity's `;messageid=1700000000000`). */
const replyOf = (calls: readonly ConnectorCall[]) =>
  posts(calls)
    .filter((c) => c.conversationId === `${DISTRICT};messageid=1700000000000`)
    .map((c) => String(c.body.text ?? ''));

async function say(line: string, from: TeamsUser = casey): Promise<ConnectorCall[]> {
  fake.clear();
  expect((await postActivity(api(), teamsSay(place(), line, from))).status).toBe(200);
  await app.teams.idle();
  return [...fake.calls];
}

const vote = (from: TeamsUser, data: Record<string, unknown>) =>
  postActivity(api(), teamsInvoke(place(), from, 'vote', data));

test('each group rates in its own conversation; others are refused; compare shows a card', async () => {
  expect((await postActivity(api(), teamsBotAdded(place(), casey))).status).toBe(200);
  await app.teams.idle();
  await say('setup "Lakeview Schools"');
  await say('roster import');
  await say('review start "2026-27 Fall"');
  const review = (
    await app.store.reviews.listByDistrict(
      `teams:${TENANT}`,
      (await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT))?.id ?? '',
    )
  )[0];
  const reviewId = review?.id ?? '';
  const row1 = review?.polls[0]?.rowId ?? '';

  const split = await say('groups split 2');
  // The command's reply is unchanged; then, in the channel, a card per group and its polls as replies to it.
  expect(replyOf(split).join('\n')).toContain('is split into 2 small groups (round 1)');
  const headers = posts(split).filter((c) => c.conversationId === DISTRICT);
  expect(headers.map((h) => JSON.stringify(cardsOf([h])))).toEqual([
    expect.stringContaining('Group A'),
    expect.stringContaining('Group B'),
  ]);
  expect(JSON.stringify(cardsOf(headers.slice(0, 1)))).toMatch(/Casey Coordinator.*Person 1.*Person 3/);
  const stored = await app.store.kv.get<StoredGroupCards>(GROUP_CARDS_KV, `${reviewId}|${row1}`);
  expect(stored?.cards.map((c) => c.group)).toEqual(['Group A', 'Group B']);
  for (const c of stored?.cards ?? []) {
    const thread = posts(split).filter((p) => p.conversationId === `${DISTRICT};messageid=${c.headerId}`);
    expect(thread).toHaveLength(rubric.rows.length);
    expect(thread.every((p) => p.body.replyToId === c.headerId)).toBe(true);
    const cards = cardsOf(thread);
    for (const card of cards) expect(validateCard(card)).toEqual([]);
    // The vote actions carry the group.
    expect(JSON.stringify(cards[0])).toContain(`"group":"${c.group}"`);
  }

  // Person 0 (Group B) votes on Group B's card: recorded in the group; the answer and the shared card count 1 of 2.
  fake.clear();
  const ok = await vote(P[0] as TeamsUser, { reviewId, rowId: row1, choice: 3, group: 'Group B' });
  expect(ok.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  expect(JSON.stringify(ok.json?.value)).toContain("Group B's poll");
  expect(JSON.stringify(ok.json?.value)).toContain('1 of 2 have voted');
  await app.teams.idle();
  const b = stored?.cards.find((c) => c.group === 'Group B');
  const redrawn = fake.calls.filter((c) => c.method === 'PUT' && c.activityId === b?.activityId);
  expect(redrawn.length).toBeGreaterThan(0);
  expect(redrawn.at(-1)?.conversationId).toBe(`${DISTRICT};messageid=${b?.headerId}`);
  expect(JSON.stringify(cardsOf(redrawn.slice(-1)))).toContain('1 of 2 have voted');

  // Person 1 (Group A) clicks on Group B's card: a private error, nothing stored.
  const refused = await vote(P[1] as TeamsUser, { reviewId, rowId: row1, choice: 1, group: 'Group B' });
  expect(refused.json).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
  expect(JSON.stringify(refused.json)).toContain(
    "This poll is “Group B”'s and you are in “Group A”: vote on your group's poll in its thread",
  );
  expect((await app.store.votes.listRow(reviewId, row1, 1)).map((v) => [v.memberId, v.group])).toEqual([
    ['aad-p0', 'Group B'],
  ]);

  // compare: the text, then the card with a column per group.
  await vote(P[2] as TeamsUser, { reviewId, rowId: row1, choice: 3, group: 'Group B' });
  const compared = await say('groups compare', P[3] as TeamsUser);
  // One reply: its text as before, the card attached to it.
  const replies = posts(compared).filter((c) => c.conversationId === `${DISTRICT};messageid=1700000000000`);
  expect(replies).toHaveLength(1);
  expect(String(replies[0]?.body.text)).toContain('Small groups of');
  const [card] = cardsOf(replies);
  expect(card && validateCard(card)).toEqual([]);
  const columns = JSON.stringify(
    ((card?.body ?? []) as Array<{ type: string }>).find((x) => x.type === 'ColumnSet'),
  );
  expect(columns).toMatch(
    new RegExp(`Group A.*not settled.*no votes.*Group B.*${levelLabel(rubric, 3)}.*median 3 · 2 votes`),
  );

  // Closing the round redraws the groups' cards too: no vote actions left on them.
  fake.clear();
  await say('close');
  const closed = fake.calls.filter((c) => c.method === 'PUT' && c.activityId === b?.activityId);
  expect(closed.length).toBeGreaterThan(0);
  expect(JSON.stringify(cardsOf(closed.slice(-1)))).not.toContain('"verb":"vote"');
});

test('when the channel refuses the group cards, the coordinator is told; the split stands', async () => {
  expect(replyOf(await say('next')).join('\n')).toMatch(/round 2/i);
  fake.refuse.set(DISTRICT, { status: 403, code: 'BotNotInConversationRoster' });
  try {
    const calls = await say('groups split 2');
    const replies = replyOf(calls).join('\n');
    expect(replies).toContain('is split into 2 small groups');
    expect(replies).toContain("I could not post the small groups' polls in this channel");
  } finally {
    fake.refuse.delete(DISTRICT);
  }
});

test("groups clear redraws the groups' cards without vote actions; the team's cards still take votes", async () => {
  const district = await app.store.districts.findByChannel(`teams:${TENANT}`, DISTRICT);
  const review = (await app.store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? ''))[0];
  const key = `${review?.id}|${review?.polls[0]?.rowId}`;
  const groupCards = (await app.store.kv.get<StoredGroupCards>(GROUP_CARDS_KV, key))?.cards ?? [];
  const teamCard = await app.store.kv.get<{ activityId: string }>('teams.pollCard', key);
  expect(groupCards).toHaveLength(2);
  const lastPut = (id: string | undefined) =>
    JSON.stringify(cardsOf(fake.calls.filter((c) => c.method === 'PUT' && c.activityId === id).slice(-1)));
  const cleared = await say('groups clear');
  expect(replyOf(cleared).join('\n')).toContain('small groups of “2026-27 Fall” are cleared');
  for (const c of groupCards) {
    expect(lastPut(c.activityId)).toContain(`${c.group}'s poll`);
    expect(lastPut(c.activityId)).not.toContain('"verb":"vote"');
  }
  expect(lastPut(teamCard?.activityId)).toContain('"verb":"vote"');
});

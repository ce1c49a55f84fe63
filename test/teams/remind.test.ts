import type { NedbStore } from '../../src/adapters/embedded/nedbStore';
import type { TeamsBot } from '../../src/adapters/teams';
import { rubrics } from '../support/fixtures';
import { postActivity, type TeamsPlace, teamsBotAdded, teamsInvoke, teamsSay } from './support/activities';
import { startTeamsBot, type TeamsBotHarness } from './support/botHarness';
import type { FakeConnector } from './support/fakeConnector';

/**
 * `remind` and the quorum notice through POST /api/messages and a fake Bot Connector: one channel message that
 * @-mentions only the non-voters (mention entities with their Teams ids), the coordinator's reply naming them; an
 * anonymous review is not reminded in the open channel; a row's quorum is announced once.
 */
const TENANT = 'tenant-remind';
const CHANNEL = '19:remind@thread.tacv2';
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const ann = { id: '29:ann', name: 'Ann Member', aadObjectId: 'aad-ann' };
const ben = { id: '29:ben', name: 'Ben Member', aadObjectId: 'aad-ben' };
const cara = { id: '29:cara', name: 'Cara <b>Member</b>', aadObjectId: 'aad-cara' };
const ROWS = (rubrics.get('culture-of-collaboration')?.rows ?? []).map((r) => r.id);

let h: TeamsBotHarness;
let fake: FakeConnector;
let store: NedbStore;
let bot: TeamsBot;
let url = '';
let place: TeamsPlace;

beforeAll(async () => {
  h = await startTeamsBot({ tenant: TENANT, channel: CHANNEL });
  ({ fake, store, bot, url, place } = h);
  fake.pagedMembers = [casey, ann, ben, cara];
});

afterAll(async () => {
  await h.stop();
});

const posts = () => fake.calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/pagedmembers'));

/** What the bot answered (text of the messages it sent) to one command. */
async function say(text: string, from = casey): Promise<string> {
  fake.clear();
  await postActivity(url, teamsSay(place, text, from));
  await bot.idle();
  return posts()
    .map((c) => String(c.body.text ?? ''))
    .join('\n');
}

async function vote(from: typeof casey, reviewId: string, rowId: string, choice = 3) {
  const r = await postActivity(url, teamsInvoke(place, from, 'vote', { reviewId, rowId, choice }));
  expect(r.status).toBe(200);
}

let reviewId = '';

test('remind: one channel message mentioning only the non-voters, with their rows; the coordinator hears who', async () => {
  await postActivity(url, teamsBotAdded(place, casey));
  await bot.idle();
  expect(await say('setup "Lakeview Schools"')).toMatch(/now the district team/);
  expect(await say('roster import')).toMatch(/3 added/);
  await say('review start "2026-27 Fall"');
  const district = await store.districts.findByChannel(`teams:${TENANT}`, CHANNEL);
  reviewId = (await store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? ''))[0]?.id ?? '';
  for (const rowId of ROWS) await vote(ann, reviewId, rowId);
  await vote(ben, reviewId, ROWS[0] as string);
  await bot.idle();

  const reply = await say('remind');
  const reminder = posts().find((c) => /Reminder/.test(String(c.body.text)));
  const entities = (reminder?.body.entities ?? []) as Array<{
    type: string;
    text: string;
    mentioned: { id: string };
  }>;
  const mentioned = entities
    .filter((e) => e.type === 'mention')
    .map((e) => e.mentioned.id)
    .sort();
  expect(mentioned).toEqual(['29:ben', '29:cara', '29:casey']);
  expect(reminder?.conversationId).toBe(CHANNEL); // a new post in the channel, not in the command's thread
  const text = String(reminder?.body.text);
  expect(text).toMatch(/<at>Ben Member<\/at>: row 2 /);
  expect(text).not.toMatch(/Ann Member/);
  // The name is text: its markup is escaped, and the entity's text is the same string as in the message.
  expect(text).not.toContain('<b>');
  const caraAt = entities.find((e) => e.mentioned.id === '29:cara')?.text;
  expect(text).toContain(`${caraAt}: row 1 `);
  expect(reply).toContain('reminded 3 person(s) with a mention in this channel: Ben Member, ');
  expect(reply).toContain('Ben Member');
  expect(await say('remind', ann)).toMatch(/Only a coordinator of this district can remind people/);
  expect(posts().some((c) => /Reminder/.test(String(c.body.text)))).toBe(false);
});

test('a row that reaches its quorum is announced in the channel once', async () => {
  fake.clear();
  // Roster of 4: quorum 3. Row 1 has Ann's and Ben's votes; Cara's is the third.
  await vote(cara, reviewId, ROWS[0] as string);
  await bot.idle();
  const notices = () => posts().filter((c) => /has reached its quorum/.test(String(c.body.text)));
  for (let i = 0; i < 100 && notices().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(notices()).toHaveLength(1);
  expect(notices()[0]?.conversationId).toBe(CHANNEL);
  expect(String(notices()[0]?.body.text)).toMatch(
    /^Row 1 “.*” has reached its quorum in round 1: 3 of 4 voted\./,
  );
  await vote(casey, reviewId, ROWS[0] as string);
  await vote(cara, reviewId, ROWS[0] as string, 2);
  await bot.idle();
  await new Promise((r) => setTimeout(r, 200));
  expect(notices()).toHaveLength(1);
});

test('an anonymous review is not reminded in the open channel: refused, nobody mentioned', async () => {
  await say('review cancel "restart as anonymous"');
  await say('review start "2026-27 Spring" anonymous');
  const reply = await say('remind');
  expect(reply).toMatch(/is anonymous and this chat can only remind people in the channel/);
  expect(
    posts().some((c) => Array.isArray(c.body.entities) && (c.body.entities as unknown[]).length > 0),
  ).toBe(false);
});

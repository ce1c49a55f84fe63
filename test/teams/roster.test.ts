import type { NedbStore } from '../../src/adapters/embedded/nedbStore';
import type { TeamsBot } from '../../src/adapters/teams';
import type { Roster } from '../../src/adapters/teams/directory';
import { KV } from '../../src/adapters/teams/directory';
import { postActivity, type TeamsPlace, teamsBotAdded, teamsSay } from './support/activities';
import { startTeamsBot, type TeamsBotHarness } from './support/botHarness';
import type { FakeConnector } from './support/fakeConnector';

/**
 * `roster import` through POST /api/messages: the conversation's members read from the (fake) Bot Connector with
 * TeamsInfo.getPagedMembers, page by page with the continuation token; people by AAD object id, an account
 * without one and a bot skipped; a member who is not a coordinator refused.
 */
const TENANT = 'tenant-roster';
const CHANNEL = '19:roster@thread.tacv2';
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
/** 520 people: more than one page of 500. */
const PEOPLE = Array.from({ length: 520 }, (_, i) => ({
  id: `29:p${i}`,
  name: `Person ${i}`,
  aadObjectId: `aad-p${i}`,
}));

let h: TeamsBotHarness;
let fake: FakeConnector;
let store: NedbStore;
let bot: TeamsBot;
let url = '';
let place: TeamsPlace;

beforeAll(async () => {
  h = await startTeamsBot({ tenant: TENANT, channel: CHANNEL });
  ({ fake, store, bot, url, place } = h);
  fake.pagedMembers = [
    casey,
    ...PEOPLE,
    { id: '28:other-bot', name: 'Other bot', userRole: 'bot' },
    { id: '29:no-aad', name: 'Federated account' },
  ];
});

afterAll(async () => {
  await h.stop();
});

/** What the bot answered (text of the messages it sent) to one command. */
async function say(text: string, from: typeof casey = casey): Promise<string> {
  fake.clear();
  await postActivity(url, teamsSay(place, text, from));
  await bot.idle();
  return fake.calls
    .filter((c) => c.method === 'POST')
    .map((c) => String(c.body.text ?? ''))
    .join('\n');
}

test('roster import reads the conversation’s members page by page and enrols the people', async () => {
  await postActivity(url, teamsBotAdded(place, casey));
  await bot.idle();
  expect(await say('setup "Lakeview Schools"')).toMatch(/now the district team/);
  const reply = await say('roster import');
  expect(reply).toMatch(/520 added, 1 already on the roster, 2 bot\(s\) or deactivated account\(s\) skipped/);
  const pages = fake.calls.filter((c) => c.path.endsWith('/pagedmembers'));
  expect(pages.map((p) => p.body.continuationToken ?? null)).toEqual([null, '500']);
  expect(pages.every((p) => p.body.pageSize === '500')).toBe(true);
  const district = await store.districts.findByChannel(`teams:${TENANT}`, CHANNEL);
  const members = await store.members.list(`teams:${TENANT}`, district?.id ?? '');
  expect(members).toHaveLength(521);
  expect(members.find((m) => m.memberId === 'aad-p511')?.displayName).toBe('Person 511');
  // The people listed are remembered in the channel's roster, so their mentions resolve without a lookup.
  const roster = await store.kv.get<Roster>(KV.roster, `teams:${TENANT}|${CHANNEL}`);
  expect(roster?.users['aad-p511']).toBe('29:p511');
});

test('a member who is not a coordinator may not import', async () => {
  const p0 = PEOPLE[0] as (typeof PEOPLE)[number];
  expect(await say('roster import', p0)).toMatch(/Only a coordinator of this district/);
});

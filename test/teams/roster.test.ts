import type * as http from 'node:http';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { mountTeams, type TeamsBot } from '../../src/adapters/teams';
import type { Roster } from '../../src/adapters/teams/directory';
import { KV } from '../../src/adapters/teams/directory';
import { makeService } from '../support/fixtures';
import { testLogger } from '../support/logs';
import { postActivity, type TeamsPlace, teamsBotAdded, teamsSay } from './support/activities';
import { FakeConnector } from './support/fakeConnector';

/**
 * `roster import` through POST /api/messages: the conversation's members read from the (fake) Bot Connector with
 * TeamsInfo.getPagedMembers, page by page with the continuation token; people by AAD object id, an account
 * without one and a bot skipped; a member who is not a coordinator refused.
 */
const TENANT = 'tenant-roster';
const CHANNEL = '19:roster@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
/** 520 people: more than one page of 500. */
const PEOPLE = Array.from({ length: 520 }, (_, i) => ({
  id: `29:p${i}`,
  name: `Person ${i}`,
  aadObjectId: `aad-p${i}`,
}));

let fake: FakeConnector;
let store: NedbStore;
let server: http.Server;
let bot: TeamsBot;
let url = '';
let place: TeamsPlace;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  store = new NedbStore(null);
  await store.init();
  const web = express();
  bot = mountTeams(web, {
    config: { TEAMS_SERVICE_URLS: [fake.url], TEAMS_LOCAL_NO_AUTH: true },
    service: makeService(store),
    store,
    queue: { baseDelayMs: 20 },
    logger: testLogger(),
  });
  await new Promise<void>((resolve) => {
    server = web.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/messages`;
  place = { serviceUrl: fake.url, tenant: TENANT, channel: CHANNEL, bot: BOT };
  fake.pagedMembers = [
    casey,
    ...PEOPLE,
    { id: '28:other-bot', name: 'Other bot', userRole: 'bot' },
    { id: '29:no-aad', name: 'Federated account' },
  ];
});

afterAll(async () => {
  await bot.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.stop();
  await store.close();
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

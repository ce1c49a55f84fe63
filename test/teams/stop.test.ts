import type * as http from 'node:http';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { mountTeams, type TeamsBot } from '../../src/adapters/teams';
import { makeService, rubrics } from '../support/fixtures';
import { testLogger } from '../support/logs';
import {
  cardsOf,
  postActivity,
  type TeamsPlace,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from './support/activities';
import { FakeConnector } from './support/fakeConnector';

/**
 * A process that stops (a deploy, a scale-down) redraws the shared poll cards still waiting for their interval
 * before it goes: the next process does not know they are owed, so a card would show an old count until someone
 * votes on it again. Through POST /api/messages and a fake Bot Connector.
 */
const TENANT = 'tenant-stop';
const CHANNEL = '19:stop@thread.tacv2';
const BOT = { id: '28:micip-bot', name: 'MICIP' };
const casey = { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' };
const ann = { id: '29:ann', name: 'Ann Member', aadObjectId: 'aad-ann' };
const ROW = (rubrics.get('culture-of-collaboration')?.rows ?? [])[0]?.id ?? '';

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
    // A card redrawn a moment ago waits this long before its next update.
    cardUpdateIntervalMs: 5000,
    queue: { baseDelayMs: 20 },
    logger: testLogger(),
  });
  await new Promise<void>((resolve) => {
    server = web.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/messages`;
  place = { serviceUrl: fake.url, tenant: TENANT, channel: CHANNEL, bot: BOT };
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.stop();
  await store.close();
});

test('stopping redraws a shared poll card whose update was waiting for its interval', async () => {
  await postActivity(url, teamsBotAdded(place, casey));
  await bot.idle();
  await postActivity(url, teamsSay(place, 'setup "Stop Schools"', casey));
  await postActivity(url, teamsSay(place, 'review start "2026-27 Fall"', casey));
  await bot.idle();
  const district = await store.districts.findByChannel(`teams:${TENANT}`, CHANNEL);
  const reviewId = (await store.reviews.listByDistrict(`teams:${TENANT}`, district?.id ?? ''))[0]?.id ?? '';
  const updates = () => cardsOf(fake.calls.filter((c) => c.method === 'PUT')).map((c) => JSON.stringify(c));
  const vote = async (from: typeof casey) => {
    const r = await postActivity(url, teamsInvoke(place, from, 'vote', { reviewId, rowId: ROW, choice: 3 }));
    expect(r.status).toBe(200);
  };
  fake.clear();
  await vote(casey);
  await bot.idle();
  expect(updates()).toHaveLength(1);
  expect(updates()[0]).toMatch(/1 of \d+ ha/);
  // The second vote's update waits 5 s for the card's interval; the process stops before that.
  await vote(ann);
  const t0 = Date.now();
  await bot.stop();
  expect(Date.now() - t0).toBeLessThan(4000);
  expect(updates()).toHaveLength(2);
  expect(updates()[1]).toMatch(/2 of \d+ ha/);
});

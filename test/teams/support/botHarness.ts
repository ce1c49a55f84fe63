import type * as http from 'node:http';
import express from 'express';
import { NedbStore } from '../../../src/adapters/embedded/nedbStore';
import { mountTeams, type TeamsBot, type TeamsDeps } from '../../../src/adapters/teams';
import { makeService } from '../../support/fixtures';
import { testLogger } from '../../support/logs';
import { cardsOf, postActivity, type TeamsPlace, teamsBotAdded, teamsInvoke, teamsSay } from './activities';
import { FakeConnector } from './fakeConnector';

export interface TeamsBotHarness {
  fake: FakeConnector;
  store: NedbStore;
  bot: TeamsBot;
  /** POST /api/messages of the bot. */
  url: string;
  /** The channel the tests write in, served by the fake Bot Connector. */
  place: TeamsPlace;
  /** Stops the bot, the server, the fake Bot Connector and the store. */
  stop(): Promise<void>;
}

/**
 * The Teams bot on an in-memory embedded store behind POST /api/messages on 127.0.0.1, with a local fake Bot
 * Connector (auth off: loopback, TEAMS_LOCAL_NO_AUTH). `deps` adds to or replaces the bot's options. `shared`: a
 * store and fake Bot Connector of the test's (replicas of one deployment); the harness's stop leaves them running.
 */
export async function startTeamsBot(
  where: { tenant: string; channel: string },
  deps: Partial<TeamsDeps> = {},
  shared?: { store: NedbStore; fake: FakeConnector },
): Promise<TeamsBotHarness> {
  const fake = shared?.fake ?? (await new FakeConnector().start());
  const store = shared?.store ?? new NedbStore(null);
  if (!shared) await store.init();
  const web = express();
  const bot = mountTeams(web, {
    config: { TEAMS_SERVICE_URLS: [fake.url], TEAMS_LOCAL_NO_AUTH: true },
    service: makeService(store),
    store,
    queue: { baseDelayMs: 20 },
    logger: testLogger(),
    ...deps,
  });
  const server: http.Server = await new Promise((resolve) => {
    const s = web.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/messages`;
  return {
    fake,
    store,
    bot,
    url,
    place: {
      serviceUrl: fake.url,
      tenant: where.tenant,
      channel: where.channel,
      bot: { id: '28:micip-bot', name: 'MICIP' },
    },
    async stop() {
      await bot.stop(); // again after a test's own stop: nothing is left to redraw, so it returns at once
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (shared) return;
      await fake.stop();
      await store.close();
    },
  };
}

type Person = { id: string; name: string; aadObjectId: string };

/**
 * The bot added to the harness's channel by `coordinator`, who sets up `district` there and starts the review
 * `cycle`. Resolves with the review's id, the shared cards' updates (PUTs) the fake Bot Connector has received, as
 * JSON, a vote on a row (answered 200, or it throws), and a first vote whose card update is checked.
 */
export async function startReview(h: TeamsBotHarness, coordinator: Person, district: string, cycle: string) {
  const { url, place, bot, store, fake } = h;
  await postActivity(url, teamsBotAdded(place, coordinator));
  await bot.idle();
  await postActivity(url, teamsSay(place, `setup "${district}"`, coordinator));
  await postActivity(url, teamsSay(place, `review start "${cycle}"`, coordinator));
  await bot.idle();
  const tenantId = `teams:${place.tenant}`;
  const found = await store.districts.findByChannel(tenantId, place.channel);
  const reviewId = (await store.reviews.listByDistrict(tenantId, found?.id ?? ''))[0]?.id ?? '';
  if (!reviewId) throw new Error('the review did not start');
  const updates = () => cardsOf(fake.calls.filter((c) => c.method === 'PUT')).map((c) => JSON.stringify(c));
  const vote = async (from: Person, rowId: string, choice: number) => {
    const r = await postActivity(url, teamsInvoke(place, from, 'vote', { reviewId, rowId, choice }));
    if (r.status !== 200) throw new Error(`the vote answered ${r.status}`);
  };
  return {
    reviewId,
    updates,
    vote,
    /** A first vote on the row, and the shared card's update that shows it (the only update since). */
    firstVoteDrawn: async (from: Person, rowId: string, choice: number) => {
      fake.clear();
      await vote(from, rowId, choice);
      await bot.idle();
      const u = updates();
      if (u.length !== 1 || !/1 of \d+ ha/.test(u[0] ?? ''))
        throw new Error(`expected one card update showing 1 vote, got ${u.length}`);
    },
  };
}

import { MongoClient } from 'mongodb';
import { ACTION } from '../../src/adapters/slack/blocks';
import { POLL_MESSAGES_NS } from '../../src/adapters/slack/slackApp';
import { loadConfig } from '../../src/config';
import { type App, type AppDeps, startApp } from '../../src/main';
import { testLogger } from '../support/logs';
import { FakeSlack } from './fakeSlack';
import { SignedClient, voteClick } from './signedClient';

/** Polls `cond` every `everyMs` (15 ms) until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  everyMs = 15,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('condition not met in time');
}

export interface SlackHarness {
  fake: FakeSlack;
  app: App;
  slack: SignedClient;
  stop(): Promise<void>;
}

/**
 * The whole app as src/main.ts wires it for single-workspace Slack over HTTP, on its own database of the test
 * MongoDB server, talking to a local fake Slack Web API; `slack` sends correctly signed requests to it.
 */
export async function startSlackHarness(
  dbName: string,
  secret: string,
  env: Record<string, string> = {},
  fakeOptions: ConstructorParameters<typeof FakeSlack>[0] = {},
  deps: Omit<AppDeps, 'logger'> = {},
): Promise<SlackHarness> {
  const uri = process.env.MONGODB_URI as string;
  const fake = await new FakeSlack(fakeOptions).start();
  const app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: uri,
      MONGODB_DB: dbName,
      SLACK_SIGNING_SECRET: secret,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.url,
      WEB_CONSOLE: 'off',
      ...env,
    }),
    { ...deps, logger: testLogger() },
  );
  const port = (app.server.address() as { port: number }).port;
  const slack = new SignedClient(`http://127.0.0.1:${port}/slack/events`, secret);
  return {
    fake,
    app,
    slack,
    async stop() {
      await app.stop();
      await fake.stop();
      const client = await MongoClient.connect(uri);
      await client.db(dbName).dropDatabase();
      await client.close();
    },
  };
}

/** The close command has finished both steps (round marked closed, then every poll's result stored). */
export async function roundClosed(h: SlackHarness, reviewId: string): Promise<boolean> {
  const r = await h.app.store.reviews.get(reviewId);
  return r?.roundStatus === 'closed' && r.polls.every((p) => p.status !== 'voting');
}

/**
 * Starts a review through /micip in `team`/`channel` (more command fields in `fields`, e.g. `user_name`) and returns
 * its id and row ids, from the stored poll message refs once all six polls are posted.
 */
export async function startReviewViaSlack(
  h: SlackHarness,
  team: string,
  channel: string,
  coordinator: string,
  args: string,
  fields: Record<string, string> = {},
) {
  const before = new Set((await h.app.store.kv.list(POLL_MESSAGES_NS)).map((x) => x.key));
  await h.slack.command({
    team_id: team,
    channel_id: channel,
    user_id: coordinator,
    text: `review start ${args}`,
    ...fields,
  });
  let keys: string[] = [];
  // Slack lets a channel have about one chat.postMessage a second, so the six polls queue behind whatever the
  // channel still has to post (a previous review's threads, reminders): up to ~20 s in the whole-process test.
  await waitFor(async () => {
    keys = (await h.app.store.kv.list(POLL_MESSAGES_NS)).map((x) => x.key).filter((k) => !before.has(k));
    return keys.length === 6;
  }, 45_000);
  const reviewId = keys[0]?.split('|')[0] ?? '';
  return { reviewId, rowIds: keys.map((k) => k.split('|')[1] ?? '') };
}

/** A signed vote click of `user` (shown as `name`) on a poll; fails unless Slack's request is answered 200. */
export async function voteViaSlack(
  h: SlackHarness,
  o: {
    team: string;
    channel: string;
    user: string;
    name?: string;
    reviewId: string;
    rowId: string;
    choice: string;
  },
): Promise<void> {
  const r = await h.slack.payload(
    voteClick({
      team: o.team,
      channel: o.channel,
      user: o.user,
      name: o.name ?? `name-${o.user}`,
      actionId: `${ACTION.vote}_${o.choice}`,
      value: `${o.reviewId}|${o.rowId}`,
    }),
  );
  if (r.status !== 200) throw new Error(`vote click answered ${r.status}`);
}

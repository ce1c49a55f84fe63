import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { testLogger } from '../support/logs';
import { FakeSlack } from './fakeSlack';
import { SignedClient } from './signedClient';

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
    { logger: testLogger() },
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

import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { POLL_MESSAGES_NS } from '../../src/adapters/slack/slackApp';
import { freePort } from '../support/mongoServer';
import { FakeSlack } from './fakeSlack';
import { waitFor } from './harness';
import { SignedClient } from './signedClient';

const root = path.resolve(__dirname, '..', '..');

export interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
  client: SignedClient;
  output: string[];
  exited: Promise<void>;
}

/** One replica: src/main.ts in its own Node process, as deployed (only ts-node instead of a build). */
export async function startReplica(
  name: string,
  o: { slackApiUrl: string; dbName: string; secret: string; env?: Record<string, string> },
): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      // The machine's clock as this test sees it (scripts/test-dates.sh shifts it with libfaketime).
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => k === 'TZ' || k === 'LD_PRELOAD' || k.startsWith('FAKETIME'),
        ),
      ),
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: process.env.MONGODB_URI as string,
      MONGODB_DB: o.dbName,
      SLACK_SIGNING_SECRET: o.secret,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: o.slackApiUrl,
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      LOG_LEVEL: 'error',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replica: Replica = {
    name,
    child,
    port,
    client: new SignedClient(`http://127.0.0.1:${port}/slack/events`, o.secret),
    output,
    exited,
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited: ${output.join('')}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
      } catch {
        return false;
      }
    }, 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`replica ${name} did not answer /healthz: ${(e as Error).message}\n${output.join('')}`);
  }
  return replica;
}

export async function stopReplica(r: Replica | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 5000);
  await r.exited;
  clearTimeout(timer);
}

export interface ReplicaPair {
  fake: FakeSlack;
  a: Replica;
  b: Replica;
  /** The replicas' database, read directly by the test. */
  store: MongoStore;
  /** Stops both replicas (those still running), the store and the fake, and drops the database. */
  stop(): Promise<void>;
}

/**
 * Two replicas of one deployment (A and B) on one database behind a fake Slack Web API that enforces Slack's rate
 * limits. `env` adds to each replica's settings.
 */
export async function startReplicaPair(o: {
  dbName: string;
  secret: string;
  env?: Record<string, string>;
}): Promise<ReplicaPair> {
  const fake = await new FakeSlack({ tiers: true }).start();
  const settings = { slackApiUrl: fake.url, ...o };
  const started = await Promise.allSettled([startReplica('A', settings), startReplica('B', settings)]);
  const [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  const store = await MongoStore.connect({ uri: process.env.MONGODB_URI as string, dbName: o.dbName });
  const stop = async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    await store.close();
    await fake.stop();
    const client = await MongoClient.connect(process.env.MONGODB_URI as string);
    await client.db(o.dbName).dropDatabase();
    await client.close();
  };
  for (const s of started)
    if (s.status === 'rejected') {
      await stop();
      throw s.reason;
    }
  return { fake, a: a as Replica, b: b as Replica, store, stop };
}

/**
 * Sets up a district in A's channel and starts a review there; resolves with the first poll's review, row and
 * message once all 6 poll messages are posted.
 */
export async function startReviewOn(
  p: ReplicaPair,
  district: string,
  review: string,
): Promise<{ reviewId: string; row: string; ts: string }> {
  const setup = await p.a.client.command({ text: `setup "${district}"` });
  if (setup.status !== 200) throw new Error(`setup answered ${setup.status}`);
  await waitFor(() => p.fake.of('chat.postEphemeral').length === 1, 10_000);
  const start = await p.a.client.command({ text: `review start ${review}` });
  if (start.status !== 200) throw new Error(`review start answered ${start.status}`);
  await waitFor(async () => (await p.store.kv.list(POLL_MESSAGES_NS)).length === 6, 10_000);
  const first = (await p.store.kv.list<{ ts: string }>(POLL_MESSAGES_NS))[0];
  const [reviewId = '', row = ''] = (first?.key ?? '').split('|');
  return { reviewId, row, ts: first?.value.ts ?? '' };
}

/**
 * npm run bench:teams — a vote storm through POST /api/messages.
 *
 * 60 members each vote on all 6 rows (360 `adaptiveCard/action` invokes, 20 in flight) against the real Teams
 * adapter (guard → CloudAdapter → ReviewService → store → refreshed card), with shared-card updates going to a
 * fake Bot Connector on 127.0.0.1 through the throttled send queue. Beside it, the floor: a bare botbuilder
 * CloudAdapter on express that answers the same invokes with a fixed card and does nothing else.
 * After the run the stored votes are checked (none lost or doubled) and the last update of every shared card must
 * show 60 of 60 voted.
 *
 * Store: MongoDB when MONGODB_URI is set, else the embedded NeDB store in a temp folder.
 * Options (env): BENCH_MEMBERS (default 60), BENCH_CONCURRENCY (default 20).
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Activity, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import express from 'express';
import { NedbStore } from '../src/adapters/embedded/nedbStore';
import { MongoStore } from '../src/adapters/mongo/mongoStore';
import { mountTeams } from '../src/adapters/teams';
import type { Store } from '../src/app/ports';
import type { Choice } from '../src/domain/rubric';
import { asker, makeService } from '../test/support/fixtures';
import { FakeConnector } from '../test/teams/support/fakeConnector';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TENANT = 'bench-tenant';
const CHANNEL = '19:bench@thread.tacv2';
const CHOICES: Choice[] = [1, 2, 3, 4, 'unsure'];

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function listen(app: express.Express): Promise<{ server: http.Server; url: string }> {
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  return { server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/api/messages` };
}

function invoke(serviceUrl: string, user: number, reviewId: string, rowId: string, choice: Choice) {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `inv-${user}-${rowId}`,
    serviceUrl,
    channelId: 'msteams',
    from: { id: `29:user${user}`, aadObjectId: `aad-${user}`, name: `Member ${user}` },
    recipient: { id: '28:bot', name: 'MICIP' },
    conversation: { id: CHANNEL, conversationType: 'channel', tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, channel: { id: CHANNEL } },
    value: {
      action: { type: 'Action.Execute', verb: 'vote', data: { reviewId, rowId, choice } },
      trigger: 'manual',
    },
  };
}

async function storm(
  url: string,
  bodies: object[],
): Promise<{ latencies: number[]; seconds: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const t = performance.now();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const json = (await res.json()) as { statusCode?: number };
        latencies.push(performance.now() - t);
        if (res.status !== 200 || json.statusCode !== 200) errors++;
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - t0) / 1000, errors };
}

async function openStore(): Promise<{ store: Store; kind: string; cleanup: () => Promise<void> }> {
  if (process.env.MONGODB_URI) {
    const dbName = `micip_bench_teams_${process.pid}`;
    const store = await MongoStore.connect({ uri: process.env.MONGODB_URI, dbName });
    await store.init();
    return {
      store,
      kind: 'MongoDB',
      cleanup: async () => {
        await store.db.dropDatabase();
        await store.close();
      },
    };
  }
  const store = new NedbStore(fs.mkdtempSync(path.join(os.tmpdir(), 'micip-bench-teams-')));
  await store.init();
  return { store, kind: 'embedded NeDB', cleanup: () => store.close() };
}

async function main(): Promise<void> {
  const fake = await new FakeConnector().start();
  const { store, kind, cleanup } = await openStore();
  const service = makeService(store, { now: () => new Date() });
  const web = express();
  const bot = mountTeams(web, {
    config: { TEAMS_SERVICE_URLS: [fake.url], TEAMS_LOCAL_NO_AUTH: true },
    service,
    store,
  });
  const real = await listen(web);

  // A district, its members, the bot's conversation reference and the six posted poll cards.
  // Set up as in the tests (test/support/fixtures.ts): someone the platform confirms as an admin (here the app's
  // installer), asking from the district channel, who so becomes its coordinator.
  const coord = asker(`teams:${TENANT}`, 'aad-0', CHANNEL, 'Member 0');
  await service.setupDistrict(coord, { name: 'Bench Schools', channelId: CHANNEL });
  for (let u = 1; u < MEMBERS; u++) {
    await service.setMember(coord, {
      channelId: CHANNEL,
      memberId: `aad-${u}`,
      displayName: `Member ${u}`,
      perspective: u % 3 ? 'district' : 'building',
    });
  }
  const view = await service.startReview(coord, { channelId: CHANNEL, cycle: 'Bench' });
  await store.kv.put('teams.conversation', `teams:${TENANT}|${CHANNEL}`, {
    tenantId: `teams:${TENANT}`,
    channelId: CHANNEL,
    reference: {
      serviceUrl: fake.url,
      channelId: 'msteams',
      conversation: { id: CHANNEL },
      bot: { id: '28:bot' },
    },
    updatedAt: new Date().toISOString(),
  });
  await bot.postReview(view);
  await bot.idle();
  fake.clear();

  const rows = view.polls.map((p) => p.rowId);
  const bodies = Array.from({ length: MEMBERS }, (_, u) =>
    rows.map((r, i) => invoke(fake.url, u, view.reviewId, r, CHOICES[(u + i) % CHOICES.length] as Choice)),
  ).flat();

  // Floor: bare botbuilder answering the same invokes with a fixed card.
  const bareAdapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const fixed = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'ok' }] };
  const bareApp = express();
  bareApp.use(express.json({ limit: '1mb' }));
  bareApp.post('/api/messages', (req, res) => {
    void bareAdapter.process(req, res, async (ctx) => {
      await ctx.sendActivity({
        type: 'invokeResponse',
        value: {
          status: 200,
          body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: fixed },
        },
      } as Partial<Activity>);
    });
  });
  const bare = await listen(bareApp);

  await storm(bare.url, bodies.slice(0, 40)); // warm-up
  const floor = await storm(bare.url, bodies);
  const t0 = performance.now();
  const run = await storm(real.url, bodies);
  await bot.idle();
  const drained = (performance.now() - t0) / 1000;

  const votes = await store.votes.listRound(view.reviewId, 1);
  const updates = fake.calls.filter((c) => c.method === 'PUT');
  const lastByCard = new Map(updates.map((u) => [u.activityId, JSON.stringify(u.body)]));
  const complete = [...lastByCard.values()].filter((b) =>
    b.includes(`${MEMBERS} of ${MEMBERS} have voted`),
  ).length;
  const maxPerSecond = (() => {
    const at = fake.calls.map((c) => c.at).sort((a, b) => a - b);
    let max = 0;
    for (let i = 0, j = 0; i < at.length; i++) {
      while ((at[i] as number) - (at[j] as number) >= 1000) j++;
      max = Math.max(max, i - j + 1);
    }
    return max;
  })();

  const row = (name: string, r: typeof run) =>
    `| ${name} | ${r.latencies.length} | ${(r.latencies.length / r.seconds).toFixed(0)} | ${pct(r.latencies, 0.5).toFixed(1)} | ${pct(r.latencies, 0.95).toFixed(1)} | ${pct(r.latencies, 0.99).toFixed(1)} | ${r.errors} |`;
  console.log(
    `Teams vote storm: ${MEMBERS} members × ${rows.length} rows, ${CONCURRENCY} in flight, store: ${kind}\n`,
  );
  console.log('| server | invokes | invokes/s | p50 ms | p95 ms | p99 ms | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(row('bare botbuilder (fixed card)', floor));
  console.log(row('MICIP Teams adapter', run));
  console.log(
    `\nstored votes: ${votes.length} (expected ${bodies.length}); shared-card updates sent: ${updates.length} for ${bodies.length} votes ` +
      `(${(bodies.length / Math.max(1, updates.length)).toFixed(1)} votes per update); cards ending at ${MEMBERS}/${MEMBERS}: ${complete} of ${rows.length}; ` +
      `max sends to the channel in any second: ${maxPerSecond}; all updates drained ${drained.toFixed(1)} s after the storm began.`,
  );
  const ok =
    votes.length === bodies.length && complete === rows.length && run.errors === 0 && maxPerSecond <= 7;
  await bot.stop();
  await new Promise<void>((r) => real.server.close(() => r()));
  await new Promise<void>((r) => bare.server.close(() => r()));
  await fake.stop();
  await cleanup();
  if (!ok) {
    console.error('FAILED: lost or doubled votes, stale cards, errors or a rate above 7/s');
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

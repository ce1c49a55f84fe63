/**
 * npm run bench:nudges — 1,000 building teams due in the same minute (500 on Slack, 500 on Teams), sent by the
 * real NudgeRunner through the Slack and Teams messengers to local fake servers that enforce the platforms'
 * rate limits (answering 429 + Retry-After when exceeded):
 *   - fake Slack Web API: chat.postMessage ≤ 1/s per channel and ≤ SLACK_WS_RATE/s per workspace (default 20/s,
 *     i.e. 1,200/min — Slack documents "several hundred per minute" for bursts across channels);
 *   - fake Bot Connector: ≤ 7/s per conversation (Teams' per-thread limit) and ≤ TEAMS_GLOBAL_RATE/s per bot
 *     (default 50/s).
 * Reports total time against the minimum those limits allow, sends per building (must be exactly 1), 429s,
 * and peak memory. MONGODB_URI is used when set; otherwise the bench starts the test MongoDB-wire server.
 * Options (env): BENCH_BUILDINGS (default 1000), BENCH_REPLICAS (default 1; >1 runs that many schedulers sharing
 * the database, each with its own rate limiter, so the servers' 429s are exercised too).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { webApi } from '@slack/bolt';
import { MongoClient } from 'mongodb';
import { MongoStore } from '../src/adapters/mongo/mongoStore';
import { cronParserEngine, routeMessenger } from '../src/adapters/scheduler';
import { createSlackNudgeMessenger } from '../src/adapters/slack/nudges';
import { SlackOutbound } from '../src/adapters/slack/outbound';
import { connectorPoster, createTeamsNudgeMessenger } from '../src/adapters/teams/nudges';
import { BuildingService } from '../src/app/nudges/buildingService';
import { NudgeRunner } from '../src/app/nudges/nudgeRunner';
import { ScheduleService } from '../src/app/nudges/scheduleService';
import { zonedTime } from '../src/domain/schedule';
import { asker, counterIds, makeService, TestClock } from '../test/support/fixtures';
import { type RunningServer, startMongoJavaServer } from '../test/support/mongoServer';

const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 1000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1);
const SLACK_WS_RATE = Number(process.env.SLACK_WS_RATE ?? 20);
const SLACK_CH_RATE = 1;
const TEAMS_CONV_RATE = 7;
const TEAMS_GLOBAL_RATE = Number(process.env.TEAMS_GLOBAL_RATE ?? 50);

/** Sliding one-second windows per key; `admit` answers whether a request may pass now. */
class Window {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly perSecond: number) {}
  wouldAdmit(key: string, now: number): boolean {
    return (this.hits.get(key) ?? []).filter((t) => t > now - 1000).length < this.perSecond;
  }
  admit(key: string, now: number): boolean {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - 1000);
    if (list.length >= this.perSecond) {
      this.hits.set(key, list);
      return false;
    }
    list.push(now);
    this.hits.set(key, list);
    return true;
  }
}

interface FakeStats {
  accepted: Map<string, number>;
  rejected429: number;
  first: number;
  last: number;
}

function fakeServer(
  route: (url: string, body: Record<string, unknown>) => { key: string; channel: string } | null,
  limits: Array<{ w: Window; key: (k: { key: string; channel: string }) => string }>,
  okBody: (channel: string) => object,
) {
  const stats: FakeStats = { accepted: new Map(), rejected429: 0, first: 0, last: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = req.headers['content-type']?.includes('json')
          ? JSON.parse(raw)
          : Object.fromEntries(new URLSearchParams(raw));
      } catch {
        res.statusCode = 400;
        res.end('{}');
        return;
      }
      const target = route(req.url ?? '', body);
      res.setHeader('content-type', 'application/json');
      if (!target) {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      const now = Date.now();
      // Check every limit before counting against any of them.
      const keys = limits.map((l) => l.key(target));
      const ok = limits.every((l, i) => l.w.wouldAdmit(keys[i] as string, now));
      if (ok)
        limits.forEach((l, i) => {
          l.w.admit(keys[i] as string, now);
        });
      if (!ok) {
        stats.rejected429++;
        res.statusCode = 429;
        res.setHeader('retry-after', '1');
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      stats.accepted.set(target.channel, (stats.accepted.get(target.channel) ?? 0) + 1);
      if (!stats.first) stats.first = now;
      stats.last = now;
      res.end(JSON.stringify(okBody(target.channel)));
    });
  });
  return { server, stats };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main() {
  let mongo: RunningServer | null = null;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    mongo = await startMongoJavaServer();
    uri = mongo.uri;
  }
  const dbName = `micip_bench_nudges_${process.pid}`;

  const slackFake = fakeServer(
    (url, body) =>
      url.endsWith('/chat.postMessage') ? { key: 'T_BENCH', channel: String(body.channel) } : null,
    [
      { w: new Window(SLACK_CH_RATE), key: (t) => `ch:${t.channel}` },
      { w: new Window(SLACK_WS_RATE), key: (t) => `ws:${t.key}` },
    ],
    (channel) => ({ ok: true, channel, ts: `${Date.now() / 1000}` }),
  );
  const teamsFake = fakeServer(
    (url) => {
      const m = /^\/v3\/conversations\/([^/]+)\/activities$/.exec(url);
      return m ? { key: 'bot', channel: decodeURIComponent(m[1] ?? '') } : null;
    },
    [
      { w: new Window(TEAMS_CONV_RATE), key: (t) => `conv:${t.channel}` },
      { w: new Window(TEAMS_GLOBAL_RATE), key: () => 'global' },
    ],
    () => ({ id: `a${Math.random().toString(36).slice(2)}` }),
  );
  const slackUrl = await listen(slackFake.server);
  const teamsUrl = await listen(teamsFake.server);

  const stores: MongoStore[] = [];
  const clock = new TestClock(zonedTime('America/Detroit', 2026, 11, 23, 10, 0)); // Monday 10:00
  const openStore = async () => {
    const s = await MongoStore.connect({ uri: uri as string, dbName });
    await s.init();
    stores.push(s);
    return s;
  };
  const setupStore = await openStore();
  const ids = counterIds();
  const reviews = makeService(setupStore, clock);
  const nudges = setupStore.nudges;
  const buildings = new BuildingService({ store: setupStore, nudges, clock, ids });
  const schedules = new ScheduleService({
    store: setupStore,
    nudges,
    buildings,
    cron: cronParserEngine,
    clock,
    ids,
  });
  const half = Math.ceil(BUILDINGS / 2);
  const tenants = [
    { tenantId: 'T_BENCH', count: half, channel: (i: number) => `CB${i}`, district: 'C_DISTRICT' },
    {
      tenantId: 'teams:bench-tenant',
      count: BUILDINGS - half,
      channel: (i: number) => `19:b${i}@thread.tacv2`,
      district: '19:district@thread.tacv2',
    },
  ];
  const t0 = performance.now();
  for (const t of tenants) {
    // A workspace admin in the district's channel sets it up (so coordinates it) and adds the schedule there,
    // as in the tests (test/support/fixtures.ts).
    const coord = asker(t.tenantId, 'U_COORD', t.district, 'Coordinator');
    const district = await reviews.setupDistrict(coord, {
      name: `Bench district ${t.tenantId}`,
      channelId: t.district,
    });
    // Bulk registration straight into the store (the use case is exercised by the tests; setup is not timed).
    const list = Array.from({ length: t.count }, (_, i) => ({
      id: `b${i}`,
      tenantId: t.tenantId,
      districtId: district.id,
      name: `School ${String(i).padStart(4, '0')}`,
      channelId: t.channel(i),
      members: [],
      createdAt: clock.now().toISOString(),
      createdBy: 'U_COORD',
    }));
    for (let i = 0; i < list.length; i += 100)
      await Promise.all(list.slice(i, i + 100).map((b) => nudges.buildings.put(b)));
    await schedules.add(coord, {
      channelId: t.district,
      expression: 'every weekday at 9:00',
      quiet: 'off',
      escalateAfter: 0,
    });
  }
  console.log(`setup: ${BUILDINGS} buildings in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const runners = [];
  for (let r = 0; r < REPLICAS; r++) {
    const store = r === 0 ? setupStore : await openStore();
    const slackClient = new webApi.WebClient('xoxb-bench', {
      slackApiUrl: `${slackUrl}/api/`,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: webApi.LogLevel.ERROR,
    });
    const slack = createSlackNudgeMessenger({
      post: (_tenant, msg) => slackClient.chat.postMessage(msg),
      outbound: new SlackOutbound({ postMessagePerWorkspacePerSecond: SLACK_WS_RATE }),
    });
    const teams = createTeamsNudgeMessenger({
      post: connectorPoster(teamsUrl),
      globalPerSecond: TEAMS_GLOBAL_RATE,
    });
    const runner = new NudgeRunner({
      store,
      nudges: store.nudges,
      cron: cronParserEngine,
      messenger: routeMessenger({ slack, teams }),
      instanceId: `bench-${r + 1}`,
      graceMs: 6 * 3600_000,
      concurrency: 1000,
      onError: (what, e) => console.error(`error: ${what}:`, e instanceof Error ? e.message : e),
    });
    runners.push({ runner, slack, teams });
  }

  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const baseRss = peakRss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);

  const due = zonedTime('America/Detroit', 2026, 11, 24, 9, 0); // Tuesday 09:00: every building due at once
  const start = performance.now();
  const startMs = Date.now();
  const reports = await Promise.all(runners.map((r) => r.runner.tick(due)));
  const seconds = (performance.now() - start) / 1000;
  // A second tick a minute later (every replica) must send nothing.
  const again = await Promise.all(runners.map((r) => r.runner.tick(new Date(due.getTime() + 60_000))));
  clearInterval(sampler);

  const sent = reports.reduce((a, r) => a + r.sent, 0);
  const resent = again.reduce((a, r) => a + r.sent + r.digests, 0);
  const perBuilding = (stats: FakeStats, channels: string[]) =>
    channels.map((c) => stats.accepted.get(c) ?? 0);
  const slackCounts = perBuilding(
    slackFake.stats,
    Array.from({ length: half }, (_, i) => `CB${i}`),
  );
  const teamsCounts = perBuilding(
    teamsFake.stats,
    Array.from({ length: BUILDINGS - half }, (_, i) => `19:b${i}@thread.tacv2`),
  );
  const all = [...slackCounts, ...teamsCounts];
  const minSlack = Math.max(0, (half + 1) / SLACK_WS_RATE - 1); // first second's budget is available at t=0
  const minTeams = Math.max(0, (BUILDINGS - half + 1) / TEAMS_GLOBAL_RATE - 1);
  const minimum = Math.max(minSlack, minTeams);
  const limiterStats = runners.map((r) => ({ slack: r.slack.outbound.stats, teams: r.teams.limiter.stats }));
  const rows = [
    ['buildings due in the same minute', `${BUILDINGS} (${half} Slack, ${BUILDINGS - half} Teams)`],
    ['scheduler replicas', String(REPLICAS)],
    ['nudges sent (runner reports)', `${sent} (per replica: ${reports.map((r) => r.sent).join(' / ')})`],
    ['sends per building (min / max)', `${Math.min(...all)} / ${Math.max(...all)}`],
    [
      'digests (Slack + Teams)',
      `${slackFake.stats.accepted.get('C_DISTRICT') ?? 0} + ${teamsFake.stats.accepted.get('19:district@thread.tacv2') ?? 0}`,
    ],
    ['sends on a second tick', String(resent)],
    ['total time (tick until last send)', `${seconds.toFixed(2)} s`],
    [
      'first / last accepted send after the tick started',
      `Slack ${((slackFake.stats.first - startMs) / 1000).toFixed(2)} / ${((slackFake.stats.last - startMs) / 1000).toFixed(2)} s; Teams ${((teamsFake.stats.first - startMs) / 1000).toFixed(2)} / ${((teamsFake.stats.last - startMs) / 1000).toFixed(2)} s`,
    ],
    [
      'minimum the limits allow',
      `${minimum.toFixed(2)} s (Slack ${half + 1} msgs @ ${SLACK_WS_RATE}/s: ${minSlack.toFixed(2)} s; Teams ${BUILDINGS - half + 1} @ ${TEAMS_GLOBAL_RATE}/s: ${minTeams.toFixed(2)} s)`,
    ],
    [
      'overhead over the minimum',
      `${(seconds - minimum).toFixed(2)} s (${((seconds / Math.max(minimum, 0.001) - 1) * 100).toFixed(1)} %)`,
    ],
    ['429s answered (Slack / Teams)', `${slackFake.stats.rejected429} / ${teamsFake.stats.rejected429}`],
    [
      'retries by the senders',
      String(limiterStats.reduce((a, s) => a + s.slack.retries + s.teams.retries, 0)),
    ],
    ['peak RSS', `${(peakRss / 1048576).toFixed(0)} MB (start ${(baseRss / 1048576).toFixed(0)} MB)`],
    ['peak heap used', `${(peakHeap / 1048576).toFixed(0)} MB`],
  ];
  console.log('\n| measure | value |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  const okExactlyOnce = all.every((c) => c === 1) && resent === 0;
  console.log(`\nexactly one nudge per building: ${okExactlyOnce ? 'yes' : 'NO'}`);

  for (const s of stores) await s.close();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
  slackFake.server.close();
  teamsFake.server.close();
  if (mongo) await mongo.stop();
  if (!okExactlyOnce) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

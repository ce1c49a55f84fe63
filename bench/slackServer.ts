/**
 * Child process of `npm run bench:slack`: runs either the product (`ours`: startApp on MongoDB with the Slack adapter
 * and a local fake Slack Web API) or a bare Bolt app on Bolt's own HTTPReceiver that only acknowledges (`bare`) or
 * stores each click, then acknowledges (`bare-store`).
 * Talks to the parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { App, LogLevel } from '@slack/bolt';
import { Collection, FindCursor, MongoClient } from 'mongodb';
import { INSTALLATIONS_NS } from '../src/adapters/slack/installations';
import { POLL_MESSAGES_NS } from '../src/adapters/slack/slackApp';
import { loadConfig } from '../src/config';
import { startApp } from '../src/main';

const SECRET = process.env.BENCH_SIGNING_SECRET ?? 'bench-signing-secret';
const send = (m: unknown) => process.send?.(m);

/** This process's event-loop delay since the last `loop` question (a stalled loop delays every request it holds). */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
/** Per connection: time from accepting it to its first request's headers being parsed. */
const accepts = { connections: 0, slow: 0, maxFirstRequestMs: 0, maxFirstBodyMs: 0, acceptSpreadMs: 0 };
let firstAccept = 0;
/** Each request's time in this server, from its headers parsed to its answer written (since the last `loop` ask). */
let served: number[] = [];
const acceptedAt = new WeakMap<object, number>();
function watchConnections(server: import('node:http').Server): void {
  server.on('connection', (sock) => {
    accepts.connections++;
    const now = performance.now();
    if (!firstAccept) firstAccept = now;
    accepts.acceptSpreadMs = now - firstAccept;
    acceptedAt.set(sock, now);
  });
  server.on('request', (req, res) => {
    const r0 = performance.now();
    res.once('finish', () => served.push(performance.now() - r0));
    const t = acceptedAt.get(req.socket);
    if (t === undefined) return;
    acceptedAt.delete(req.socket);
    const ms = performance.now() - t;
    if (ms > 1000) accepts.slow++;
    if (ms > accepts.maxFirstRequestMs) accepts.maxFirstRequestMs = ms;
    req.once('end', () => {
      accepts.maxFirstBodyMs = Math.max(accepts.maxFirstBodyMs, performance.now() - t);
    });
  });
}

let cpuFrom = { usage: process.cpuUsage(), at: performance.now() };

/** Garbage-collection pauses since the last `loop` ask: how many, their total and the longest (a pause holds every request). */
const gc = { n: 0, totalMs: 0, maxMs: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.n++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
      gc.major++;
  }
}).observe({ entryTypes: ['gc'] });

function servedReport() {
  const sorted = served.sort((a, b) => a - b);
  served = [];
  const at = (q: number) =>
    Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), over50: sorted.filter((ms) => ms > 50).length };
}

function loopReport() {
  const cpu = process.cpuUsage(cpuFrom.usage);
  const elapsedMs = performance.now() - cpuFrom.at;
  cpuFrom = { usage: process.cpuUsage(), at: performance.now() };
  const r = {
    maxMs: loopDelay.max / 1e6,
    p99Ms: loopDelay.percentile(99) / 1e6,
    /** This process's CPU time since the last ask, as a share of one core (1 = one core busy all the time). */
    cpuCores: (cpu.user + cpu.system) / 1000 / elapsedMs,
    heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    served: servedReport(),
    gc: { n: gc.n, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs), major: gc.major },
    ...accepts,
  };
  Object.assign(gc, { n: 0, totalMs: 0, maxMs: 0, major: 0 });
  loopDelay.reset();
  accepts.connections = 0;
  accepts.slow = 0;
  accepts.maxFirstRequestMs = 0;
  accepts.maxFirstBodyMs = 0;
  accepts.acceptSpreadMs = 0;
  firstAccept = 0;
  return r;
}

/**
 * The baselines. `bare`: Bolt acknowledging every click and nothing else. `bare-store`: the least an app that
 * acknowledges only what it stored can do — one upsert per click (the voter's choice on the poll) on the same
 * database as the product, then the ack.
 */
async function bare(store: boolean): Promise<void> {
  const app = new App({
    signingSecret: SECRET,
    authorize: async () => ({ botToken: 'xoxb-bare', botId: 'BBARE', botUserId: 'UBARE' }),
    logLevel: LogLevel.ERROR,
  });
  const client = store
    ? await new MongoClient(process.env.MONGODB_URI as string, {
        writeConcern: { w: 'majority', journal: true },
      }).connect()
    : null;
  const votes = client
    ?.db(process.env.BENCH_DB)
    .collection<{ _id: string; choice: string; at: Date }>('votes');
  app.action(/.*/, async ({ ack, body, action }) => {
    if (votes && 'value' in action && typeof action.value === 'string') {
      await votes.updateOne(
        { _id: `${action.value}|${body.user.id}` },
        { $set: { choice: 'action_id' in action ? action.action_id : '', at: new Date() } },
        { upsert: true },
      );
    }
    await ack();
  });
  app.command(/.*/, async ({ ack }) => {
    await ack();
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as import('node:http').Server;
  watchConnections(server);
  send({ ready: true, port: (server.address() as AddressInfo).port });
  process.on('message', async (m: { cmd: string; id?: number }) => {
    if (m.cmd === 'loop') send({ id: m.id, data: loopReport() });
    if (m.cmd === 'stop') {
      await app.stop();
      await client?.close();
      process.exit(0);
    }
  });
}

/** BENCH_OAUTH=1: multi-workspace mode, every request authorized from the installation store (workspace T1). */
const OAUTH = process.env.BENCH_OAUTH === '1';
let installationReads = 0;

/** BENCH_COUNT=1: count the product's database calls by collection and method (reported with `stats`). */
const dbCalls: Record<string, number> = {};
/** Since the last `loop` ask: per collection and method, calls, the slowest and how many took over 20 ms. */
let dbTimes: Record<string, { n: number; maxMs: number; over20: number }> = {};
/** Since the last `loop` ask: the calls that took 200 ms or more, with when each began (ms after that ask). */
let dbSlow: Array<{ k: string; atMs: number; ms: number }> = [];
let dbSince = performance.now();
if (process.env.BENCH_COUNT === '1') {
  const proto = Collection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of [
    'insertOne',
    'insertMany',
    'updateOne',
    'updateMany',
    'findOne',
    'find',
    'deleteOne',
    'bulkWrite',
    'findOneAndUpdate',
    'countDocuments',
  ]) {
    const orig = proto[m];
    if (!orig) continue;
    proto[m] = function (this: Collection, ...a: unknown[]) {
      const k = `${this.collectionName}.${m}`;
      dbCalls[k] = (dbCalls[k] ?? 0) + 1;
      const t0 = performance.now();
      const r = orig.apply(this, a);
      // A find gives a cursor: timed from the call until its toArray() has every document.
      const done =
        r instanceof Promise
          ? r
          : r instanceof FindCursor
            ? new Promise((resolve, reject) => {
                const toArray = r.toArray.bind(r);
                r.toArray = () => {
                  const p = toArray();
                  p.then(resolve, reject);
                  return p;
                };
              })
            : null;
      void done?.then(
        () => {
          const ms = performance.now() - t0;
          const e = dbTimes[k] ?? { n: 0, maxMs: 0, over20: 0 };
          dbTimes[k] = e;
          e.n++;
          e.maxMs = Math.max(e.maxMs, Math.round(ms));
          if (ms > 20) e.over20++;
          if (ms >= 200 && dbSlow.length < 200)
            dbSlow.push({ k, atMs: Math.round(t0 - dbSince), ms: Math.round(ms) });
        },
        () => undefined,
      );
      return r;
    };
  }
}

async function ours(): Promise<void> {
  const app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: process.env.MONGODB_URI,
      MONGODB_DB: process.env.BENCH_DB,
      SLACK_SIGNING_SECRET: SECRET,
      ...(OAUTH
        ? { SLACK_CLIENT_ID: '111.222', SLACK_CLIENT_SECRET: 'bench-client-secret' }
        : { SLACK_BOT_TOKEN: 'xoxb-bench' }),
      SLACK_API_URL: process.env.BENCH_SLACK_URL,
      WEB_CONSOLE: 'off',
      LOG_LEVEL: 'error',
      // Passed on for trying other thresholds (the product's default otherwise).
      ...(process.env.SLACK_BURST_PER_SECOND
        ? { SLACK_BURST_PER_SECOND: process.env.SLACK_BURST_PER_SECOND }
        : {}),
    }),
  );
  if (OAUTH) {
    // What the OAuth callback would have stored for workspace T1.
    await app.store.kv.put(INSTALLATIONS_NS, 'T:T1', {
      team: { id: 'T1', name: 'Bench' },
      bot: { token: 'xoxb-bench', id: 'BBENCH', userId: 'UBENCH', scopes: ['commands', 'chat:write'] },
      appId: 'A1',
      tokenType: 'bot',
      isEnterpriseInstall: false,
      authVersion: 'v2',
    });
    // Count the installation store's reads (the cache's misses): the adapter calls this kv object's `get`.
    const kv = app.store.kv;
    const get = kv.get.bind(kv);
    kv.get = <T extends object>(ns: string, key: string) => {
      if (ns === INSTALLATIONS_NS) installationReads++;
      return get<T>(ns, key);
    };
  }
  watchConnections(app.server);
  const heap = await startHeapSampling();
  send({ ready: true, port: (app.server.address() as AddressInfo).port });
  process.on('message', async (m: { cmd: string; id: number; reviewId?: string; workOnly?: boolean }) => {
    const reply = (data: unknown) => send({ id: m.id, data });
    try {
      if (m.cmd === 'polls') {
        reply(
          (await app.store.kv.list<{ channel: string; ts: string }>(POLL_MESSAGES_NS)).map((x) => ({
            key: x.key,
            ...x.value,
          })),
        );
      } else if (m.cmd === 'tally') {
        const votes = await app.store.votes.listRound(m.reviewId as string, 1);
        reply(votes.map((v) => [v.rowId, v.memberId, v.choice]));
      } else if (m.cmd === 'stats') {
        reply({
          updater: app.slack?.updater.stats,
          receiver: app.slack?.receiver.stats,
          work: { ...app.slack?.work.stats, pending: app.slack?.work.pending ?? 0 },
          installationReads,
          dbCalls,
        });
      } else if (m.cmd === 'idle') {
        // Poll redraws and the queued confirmations of the runs before (response_url calls) both finished; with
        // `workOnly`, the work queue alone (between storm segments: a slow-drawn poll may wait 10 s for its turn).
        const t0 = Date.now();
        const drawn = m.workOnly ? null : await app.slack?.updater.idle(30000);
        const confirmed = await app.slack?.work.idle(60000);
        reply({ drawn, confirmed, waitedMs: Date.now() - t0 });
      } else if (m.cmd === 'loop') {
        reply({ ...loopReport(), db: dbTimes, dbSlow });
        dbTimes = {};
        dbSlow = [];
        dbSince = performance.now();
      } else if (m.cmd === 'stop') {
        await heap?.stop();
        await app.stop();
        process.exit(0);
      }
    } catch (e) {
      reply({ error: String(e) });
    }
  });
}

/**
 * BENCH_HEAP_PROFILE=<file>: V8's sampling heap profiler over ours' whole run, counting the objects collected since
 * too (what a run allocates, not what is left at its end), written as a .heapprofile (Chrome DevTools' Memory tab).
 */
async function startHeapSampling(): Promise<{ stop(): Promise<void> } | null> {
  const file = process.env.BENCH_HEAP_PROFILE;
  if (!file) return null;
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<{ profile?: unknown }>((resolve, reject) =>
      session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as { profile?: unknown }))),
    );
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 32768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop() {
      const { profile } = await post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

(process.argv[2] === 'bare' || process.argv[2] === 'bare-store'
  ? bare(process.argv[2] === 'bare-store')
  : ours()
).catch((e) => {
  console.error(e);
  process.exit(1);
});

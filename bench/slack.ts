/**
 * npm run bench:slack — a vote storm of signed Slack block-action requests against the running product (HTTP
 * receiver, MongoDB-wire store, fake Slack Web API), side by side with two bare Bolt apps: one that only acknowledges
 * and one that stores each click with one write on the same database, then acknowledges (the baseline for an app
 * whose acknowledgement means stored).
 *
 * - saturation (closed loop) at 50, 200 and 500 requests in flight, BENCH_SECONDS each (default 10), 10 % of the
 *   requests resent as Slack retries (same body, x-slack-retry-num: 1); the two apps that store (the store-only
 *   baseline and ours) alternate in BENCH_SEGMENTS segments (default 8, so 1.25 s each) on their shared database;
 * - burst (open loop): 500 members each clicking once at a random moment within 5 s, on a fresh database (after a
 *   warm-up of both storing apps: at least 1 s and 2,000 clicks each) and again after the saturation runs, each time on the store-only app and then
 *   on ours; for ours it reports clicks over 50 ms, database calls over 20 ms, its CPU and heap.
 * Reported: requests/s, p50/p99 ack latency, chat.update calls and the smallest gap between two updates of one
 * message, and the stored tally checked against the votes sent (exact, retries not doubled).
 * Servers run in child processes (bench/slackServer.ts) so the load generator does not share their event loop.
 * `--oauth`: the product runs in multi-workspace (OAuth) mode, authorizing every request from its installation store.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ACTION } from '../src/adapters/slack/blocks';
import { signBody } from '../src/adapters/slack/guard';
import { nextActionTs } from '../test/slack/signedClient';
import { type RunningServer, startMongoJavaServer } from '../test/support/mongoServer';

const SECRET = 'bench-signing-secret';
/**
 * Seconds per closed-loop load and app (BENCH_SECONDS). 10 since run 63 (5 before): one app's p99 moved 2-6x from
 * one 1.25 s segment to the next within a run, so a 5 s p99 (four segments) was decided by one or two of them.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The store-only baseline and ours alternate in this many segments of SECONDS / SEGMENTS each (BENCH_SEGMENTS). */
const SEGMENTS = Math.max(1, Number(process.env.BENCH_SEGMENTS ?? 8));
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '50,200,500')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
/** How long both storing apps are warmed (20 in flight) before the first burst, at least (BENCH_WARMUP_SECONDS). */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
/**
 * And how many clicks each must have answered by then (BENCH_WARMUP_CLICKS): the JIT warms by calls, not seconds,
 * and one second is 1,500-3,000 clicks on a fast machine but 400-600 on a slow one.
 */
const WARMUP_CLICKS = Number(process.env.BENCH_WARMUP_CLICKS ?? 2000);
/** BENCH_COLD=1 measures from the moment all connections are opened at once (no untimed first request each). */
const WARM_CONNECTIONS = process.env.BENCH_COLD !== '1';
/**
 * Before each storm segment, wait until ours has done the work it held back during a burst (confirmations, quorum
 * checks), off the clock (BENCH_DRAIN=0: not; runs 1-65). Otherwise that work ran in the store-only app's next
 * segments, on the same two cores, and its p99 carried ours' confirmations (in run 65 at 500 in flight its first
 * segment, with none of ours' work behind it, 386 ms, the seven others 358-878 ms).
 */
const DRAIN = process.env.BENCH_DRAIN !== '0';
/** --oauth: the product authorizes each request from its installation store instead of one bot token. */
const OAUTH = process.argv.includes('--oauth');
interface LoopReport {
  maxMs: number;
  connections: number;
  slow: number;
  maxFirstRequestMs: number;
  maxFirstBodyMs: number;
  acceptSpreadMs: number;
  cpuCores: number;
  heapMb: number;
  gc: { n: number; totalMs: number; maxMs: number; major: number };
  served: { n: number; p50: number; p99: number; over50: number };
  /** BENCH_COUNT=1: the product's database calls since the last ask, slowest and over 20 ms per kind. */
  db?: Record<string, { n: number; maxMs: number; over20: number }>;
  /** BENCH_COUNT=1: the calls of 200 ms or more since the last ask, with when each began (ms after it). */
  dbSlow?: Array<{ k: string; atMs: number; ms: number }>;
}

/** The calls of 200 ms or more in a report, when they ran and of which kinds ('' when none). */
function slowCalls(r: LoopReport): string {
  const slow = r.dbSlow ?? [];
  if (!slow.length) return '';
  const kinds = new Map<string, number>();
  for (const c of slow) kinds.set(c.k, (kinds.get(c.k) ?? 0) + 1);
  const first = Math.min(...slow.map((c) => c.atMs));
  const last = Math.max(...slow.map((c) => c.atMs + c.ms));
  return `; ${slow.length} calls of 200 ms or more, between ${first} and ${last} ms (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`;
}

/** The slowest kind of database call in a report: "votes.insertMany 812 ms (40 of 900 calls over 20 ms)". */
function slowestDb(db: LoopReport['db']): string {
  const all = Object.entries(db ?? {}).sort(([, a], [, b]) => b.maxMs - a.maxMs);
  const top = all[0];
  if (!top) return '-';
  const over = all.reduce((t, [, e]) => t + e.over20, 0);
  const n = all.reduce((t, [, e]) => t + e.n, 0);
  return `${top[0]} ${top[1].maxMs} ms (${over} of ${n} calls over 20 ms)`;
}

const clientLoop = monitorEventLoopDelay({ resolution: 10 });
clientLoop.enable();
const CHOICES = ['4', '3', '2', '1', 'unsure'] as const;

interface Child {
  proc: ChildProcess;
  port: number;
  ask<T>(cmd: string, extra?: object): Promise<T>;
}

async function spawnServer(
  mode: 'ours' | 'bare' | 'bare-store' | 'fake',
  env: NodeJS.ProcessEnv,
): Promise<Child> {
  // Compiled (scripts/bench.js, as `npm run bench:slack` runs) or under ts-node: each server runs the same way.
  const ext = path.extname(__filename);
  const script = (mode === 'fake' ? 'fakeSlackServer' : 'slackServer') + ext;
  const proc = fork(path.join(__dirname, script), [mode], {
    execArgv: [
      ...(ext === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : []),
      ...(process.env.BENCH_PROF === mode ? ['--cpu-prof', '--cpu-prof-dir=/tmp/slackprof'] : []),
    ],
    env: { ...process.env, ...env, BENCH_SIGNING_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, (d: unknown) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (c) => reject(new Error(`${mode} server exited with ${c}`)));
    proc.on('message', (m: { ready?: boolean; port?: number; id?: number; data?: unknown }) => {
      if (m.ready) resolve(m.port as number);
      else if (m.id !== undefined) pending.get(m.id)?.(m.data);
    });
  });
  return {
    proc,
    port,
    ask: <T>(cmd: string, extra: object = {}) =>
      new Promise<T>((resolve) => {
        const id = ++next;
        pending.set(id, (d) => resolve(d as T));
        proc.send({ cmd, id, ...extra });
      }),
  };
}

function post(
  agent: http.Agent,
  port: number,
  body: string,
  headers: Record<string, string>,
  info?: { reused: boolean; connectMs: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/slack/events',
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (info) info.reused = req.reusedSocket;
          resolve(res.statusCode ?? 0);
        });
      },
    );
    if (info) {
      const t0 = performance.now();
      req.on('socket', (sock) => {
        if (!sock.connecting) return;
        sock.once('connect', () => {
          info.connectMs = performance.now() - t0;
        });
      });
    }
    req.on('error', reject);
    req.end(body);
  });
}

function signed(body: string, retry: boolean): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const h: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signBody(SECRET, ts, body),
  };
  if (retry) {
    h['x-slack-retry-num'] = '1';
    h['x-slack-retry-reason'] = 'http_timeout';
  }
  return h;
}

let clickSeq = 0;
/** Where the fake Slack takes interaction replies: every real click carries a fresh response_url. */
let respondBase = '';
function clickBody(team: string, channel: string, user: string, choice: string, value: string): string {
  clickSeq++;
  const p = {
    type: 'block_actions',
    team: { id: team, domain: 'bench' },
    user: { id: user, username: user, name: user, team_id: team },
    api_app_id: 'A1',
    trigger_id: `t.${clickSeq}`,
    container: { type: 'message', message_ts: '1.0', channel_id: channel },
    channel: { id: channel, name: 'bench' },
    response_url: `${respondBase}/respond/${clickSeq}/${encodeURIComponent(user)}`,
    actions: [
      {
        type: 'button',
        action_id: `${ACTION.vote}_${choice}`,
        block_id: 'b',
        value,
        action_ts: nextActionTs(), // now, strictly increasing: the product orders re-votes by it
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(p))}`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] as number) : Number.NaN;
};

interface Scenario {
  reviewId: string;
  rows: string[];
  channel: string;
}

async function command(port: number, channel: string, text: string) {
  const body = new URLSearchParams({
    command: '/micip',
    text,
    team_id: 'T1',
    user_id: 'U_COORD',
    user_name: 'coordinator',
    channel_id: channel,
    trigger_id: 't',
    response_url: 'https://hooks.slack.invalid/x',
  }).toString();
  const agent = new http.Agent();
  const status = await post(agent, port, body, signed(body, false));
  agent.destroy();
  if (status !== 200) throw new Error(`command failed: ${status}`);
}

async function scenario(ours: Child, name: string): Promise<Scenario> {
  const channel = `C_${name}`;
  await command(ours.port, channel, `setup "Bench ${name}"`);
  await new Promise((r) => setTimeout(r, 200));
  await command(ours.port, channel, `review start "Bench ${name}" quorum=2`);
  for (let i = 0; i < 100; i++) {
    const polls = await ours.ask<Array<{ key: string; channel: string }>>('polls');
    const mine = polls.filter((p) => p.channel === channel);
    if (mine.length === 6) {
      const reviewId = mine[0]?.key.split('|')[0] as string;
      return { reviewId, rows: mine.map((p) => p.key.split('|')[1] as string), channel };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('polls were not posted');
}

/** Retries sent to the product (the warm-up and measured runs; the bare app's are not counted). */
const retriesToOurs = { count: 0 };

interface Job {
  body: string;
  retry: boolean;
}

/** Jobs for scenario `s`: every (member, row) voted once with a known choice; every 10th resent as a retry. */
function* jobs(s: Scenario, prefix: string, sent: Map<string, string>): Generator<Job> {
  for (let i = 0; ; i++) {
    const member = `${prefix}${Math.floor(i / 6)}`;
    const row = s.rows[i % 6] as string;
    const choice = CHOICES[(i * 7 + Math.floor(i / 6)) % 5] as string;
    const body = clickBody('T1', s.channel, member, choice, `${s.reviewId}|${row}`);
    sent.set(`${row}|${member}`, choice);
    yield { body, retry: false };
    if (i % 10 === 0) {
      if (prefix.startsWith('M') || prefix.startsWith('W')) retriesToOurs.count++;
      yield { body, retry: true };
    }
  }
}

/** What `stats` tells of ours' work queue and poll updater (counts since it started). */
interface WorkStats {
  /** Jobs done since start; jobs queued or running now. */
  work: { done: number; pending: number };
  updater: { updates: number };
}

type Loop = Awaited<ReturnType<typeof closedLoop>>;

/** Several closed-loop segments of one app taken as one run: latencies pooled, requests over the total time. */
function pooled(parts: Loop[]): Loop {
  const lat = parts.flatMap((p) => p.lat);
  const secs = parts.reduce((t, p) => t + p.secs, 0);
  const first = parts[0] as Loop;
  return {
    ...first,
    coldStartMaxMs: Math.max(...parts.map((p) => p.coldStartMaxMs)),
    rps: lat.length / secs,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    max: Math.max(...lat),
    n: lat.length,
    errors: parts.reduce((t, p) => t + p.errors, 0),
    secs,
    lat,
    slow: {
      n: parts.reduce((t, p) => t + p.slow.n, 0),
      onNewSocket: parts.reduce((t, p) => t + p.slow.onNewSocket, 0),
      maxConnectMs: Math.max(...parts.map((p) => p.slow.maxConnectMs)),
      firstAtMs: Math.min(...parts.map((p) => p.slow.firstAtMs)),
      lastAtMs: Math.max(...parts.map((p) => p.slow.lastAtMs)),
    },
  };
}

async function closedLoop(port: number, concurrency: number, gen: Generator<Job>, seconds = SECONDS) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const lat: number[] = [];
  let errors = 0;
  // Open the connections first (one request each, timed apart): "N in flight" is measured on N open connections,
  // and how long each app takes to accept N new connections at once is reported on its own (`coldStart`).
  const coldStart: number[] = [];
  if (WARM_CONNECTIONS) {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const j = gen.next().value as Job;
        const s = performance.now();
        const status = await post(agent, port, j.body, signed(j.body, j.retry)).catch(() => 0);
        coldStart.push(performance.now() - s);
        if (status !== 200) errors++;
      }),
    );
  }
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  // Requests slower than 1 s: how many, how many of them on a connection opened for them, when they were sent.
  const slow = { n: 0, onNewSocket: 0, maxConnectMs: 0, firstAtMs: Number.POSITIVE_INFINITY, lastAtMs: 0 };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const j = gen.next().value as Job;
        const s = performance.now();
        const info = { reused: true, connectMs: 0 };
        const status = await post(agent, port, j.body, signed(j.body, j.retry), info).catch(() => 0);
        const ms = performance.now() - s;
        lat.push(ms);
        if (ms > 1000) {
          slow.n++;
          if (!info.reused) slow.onNewSocket++;
          slow.maxConnectMs = Math.max(slow.maxConnectMs, info.connectMs);
          slow.firstAtMs = Math.min(slow.firstAtMs, s - t0);
          slow.lastAtMs = Math.max(slow.lastAtMs, s - t0);
        }
        if (status !== 200) errors++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  return {
    coldStartMaxMs: coldStart.length ? Math.max(...coldStart) : Number.NaN,
    rps: lat.length / secs,
    p50: pct(lat, 0.5),
    p99: pct(lat, 0.99),
    max: Math.max(...lat),
    n: lat.length,
    errors,
    slow,
    secs,
    lat,
  };
}

async function openLoop(
  port: number,
  s: Scenario,
  members: number,
  windowMs: number,
  sent: Map<string, string>,
  prefix = 'B',
) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: members });
  const lat: number[] = [];
  /** When (ms after the loop began) each click that took over 50 ms was sent: one pause, or spread out? */
  const slowAt: number[] = [];
  const t0 = performance.now();
  let errors = 0;
  await Promise.all(
    Array.from({ length: members }, (_, i) => {
      const row = s.rows[i % 6] as string;
      const member = `${prefix}${i}`;
      const choice = CHOICES[i % 5] as string;
      const body = clickBody('T1', s.channel, member, choice, `${s.reviewId}|${row}`);
      sent.set(`${row}|${member}`, choice);
      return new Promise<void>((resolve) =>
        setTimeout(async () => {
          const t = performance.now();
          const status = await post(agent, port, body, signed(body, false)).catch(() => 0);
          const ms = performance.now() - t;
          lat.push(ms);
          if (ms > 50) slowAt.push(t - t0);
          if (status !== 200) errors++;
          resolve();
        }, Math.random() * windowMs),
      );
    }),
  );
  agent.destroy();
  // With the wall-clock time the burst began, to set its slow clicks beside other logs (a JVM's GC log, say).
  const slow = slowAt.length
    ? {
        n: slowAt.length,
        fromMs: Math.round(Math.min(...slowAt)),
        toMs: Math.round(Math.max(...slowAt)),
        began: new Date(performance.timeOrigin + t0).toISOString(),
      }
    : { n: 0 };
  return { n: lat.length, p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: Math.max(...lat), errors, slow };
}

/** Waits until the store holds one vote per (member, row) sent, then compares every choice. */
async function checkTally(ours: Child, s: Scenario, sent: Map<string, string>) {
  const t0 = performance.now();
  let stored: Array<[string, string, number | 'unsure']> = [];
  while (performance.now() - t0 < 180_000) {
    stored = await ours.ask('tally', { reviewId: s.reviewId });
    if (stored.length >= sent.size) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const drainS = (performance.now() - t0) / 1000;
  let wrong = 0;
  const got = new Map(stored.map(([row, m, c]) => [`${row}|${m}`, String(c)]));
  for (const [k, c] of sent) if (got.get(k) !== c) wrong++;
  const extra = stored.length - sent.size;
  return { exact: wrong === 0 && extra === 0, sent: sent.size, stored: stored.length, wrong, drainS };
}

async function main() {
  let mongo: RunningServer | null = null;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    // ZGC: the test server's G1 pauses (40-100 ms here) are not MongoDB's (startMongoJavaServer).
    mongo = await startMongoJavaServer({ lowPauseGc: true });
    uri = mongo.uri;
  }
  const db = `micip_bench_slack_${process.pid}`;
  // The fake Slack Web API runs in its own process (Slack is remote: its work is neither the app's nor the load's).
  const fake = await spawnServer('fake', {});
  respondBase = `http://127.0.0.1:${fake.port}`;
  const ours = await spawnServer('ours', {
    MONGODB_URI: uri,
    BENCH_DB: db,
    BENCH_SLACK_URL: `http://127.0.0.1:${fake.port}/api/`,
    BENCH_OAUTH: OAUTH ? '1' : '0',
  });
  const bare = await spawnServer('bare', {});
  const bareStore = await spawnServer('bare-store', { MONGODB_URI: uri, BENCH_DB: `${db}_bare` });

  console.log(
    `bench:slack${OAUTH ? ' --oauth (installation store)' : ''} — ${SECONDS} s per closed-loop run on ${WARM_CONNECTIONS ? 'connections opened (one untimed request each) before the clock starts' : 'connections opened at once when the clock starts (BENCH_COLD=1)'}; store ${mongo ? mongo.description : uri}`,
  );
  const rows: string[] = [];
  const results: Record<string, unknown> = {};
  /**
   * A district's meeting: 500 members each clicking once at a random moment within 5 s, on the store-only app and
   * then on ours (same database, one after the other); the store-only app's figures show what the database alone
   * gives at that moment.
   */
  const burstPair = async (label: string, key: string) => {
    const s = await scenario(ours, `burst-${key}`);
    const store = await openLoop(bareStore.port, s, 500, 5000, new Map(), `S${key}_`);
    const sent = new Map<string, string>();
    const workBefore = await ours.ask<WorkStats>('stats');
    await ours.ask('loop');
    const burst = await openLoop(ours.port, s, 500, 5000, sent, `B${key}_`);
    const burstLoop = await ours.ask<LoopReport>('loop');
    const workAfter = await ours.ask<WorkStats>('stats');
    const tally = await checkTally(ours, s, sent);
    results[`burst-${key}`] = { store, ours: burst, tally };
    const row = `| burst ${label}: 500 members, once each within 5 s | — | — | ${store.p50.toFixed(1)} / ${store.p99.toFixed(1)} | — | ${burst.p50.toFixed(1)} / ${burst.p99.toFixed(1)} (max ${burst.max.toFixed(1)}) | ${tally.exact ? 'exact' : `WRONG ${tally.wrong}`} (${tally.sent} votes) | ${burst.errors + store.errors} |`;
    rows.push(row);
    console.log(row);
    console.log(
      `  longest event-loop stall of ours during the burst: ${burstLoop.maxMs.toFixed(0)} ms; its CPU ${burstLoop.cpuCores.toFixed(2)} cores, heap ${burstLoop.heapMb} MB; garbage collection ${burstLoop.gc.n} pauses (${burstLoop.gc.major} major), ${burstLoop.gc.totalMs} ms in all, longest ${burstLoop.gc.maxMs} ms`,
    );
    const slow = (r: typeof burst) =>
      'fromMs' in r.slow
        ? `${r.slow.n}, sent between ${r.slow.fromMs} and ${r.slow.toMs} ms after ${r.slow.began}`
        : '0';
    console.log(`  clicks over 50 ms: store-only ${slow(store)}; ours ${slow(burst)}`);
    console.log(
      `  ours' background work during the burst: ${workAfter.work.done - workBefore.work.done} jobs, ${workAfter.updater.updates - workBefore.updater.updates} redraws`,
    );
    const sv = burstLoop.served;
    console.log(
      `  inside ours (request headers parsed → answer written): p50 ${sv.p50} ms, p99 ${sv.p99} ms, ${sv.over50} of ${sv.n} over 50 ms`,
    );
    const dbAll = Object.entries(burstLoop.db ?? {});
    if (dbAll.length) {
      console.log(
        `  ours' database calls during the burst: ${dbAll.map(([k, t]) => `${k} ${t.n}`).join(', ')}`,
      );
    }
    const dbSlow = dbAll.filter(([, t]) => t.over20 > 0);
    if (dbSlow.length) {
      console.log(
        `  ours' database calls over 20 ms during the burst: ${dbSlow.map(([k, t]) => `${k} ${t.over20} of ${t.n} (max ${t.maxMs} ms)`).join(', ')}`,
      );
    }
  };
  try {
    // Warm both processes first (JIT, connections, the first member of each code path), as the runs below do.
    const ws = await scenario(ours, 'warm');
    const warm = async (port: number, gen: Generator<Job>) => {
      let n = 0;
      const t0 = performance.now();
      while (n < WARMUP_CLICKS || performance.now() - t0 < WARMUP_SECONDS * 1000) {
        n += (await closedLoop(port, 20, gen, Math.max(0.25, WARMUP_SECONDS))).n;
      }
      return { n, s: (performance.now() - t0) / 1000 };
    };
    const warmStore = await warm(bareStore.port, jobs(ws, 'WS_', new Map()));
    const warmOurs = await warm(ours.port, jobs(ws, 'WO_', new Map()));
    console.log(
      `warm-up (20 in flight): store-only ${warmStore.n} clicks in ${warmStore.s.toFixed(1)} s, ours ${warmOurs.n} in ${warmOurs.s.toFixed(1)} s`,
    );
    await ours.ask('idle');
    await burstPair('on a fresh database', 'fresh');
    for (const c of LEVELS) {
      const s = await scenario(ours, `c${c}`);
      // Warm both (JIT, connections).
      const warmSent = new Map<string, string>();
      await closedLoop(bare.port, Math.min(c, 50), jobs(s, `XW${c}_`, new Map()));
      await closedLoop(bareStore.port, Math.min(c, 50), jobs(s, `YW${c}_`, new Map()));
      await ours.ask('loop');
      const oursWarm = await closedLoop(ours.port, Math.min(c, 50), jobs(s, `W${c}_`, warmSent));
      const oursWarmLoop = await ours.ask<LoopReport>('loop');
      const oursWarmDb = `${slowestDb(oursWarmLoop.db)}${slowCalls(oursWarmLoop)}`;
      await checkTally(ours, s, warmSent);
      await bare.ask('loop');
      clientLoop.reset();
      const b = await closedLoop(bare.port, c, jobs(s, `X${c}_`, new Map()));
      const bareLoop = await bare.ask<LoopReport>('loop');
      const bareClientMax = clientLoop.max / 1e6;
      // The two apps that store each click share one database, whose load and heap grow with every run: they are
      // measured in alternating segments (store-only, ours, ours, store-only, store-only, ours) so neither always
      // runs on the fuller database, and each one's segments are pooled.
      const sent = new Map(warmSent);
      const storeGen = jobs(s, `Y${c}_`, new Map());
      const oursGen = jobs(s, `M${c}_`, sent);
      const wParts: Loop[] = [];
      const oParts: Loop[] = [];
      let oursLoopMax = 0;
      const oursGc = { n: 0, major: 0, totalMs: 0, maxMs: 0, heapMb: 0 };
      let oursClientMax = 0;
      /** The work ours did after its acknowledgements (confirmations, vote jobs) and its redraws, per segment. */
      const oursWork: string[] = [];
      /** The jobs ours ran while the store-only app had its segments (its backlog draining). */
      const oursWorkAside: string[] = [];
      /** Ours' slowest database call in each of its segments (a stall of every call, or one slow call?). */
      const oursDb: string[] = [];
      /** Time spent between segments waiting for ours' held work (DRAIN), in all. */
      let drainedMs = 0;
      for (let seg = 0; seg < SEGMENTS; seg++) {
        const order = seg % 2 === 0 ? ['store', 'ours'] : ['ours', 'store'];
        for (const which of order) {
          if (DRAIN) drainedMs += (await ours.ask<{ waitedMs: number }>('idle', { workOnly: true })).waitedMs;
          if (which === 'store') {
            const before = await ours.ask<WorkStats>('stats');
            wParts.push(await closedLoop(bareStore.port, c, storeGen, SECONDS / SEGMENTS));
            const after = await ours.ask<WorkStats>('stats');
            oursWorkAside.push(`${after.work.done - before.work.done}`);
          } else {
            const before = await ours.ask<WorkStats>('stats');
            await ours.ask('loop');
            clientLoop.reset();
            oParts.push(await closedLoop(ours.port, c, oursGen, SECONDS / SEGMENTS));
            const segLoop = await ours.ask<LoopReport>('loop');
            const after = await ours.ask<WorkStats>('stats');
            oursWork.push(
              `${after.work.done - before.work.done} jobs (${before.work.pending} waiting at its start), ${after.updater.updates - before.updater.updates} redraws`,
            );
            oursDb.push(
              `${slowestDb(segLoop.db)}${slowCalls(segLoop)}; event loop stalled up to ${segLoop.maxMs.toFixed(0)} ms`,
            );
            oursLoopMax = Math.max(oursLoopMax, segLoop.maxMs);
            oursGc.n += segLoop.gc.n;
            oursGc.major += segLoop.gc.major;
            oursGc.totalMs += segLoop.gc.totalMs;
            oursGc.maxMs = Math.max(oursGc.maxMs, segLoop.gc.maxMs);
            oursGc.heapMb = Math.max(oursGc.heapMb, segLoop.heapMb);
            oursClientMax = Math.max(oursClientMax, clientLoop.max / 1e6);
          }
        }
      }
      const w = pooled(wParts);
      const o = pooled(oParts);
      // Each segment's own p99, in the order run: a miss made by one segment (one event) or by all of them.
      const segP99 = (parts: Loop[]) => parts.map((p) => p.p99.toFixed(0)).join(' / ');
      const oursLoop = { ...(await ours.ask<LoopReport>('loop')), maxMs: oursLoopMax };

      const tally = await checkTally(ours, s, sent);
      const { lat: _b, ...bare1 } = b;
      const { lat: _w, ...store1 } = w;
      const { lat: _o, ...ours1 } = o;
      results[`c${c}`] = { bare: bare1, bareStore: store1, ours: ours1, tally };
      rows.push(
        `| ${c} in flight | ${b.rps.toFixed(0)} | ${w.rps.toFixed(0)} | ${w.p50.toFixed(1)} / ${w.p99.toFixed(1)} | ${o.rps.toFixed(0)} (${(o.rps / w.rps).toFixed(2)}×) | ${o.p50.toFixed(1)} / ${o.p99.toFixed(1)} (${(o.p99 / w.p99).toFixed(2)}×) | ${tally.exact ? 'exact' : `WRONG ${tally.wrong}`} (${tally.sent} votes, drained in ${tally.drainS.toFixed(1)} s) | ${o.errors + b.errors + w.errors} |`,
      );
      console.log(rows.at(-1));
      const late = await ours.ask<{ receiver: { lateAcks: number; maxAckMs: number } }>('stats');
      for (const [name, r] of [
        ['bare', b],
        ['bare+store', w],
        ['ours', o],
      ] as const) {
        console.log(
          `  ${name}: ${WARM_CONNECTIONS ? `opening ${c} connections at once: slowest first answer ${r.coldStartMaxMs.toFixed(0)} ms (untimed); ` : ''}max ${r.max.toFixed(0)} ms; ${r.slow.n} requests over 1 s (${r.slow.onNewSocket} of them on a new connection; slowest TCP connect among them ${r.slow.maxConnectMs.toFixed(0)} ms), sent between ${Number.isFinite(r.slow.firstAtMs) ? r.slow.firstAtMs.toFixed(0) : '-'} and ${r.slow.lastAtMs.toFixed(0)} ms into the run`,
        );
      }
      console.log(
        `  longest event-loop stall during the run: bare server ${bareLoop.maxMs.toFixed(0)} ms (load generator ${bareClientMax.toFixed(0)} ms); ours ${oursLoop.maxMs.toFixed(0)} ms (load generator ${oursClientMax.toFixed(0)} ms)`,
      );
      for (const [name, l] of [
        ['bare', bareLoop],
        ['ours', oursLoop],
      ] as const) {
        console.log(
          `  ${name} server: ${l.connections} connections accepted; accepted over ${l.acceptSpreadMs.toFixed(0)} ms; accept → first request headers: max ${l.maxFirstRequestMs.toFixed(0)} ms (${l.slow} over 1 s), → its body read: max ${l.maxFirstBodyMs.toFixed(0)} ms`,
        );
      }
      console.log(`  p99 per segment (ms): store-only ${segP99(wParts)}; ours ${segP99(oParts)}`);
      console.log(`  ours' background work per segment of its own: ${oursWork.join(' / ')}`);
      console.log(`  ours' slowest database call per segment: ${oursDb.join(' / ')}`);
      console.log(
        `  ours' warm-up at ${Math.min(c, 50)} in flight on the new poll (untimed): max ${oursWarm.max.toFixed(0)} ms; slowest database call ${oursWarmDb}`,
      );
      console.log(
        `  ours' jobs during the store-only app's segments: ${oursWorkAside.join(' / ')}${DRAIN ? `; waited for ours' held work before each segment ${(drainedMs / 1000).toFixed(1)} s in all (off the clock)` : ''}`,
      );
      console.log(
        `  ours' garbage collection in its segments: ${oursGc.n} pauses (${oursGc.major} major), ${oursGc.totalMs} ms in all, longest ${oursGc.maxMs} ms; heap up to ${oursGc.heapMb} MB`,
      );
      console.log(
        `  ours receiver: ${late.receiver.lateAcks} answered by the 2.5 s fallback so far; slowest ack after the body ${late.receiver.maxAckMs} ms`,
      );
    }
    // The burst is a district's meeting on its own: let the storms' last poll redraws (polls of thousands of
    // voters) and their queued confirmations finish first.
    const before = await ours.ask<{ drawn: boolean; confirmed: boolean; waitedMs: number }>('idle');
    console.log(
      `  before the burst: the saturation runs' redraws ${before.drawn ? 'done' : 'NOT done'} and confirmations ${before.confirmed ? 'sent' : 'NOT sent'} after ${(before.waitedMs / 1000).toFixed(1)} s`,
    );
    await burstPair('after the storms', 'after');
    await ours.ask('idle');
    const { updater, receiver, work, installationReads, dbCalls } = await ours.ask<{
      dbCalls: Record<string, number>;
      updater: unknown;
      receiver: { accepted: number };
      work: unknown;
      installationReads: number;
    }>('stats');
    const calls = await fake.ask<Array<{ method: string; ts: string | null; at: number }>>('calls');
    const updates = calls.filter((c) => c.method === 'chat.update');
    const byTs = new Map<string, number[]>();
    for (const u of updates) byTs.set(String(u.ts), [...(byTs.get(String(u.ts)) ?? []), u.at]);
    let minGap = Number.POSITIVE_INFINITY;
    for (const times of byTs.values()) {
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++)
        minGap = Math.min(minGap, (times[i] as number) - (times[i - 1] as number));
    }
    const ephemerals = calls.filter((c) => c.method === 'chat.postEphemeral').length;
    const responses = calls.filter((c) => c.method === 'response_url').length;
    results.slack = {
      updates: updates.length,
      messages: byTs.size,
      minGapMs: minGap,
      ephemerals,
      responses,
      updater,
      receiver,
      work,
    };
    console.log(
      '\n| load | bare Bolt, ack only: req/s | bare Bolt, one write then ack: req/s | its p50 / p99 ms | ours req/s (× bare+write) | ours p50 / p99 ms (× bare+write) | stored tally | non-200 |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(
      `\nchat.update: ${updates.length} calls for ${byTs.size} poll messages; smallest gap between two updates of one message ${minGap.toFixed(0)} ms; confirmations: ${responses} through the clicks' response_url, ${ephemerals} by chat.postEphemeral.`,
    );
    console.log(
      `receiver: ${JSON.stringify(receiver)}; updater: ${JSON.stringify(updater)}; work queue: ${JSON.stringify(work)}`,
    );
    console.log(
      `retries sent to the product: ${retriesToOurs.count} (receiver duplicates should equal this)`,
    );
    if (OAUTH) {
      console.log(
        `installation store reads: ${installationReads} for ${receiver.accepted} requests accepted (${((1000 * installationReads) / Math.max(1, receiver.accepted)).toFixed(1)} per 1,000)`,
      );
    }
    if (process.env.BENCH_COUNT === '1') {
      console.log(`database calls of the product (all runs): ${JSON.stringify(dbCalls)}`);
    }
    console.log(`\n${JSON.stringify(results)}`);
  } finally {
    ours.proc.send({ cmd: 'stop', id: 0 });
    bare.proc.send({ cmd: 'stop', id: 0 });
    bareStore.proc.send({ cmd: 'stop', id: 0 });
    await Promise.race([
      Promise.all([ours, bare, bareStore].map((c) => new Promise((r) => c.proc.once('exit', r)))),
      new Promise((r) =>
        setTimeout(r, process.env.BENCH_PROF || process.env.BENCH_HEAP_PROFILE ? 30000 : 5000),
      ),
    ]);
    ours.proc.kill();
    bare.proc.kill();
    bareStore.proc.kill();
    await mongo?.stop();
    fake.proc.send({ cmd: 'stop', id: 0 });
    await new Promise((r) => setTimeout(r, 200));
    fake.proc.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * npm run bench:votes — the vote path (ReviewService.castVote → Mongo adapter) against a MongoDB-wire server.
 *
 * - saturation: 50, 200 and 500 voters in flight (closed loop), throughput and p50/p99, beside the floor: a bare
 *   driver insertOne loop on the same server at the same concurrency;
 * - burst: 500 voters each voting once within 5 s (open loop, as a team meeting votes).
 * After every run the stored tally is checked against what was cast (no lost or doubled vote).
 *
 * MONGODB_URI is used when set; otherwise the bench starts the same test server as `npm test`.
 * Options (env): BENCH_SECONDS (per saturation run, default 5), BENCH_CHANGES (vote changes per voter, default 1).
 */
import { performance } from 'node:perf_hooks';
import { MongoStore } from '../src/adapters/mongo/mongoStore';
import { systemClock } from '../src/adapters/system';
import type { Choice } from '../src/domain/rubric';
import { asker, makeService, rubrics } from '../test/support/fixtures';
import { type RunningServer, startMongoJavaServer } from '../test/support/mongoServer';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Vote changes per voter after voting on the six rows (re-votes are updates, first votes inserts). */
const CHANGES = Number(process.env.BENCH_CHANGES ?? 1);
const CHOICES: Choice[] = [1, 2, 3, 4, 'unsure'];

interface RunResult {
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

function summarize(latencies: number[], seconds: number): RunResult {
  const s = latencies.sort((a, b) => a - b);
  return { ops: s.length, seconds, p50: pct(s, 0.5), p99: pct(s, 0.99) };
}

async function closedLoop(
  concurrency: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<RunResult> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const s = performance.now();
        await op(w, i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return summarize(latencies, (performance.now() - t0) / 1000);
}

async function main() {
  let server: RunningServer | null = null;
  let uri = process.env.MONGODB_URI;
  let serverName = 'MONGODB_URI';
  if (!uri) {
    server = await startMongoJavaServer();
    uri = server.uri;
    serverName = server.description;
  }
  const dbName = `micip_bench_${Date.now()}`;
  const store = await MongoStore.connect({ uri, dbName });
  await store.init();
  const service = makeService(store, systemClock);
  // As in the tests (test/support/fixtures.ts): a workspace admin in the district's channel sets it up and so
  // becomes its coordinator; voters click from that channel (and are enrolled by their first vote).
  const coordinator = asker('TB', 'U_COORD', 'CB', 'Coordinator');
  const clickFrom = (userId: string) => ({
    tenantId: 'TB',
    userId,
    displayName: userId,
    channelId: 'CB',
    conversation: 'channel' as const,
  });
  await service.setupDistrict(coordinator, { name: 'Bench District', channelId: 'CB' });
  const rows = rubrics.get('culture-of-collaboration')?.rows.map((r) => r.id) ?? [];
  const report: string[] = [];
  let allExact = true;

  console.log(
    `server: ${serverName}; node ${process.version}; ${SECONDS}s per saturation run; each voter votes 6 rows then changes ${CHANGES}`,
  );
  report.push(
    '| in flight | recordVote votes/s | p50 ms | p99 ms | floor insertOne/s | floor p99 ms | ratio | tally |',
  );
  report.push('|---:|---:|---:|---:|---:|---:|---:|:--|');

  for (const concurrency of [50, 200, 500]) {
    const review = await service.startReview(coordinator, { channelId: 'CB', cycle: `sat-${concurrency}` });
    // A meeting's workload: each voter votes once on every row, then changes their mind on one row (1 change
    // in 7 votes). Each worker owns its voters, so the last choice of each (voter, row) is known: expected tally.
    const expected = new Map<string, Choice>();
    const r = await closedLoop(concurrency, async (w, i) => {
      const voter = Math.floor(i / (6 + CHANGES));
      const step = i % (6 + CHANGES);
      const memberId = `M${w}_${voter}`;
      const rowId = rows[step < 6 ? step : (w + voter) % rows.length] as string;
      const choice = CHOICES[(w + i) % CHOICES.length] as Choice;
      await service.recordVote(clickFrom(memberId), { reviewId: review.reviewId, rowId, choice });
      expected.set(`${memberId}|${rowId}`, choice);
    });
    const stored = await store.votes.listRound(review.reviewId, 1);
    // One open review per rubric (issue 15): this one is done with before the next starts.
    await service.cancelReview(coordinator, { reviewId: review.reviewId, reason: 'bench: next run' });
    const exact =
      stored.length === expected.size &&
      stored.every((v) => expected.get(`${v.memberId}|${v.rowId}`) === v.choice);
    allExact &&= exact;

    const raw = store.db.collection(`floor_${concurrency}`);
    let n = 0;
    const f = await closedLoop(concurrency, async (w, i) => {
      n++;
      await raw.insertOne({
        _id: `${w}_${i}` as never,
        reviewId: 'x',
        rowId: 'y',
        round: 1,
        memberId: `${w}_${i}`,
        choice: 2,
        seq: i,
      });
    });
    const floorCount = await raw.countDocuments();
    allExact &&= floorCount === n;
    const tput = r.ops / r.seconds;
    const ftput = f.ops / f.seconds;
    report.push(
      `| ${concurrency} | ${tput.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${ftput.toFixed(0)} | ${f.p99.toFixed(1)} | ${(tput / ftput).toFixed(2)}× | ${exact ? `exact (${stored.length} votes)` : `MISMATCH: ${stored.length} stored vs ${expected.size}`} |`,
    );
  }

  // Burst: 500 members each vote once, arrivals spread evenly over 5 s (open loop: arrivals do not wait).
  const review = await service.startReview(coordinator, { channelId: 'CB', cycle: 'burst' });
  const rowId = rows[0] as string;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 500 }, async (_, i) => {
      const at = t0 + (i * 5000) / 500;
      await new Promise((res) => setTimeout(res, Math.max(0, at - performance.now())));
      const s = performance.now();
      await service.recordVote(clickFrom(`B${i}`), {
        reviewId: review.reviewId,
        rowId,
        choice: CHOICES[i % 5] as Choice,
      });
      latencies.push(performance.now() - s);
    }),
  );
  const burst = summarize(latencies, (performance.now() - t0) / 1000);
  const stored = await store.votes.listRow(review.reviewId, rowId, 1);
  const burstExact =
    stored.length === 500 && CHOICES.every((c) => stored.filter((v) => v.choice === c).length === 100);
  allExact &&= burstExact;

  console.log('\nSaturation (closed loop):\n');
  console.log(report.join('\n'));
  console.log('\nBurst (open loop, 500 voters once each within 5 s):\n');
  console.log('| votes | p50 ms | p99 ms | target p99 | tally |');
  console.log('|---:|---:|---:|---:|:--|');
  console.log(
    `| ${burst.ops} | ${burst.p50.toFixed(1)} | ${burst.p99.toFixed(1)} | < 50 | ${burstExact ? 'exact (500 votes, 100 per choice)' : `MISMATCH (${stored.length})`} |`,
  );

  await store.db.dropDatabase();
  await store.close();
  if (server) await server.stop();
  if (!allExact) {
    console.error('\nTALLY CHECK FAILED');
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

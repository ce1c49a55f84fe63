/**
 * npm run bench:web — results, exports and the dashboard for a large district on the embedded store.
 *
 * Builds BENCH_CYCLES reviews (default 8) of a district with BENCH_MEMBERS members (default 60, half from
 * buildings), every member voting on every row with evidence from one in five, one round each, then times:
 * ResultsService.results (latest cycle: reads its votes, the previous cycle and reflection answers), each export,
 * the dashboard model, and GET /dashboard and an export download over HTTP with a signed link. The CSV is parsed
 * back and checked against the stored tallies.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { NedbStore } from '../src/adapters/embedded/nedbStore';
import { mountWeb } from '../src/adapters/web';
import { LinkSigner } from '../src/adapters/web/links';
import { CommandService } from '../src/app/commands';
import { ResultsService } from '../src/app/reviews/results';
import { exportResults } from '../src/app/reviews/resultsExport';
import { coordinator, makeService, member, rubrics, TestClock } from '../test/support/fixtures';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 60);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 8);
const RUNS = 30;

async function timeIt(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  const at = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;
  return { p50: at(0.5), p95: at(0.95) };
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-bench-web-'));
  const store = new NedbStore(dir);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const results = new ResultsService({ store, rubrics, clock });
  const district = await service.setupDistrict(coordinator, { name: 'Bench District', channelId: 'C1' });
  for (let i = 1; i <= MEMBERS; i++) {
    await service.setMember(coordinator, {
      channelId: 'C1',
      memberId: `U${i}`,
      displayName: `Member ${i}`,
      perspective: i % 2 ? 'district' : 'building',
    });
  }
  const rows = rubrics.get('culture-of-collaboration')?.rows.map((r) => r.id) ?? [];
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const t0 = performance.now();
  let last = '';
  for (let c = 1; c <= CYCLES; c++) {
    clock.advance(86_400_000);
    const r = await service.startReview(coordinator, { channelId: 'C1', cycle: `Cycle ${c}` });
    last = r.reviewId;
    for (const [k, rowId] of rows.entries()) {
      const centre = 1 + ((k + c) % 4);
      for (let i = 1; i <= MEMBERS; i++) {
        const x = rnd();
        const choice = x < 0.8 ? centre : x < 0.9 ? Math.max(1, centre - 1) : 'unsure';
        // A vote is a click on the poll in the district's channel C1 (policy: review.vote).
        await service.castVote(member(i), {
          reviewId: r.reviewId,
          rowId,
          choice,
          evidence: i % 5 === 0 ? `Evidence ${c}.${k}.${i}` : null,
        });
      }
    }
    const closed = await service.closeRound(coordinator, { reviewId: r.reviewId });
    // One open review per rubric (issue 15): a cycle with a row left unsettled is cancelled before the next.
    if (closed.status === 'active') {
      await service.cancelReview(coordinator, { reviewId: r.reviewId, reason: 'bench: next cycle' });
    }
  }
  const setupS = (performance.now() - t0) / 1000;
  console.log(
    `set-up: ${CYCLES} cycles × ${rows.length} rows × ${MEMBERS} members = ${CYCLES * rows.length * MEMBERS} votes in ${setupS.toFixed(1)} s`,
  );

  const res = await results.results(coordinator, { reviewId: last });
  // Check: the CSV's counts equal the stored round results.
  const csv = exportResults(res, 'csv').content.trim().split('\r\n').slice(1);
  const review = await store.reviews.get(last);
  review?.polls.forEach((p, i) => {
    // Quoted fields ("Vision, mission and beliefs") hold commas: split outside quotes only.
    const cols = (csv[i] ?? '').match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '')) ?? [];
    const stored = p.rounds[0]?.stats.distribution;
    const got = cols.slice(11, 17).map(Number);
    const want = [...(stored?.levels ?? []), stored?.unsure, stored?.total];
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`row ${i + 1}: CSV ${got} ≠ stored ${want}`);
  });

  const lines: string[] = [];
  const r1 = await timeIt(() => results.results(coordinator, { reviewId: last }));
  lines.push(`results (latest cycle)      p50 ${ms(r1.p50)}  p95 ${ms(r1.p95)}`);
  for (const f of ['csv', 'json', 'md'] as const) {
    const size = exportResults(res, f).content.length;
    const t = await timeIt(async () => exportResults(res, f));
    lines.push(
      `export ${f.padEnd(4)} (${(size / 1024).toFixed(1)} KB)     p50 ${ms(t.p50)}  p95 ${ms(t.p95)}`,
    );
  }
  const d = await timeIt(() => results.dashboard('T1', district.id));
  lines.push(`dashboard model (${CYCLES} cycles)  p50 ${ms(d.p50)}  p95 ${ms(d.p95)}`);

  const signer = new LinkSigner('bench-secret-0123456789abcdefghijklmnopqrstuv');
  const web = express();
  mountWeb(web, {
    service,
    results,
    commands: new CommandService(service, { results }),
    rubrics,
    signer,
    clock,
    baseUrl: () => '',
    linkTtlMs: 3600_000,
    console: false,
  });
  const server: http.Server = web.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const k = signer.issue('T1', district.id, clock.now(), 3600_000).token;
  const h1 = await timeIt(async () => {
    const r = await fetch(`${base}/dashboard?k=${k}`);
    if (r.status !== 200) throw new Error(`GET /dashboard ${r.status}`);
    await r.text();
  });
  lines.push(`GET /dashboard              p50 ${ms(h1.p50)}  p95 ${ms(h1.p95)}`);
  const h2 = await timeIt(async () => {
    const r = await fetch(`${base}/dashboard/reviews/${last}/export.csv?k=${k}`);
    if (r.status !== 200) throw new Error(`GET export.csv ${r.status}`);
    await r.text();
  });
  lines.push(`GET …/export.csv            p50 ${ms(h2.p50)}  p95 ${ms(h2.p95)}`);
  console.log(lines.join('\n'));
  await new Promise((r) => server.close(r));
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

import { pacedIntervalMs } from '../../src/adapters/scheduler/pacing';
import { SendQueue, TEAMS_LIMITS } from '../../src/adapters/teams/sendQueue';
import { strictWindow } from '../support/strictWindow';
import { virtualClock } from '../support/virtualClock';

const fail = (statusCode: number, retryAfter?: string) =>
  Object.assign(new Error(`status ${statusCode}`), {
    statusCode,
    response: { headers: { get: (n: string) => (n === 'retry-after' ? retryAfter : undefined) } },
  });

test('at most 7 sends in any second and 1,800 in any hour per conversation; other conversations unaffected', async () => {
  const clock = virtualClock();
  const q = new SendQueue({ now: clock.now, sleep: clock.sleep });
  const times: number[] = [];
  const other: number[] = [];
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 2000; i++) {
    sends.push(
      q.enqueue('conv-a', async () => {
        times.push(clock.now());
      }),
    );
  }
  sends.push(q.enqueue('conv-b', async () => other.push(clock.now())));
  await Promise.all(sends);
  expect(times).toHaveLength(2000);
  for (let i = 7; i < times.length; i++) {
    expect((times[i] as number) - (times[i - 7] as number)).toBeGreaterThanOrEqual(1000);
  }
  for (let i = 1800; i < times.length; i++) {
    expect((times[i] as number) - (times[i - 1800] as number)).toBeGreaterThanOrEqual(3_600_000);
  }
  // 1,800 sends fit in the first hour (at 7/s that takes ~270 s); the rest wait for the hour window.
  expect((times[1799] as number) - (times[0] as number)).toBeLessThan(3_600_000);
  expect((times[1800] as number) - (times[0] as number)).toBeGreaterThanOrEqual(3_600_000);
  expect(other).toHaveLength(1);
});

test('429/412/502/504 are retried with exponential backoff and jitter; Retry-After is honoured', async () => {
  const clock = virtualClock();
  const q = new SendQueue({ now: clock.now, sleep: clock.sleep, random: () => 0.5, baseDelayMs: 400 });
  const errors = [fail(429), fail(412), fail(502), fail(504)];
  let calls = 0;
  const r = await q.enqueue('c', async () => {
    calls++;
    const e = errors.shift();
    if (e) throw e;
    return 'ok';
  });
  expect(r).toBe('ok');
  expect(calls).toBe(5);
  // random() = 0.5 → factor 1: 400, 800, 1600, 3200.
  expect(clock.sleeps.filter((s) => s >= 400)).toEqual([400, 800, 1600, 3200]);

  const c2 = virtualClock();
  const q2 = new SendQueue({ now: c2.now, sleep: c2.sleep, random: () => 0 });
  let n = 0;
  await q2.enqueue('c', async () => {
    if (n++ === 0) throw fail(429, '7');
  });
  expect(c2.sleeps).toContain(7000);

  // Jitter: the factor ranges over [0.5, 1.5).
  const c3 = virtualClock();
  const q3 = new SendQueue({ now: c3.now, sleep: c3.sleep, random: () => 0.99, baseDelayMs: 1000 });
  let m = 0;
  await q3.enqueue('c', async () => {
    if (m++ === 0) throw fail(502);
  });
  expect(c3.sleeps).toEqual([1490]);
});

test('other errors are not retried; a send that keeps failing gives up after maxAttempts; the lane goes on', async () => {
  const clock = virtualClock();
  const q = new SendQueue({ now: clock.now, sleep: clock.sleep, maxAttempts: 3 });
  let calls = 0;
  await expect(
    q.enqueue('c', async () => {
      calls++;
      throw fail(403);
    }),
  ).rejects.toThrow('status 403');
  expect(calls).toBe(1);
  calls = 0;
  await expect(
    q.enqueue('c', async () => {
      calls++;
      throw fail(502);
    }),
  ).rejects.toThrow('status 502');
  expect(calls).toBe(3);
  expect(await q.enqueue('c', async () => 'next')).toBe('next');
  expect(q.stats).toMatchObject({ failures: 2, retries: 2 });
});

/** The fake Bot Connector of bench:nudges: a strict sliding window of one second, counted on arrival. */
const connector = (limitPerSecond: number, latency: (i: number) => number) =>
  strictWindow(limitPerSecond, latency, () => fail(429, '1'), undefined);

describe('ceilings across conversations (on jest fake timers: Date.now and setTimeout)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test("one tenant's sends share Teams' 50 per second per app and tenant, spaced PACING_MARGIN under it; another tenant's do not wait", async () => {
    const q = new SendQueue();
    const t0 = Date.now();
    const a: number[] = [];
    let b = -1;
    // 60 conversations of one tenant, one send each (no conversation is near its own 7/s), and one of another tenant.
    const sends = Array.from({ length: 60 }, (_, i) =>
      q.enqueue(`a-${i}`, async () => a.push(Date.now() - t0), 'A'),
    );
    sends.push(
      q.enqueue(
        'b-0',
        async () => {
          b = Date.now() - t0;
          return 0;
        },
        'B',
      ),
    );
    await jest.advanceTimersByTimeAsync(5000);
    await Promise.all(sends);
    expect(b).toBe(0);
    expect(a).toHaveLength(60);
    const gap = pacedIntervalMs(TEAMS_LIMITS.perTenantPerSecond);
    expect(gap).toBeCloseTo(20.6);
    for (let i = 1; i < a.length; i++)
      expect((a[i] as number) - (a[i - 1] as number)).toBeGreaterThanOrEqual(gap - 1);
    // Evenly, the margin under the rate, not slower: the 60th starts 59 intervals after the first (timers fire on
    // whole milliseconds).
    expect(a[59]).toBeGreaterThanOrEqual(Math.floor(59 * gap));
    expect(a[59]).toBeLessThanOrEqual(Math.ceil(59 * gap) + 59);
    // Sends without a tenant are under no such ceiling.
    const c: number[] = [];
    const t1 = Date.now();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => q.enqueue(`c-${i}`, async () => c.push(Date.now() - t1))),
    );
    expect(Math.max(...c)).toBe(0);
  });

  test('a send under both its tenant ceiling and a global one waits for both once, not one after the other', async () => {
    const q = new SendQueue({ globalPerSecond: 50 });
    const t0 = Date.now();
    const starts: number[] = [];
    const sends = Array.from({ length: 100 }, (_, i) =>
      q.enqueue(`c-${i}`, async () => starts.push(Date.now() - t0), 'T'),
    );
    await jest.advanceTimersByTimeAsync(10_000);
    await Promise.all(sends);
    // 100 sends at 50/s (less the margin) take about two seconds: each used to sleep out its tenant slot, then as
    // long again for its global slot, measured from the same earlier moment (25/s).
    expect(Math.max(...starts)).toBeLessThan(100 * pacedIntervalMs(50) + 100);
  });

  test('a late wake-up does not make two sends start together: the next is spaced from the actual start', async () => {
    let sleeps = 0;
    // The fifth wait of the queue ends 100 ms late (a busy event loop), the others on time.
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms + (++sleeps === 5 ? 100 : 0)));
    const q = new SendQueue({ sleep });
    const starts: number[] = [];
    const sends = Array.from({ length: 20 }, (_, i) =>
      q.enqueue(`c-${i}`, async () => starts.push(Date.now()), 'T'),
    );
    await jest.advanceTimersByTimeAsync(5000);
    await Promise.all(sends);
    const sorted = [...starts].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++)
      expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(20);
  });

  test('the connector never sees more than 50 a second when the first sends take longer to reach it than the next', async () => {
    // As measured in bench:nudges: while the round starts up, a request takes up to 1.9 s from send() to the
    // connector; then a few ms. Spaced 1/50 s apart at the start, they used to arrive bunched, over the limit.
    const fake = connector(TEAMS_LIMITS.perTenantPerSecond, (i) => (i < 60 ? 1500 - i * 20 : 2));
    const q = new SendQueue();
    const t0 = Date.now();
    const sends = Array.from({ length: 300 }, (_, i) => q.enqueue(`c-${i}`, fake.send, 'T'));
    await jest.advanceTimersByTimeAsync(30_000);
    await Promise.all(sends);
    expect(fake.refused()).toBe(0);
    expect(q.stats.retries).toBe(0);
    expect(fake.arrivals).toHaveLength(300);
    // At no more cost than the slow start itself: 300 sends at 50/s take 6 s, here under 8.
    expect(Math.max(...fake.arrivals) - t0).toBeLessThan(8000);
  });
});

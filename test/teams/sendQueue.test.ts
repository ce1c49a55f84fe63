import { SendQueue } from '../../src/adapters/teams/sendQueue';
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

test("one tenant's sends share Teams' 50 per second per app and tenant; another tenant's do not wait for them", async () => {
  // Time stands still and sleeps return at once: every wait the queue asks for is recorded.
  const waits: number[] = [];
  const q = new SendQueue({ now: () => 1_000_000, sleep: async (ms: number) => void waits.push(ms) });
  const sends: Promise<unknown>[] = [];
  // 60 conversations of one tenant, one send each (no conversation is near its own 7/s), and one of another tenant.
  for (let i = 0; i < 60; i++) sends.push(q.enqueue(`a-${i}`, async () => {}, 'tenant-a'));
  sends.push(q.enqueue('b-0', async () => {}, 'tenant-b'));
  await Promise.all(sends);
  // 59 of tenant A's sends wait for their slot, 20 ms apart (the 60th starts 1,180 ms after the first); B's does not.
  expect(waits).toEqual(Array.from({ length: 59 }, (_, i) => (i + 1) * 20));
  // Sends without a tenant are under no such ceiling.
  waits.length = 0;
  await Promise.all(Array.from({ length: 60 }, (_, i) => q.enqueue(`c-${i}`, async () => {})));
  expect(waits).toEqual([]);
});

import { RateMeter, TurnSlicer, WorkQueue } from '../../src/adapters/slack/workQueue';

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('WorkQueue', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => {
    jest.useFakeTimers();
    t = 1_000_000;
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** A job that records its start and finishes when `release()` is called. */
  function gated(log: string[], name: string) {
    let release = () => {};
    const done = new Promise<void>((r) => {
      release = r;
    });
    return {
      job: async () => {
        log.push(name);
        await done;
      },
      release: () => release(),
    };
  }

  it('runs at most `concurrency` jobs at once, in arrival order', async () => {
    const q = new WorkQueue(2, { error() {} }, { now });
    const started: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((n) => gated(started, n));
    for (const j of jobs) q.push(j.job);
    expect(started).toEqual(['a', 'b']);
    jobs[1]?.release();
    await flush();
    expect(started).toEqual(['a', 'b', 'c']);
    jobs[0]?.release();
    await flush();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(q.pending).toBe(2);
  });

  it('holds jobs back while a burst is on and runs them once it is over', async () => {
    let busy = true;
    const q = new WorkQueue(4, { error() {} }, { now, yieldWhile: () => busy, recheckMs: 25 });
    const ran: string[] = [];
    q.push(async () => {
      ran.push('vote 1');
    });
    q.push(async () => {
      ran.push('vote 2');
    });
    jest.advanceTimersByTime(100);
    t += 100;
    await flush();
    expect(ran).toEqual([]);
    expect(q.pending).toBe(2);
    expect(q.stats.deferred).toBeGreaterThan(0);
    busy = false;
    t += 25;
    jest.advanceTimersByTime(25);
    await flush();
    expect(ran).toEqual(['vote 1', 'vote 2']);
    expect(q.stats.maxDelayMs).toBe(125);
  });

  it('with settleMs, a job waits that long even before a burst shows, then runs if none did', async () => {
    let busy = false;
    const q = new WorkQueue(4, { error() {} }, { now, yieldWhile: () => busy, recheckMs: 25, settleMs: 250 });
    const ran: number[] = [];
    q.push(async () => {
      ran.push(t);
    });
    for (let i = 0; i < 9; i++) {
      t += 25;
      jest.advanceTimersByTime(25);
      await flush();
    }
    expect(ran).toEqual([]); // 225 ms: still settling
    t += 25;
    jest.advanceTimersByTime(25);
    await flush();
    expect(ran).toEqual([1_000_250]); // a lone click: 250 ms later
    // A burst that shows within the quarter second holds the next job on, past its settling.
    q.push(async () => {
      ran.push(t);
    });
    busy = true;
    for (let i = 0; i < 20; i++) {
      t += 25;
      jest.advanceTimersByTime(25);
      await flush();
    }
    expect(ran).toHaveLength(1);
    busy = false;
    t += 25;
    jest.advanceTimersByTime(25);
    await flush();
    expect(ran).toEqual([1_000_250, 1_000_775]);
  });

  it('never holds a job longer than maxDeferMs, even if the burst goes on', async () => {
    const q = new WorkQueue(
      4,
      { error() {} },
      { now, yieldWhile: () => true, maxDeferMs: 1000, recheckMs: 25 },
    );
    const ran: number[] = [];
    q.push(async () => {
      ran.push(t);
    });
    for (let i = 0; i < 39; i++) {
      t += 25;
      jest.advanceTimersByTime(25);
      await flush();
    }
    expect(ran).toEqual([]);
    t += 25;
    jest.advanceTimersByTime(25);
    await flush();
    expect(ran).toEqual([1_001_000]);
  });

  it('during a burst runs its overdue jobs busyConcurrency at a time, and the backlog at full width once it passes', async () => {
    let busy = true;
    const q = new WorkQueue(
      6,
      { error() {} },
      { now, yieldWhile: () => busy, maxDeferMs: 1000, recheckMs: 25, busyConcurrency: 2 },
    );
    const started: string[] = [];
    const jobs = Array.from({ length: 10 }, (_, i) => gated(started, `j${i}`));
    for (const j of jobs) q.push(j.job);
    t += 1000;
    jest.advanceTimersByTime(25);
    await flush();
    // Every job is overdue, the burst goes on: two at a time.
    expect(started).toEqual(['j0', 'j1']);
    jobs[0]?.release();
    await flush();
    expect(started).toEqual(['j0', 'j1', 'j2']);
    // The burst passes: the next finished job lets the queue fill its six places.
    busy = false;
    jobs[1]?.release();
    await flush();
    expect(started).toEqual(['j0', 'j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7']);
    expect(q.pending).toBe(8);
  });

  it('drain (shutting down) runs held-back jobs at once and reports what is left', async () => {
    const q = new WorkQueue(2, { error() {} }, { now, yieldWhile: () => true, maxDeferMs: 60_000 });
    const ran: number[] = [];
    for (let i = 0; i < 3; i++)
      q.push(async () => {
        ran.push(i);
      });
    await flush();
    expect(ran).toEqual([]);
    jest.useRealTimers();
    expect(await q.drain(1000)).toBe(0);
    expect(ran).toEqual([0, 1, 2]);
    const stuck = new WorkQueue(1, { error() {} });
    stuck.push(() => new Promise<void>(() => {}));
    expect(await stuck.drain(50)).toBe(1);
  });

  it('logs and counts a job that throws, and goes on with the next', async () => {
    const errors: string[] = [];
    const q = new WorkQueue(1, { error: (m: string) => errors.push(m) }, { now });
    const ran: string[] = [];
    q.push(async () => {
      throw new Error('boom');
    });
    q.push(async () => {
      ran.push('next');
    });
    await flush();
    await flush();
    expect(errors).toEqual(['Slack background job failed']);
    expect(ran).toEqual(['next']);
    expect(q.stats).toMatchObject({ done: 1, failed: 1 });
  });
});

describe('RateMeter', () => {
  it('is busy at the threshold rate and not below it, and calms down when requests stop', () => {
    let t = 0;
    const m = new RateMeter(100, () => t, 250);
    // 20 requests per 100 ms = 200/s.
    for (let i = 0; i < 50; i++) {
      m.hit();
      t += 5;
    }
    expect(m.rate()).toBeGreaterThanOrEqual(150);
    expect(m.busy()).toBe(true);
    t += 600; // two quiet buckets
    expect(m.rate()).toBe(0);
    expect(m.busy()).toBe(false);
    // 50 requests per second: below the threshold.
    for (let i = 0; i < 50; i++) {
      m.hit();
      t += 20;
      expect(m.busy()).toBe(false);
    }
    expect(m.rate()).toBeGreaterThan(30);
    expect(m.rate()).toBeLessThan(70);
  });

  it('is busy while enough requests are unanswered, even when none has arrived for a while', () => {
    let t = 0;
    const m = new RateMeter(100, () => t, 250); // busy from 20 unanswered (a fifth of 100)
    const ends = Array.from({ length: 20 }, () => m.begin());
    t += 2000; // no request for eight buckets: the rate is 0
    expect(m.rate()).toBe(0);
    expect(m.inFlight).toBe(20);
    expect(m.busy()).toBe(true);
    ends[0]?.();
    ends[0]?.(); // ending twice counts once
    expect(m.inFlight).toBe(19);
    expect(m.busy()).toBe(false);
    for (const end of ends) end();
    expect(m.inFlight).toBe(0);
    expect(new RateMeter(10).busy()).toBe(false);
    // A low threshold still needs 4 unanswered.
    const low = new RateMeter(10, () => t);
    const three = [low.begin(), low.begin(), low.begin()];
    t += 2000;
    expect(low.busy()).toBe(false);
    low.begin();
    expect(low.busy()).toBe(true);
    for (const end of three) end();
  });

  it('stays busy through a short gap in a burst, and calms down quietMs after it', () => {
    let t = 0;
    const m = new RateMeter(100, () => t, 250, { quietMs: 500 });
    const burst = (ms: number) => {
      for (let i = 0; i < ms / 5; i++) {
        m.hit();
        t += 5;
      }
    };
    burst(500); // 200/s
    expect(m.busy()).toBe(true);
    t += 450; // a gap: the rate reads 0, but less than quietMs after the burst last showed, it is still on
    expect(m.rate()).toBe(0);
    expect(m.busy()).toBe(true);
    burst(500); // it goes on
    expect(m.busy()).toBe(true);
    t += 450;
    expect(m.busy()).toBe(true);
    t += 100; // quiet for longer than quietMs since it last showed
    expect(m.busy()).toBe(false);
    // Without quietMs (the default), the first quiet buckets end it.
    const plain = new RateMeter(100, () => t, 250);
    for (let i = 0; i < 100; i++) {
      plain.hit();
      t += 5;
    }
    t += 550;
    expect(plain.busy()).toBe(false);
  });
});

describe('TurnSlicer', () => {
  const turn = () => new Promise<void>((r) => setImmediate(r));

  it('runs at most `perTurn` callbacks per event-loop turn, in arrival order, until none is left', async () => {
    const s = new TurnSlicer(2);
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) s.push(() => ran.push(i));
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual([0, 1]);
    await turn();
    expect(ran).toEqual([0, 1, 2, 3]);
    await turn();
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(s.pending).toBe(0);
    s.push(() => ran.push(5));
    await turn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reports a callback that throws and runs the rest', async () => {
    const errors: unknown[] = [];
    const s = new TurnSlicer(4, (e) => errors.push(e));
    const ran: string[] = [];
    s.push(() => {
      throw new Error('bad');
    });
    s.push(() => ran.push('after'));
    await turn();
    expect(ran).toEqual(['after']);
    expect(String(errors[0])).toMatch(/bad/);
  });
});

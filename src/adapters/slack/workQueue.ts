export interface QueueLogger {
  error(msg: string, ...rest: unknown[]): void;
}

export interface WorkQueueOptions {
  /**
   * True while acknowledging requests needs the event loop more than the queued work does (a burst of requests).
   * While it is true, queued jobs wait — but no job waits longer than `maxDeferMs` after it was queued, so a long
   * burst slows acknowledgements down instead of piling up work without bound.
   */
  yieldWhile?: () => boolean;
  /**
   * With `yieldWhile`: while it is true, at most this many jobs run at once (default: the queue's concurrency). Jobs
   * that waited `maxDeferMs` run during a burst, a few at a time beside the acknowledgements; once it has passed,
   * the backlog drains at the full concurrency (confirmations mostly wait on the network, not the CPU).
   */
  busyConcurrency?: number;
  /** Longest a job may be held back by `yieldWhile` (default 10 s). */
  maxDeferMs?: number;
  /** How often a held-back queue looks again (default 25 ms). */
  recheckMs?: number;
  /**
   * With `yieldWhile`: a job waits at least this long after it was queued (default 0), so that the first clicks of a
   * burst, which come before `yieldWhile` can tell a burst from a lone click, do not run their work beside the
   * burst's acknowledgements either.
   */
  settleMs?: number;
  now?: () => number;
}

interface Job {
  run: () => Promise<void>;
  at: number;
}

/**
 * Work done after an acknowledgement (writing a vote, confirming it). Runs at most `concurrency` jobs at once, so
 * that a vote storm queues here instead of flooding the event loop and the database pool, and acknowledgements of
 * new requests stay fast. During a burst (`yieldWhile`) jobs are held back for at most `maxDeferMs`: the ack is
 * what Slack times out on (3 s), the vote and its confirmation can follow. Jobs run in arrival order; a job that
 * throws is logged (jobs report their own errors to the user before that).
 */
export class WorkQueue {
  private readonly waiting: Job[] = [];
  private head = 0;
  private running = 0;
  private recheck: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  readonly stats = { done: 0, failed: 0, maxWaiting: 0, deferred: 0, maxDelayMs: 0 };

  constructor(
    private readonly concurrency = 32,
    private readonly log: QueueLogger = console,
    private readonly o: WorkQueueOptions = {},
  ) {
    this.now = o.now ?? Date.now;
  }

  push(job: () => Promise<void>): void {
    this.waiting.push({ run: job, at: this.now() });
    const n = this.waiting.length - this.head;
    if (n > this.stats.maxWaiting) this.stats.maxWaiting = n;
    this.pump();
  }

  get pending(): number {
    return this.waiting.length - this.head + this.running;
  }

  /** Held back: a burst is on and the oldest waiting job is still within its allowed delay. */
  private holding(): boolean {
    const oldest = this.waiting[this.head];
    if (!oldest || !this.o.yieldWhile || this.draining) return false;
    const age = this.now() - oldest.at;
    if (age >= (this.o.maxDeferMs ?? 10_000)) return false;
    return age < (this.o.settleMs ?? 0) || this.o.yieldWhile();
  }

  /** How many jobs may run now: fewer while a burst is on (`busyConcurrency`). */
  private limit(): number {
    const busy = this.o.busyConcurrency;
    if (busy === undefined || !this.o.yieldWhile || this.draining) return this.concurrency;
    return this.o.yieldWhile() ? Math.min(busy, this.concurrency) : this.concurrency;
  }

  private pump(): void {
    const limit = this.limit();
    while (this.running < limit && this.head < this.waiting.length) {
      if (this.holding()) {
        this.stats.deferred++;
        if (!this.recheck) {
          this.recheck = setTimeout(() => {
            this.recheck = null;
            this.pump();
          }, this.o.recheckMs ?? 25);
        }
        return;
      }
      const job = this.waiting[this.head] as Job;
      this.waiting[this.head++] = undefined as unknown as Job;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      const delay = this.now() - job.at;
      if (delay > this.stats.maxDelayMs) this.stats.maxDelayMs = delay;
      this.running++;
      job
        .run()
        .then(
          () => {
            this.stats.done++;
          },
          (e: unknown) => {
            this.stats.failed++;
            this.log.error('Slack background job failed', e);
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private draining = false;

  /**
   * For shutting down: runs every queued job now (no more holding back for bursts) and resolves with how many were
   * still not done after `timeoutMs` (0 when all are).
   */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    this.pump();
    await this.idle(timeoutMs);
    return this.pending;
  }

  /** Resolves once nothing is queued or running (bounded by `timeoutMs`). */
  async idle(timeoutMs = 10000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  stop(): void {
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = null;
  }
}

/**
 * Requests per second over a short sliding window (two buckets of `bucketMs`), and requests being handled, for
 * telling a burst from ordinary traffic. `busy()` is true while the rate is at or above `thresholdPerSecond`, or
 * while `busyInFlight` requests (default a fifth of the threshold, at least 4) are unanswered: a burst whose clicks
 * all wait on a slow database sends few new requests (each member waits for their answer), yet it is still on.
 * A burst is over once neither has held for `quietMs`: a moment's gap in the clicks (a stall of the network or of
 * the event loop) does not end it.
 */
export class RateMeter {
  private bucketStart = 0;
  private current = 0;
  private previous = 0;
  private open = 0;
  private readonly busyInFlight: number;
  private readonly quietMs: number;
  /** When the rate or the requests in flight last showed a burst. */
  private lastBusyAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly thresholdPerSecond: number,
    private readonly now: () => number = Date.now,
    readonly bucketMs = 250,
    o: { busyInFlight?: number; quietMs?: number } = {},
  ) {
    this.busyInFlight = o.busyInFlight ?? Math.max(4, Math.ceil(thresholdPerSecond / 5));
    this.quietMs = o.quietMs ?? 0;
  }

  /** Requests arrived and not yet answered (`begin` without its end). */
  get inFlight(): number {
    return this.open;
  }

  /**
   * A request arrived (counted in the rate) and is handled until the returned function is called; calling it again
   * does nothing.
   */
  begin(): () => void {
    this.hit();
    this.open++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.open--;
    };
  }

  private roll(t: number): void {
    const elapsed = t - this.bucketStart;
    if (elapsed < this.bucketMs) return;
    this.previous = elapsed < 2 * this.bucketMs ? this.current : 0;
    this.current = 0;
    this.bucketStart = t - (elapsed % this.bucketMs);
  }

  hit(): void {
    this.roll(this.now());
    this.current++;
    if (this.quietMs > 0) this.showing();
  }

  /** Requests per second: the last full bucket and the current one, weighted by how far the current one is. */
  rate(): number {
    const t = this.now();
    this.roll(t);
    const into = (t - this.bucketStart) / this.bucketMs;
    const count = this.previous * (1 - into) + this.current;
    return (count * 1000) / this.bucketMs;
  }

  busy(): boolean {
    return this.showing() || this.now() - this.lastBusyAt < this.quietMs;
  }

  /** The rate or the requests in flight show a burst now (noted for `quietMs`). */
  private showing(): boolean {
    if (this.open < this.busyInFlight && this.rate() < this.thresholdPerSecond) return false;
    this.lastBusyAt = this.now();
    return true;
  }
}

/**
 * Runs callbacks at most `perTurn` at a time per turn of the event loop (setImmediate), in arrival order.
 *
 * Why: libuv (since 1.45, Node 20) accepts one new connection per event-loop turn. If a turn handles every request
 * that arrived during it, a busy server's turns grow long and new connections wait in the kernel's accept queue
 * for seconds (measured: 270 of 500 new connections accepted only after the load stopped). Handling requests a
 * few per turn keeps turns short, so new connections are accepted within milliseconds, at no cost in throughput.
 */
export class TurnSlicer {
  private readonly waiting: Array<() => void> = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly perTurn = 4,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  push(fn: () => void): void {
    this.waiting.push(fn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  get pending(): number {
    return this.waiting.length - this.head;
  }

  private readonly turn = (): void => {
    this.scheduled = false;
    for (let n = 0; n < this.perTurn && this.head < this.waiting.length; n++) {
      const fn = this.waiting[this.head] as () => void;
      this.waiting[this.head++] = undefined as unknown as () => void;
      try {
        fn();
      } catch (e) {
        this.onError(e);
      }
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  };
}

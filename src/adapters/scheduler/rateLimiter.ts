/**
 * Rate-limited sending for nudge fan-out. Each send names the limits it falls under (e.g. "this Slack channel:
 * 1/s" and "this workspace: 20/s"); a send starts only when every one of them has a free slot, so sends to
 * different channels run in parallel up to the shared limit. What is retried, and after how long, is the shared
 * policy of ./retryPolicy.ts; a 429 also pauses the send's limits for that time, so queued sends under them wait.
 */
import { retryDelayMs, statusOf } from './retryPolicy';

export interface Limit {
  key: string;
  /** Sends allowed per second under this key. */
  perSecond: number;
}

export interface RateLimiterOptions {
  maxAttempts?: number;
  /** Spacing factor above 1/rate that absorbs network jitter (default 1.03). */
  stretch?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  /** Unused (kept for callers that pass one); waiting is timer-driven. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Milliseconds to wait before retrying `e`, or null when `e` must not be retried. */
  retryDelay?: (e: unknown, attempt: number) => number | null;
}

export { retryAfterMsOf, statusOf } from './retryPolicy';

interface Job {
  limits: Limit[];
  notBefore: number;
  start: () => void;
}

/**
 * Greedy, work-conserving scheduler: pending sends are scanned in arrival order and every send whose limits all
 * have a free slot starts now (a send held back by its busy channel does not hold up sends to other channels).
 */
export class RateLimiter {
  /** Per key: a pause after a 429, and the slot of the last send (sends are spaced 1/rate apart). */
  private readonly nextSlot = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly pending: Job[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
  private readonly o: Required<Omit<RateLimiterOptions, 'sleep'>>;
  readonly stats = { sends: 0, attempts: 0, retries: 0, rateLimited: 0, failures: 0, peakPending: 0 };

  constructor(opts: RateLimiterOptions = {}) {
    this.o = {
      maxAttempts: opts.maxAttempts ?? 6,
      stretch: opts.stretch ?? 1.03,
      baseDelayMs: opts.baseDelayMs ?? 500,
      maxDelayMs: opts.maxDelayMs ?? 60_000,
      now: opts.now ?? Date.now,
      random: opts.random ?? Math.random,
      retryDelay:
        opts.retryDelay ??
        ((e, attempt) =>
          retryDelayMs(e, attempt, {
            baseDelayMs: this.o.baseDelayMs,
            maxDelayMs: this.o.maxDelayMs,
            random: this.o.random,
            now: this.o.now,
          })),
    };
  }

  private interval(l: Limit): number {
    return (1000 / l.perSecond) * this.o.stretch;
  }

  /**
   * Sends under one key are spaced 1/rate apart (stretched a little for network jitter), so no one-second window
   * on the platform's side ever sees more than the rate. A timer that fires late may catch up half a slot, never
   * more, so lateness costs little capacity and never turns into a burst.
   */
  private readyAt(j: Job): number {
    let at = j.notBefore;
    for (const l of j.limits) {
      at = Math.max(at, this.nextSlot.get(l.key) ?? 0);
      const prev = this.last.get(l.key);
      if (prev !== undefined) at = Math.max(at, prev + this.interval(l));
    }
    return at;
  }

  private record(l: Limit, now: number) {
    const prev = this.last.get(l.key);
    const iv = this.interval(l);
    this.last.set(l.key, prev === undefined ? now : Math.max(prev + iv, now - iv / 2));
  }

  private pump = () => {
    this.timer = null;
    const now = this.o.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.pending.length; ) {
      const j = this.pending[i] as Job;
      const at = this.readyAt(j);
      if (at <= now) {
        // The slot is counted from the real start, so a late timer never squeezes two sends together.
        for (const l of j.limits) this.record(l, now);
        this.pending.splice(i, 1);
        j.start();
      } else {
        earliest = Math.min(earliest, at);
        i++;
      }
    }
    if (earliest < Number.POSITIVE_INFINITY) this.wake(earliest);
  };

  private wake(at: number) {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.pump, Math.max(0, at - this.o.now()));
  }

  private slot(limits: Limit[], notBefore: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pending.push({ limits, notBefore, start: resolve });
      this.stats.peakPending = Math.max(this.stats.peakPending, this.pending.length);
      this.wake(this.o.now());
    });
  }

  /** Pauses limits (after a 429 with Retry-After) so that queued sends under them wait too. */
  private pause(limits: Limit[], untilMs: number) {
    for (const l of limits) this.nextSlot.set(l.key, Math.max(this.nextSlot.get(l.key) ?? 0, untilMs));
  }

  async run<T>(limits: Limit[], send: () => Promise<T>): Promise<T> {
    this.stats.sends++;
    if (this.stats.sends % 1000 === 0) this.prune(); // keys of channels not sent to lately
    let notBefore = 0;
    for (let attempt = 1; ; attempt++) {
      await this.slot(limits, notBefore);
      this.stats.attempts++;
      try {
        return await send();
      } catch (e) {
        const delay = attempt < this.o.maxAttempts ? this.o.retryDelay(e, attempt) : null;
        if (delay === null) {
          this.stats.failures++;
          throw e;
        }
        if (statusOf(e) === 429) {
          this.stats.rateLimited++;
          this.pause(limits, this.o.now() + delay);
        }
        this.stats.retries++;
        notBefore = this.o.now() + delay;
      }
    }
  }

  /** Drops bookkeeping for keys whose slots are in the past (call now and then on long-running processes). */
  prune() {
    const now = this.o.now();
    for (const [k, v] of this.nextSlot) if (v < now) this.nextSlot.delete(k);
    for (const [k, t] of this.last) if (t < now - 60_000) this.last.delete(k);
  }
}

import { ArrivalWindow, pacedIntervalMs } from '../scheduler/pacing';
import { retryDelayMs, statusOf } from '../scheduler/retryPolicy';

/**
 * Teams' published limits for a bot's sends: per conversation 7 a second and 1,800 an hour; per app and tenant 50
 * requests a second. This is the one table of them (the queue's defaults).
 */
export const TEAMS_LIMITS = {
  perConversationPerSecond: 7,
  perConversationPerHour: 1800,
  perTenantPerSecond: 50,
} as const;

/**
 * The one outbound queue for Teams (poll cards, replies, confirmations, card updates and nudges alike): sends to one
 * conversation go one at a time, at most `perSecond` in any second and `perHour` in any hour (TEAMS_LIMITS), at most
 * `perTenantPerSecond` across one tenant's conversations, optionally under a ceiling across everything
 * (`globalPerSecond`). The ceilings across conversations are paced as ../scheduler/pacing.ts says (evenly, a margin
 * under the rate, and never more than the rate in flight or answered within a second), so that the connector, which
 * counts sends as they arrive, does not see a burst when their latencies differ. A failed send is retried by the
 * shared policy (../scheduler/retryPolicy.ts): 429, 412 and 5xx, after the Retry-After when given, else with
 * exponential backoff and jitter; any other 4xx is not retried.
 */
export interface SendQueueOptions {
  perSecond?: number;
  perHour?: number;
  /** Sends per second across every conversation (default: no such ceiling). */
  globalPerSecond?: number;
  /** Sends per second across the conversations of one tenant (default 50, Teams' limit per app per tenant). */
  perTenantPerSecond?: number;
  /** Attempts per send, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called on each 429 answer (for the rate-limit counter). */
  onRateLimited?: () => void;
}

export { statusOf } from '../scheduler/retryPolicy';

/** A ceiling across conversations (one tenant's, or every send's): its sends take their turns one at a time. */
interface Ceiling {
  /** Milliseconds between starts (pacedIntervalMs of the rate). */
  interval: number;
  /** No start before this: the previous one's actual start + interval. */
  next: number;
  window: ArrivalWindow;
  /** The last turn taken or waiting (turns are taken in order). */
  tail: Promise<unknown>;
  waiting: number;
}

interface Lane {
  tail: Promise<unknown>;
  /** Start times of recent attempts (last hour), oldest first. */
  sent: number[];
  pending: number;
}

export class SendQueue {
  private readonly lanes = new Map<string, Lane>();
  /** The ceiling under `globalPerSecond` (none when that is infinite). */
  private readonly global: Ceiling | null;
  /** Per tenant, the ceiling under `perTenantPerSecond` (dropped once nothing of it is waiting or counted). */
  private readonly tenants = new Map<string, Ceiling>();
  private readonly o: Required<SendQueueOptions>;
  /** Counters for tests and logs. */
  readonly stats = { attempts: 0, retries: 0, failures: 0 };

  constructor(opts: SendQueueOptions = {}) {
    this.o = {
      perSecond: opts.perSecond ?? TEAMS_LIMITS.perConversationPerSecond,
      perHour: opts.perHour ?? TEAMS_LIMITS.perConversationPerHour,
      globalPerSecond: opts.globalPerSecond ?? Number.POSITIVE_INFINITY,
      perTenantPerSecond: opts.perTenantPerSecond ?? TEAMS_LIMITS.perTenantPerSecond,
      maxAttempts: opts.maxAttempts ?? 5,
      baseDelayMs: opts.baseDelayMs ?? 400,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      random: opts.random ?? Math.random,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      onRateLimited: opts.onRateLimited ?? (() => {}),
    };
    this.global = this.ceiling(this.o.globalPerSecond);
  }

  private ceiling(perSecond: number): Ceiling | null {
    if (!Number.isFinite(perSecond)) return null;
    return {
      interval: pacedIntervalMs(perSecond),
      next: 0,
      window: new ArrivalWindow(perSecond, this.o.now),
      tail: Promise.resolve(),
      waiting: 0,
    };
  }

  private tenantCeiling(tenantId: string): Ceiling | null {
    let c = this.tenants.get(tenantId);
    if (!c) {
      const now = this.o.now();
      for (const [t, other] of this.tenants)
        if (other.waiting === 0 && other.next <= now && other.window.idle()) this.tenants.delete(t);
      const made = this.ceiling(this.o.perTenantPerSecond);
      if (!made) return null;
      c = made;
      this.tenants.set(tenantId, c);
    }
    return c;
  }

  /**
   * Runs `send` in the lane of `conversationKey`, after every earlier send of that lane, within `tenantId`'s budget
   * when one is given.
   */
  enqueue<T>(conversationKey: string, send: () => Promise<T>, tenantId?: string): Promise<T> {
    let lane = this.lanes.get(conversationKey);
    if (!lane) {
      lane = { tail: Promise.resolve(), sent: [], pending: 0 };
      this.lanes.set(conversationKey, lane);
    }
    const l = lane;
    l.pending++;
    const run = l.tail.then(() => this.attempt(l, send, tenantId));
    l.tail = run.then(
      () => undefined,
      () => undefined,
    );
    void l.tail.then(() => {
      l.pending--;
      if (l.pending === 0 && l.sent.length === 0) this.lanes.delete(conversationKey);
    });
    return run;
  }

  /** Resolves when every queued send has finished (succeeded or failed). */
  async idle(): Promise<void> {
    for (;;) {
      const tails = [...this.lanes.values()].filter((l) => l.pending > 0).map((l) => l.tail);
      if (tails.length === 0) return;
      await Promise.all(tails);
    }
  }

  /**
   * Waits until the lane may send again under its own limits, then for its turn under the ceilings across
   * conversations; returns the send's `end` for those ceilings (to call once it is answered or has failed).
   */
  private async slot(lane: Lane, tenantId: string | undefined): Promise<() => void> {
    for (;;) {
      const now = this.o.now();
      while (lane.sent.length && (lane.sent[0] as number) <= now - 3_600_000) lane.sent.shift();
      let wait = 0;
      if (lane.sent.length >= this.o.perHour) {
        wait = (lane.sent[lane.sent.length - this.o.perHour] as number) + 3_600_000 - now;
      }
      const inLastSecond = lane.sent.filter((t) => t > now - 1000);
      if (inLastSecond.length >= this.o.perSecond) {
        wait = Math.max(wait, (inLastSecond[inLastSecond.length - this.o.perSecond] as number) + 1000 - now);
      }
      if (wait <= 0) {
        const ceilings = [tenantId ? this.tenantCeiling(tenantId) : null, this.global].filter(
          (c): c is Ceiling => c !== null,
        );
        const end = await this.turn(ceilings);
        lane.sent.push(this.o.now());
        return end;
      }
      await this.o.sleep(wait + 1);
    }
  }

  /**
   * Takes the send's turn under each ceiling (in the order sends come to it, one waiting at a time) and starts it
   * in all of them at once: each ceiling's next start is counted from now, the moment the send actually goes.
   */
  private turn(ceilings: Ceiling[]): Promise<() => void> {
    const [c, ...rest] = ceilings;
    if (!c) return Promise.resolve(() => {});
    c.waiting++;
    const turn = c.tail.then(async () => {
      try {
        await this.ready(c);
        // Holding this ceiling's turn while waiting for the others: nothing else starts under it meanwhile.
        const endRest = await this.turn(rest);
        c.next = this.o.now() + c.interval;
        const end = c.window.begin();
        return () => {
          end();
          endRest();
        };
      } finally {
        c.waiting--;
      }
    });
    c.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Waits until a send may start under `c`: spaced from the previous start, and a place in its window. */
  private async ready(c: Ceiling): Promise<void> {
    for (;;) {
      const spacing = c.next - this.o.now();
      const window = c.window.delayMs();
      if (spacing <= 0 && window <= 0) return;
      // Held back by the window: an answer can free a place in it sooner than the time says (and the sleep that
      // loses the race is at most a second).
      await (window > spacing
        ? Promise.race([this.o.sleep(Math.min(window, 1000)), c.window.answer()])
        : this.o.sleep(spacing));
    }
  }

  /**
   * Re-dates the lane's latest send to when it finished: the request reached the connector at or before that
   * moment, so spacing later sends from it keeps every window of arrivals within the limits, whatever the latency.
   */
  private stamp(lane: Lane): void {
    if (lane.sent.length) lane.sent[lane.sent.length - 1] = this.o.now();
  }

  private async attempt<T>(lane: Lane, send: () => Promise<T>, tenantId: string | undefined): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const end = await this.slot(lane, tenantId);
      this.stats.attempts++;
      try {
        const result = await send();
        this.stamp(lane);
        end();
        return result;
      } catch (e) {
        this.stamp(lane);
        end();
        if (statusOf(e) === 429) this.o.onRateLimited();
        const delay = attempt < this.o.maxAttempts ? retryDelayMs(e, attempt, this.o) : null;
        if (delay === null) {
          this.stats.failures++;
          throw e;
        }
        this.stats.retries++;
        await this.o.sleep(delay);
      }
    }
  }
}

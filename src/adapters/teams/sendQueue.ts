import { retryDelayMs, statusOf } from '../scheduler/retryPolicy';

/**
 * The one outbound queue for Teams (poll cards, replies, confirmations, card updates and nudges alike): sends to one
 * conversation go one at a time, at most `perSecond` in any second and `perHour` in any hour (Teams allows 7/s and
 * 1,800/h per conversation), at most `perTenantPerSecond` across one tenant's conversations (Teams allows an app 50
 * requests per second per tenant), optionally under a ceiling across everything (`globalPerSecond`). A failed send is
 * retried by the shared policy (../scheduler/retryPolicy.ts): 429, 412 and 5xx, after the Retry-After when given,
 * else with exponential backoff and jitter; any other 4xx is not retried.
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

interface Lane {
  tail: Promise<unknown>;
  /** Start times of recent attempts (last hour), oldest first. */
  sent: number[];
  pending: number;
}

export class SendQueue {
  private readonly lanes = new Map<string, Lane>();
  /** The next free slot under `globalPerSecond` (slots are reserved in the order lanes become ready). */
  private globalNext = 0;
  /** Per tenant, the next free slot under `perTenantPerSecond` (dropped once it is in the past). */
  private readonly tenantNext = new Map<string, number>();
  private readonly o: Required<SendQueueOptions>;
  /** Counters for tests and logs. */
  readonly stats = { attempts: 0, retries: 0, failures: 0 };

  constructor(opts: SendQueueOptions = {}) {
    this.o = {
      perSecond: opts.perSecond ?? 7,
      perHour: opts.perHour ?? 1800,
      globalPerSecond: opts.globalPerSecond ?? Number.POSITIVE_INFINITY,
      perTenantPerSecond: opts.perTenantPerSecond ?? 50,
      maxAttempts: opts.maxAttempts ?? 5,
      baseDelayMs: opts.baseDelayMs ?? 400,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      random: opts.random ?? Math.random,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      onRateLimited: opts.onRateLimited ?? (() => {}),
    };
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

  /** Waits until the lane may send again under both rate limits. */
  private async slot(lane: Lane, tenantId: string | undefined): Promise<void> {
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
        if (tenantId) await this.tenantSlot(tenantId, now);
        await this.globalSlot(now);
        lane.sent.push(this.o.now());
        return;
      }
      await this.o.sleep(wait + 1);
    }
  }

  /** Reserves the next slot under the ceiling across conversations and waits for it. */
  private async globalSlot(now: number): Promise<void> {
    if (!Number.isFinite(this.o.globalPerSecond)) return;
    const at = Math.max(now, this.globalNext);
    this.globalNext = at + 1000 / this.o.globalPerSecond;
    if (at > now) await this.o.sleep(at - now);
  }

  /** Reserves the tenant's next slot under `perTenantPerSecond` and waits for it. */
  private async tenantSlot(tenantId: string, now: number): Promise<void> {
    for (const [t, next] of this.tenantNext) if (next <= now) this.tenantNext.delete(t);
    const at = Math.max(now, this.tenantNext.get(tenantId) ?? now);
    this.tenantNext.set(tenantId, at + 1000 / this.o.perTenantPerSecond);
    if (at > now) await this.o.sleep(at - now);
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
      await this.slot(lane, tenantId);
      this.stats.attempts++;
      try {
        const result = await send();
        this.stamp(lane);
        return result;
      } catch (e) {
        this.stamp(lane);
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

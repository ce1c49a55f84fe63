import { ArrivalWindow, pacedIntervalMs } from '../scheduler/pacing';
import { retryAfterMsOf, statusOf } from '../scheduler/retryPolicy';
import { type BudgetedMethod, POST_MESSAGE_BUDGET, SLACK_TIERS, TokenBucket } from './tiers';

/**
 * The one way out to Slack's Web API for the calls that have a budget: poll posts and redraws, confirmations and
 * replies, nudges, digests and escalations. Every call names its workspace (team id) and method (and channel, for
 * chat.postMessage) and spends the budgets of Slack's tier table (./tiers.ts) that it falls under:
 *
 * - `chat.update`, `chat.postEphemeral`, `views.*`, …: one bucket per workspace and method;
 * - `chat.postMessage`: one bucket per channel (about 1/s, short bursts) and a workspace-wide ceiling, so a nudge
 *   run over a hundred building channels and a review's poll posts in the district's channel share one budget. The
 *   ceiling is paced as ../scheduler/pacing.ts says: spaced evenly a margin under the rate, and never more than the
 *   rate of posts in flight or answered within the last second (so `take` for one must be followed by `attempt`).
 *
 * A 429 pauses only the budgets of that call (that method in that workspace; for chat.postMessage, that channel)
 * for its Retry-After and the call is sent again: the WebClient is built with `rejectRateLimitedCalls` so that it
 * hands the 429 back instead of pausing its whole request queue, and calls of other methods or workspaces go on.
 */
export type OutboundMethod = BudgetedMethod | 'chat.postMessage';

export interface OutboundCall {
  /** The workspace (team id) whose budget the call spends. */
  workspace: string;
  method: OutboundMethod;
  /** chat.postMessage: the channel posted to (each channel has its own budget besides the workspace's). */
  channel?: string | undefined;
}

export interface OutboundOptions {
  /** This layer's time (default Date.now); `setTimer` must wait in the same time. */
  now?: () => number;
  /**
   * Runs `fn` after `ms` of this layer's time (default setTimeout). A test whose `now` runs faster than the wall
   * clock (and whose fake Slack counts its tiers on that time) shortens the waits by the same factor.
   */
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout;
  /** Sends of one call at most (the first and the retries after 429s); default 5. */
  maxAttempts?: number;
  /** Workspace-wide ceiling for chat.postMessage, messages a second (default POST_MESSAGE_BUDGET's 20). */
  postMessagePerWorkspacePerSecond?: number;
  /** Called on every 429 (for the metrics). */
  onRateLimited?: (call: OutboundCall, retryAfterMs: number) => void;
}

/** A 429 answered to a call (its budgets are paused for `retryAfterMs`); `error` is the WebClient's. */
export class OutboundRateLimited extends Error {
  readonly code = 'slack_outbound_rate_limited';
  constructor(
    readonly call: OutboundCall,
    readonly retryAfterMs: number,
    readonly error: unknown,
  ) {
    super(`${call.method} rate limited in ${call.workspace}; retry after ${retryAfterMs} ms`);
    this.name = 'OutboundRateLimited';
  }
}

interface Pending {
  keys: string[];
  start: () => void;
  /** Refuses the call: the layer stopped before its turn came. */
  refuse: (e: Error) => void;
}

export class SlackOutbound {
  private readonly buckets = new Map<string, TokenBucket>();
  /** The workspace ceilings' windows (chat.postMessage), by budget key. */
  private readonly windows = new Map<string, ArrivalWindow>();
  /** Per window, the `end`s of calls taken (`take`) whose `attempt` has not begun yet, oldest first. */
  private readonly taken = new Map<string, Array<() => void>>();
  /** Per budget key: no call before this time (after a 429's Retry-After). */
  private readonly pausedUntil = new Map<string, number>();
  private readonly pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private stopped = false;
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly wsPostPerSecond: number;
  readonly stats = {
    /** Calls sent per method (retries included). */
    sent: {} as Record<string, number>,
    rateLimited: 0,
    retries: 0,
    /** Calls that had to wait for a budget. */
    waited: 0,
    peakPending: 0,
  };

  constructor(private readonly o: OutboundOptions = {}) {
    this.now = o.now ?? Date.now;
    this.maxAttempts = o.maxAttempts ?? 5;
    this.wsPostPerSecond = o.postMessagePerWorkspacePerSecond ?? POST_MESSAGE_BUDGET.perWorkspacePerSecond;
  }

  /** The budgets a call spends: its method's in its workspace; chat.postMessage also its channel's. */
  private keysOf(c: OutboundCall): string[] {
    const ws = `${c.method}|${c.workspace}`;
    return c.method === 'chat.postMessage' ? [ws, `${ws}|${c.channel ?? ''}`] : [ws];
  }

  /** What a 429 pauses: that method in that workspace; for chat.postMessage (a limit per channel), the channel. */
  private pauseKeyOf(c: OutboundCall): string {
    const keys = this.keysOf(c);
    return keys[keys.length - 1] as string;
  }

  private bucket(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      const [method = '', , channel] = key.split('|');
      const { perMinute, burst } =
        method === 'chat.postMessage'
          ? channel === undefined
            ? // The ceiling is spaced evenly, PACING_MARGIN under the rate: no burst over it.
              { perMinute: 60_000 / pacedIntervalMs(this.wsPostPerSecond), burst: 1 }
            : POST_MESSAGE_BUDGET.perChannel
          : SLACK_TIERS[method as BudgetedMethod];
      if (this.buckets.size > 10_000) this.prune();
      b = new TokenBucket(perMinute, burst, this.now);
      this.buckets.set(key, b);
    }
    return b;
  }

  /** The window of a workspace ceiling (chat.postMessage's budget key without a channel); null for other keys. */
  private windowOf(key: string): ArrivalWindow | null {
    if (!key.startsWith('chat.postMessage|') || key.split('|').length !== 2) return null;
    let w = this.windows.get(key);
    if (!w) {
      w = new ArrivalWindow(this.wsPostPerSecond, this.now);
      this.windows.set(key, w);
    }
    return w;
  }

  private delayOf(keys: string[]): number {
    const now = this.now();
    let wait = 0;
    for (const k of keys) {
      wait = Math.max(
        wait,
        (this.pausedUntil.get(k) ?? 0) - now,
        this.bucket(k).delayMs(),
        this.windowOf(k)?.delayMs() ?? 0,
      );
    }
    return wait;
  }

  /** Spends a token of each budget of `keys`; under a workspace ceiling the call counts as in flight from now. */
  private takeKeys(keys: string[]): void {
    for (const k of keys) {
      this.bucket(k).take();
      const w = this.windowOf(k);
      if (!w) continue;
      let list = this.taken.get(k);
      if (!list) {
        list = [];
        this.taken.set(k, list);
      }
      list.push(w.begin());
    }
  }

  /**
   * The `end` of a call about to be sent, for the windows of its budgets (its `take`'s; a call sent without one
   * counts from now). Ending it once the answer is back frees its place a second later, and wakes the calls
   * waiting when in-flight calls filled the window.
   */
  private inFlight(keys: string[]): () => void {
    const ends: Array<() => void> = [];
    for (const k of keys) {
      const w = this.windowOf(k);
      if (!w) continue;
      const end = this.taken.get(k)?.shift() ?? w.begin();
      ends.push(() => {
        const full = w.delayMs() > 0;
        end();
        if (full && this.pending.length) this.pump();
      });
    }
    return () => {
      for (const end of ends) end();
    };
  }

  /** Milliseconds until `call` may go (0 = now): each of its budgets has a token and none is paused by a 429. */
  delayMs(call: OutboundCall): number {
    return this.delayOf(this.keysOf(call));
  }

  /**
   * Spends one token of each of `call`'s budgets (for a caller that waited for `delayMs()` to be 0 itself); send it
   * with `attempt` next (a chat.postMessage counts in its workspace's window from here until its answer).
   */
  take(call: OutboundCall): void {
    this.takeKeys(this.keysOf(call));
  }

  /**
   * Sends `send` once, its budget already taken (`take`). A 429 pauses the call's budgets for its Retry-After and
   * is thrown as OutboundRateLimited (the poll updater then redraws the latest state instead of resending an old one).
   */
  async attempt<T>(call: OutboundCall, send: () => Promise<T>): Promise<T> {
    this.stats.sent[call.method] = (this.stats.sent[call.method] ?? 0) + 1;
    const end = this.inFlight(this.keysOf(call));
    try {
      const result = await send();
      end();
      return result;
    } catch (e) {
      end();
      if (statusOf(e) !== 429) throw e;
      const after = Math.max(0, retryAfterMsOf(e, this.now) ?? 1000);
      this.stats.rateLimited++;
      const until = this.now() + after;
      const k = this.pauseKeyOf(call);
      this.pausedUntil.set(k, Math.max(this.pausedUntil.get(k) ?? 0, until));
      this.o.onRateLimited?.(call, after);
      this.wake(until);
      throw new OutboundRateLimited(call, after, e);
    }
  }

  /**
   * Sends `send` when the call's budgets allow it (calls waiting are started in arrival order, and one held back by
   * its busy channel does not hold up calls to other channels); after a 429, waits out its Retry-After — only this
   * call's budgets are paused — and sends again, at most `maxAttempts` times in all.
   */
  async call<T>(call: OutboundCall, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.turn(call);
      try {
        return await this.attempt(call, send);
      } catch (e) {
        if (!(e instanceof OutboundRateLimited) || attempt >= this.maxAttempts) throw e;
        this.stats.retries++;
      }
    }
  }

  /** Resolves once the call's budgets have a token each (and spends them). */
  private turn(call: OutboundCall): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`${call.method} not sent: the app is stopping`));
    const keys = this.keysOf(call);
    if (!this.pending.length && this.delayOf(keys) === 0) {
      this.takeKeys(keys);
      return Promise.resolve();
    }
    this.stats.waited++;
    return new Promise<void>((start, refuse) => {
      this.pending.push({ keys, start, refuse });
      this.stats.peakPending = Math.max(this.stats.peakPending, this.pending.length);
      this.pump();
    });
  }

  private readonly pump = (): void => {
    // Called directly for a new waiting call while a timer is armed: that timer goes (wake arms the earliest one).
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i] as Pending;
      const wait = this.delayOf(p.keys);
      if (wait <= 0) {
        this.takeKeys(p.keys);
        this.pending.splice(i, 1);
        p.start();
      } else {
        earliest = Math.min(earliest, this.now() + wait);
        i++;
      }
    }
    if (earliest < Number.POSITIVE_INFINITY) this.wake(earliest);
  };

  private wake(at: number): void {
    if (!this.pending.length || this.stopped) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = (this.o.setTimer ?? setTimeout)(this.pump, Math.max(0, at - this.now()));
  }

  /** Drops the budgets of channels and workspaces not called lately (full buckets, no pause). */
  private prune(): void {
    const now = this.now();
    for (const [k, until] of this.pausedUntil) if (until < now) this.pausedUntil.delete(k);
    for (const [k, b] of this.buckets) if (b.full() && !this.pausedUntil.has(k)) this.buckets.delete(k);
    for (const [k, w] of this.windows) if (w.idle() && !this.taken.get(k)?.length) this.windows.delete(k);
    for (const [k, list] of this.taken) if (!list.length) this.taken.delete(k);
  }

  /**
   * Stops for good: calls still waiting for their turn are refused (a stopping process would never send them, and
   * their callers can say so instead of waiting on a timer that keeps the process alive), and so are later ones.
   */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const p of this.pending.splice(0)) p.refuse(new Error('not sent: the app is stopping'));
  }
}

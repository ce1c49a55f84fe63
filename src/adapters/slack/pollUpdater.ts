import type { types, webApi } from '@slack/bolt';
import type { OwedMarks } from '../owedRedraws';
import { type OutboundCall, OutboundRateLimited, type SlackOutbound } from './outbound';

export interface PollMessage {
  channel: string;
  ts: string;
  blocks: types.KnownBlock[];
  text: string;
}

interface Entry {
  key: string;
  /** The Slack workspace (team id) whose chat.update budget this message spends. */
  workspace: string;
  /** Its chat.update call as the outbound layer budgets it. */
  call: OutboundCall;
  /** Waiting for its workspace's budget (in `waiters`). */
  queued: boolean;
  client: webApi.WebClient;
  render: () => Promise<PollMessage | null>;
  lastRun: number;
  /** Time to wait after this message's last update: `minIntervalMs`, longer when drawing it was slow. */
  interval: number;
  /** When the message last went from drawn to needing a redraw. */
  dirtySince: number;
  dirty: boolean;
  running: boolean;
  timer: NodeJS.Timeout | null;
}

/** How often a message held back by a burst looks again whether it may draw. */
const HOLD_TICK_MS = 100;

export interface UpdaterLogger {
  error(msg: string, ...rest: unknown[]): void;
}

/**
 * Coalesces poll message updates: however fast votes arrive, at most one `chat.update` per message per
 * `minIntervalMs`, one at a time per message, and each update draws the latest stored state (so an update that
 * lands late after a 429 retry is followed by a fresh one, never by stale content).
 *
 * Drawing a message reads its votes and the member list, which grows with the poll (the messages of one review
 * drawn within moments of each other share the member list: ../../app/reviews/pollDraws.ts). So that big polls under a
 * storm of votes do not spend the process on redrawing, a message waits `slowDrawFactor` times as long as its last
 * drawing took (when that is more than `minIntervalMs`), at most `maxIntervalMs`. A poll of a district team draws
 * in a few milliseconds and keeps the one-second pace.
 *
 * The chat.update budget is the workspace's in the one outbound layer (./outbound.ts). A 429 pauses it for its
 * Retry-After; the message is then redrawn from the latest state when the budget allows, not resent as it was.
 */
export class PollUpdater {
  private readonly entries = new Map<string, Entry>();
  readonly stats = {
    updates: 0,
    failures: 0,
    requested: 0,
    slowDraws: 0,
    longestIntervalMs: 0,
    deferred: 0,
    budgetWaits: 0,
    rateLimited: 0,
  };
  private readonly slowDrawFactor: number;
  private readonly maxIntervalMs: number;
  /** Start times of chat.update calls per message key (kept only when `trace` is on; for tests and benches). */
  readonly trace = new Map<string, number[]>();

  constructor(
    private readonly log: UpdaterLogger = console,
    private readonly minIntervalMs = 1000,
    private readonly now: () => number = Date.now,
    private readonly tracing = false,
    o: {
      slowDrawFactor?: number;
      maxIntervalMs?: number;
      /** While true (a burst of requests), redraws wait, each at most `maxDeferMs` (default 10 s) after its vote. */
      yieldWhile?: () => boolean;
      maxDeferMs?: number;
      /**
       * A message not updated lately is first drawn this long after the vote that made it dirty (default 0): long
       * enough for `yieldWhile` to tell a burst from a lone click, so a burst's first clicks do not draw beside its
       * acknowledgements.
       */
      settleMs?: number;
      /**
       * The outbound layer whose chat.update budget per workspace (Tier 3) every message of a workspace shares: the
       * message waiting longest goes first, and each draws the latest state when its turn comes.
       */
      outbound?: SlackOutbound;
      /**
       * Durable marks of the messages this process has in hand (../owedRedraws.ts): written when a message is
       * taken in hand, removed when it is let go drawn, so that another process draws them if this one dies.
       */
      owed?: OwedMarks;
    } = {},
  ) {
    this.outbound = o.outbound ?? null;
    this.owed = o.owed ?? null;
    this.slowDrawFactor = o.slowDrawFactor ?? 20;
    this.maxIntervalMs = Math.max(minIntervalMs, o.maxIntervalMs ?? 10_000);
    this.yieldWhile = o.yieldWhile ?? null;
    this.maxDeferMs = o.maxDeferMs ?? 10_000;
    this.settleMs = o.settleMs ?? 0;
  }

  private readonly settleMs: number;
  private readonly owed: OwedMarks | null;

  private readonly outbound: SlackOutbound | null;
  /** Messages ready to redraw but waiting for their workspace's budget, and each workspace's wake-up timer. */
  private readonly waiters = new Map<string, { list: Entry[]; timer: NodeJS.Timeout | null }>();
  private readonly yieldWhile: (() => boolean) | null;
  private readonly maxDeferMs: number;

  schedule(
    key: string,
    client: webApi.WebClient,
    render: () => Promise<PollMessage | null>,
    /** The workspace (team id) whose chat.update budget the message spends. */
    workspace: string,
  ): void {
    this.stats.requested++;
    let e = this.entries.get(key);
    if (!e) {
      e = {
        key,
        workspace,
        call: { workspace, method: 'chat.update' },
        queued: false,
        client,
        render,
        lastRun: 0,
        interval: this.minIntervalMs,
        dirtySince: 0,
        dirty: false,
        running: false,
        timer: null,
      };
      this.entries.set(key, e);
      void this.owed?.owe(key, workspace);
    }
    e.client = client;
    e.render = render;
    if (!e.dirty) e.dirtySince = this.now();
    e.dirty = true;
    if (!e.running && !e.timer && !e.queued) this.plan(e);
  }

  /** Queues `e` for its workspace's budget; the workspace's timer runs the longest-waiting message first. */
  private waitForBudget(e: Entry, delayMs: number): void {
    let w = this.waiters.get(e.workspace);
    if (!w) {
      w = { list: [], timer: null };
      this.waiters.set(e.workspace, w);
    }
    if (!e.queued) {
      e.queued = true;
      w.list.push(e);
      this.stats.budgetWaits++;
    }
    this.armBudgetTimer(e.workspace, w, delayMs);
  }

  private armBudgetTimer(workspace: string, w: { list: Entry[]; timer: NodeJS.Timeout | null }, ms: number) {
    if (w.timer) return;
    w.timer = setTimeout(() => {
      w.timer = null;
      const call: OutboundCall = { workspace, method: 'chat.update' };
      const wait = this.outbound?.delayMs(call) ?? 0;
      if (wait > 0) return this.armBudgetTimer(workspace, w, wait);
      w.list.sort((a, b) => a.dirtySince - b.dirtySince);
      // The workspace's turn has come, but a burst is on: the longest-waiting message keeps its place and draws
      // once the burst passes (or its vote has waited maxDeferMs), like any other redraw; the budget is not spent.
      const first = w.list[0];
      if (first && this.holdForBurst(first)) {
        this.stats.deferred++;
        return this.armBudgetTimer(workspace, w, 100);
      }
      const next = w.list.shift();
      if (next) {
        next.queued = false;
        this.outbound?.take(call);
        void this.run(next, true);
      }
      if (w.list.length) this.armBudgetTimer(workspace, w, this.outbound?.delayMs(call) ?? 0);
      else this.waiters.delete(workspace);
    }, ms);
  }

  private plan(e: Entry): void {
    const now = this.now();
    const wait = Math.max(0, e.lastRun + e.interval - now, e.dirtySince + this.settleMs - now);
    this.runAfter(e, this.flushing ? 0 : wait);
  }

  private runAfter(e: Entry, ms: number): void {
    e.timer = setTimeout(() => {
      e.timer = null;
      void this.run(e);
    }, ms);
  }

  /** A burst is on (`yieldWhile`) and `e`'s oldest undrawn vote has waited less than `maxDeferMs`. */
  private holdForBurst(e: Entry): boolean {
    return (
      !this.flushing && !!this.yieldWhile && this.now() - e.dirtySince < this.maxDeferMs && this.yieldWhile()
    );
  }

  private async run(e: Entry, budgeted = false): Promise<void> {
    if (!e.dirty) {
      this.entries.delete(e.key);
      void this.owed?.paid(e.key);
      return;
    }
    if (!budgeted && this.holdForBurst(e)) {
      this.stats.deferred++;
      // Every held message looks again on the same 100 ms ticks, so the messages of a review that a burst held
      // back are drawn in one tick when it passes, sharing reads (../../app/reviews/pollDraws.ts).
      this.runAfter(e, HOLD_TICK_MS - (this.now() % HOLD_TICK_MS));
      return;
    }
    if (!budgeted && this.outbound) {
      const wait = this.outbound.delayMs(e.call);
      // Behind others of the same workspace, or out of budget (or paused by a 429): wait for a turn.
      if (wait > 0 || this.waiters.get(e.workspace)?.list.length) {
        this.waitForBudget(e, wait);
        return;
      }
      this.outbound.take(e.call);
    }
    const since = e.dirtySince;
    e.dirty = false;
    e.running = true;
    e.lastRun = this.now();
    try {
      const msg = await e.render();
      const drawMs = this.now() - e.lastRun;
      e.interval = Math.min(this.maxIntervalMs, Math.max(this.minIntervalMs, drawMs * this.slowDrawFactor));
      if (e.interval > this.minIntervalMs) this.stats.slowDraws++;
      if (e.interval > this.stats.longestIntervalMs) this.stats.longestIntervalMs = e.interval;
      // The interval counts from the moment the call leaves, not from when drawing started.
      e.lastRun = this.now();
      if (msg) {
        if (this.tracing) this.trace.set(e.key, [...(this.trace.get(e.key) ?? []), e.lastRun]);
        const update = () =>
          e.client.chat.update({ channel: msg.channel, ts: msg.ts, blocks: msg.blocks, text: msg.text });
        await (this.outbound ? this.outbound.attempt(e.call, update) : update());
        this.stats.updates++;
      }
    } catch (err) {
      if (err instanceof OutboundRateLimited) {
        // Owed since the vote that made it dirty: redrawn (latest state) once the paused budget allows.
        this.stats.rateLimited++;
        e.dirtySince = e.dirty ? Math.min(since, e.dirtySince) : since;
        e.dirty = true;
        return;
      }
      this.stats.failures++;
      this.log.error(`Updating poll message ${e.key} failed`, err);
    } finally {
      // Count the interval from the answer too: a call that waited in the client's queue (or behind a 429) must
      // not be followed by another one less than an interval after it reached Slack.
      e.lastRun = this.now();
      e.running = false;
      // Dirty again: plan the next update. Clean: keep the entry one more interval (to space a later vote's
      // update), then drop it.
      this.plan(e);
    }
  }

  /** Resolves once no update is pending or running (bounded by `timeoutMs`). */
  async idle(timeoutMs = 10000): Promise<boolean> {
    const until = this.now() + timeoutMs;
    while (this.now() < until) {
      const busy = [...this.entries.values()].some((e) => e.running || e.dirty);
      if (!busy) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  /** Set by `flush`: messages draw as soon as their workspace's budget allows, without pacing or burst holds. */
  private flushing = false;

  /**
   * Before the process stops: draws every message that still owes its votes a redraw now, instead of at its pace
   * (stopped, the process would drop them: without `owed` marks nobody would draw them, the poll showing an old
   * count until someone votes on it again; with them another process would, but only after
   * POLL_REDRAW_ADOPT_SECONDS). The workspace's chat.update budget still applies. True once all are drawn; false if
   * `timeoutMs` passed first.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    this.flushing = true;
    for (const e of this.entries.values()) {
      if (!e.timer) continue; // running, waiting for its workspace's budget, or nothing owed
      clearTimeout(e.timer);
      e.timer = null;
      void this.run(e);
    }
    return this.idle(timeoutMs);
  }

  /** Stops every timer; the messages drawn are let go, those still owed stay marked for another process. */
  stop(): void {
    for (const e of this.entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      if (!e.dirty && !e.running) void this.owed?.paid(e.key);
    }
    for (const w of this.waiters.values()) if (w.timer) clearTimeout(w.timer);
    this.entries.clear();
    this.waiters.clear();
  }
}

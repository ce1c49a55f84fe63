import type { types, webApi } from '@slack/bolt';

export interface PollMessage {
  channel: string;
  ts: string;
  blocks: types.KnownBlock[];
  text: string;
}

interface Entry {
  key: string;
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

export interface UpdaterLogger {
  error(msg: string, ...rest: unknown[]): void;
}

/**
 * Coalesces poll message updates: however fast votes arrive, at most one `chat.update` per message per
 * `minIntervalMs`, one at a time per message, and each update draws the latest stored state (so an update that
 * lands late after a 429 retry is followed by a fresh one, never by stale content).
 *
 * Drawing a message reads its votes and the member list, which grows with the poll. So that big polls under a
 * storm of votes do not spend the process on redrawing, a message waits `slowDrawFactor` times as long as its last
 * drawing took (when that is more than `minIntervalMs`), at most `maxIntervalMs`. A poll of a district team draws
 * in a few milliseconds and keeps the one-second pace.
 */
export class PollUpdater {
  private readonly entries = new Map<string, Entry>();
  readonly stats = { updates: 0, failures: 0, requested: 0, slowDraws: 0, longestIntervalMs: 0, deferred: 0 };
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
    } = {},
  ) {
    this.slowDrawFactor = o.slowDrawFactor ?? 20;
    this.maxIntervalMs = Math.max(minIntervalMs, o.maxIntervalMs ?? 10_000);
    this.yieldWhile = o.yieldWhile ?? null;
    this.maxDeferMs = o.maxDeferMs ?? 10_000;
  }

  private readonly yieldWhile: (() => boolean) | null;
  private readonly maxDeferMs: number;

  schedule(key: string, client: webApi.WebClient, render: () => Promise<PollMessage | null>): void {
    this.stats.requested++;
    let e = this.entries.get(key);
    if (!e) {
      e = {
        key,
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
    }
    e.client = client;
    e.render = render;
    if (!e.dirty) e.dirtySince = this.now();
    e.dirty = true;
    if (!e.running && !e.timer) this.plan(e);
  }

  private plan(e: Entry): void {
    this.runAfter(e, Math.max(0, e.lastRun + e.interval - this.now()));
  }

  private runAfter(e: Entry, ms: number): void {
    e.timer = setTimeout(() => {
      e.timer = null;
      void this.run(e);
    }, ms);
  }

  private async run(e: Entry): Promise<void> {
    if (!e.dirty) {
      this.entries.delete(e.key);
      return;
    }
    if (this.yieldWhile && this.now() - e.dirtySince < this.maxDeferMs && this.yieldWhile()) {
      this.stats.deferred++;
      this.runAfter(e, 100);
      return;
    }
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
        await e.client.chat.update({ channel: msg.channel, ts: msg.ts, blocks: msg.blocks, text: msg.text });
        this.stats.updates++;
      }
    } catch (err) {
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

  stop(): void {
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
    this.entries.clear();
  }
}

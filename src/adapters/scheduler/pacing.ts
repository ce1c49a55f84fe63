/**
 * How every outbound queue (the Slack outbound layer, the Teams SendQueue) keeps under a platform's "N per second"
 * ceiling without drawing a 429. The platform counts a request when it arrives; the app only knows when it starts
 * one and when the answer is back, and the time between the start and the arrival varies from request to request:
 * 2 ms in bench:nudges once its round runs, but up to 0.45 s (Slack) and 1.9 s (Bot Connector) while the round's
 * start-up work holds the event loop (stalls of 100-460 ms), and up to 3.9 s with two CPU hogs beside it: a request
 * needs many turns of the loop before it is on the wire. Sends spaced 1/rate apart when started then arrive
 * bunched, and a strict sliding window on the far side counts one too many. So each ceiling is kept two ways:
 *
 * - spaced: one start every `pacedIntervalMs(rate)`, counted from when the previous one actually started (not from a
 *   slot reserved earlier, which a late timer turns into two starts at once), PACING_MARGIN slower than the rate;
 * - windowed (ArrivalWindow): a request may start only while fewer than N others may still be inside the far side's
 *   window: those in flight, and those answered less than a window ago (a request has arrived by the time its
 *   answer is back). This holds whatever the latency; the margin makes it rarely wait.
 *
 * The published limits themselves stay in their tables (../slack/tiers.ts, ../teams/sendQueue.ts TEAMS_LIMITS).
 */

/**
 * The one margin under spaced ceilings: starts are spaced 3 % further apart than the rate. In a one-second window
 * that absorbs 30 ms of difference between the latencies of the first and the last request of the window, the
 * usual jitter on a busy machine, so that the ArrivalWindow seldom has to hold a send back (which it does only
 * when the latencies differ more, at the cost of that wait).
 */
export const PACING_MARGIN = 0.03;

/** Milliseconds between the starts of sends paced under `perSecond` (with PACING_MARGIN). */
export function pacedIntervalMs(perSecond: number): number {
  return (1000 / perSecond) * (1 + PACING_MARGIN);
}

/**
 * A request still unanswered after this long no longer holds a place in the window: it reached the far side long
 * ago or is lost, and a place taken for a request that was never sent (`begin` without `end`) is not held for good.
 */
export const IN_FLIGHT_HOLD_MS = 30_000;

/**
 * At most `limit` requests in any `windowMs` as the far side counts them on arrival, whatever the latency: a request
 * counts from its start (`begin`) until `windowMs` after its answer (`end`).
 */
export class ArrivalWindow {
  /** Start times of requests in flight, oldest first. */
  private readonly inFlight: number[] = [];
  /** Times answers came back, within the last window, oldest first. */
  private readonly answered: number[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
    readonly windowMs = 1000,
  ) {}

  private expire(now: number): void {
    while (this.inFlight.length && (this.inFlight[0] as number) <= now - IN_FLIGHT_HOLD_MS)
      this.inFlight.shift();
    while (this.answered.length && (this.answered[0] as number) <= now - this.windowMs) this.answered.shift();
  }

  /**
   * Milliseconds until one more request may start (0 = now). When requests in flight fill the window, that is when
   * the oldest of them stops holding its place (IN_FLIGHT_HOLD_MS): wait for `answer()` too, which comes sooner.
   */
  delayMs(): number {
    const now = this.now();
    this.expire(now);
    const over = this.inFlight.length + this.answered.length - this.limit + 1;
    if (over <= 0) return 0;
    if (over <= this.answered.length) return (this.answered[over - 1] as number) + this.windowMs - now;
    return (this.inFlight[over - this.answered.length - 1] as number) + IN_FLIGHT_HOLD_MS - now;
  }

  /** A request starts now. Returns its `end`, to call once its answer (or failure) is back. */
  begin(): () => void {
    const started = this.now();
    this.inFlight.push(started);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const i = this.inFlight.indexOf(started);
      if (i >= 0) this.inFlight.splice(i, 1);
      this.answered.push(this.now());
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
  }

  /** Resolves when the next answer comes back (a place may then be free sooner than `delayMs()` said). */
  answer(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  /** Nothing in flight or in the window (the window can be dropped and made again without changing anything). */
  idle(): boolean {
    this.expire(this.now());
    return this.inFlight.length === 0 && this.answered.length === 0;
  }
}

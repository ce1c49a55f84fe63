/**
 * Slack's published Web API rate limits for the methods this app calls (api.slack.com/apis/rate-limits and each
 * method's page), per workspace unless noted. Tier 2 ≈ 20/min, Tier 3 ≈ 50/min, Tier 4 ≈ 100/min, each with
 * "occasional bursts"; chat.postMessage is "special": about 1 per second per channel, short bursts allowed.
 * Interaction `response_url`s are not Web API calls: up to 5 uses within 30 minutes each.
 *
 * The app keeps under these with one budget per workspace and method (TokenBucket below, `burst` calls at once,
 * then `perMinute` spread evenly), so that in any minute it makes at most `burst + perMinute` calls: the numbers
 * here leave that within the tier. The fake Slack in the tests enforces the tiers as a sliding minute.
 */
export const SLACK_TIERS = {
  'chat.update': { tier: 3, limitPerMinute: 50, perMinute: 44, burst: 6 },
  'chat.postEphemeral': { tier: 4, limitPerMinute: 100, perMinute: 50, burst: 50 },
  'views.open': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'views.publish': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'files.getUploadURLExternal': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'files.completeUploadExternal': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'auth.test': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
} as const;

/** chat.postMessage: per channel, about one a second with short bursts. */
export const POST_MESSAGE_PER_CHANNEL = { perSecond: 1, burst: 3 } as const;

export type BudgetedMethod = keyof typeof SLACK_TIERS;

/**
 * A token bucket: `burst` tokens at most, refilled at `perMinute` a minute. `delayMs()` says how long until a
 * token is free (0 = now); `take()` spends one.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) * this.perMinute) / 60_000);
    this.at = t;
  }

  delayMs(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute);
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** Waits until a token is free, then spends it. */
  async acquire(): Promise<void> {
    for (let wait = this.delayMs(); wait > 0; wait = this.delayMs())
      await new Promise((r) => setTimeout(r, wait));
    this.take();
  }
}

/** One bucket per key (a workspace, a channel), created on first use. */
export class KeyedBudgets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  for(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.perMinute, this.burst, this.now);
      if (this.buckets.size > 10_000) this.buckets.clear();
      this.buckets.set(key, b);
    }
    return b;
  }
}

/** One bucket per workspace for one Web API method, at that method's tier. */
export class WorkspaceBudgets extends KeyedBudgets {
  constructor(method: BudgetedMethod, now: () => number = Date.now) {
    super(SLACK_TIERS[method].perMinute, SLACK_TIERS[method].burst, now);
  }
}

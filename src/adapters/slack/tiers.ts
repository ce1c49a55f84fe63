/**
 * Slack's published Web API rate limits for the methods this app calls (api.slack.com/apis/rate-limits and each
 * method's page), per workspace unless noted. Tier 2 ≈ 20/min, Tier 3 ≈ 50/min, Tier 4 ≈ 100/min, each with
 * "occasional bursts"; chat.postMessage is "special": about 1 per second per channel, short bursts allowed.
 * Interaction `response_url`s are not Web API calls: up to 5 uses within 30 minutes each.
 *
 * This is the one table of them: the app's one outbound layer (./outbound.ts) keeps one budget per workspace and
 * method (TokenBucket below, `burst` calls at once, then `perMinute` spread evenly), so that in any minute it makes
 * at most `burst + perMinute` calls: the numbers here leave that within the tier. Poll posts and redraws,
 * confirmations, replies and nudges of a workspace all spend the same budgets. The fake Slack in the tests enforces
 * the tiers as a sliding minute.
 */
export const SLACK_TIERS = {
  'chat.update': { tier: 3, limitPerMinute: 50, perMinute: 44, burst: 6 },
  'chat.postEphemeral': { tier: 4, limitPerMinute: 100, perMinute: 50, burst: 50 },
  'views.open': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'views.publish': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'files.getUploadURLExternal': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'files.completeUploadExternal': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  'auth.test': { tier: 4, limitPerMinute: 100, perMinute: 90, burst: 10 },
  // Directory reads (who is asking, `roster import`: one users.info per person). A district channel has tens of
  // people: the burst reads them at once; a bigger import then runs at the tier's pace for minutes, so these
  // leave five calls a minute for network jitter.
  'users.info': { tier: 4, limitPerMinute: 100, perMinute: 45, burst: 50 },
  'conversations.members': { tier: 4, limitPerMinute: 100, perMinute: 45, burst: 50 },
} as const;

/** chat.postMessage: per channel, about one a second with short bursts (what Slack allows; the fake enforces it). */
export const POST_MESSAGE_PER_CHANNEL = { perSecond: 1, burst: 3 } as const;

/**
 * chat.postMessage as the app spends it: per channel one a second with bursts of 2 (one under Slack's, so that a
 * late timer never meets an empty bucket on Slack's side), and a workspace-wide ceiling over every channel (Slack:
 * "several hundred messages a minute" per workspace; NUDGE_SLACK_WORKSPACE_RATE, default 20 a second). The outbound
 * layer paces that ceiling as ../scheduler/pacing.ts says (evenly, PACING_MARGIN under it, and never more than it
 * in flight or answered within a second): the number here is the limit itself, not the pace.
 */
export const POST_MESSAGE_BUDGET = {
  perChannel: {
    perMinute: POST_MESSAGE_PER_CHANNEL.perSecond * 60,
    burst: POST_MESSAGE_PER_CHANNEL.burst - 1,
  },
  perWorkspacePerSecond: 20,
} as const;

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

  /** Refilled to its burst (a bucket in this state can be dropped and made again without changing anything). */
  full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
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

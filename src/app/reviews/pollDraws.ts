import type { Actor } from '../schemas';
import type { ReviewService } from './reviewService';
import type { PollView } from './views';

interface Waiter {
  resolve(v: PollView): void;
  reject(e: unknown): void;
}

interface Gathering {
  actor: Actor;
  reviewId: string;
  /** The rows asked for, each with its callers (a row asked for twice is drawn once). */
  rows: Map<string, Waiter[]>;
}

/**
 * Draws the polls of a review that are asked for close together (a redraw of a review's poll messages after votes
 * on several rows) from shared reads: ReviewService.getPollStates checks the policy and reads the review, its
 * members and the district's earlier actions once for all of them, instead of once per poll (each poll's votes
 * are still its own read).
 *
 * Requests for the same review by the same actor gather for `windowMs`; then their reads begin, and a request
 * arriving after that starts the next gathering. So a poll is always drawn from reads begun after it was asked
 * for — the same guarantee as drawing it alone (a redraw asked for after a vote was stored shows that vote).
 */
export class PollDraws {
  private readonly gathering = new Map<string, Gathering>();

  constructor(
    private readonly service: Pick<ReviewService, 'getPollStates'>,
    private readonly windowMs = 25,
  ) {}

  draw(actor: Actor, reviewId: string, rowId: string): Promise<PollView> {
    const key = JSON.stringify([
      actor.tenantId,
      actor.userId,
      actor.displayName ?? null,
      actor.channelId ?? null,
      actor.conversation ?? null,
      reviewId,
    ]);
    let g = this.gathering.get(key);
    if (!g) {
      const started: Gathering = { actor, reviewId, rows: new Map() };
      this.gathering.set(key, started);
      setTimeout(() => void this.run(key, started), this.windowMs);
      g = started;
    }
    let waiters = g.rows.get(rowId);
    if (!waiters) {
      waiters = [];
      g.rows.set(rowId, waiters);
    }
    const list = waiters;
    return new Promise<PollView>((resolve, reject) => list.push({ resolve, reject }));
  }

  private async run(key: string, g: Gathering): Promise<void> {
    // From here a new request starts a new gathering: these reads may begin before it was made.
    this.gathering.delete(key);
    const rowIds = [...g.rows.keys()];
    try {
      const results = await this.service.getPollStates(g.actor, { reviewId: g.reviewId, rowIds });
      rowIds.forEach((rowId, n) => {
        const r = results[n];
        for (const w of g.rows.get(rowId) ?? []) {
          if (r?.status === 'fulfilled') w.resolve(r.value);
          else w.reject(r ? r.reason : new Error(`No poll state for row ${rowId}`));
        }
      });
    } catch (e) {
      for (const waiters of g.rows.values()) for (const w of waiters) w.reject(e);
    }
  }
}

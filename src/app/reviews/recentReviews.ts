import type { Review } from '../../domain/review';
import type { ReviewRepo, Store } from '../ports';

/** How many reviews' recent reads are kept at most (a process serves a handful of meetings at once). */
const MAX_KEPT = 1_000;

/** A read of a review and when it was sent (`elapsed`, ms). */
export interface ReviewRead {
  review: Review | null;
  sentAt: number;
}

/**
 * Recent reads of reviews whose round was open, which a vote may use instead of reading the review again while the
 * read is younger than `reuseMs`. Only sound with the close's grace (ReviewService.assertCounted): the close
 * barrier depends on when the round check was *sent*, not on when the vote arrived, so a vote checked against an
 * open read sent at `t` and stored less than a grace after `t` is counted by any close marked after that read; a
 * slower one takes the barrier's second read. A read that finds the round closed, or the review cancelled, is never
 * reused, so a vote is refused only on a read sent after it arrived. A review saved through this process is
 * forgotten at once (`forgettingOnSave`); a change made on another replica reaches votes here within `reuseMs`.
 */
export class RecentReviews {
  private readonly reads = new Map<string, ReviewRead>();
  /** When each review was last saved through this process: reads sent before that are not kept. */
  private readonly savedAt = new Map<string, number>();

  constructor(
    private readonly reuseMs: number,
    private readonly elapsed: () => number,
  ) {}

  /** A read of the open review young enough to reuse, or null. */
  get(reviewId: string): ReviewRead | null {
    if (this.reuseMs <= 0) return null;
    const hit = this.reads.get(reviewId);
    return hit && this.elapsed() - hit.sentAt < this.reuseMs ? hit : null;
  }

  /** Keeps a fresh read for reuse if it found the round open; forgets the review otherwise. */
  keep(reviewId: string, read: ReviewRead): void {
    if (this.reuseMs <= 0) return;
    const r = read.review;
    if (r?.status !== 'active' || r.roundStatus !== 'open') {
      this.reads.delete(reviewId);
      return;
    }
    const kept = this.reads.get(reviewId);
    if (kept && kept.sentAt >= read.sentAt) return;
    if ((this.savedAt.get(reviewId) ?? Number.NEGATIVE_INFINITY) >= read.sentAt) return;
    if (!kept && this.reads.size >= MAX_KEPT) this.reads.clear();
    this.reads.set(reviewId, read);
  }

  /** Drops the review's read, and keeps no read of it sent before now (it is being saved). */
  forget(reviewId: string): void {
    this.reads.delete(reviewId);
    if (this.reuseMs <= 0) return;
    if (this.savedAt.size >= MAX_KEPT) this.savedAt.clear();
    this.savedAt.set(reviewId, this.elapsed());
  }
}

/**
 * `store`, with every review `save` made through it forgetting that review's recent read (before the save is sent,
 * and again once it is answered: a read sent before that answer is not kept).
 */
export function forgettingOnSave(store: Store, recent: RecentReviews): Store {
  const base = store.reviews;
  const save = async (review: Review): Promise<Review> => {
    recent.forget(review.id);
    try {
      return await base.save(review);
    } finally {
      recent.forget(review.id);
    }
  };
  const reviews = new Proxy(base, {
    get: (target, prop) => (prop === 'save' ? save : bound(target, prop)),
  }) as ReviewRepo;
  return new Proxy(store, {
    get: (target, prop) => (prop === 'reviews' ? reviews : bound(target, prop)),
  });
}

/** A property of `target`, with methods bound to it (so a proxy's callers reach the object's own fields). */
function bound(target: object, prop: string | symbol): unknown {
  const v: unknown = Reflect.get(target, prop, target);
  return typeof v === 'function' ? v.bind(target) : v;
}

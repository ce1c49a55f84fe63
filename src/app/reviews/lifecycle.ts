import { z } from 'zod';
import { formatLocal } from '../../domain/localTime';
import type { Review } from '../../domain/review';
import * as L from '../../domain/reviewLifecycle';
import type { Access } from '../policy';
import type { Clock, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import type { ReviewView } from './views';

/**
 * A review's life beside its rounds (issue 15): one open review per rubric per district, cancelling a review and
 * moving the current round's deadline. Reached through ReviewService.
 */
export interface LifecycleDeps {
  store: Store;
  clock: Clock;
  access: Access;
  view(review: Review, viewerId: string | null): Promise<ReviewView>;
}

const cancelInput = z.object({ reviewId: idString, reason: text(500) });
const deadlineInput = z.object({ reviewId: idString, deadline: z.coerce.date().nullable() });

export interface DeadlineSet {
  review: ReviewView;
  /** The new deadline for people, in the district's time zone ("Tue 2026-12-15 12:00 EST"); null when cleared. */
  deadlineText: string | null;
}

export class ReviewLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  /** Refuses to start a review of `rubricId` while the district has one still open. */
  async assertNoOpenReview(tenantId: string, districtId: string, rubricId: string): Promise<void> {
    L.assertNoOpenReview(await this.d.store.reviews.listByDistrict(tenantId, districtId), rubricId);
  }

  /** A coordinator cancels a review that is still going: kept, marked cancelled with who, when and why. */
  async cancel(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(cancelInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'review.manage');
    const cancelled = L.cancelReview(review, actor.userId, i.reason, this.d.clock.now());
    const saved = await this.d.store.reviews.save(cancelled);
    return this.d.view(saved, actor.userId);
  }

  /** Sets (a date) or clears (null) the deadline of the current round. */
  async setDeadline(actorIn: Actor, input: unknown): Promise<DeadlineSet> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(deadlineInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'review.manage');
    const changed = L.setRoundDeadline(review, i.deadline, this.d.clock.now());
    const saved = await this.d.store.reviews.save(changed);
    const district = await this.d.store.districts.get(saved.tenantId, saved.districtId);
    const deadlineText = saved.deadline
      ? district
        ? formatLocal(saved.deadline, district.timezone)
        : saved.deadline.toISOString()
      : null;
    return { review: await this.d.view(saved, actor.userId), deadlineText };
  }
}

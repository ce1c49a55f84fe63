import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { Review } from '../../domain/review';
import { archiveReview, unarchiveReview } from '../../domain/reviewArchive';
import * as L from '../../domain/reviewLifecycle';
import type { Access } from '../policy';
import type { Clock, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import { showTime, zoneOf } from '../when';
import type { ReviewView } from './views';

/**
 * A review's life beside its rounds (issue 15): one open review per rubric per district, cancelling a review,
 * moving the current round's deadline, archiving a finished review. Reached through ReviewService.
 */
export interface LifecycleDeps {
  store: Store;
  clock: Clock;
  access: Access;
  view(review: Review, viewerId: string | null): Promise<ReviewView>;
}

/** kv namespace of start claims (see `open`). */
const START_CLAIMS = 'review-start';

const cancelInput = z.object({ reviewId: idString, reason: text(500) });
const archiveInput = z.object({ reviewId: idString, archived: z.boolean() });
const deadlineInput = z.object({ reviewId: idString, deadline: z.coerce.date().nullable() });

export interface DeadlineSet {
  review: ReviewView;
  /** The new deadline for people, in the district's time zone ("Tue 2026-12-15 12:00 EST"); null when cleared. */
  deadlineText: string | null;
}

export class ReviewLifecycle {
  constructor(private readonly d: LifecycleDeps) {}

  /**
   * Opens `review` (issue 15: one open review per rubric per district). Refused while the district has one still
   * open; two starts at the same moment both store their review, then claim to follow the same predecessor
   * (L.startClaim): the one that loses the claim is kept as cancelled ("started at the same moment") and its
   * coordinator is told which review is open. A crash between storing and claiming leaves an open review that a
   * coordinator can see and cancel, never a claim that blocks the next start.
   */
  async open(review: Review): Promise<void> {
    const existing = await this.d.store.reviews.listByDistrict(review.tenantId, review.districtId);
    L.assertNoOpenReview(existing, review.rubricId);
    const claim = L.startClaim(existing, review.tenantId, review.districtId, review.rubricId);
    await this.d.store.reviews.create(review);
    if (await this.d.store.kv.putIfAbsent(START_CLAIMS, claim, { reviewId: review.id })) return;
    await this.d.store.reviews.save(
      L.cancelReview(
        review,
        review.createdBy,
        'Started at the same moment as another review of this rubric, which went ahead.',
        this.d.clock.now(),
      ),
    );
    const now = await this.d.store.reviews.listByDistrict(review.tenantId, review.districtId);
    L.assertNoOpenReview(now, review.rubricId);
    throw new DomainError(
      'conflict',
      'Another review of this rubric was started at the same moment: try again.',
    );
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

  /**
   * Archives (`archived: true`) a closed or cancelled review, or brings one back: it leaves (or rejoins) the
   * everyday lists; the dashboard's heat map and the exports keep it either way.
   */
  async archive(actorIn: Actor, input: unknown): Promise<ReviewView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(archiveInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'review.archive');
    const changed = i.archived
      ? archiveReview(review, actor.userId, this.d.clock.now())
      : unarchiveReview(review);
    return this.d.view(await this.d.store.reviews.save(changed), actor.userId);
  }

  /** Sets (a date) or clears (null) the deadline of the current round. */
  async setDeadline(actorIn: Actor, input: unknown): Promise<DeadlineSet> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(deadlineInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'review.manage');
    const changed = L.setRoundDeadline(review, i.deadline, this.d.clock.now());
    const saved = await this.d.store.reviews.save(changed);
    const district = await this.d.store.districts.get(saved.tenantId, saved.districtId);
    const deadlineText = saved.deadline ? showTime(saved.deadline, zoneOf(district)) : null;
    return { review: await this.d.view(saved, actor.userId), deadlineText };
  }
}

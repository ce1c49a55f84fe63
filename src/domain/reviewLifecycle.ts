import { DomainError } from './errors';
import { assertNotCancelled, type Review } from './review';

/**
 * A review's life beside its rounds: one open review per rubric per district, cancelling a review, and moving the
 * current round's deadline. Pure functions; `now` is passed in.
 */

/** How far a review has come, for people: "round 2, 3 of 6 rows rated". */
export function progressText(review: Review): string {
  const rated = review.polls.filter((p) => p.status === 'settled' || p.status === 'decided').length;
  return `round ${review.round}, ${rated} of ${review.polls.length} rows rated`;
}

/**
 * Refuses a new review of `rubricId` while the district has one still active (not complete, not cancelled):
 * says which one is open and how to close or cancel it. `existing`: the district's reviews.
 */
export function assertNoOpenReview(existing: readonly Review[], rubricId: string): void {
  const open = existing.find((r) => r.rubricId === rubricId && r.status === 'active');
  if (!open) return;
  throw new DomainError(
    'conflict',
    `“${open.cycle}” is still open (${progressText(open)}). Close its rounds and record the last decisions, or cancel it: review cancel "${open.cycle}" "why"`,
    { review: 'open' },
  );
}

/**
 * The claim a new review of `rubricId` makes so that two starts at the same moment cannot both open one: it names
 * the review it follows (the district's latest of that rubric, by creation; "first" when none). Two starts that saw
 * the same reviews make the same claim, and only one of them gets it.
 */
export function startClaim(
  existing: readonly Review[],
  tenantId: string,
  districtId: string,
  rubricId: string,
) {
  const latest = existing
    .filter((r) => r.rubricId === rubricId)
    .reduce<Review | null>(
      (a, r) =>
        !a ||
        r.createdAt.getTime() > a.createdAt.getTime() ||
        (r.createdAt.getTime() === a.createdAt.getTime() && r.id > a.id)
          ? r
          : a,
      null,
    );
  return `${tenantId}|${districtId}|${rubricId}|after:${latest ? latest.id : 'first'}`;
}

/** A coordinator stops a review that is still going; it is kept, marked cancelled with who, when and why. */
export function cancelReview(review: Review, by: string, reason: string, now: Date): Review {
  assertNotCancelled(review);
  if (review.status === 'complete') {
    throw new DomainError(
      'invalid-state',
      `“${review.cycle}” is complete (every row has a rating): there is nothing to cancel.`,
    );
  }
  const why = reason.trim();
  if (!why) {
    throw new DomainError('invalid-input', 'Say why the review is cancelled: it is kept with the review.', {
      reason: 'required',
    });
  }
  return { ...review, status: 'cancelled', cancellation: { by, at: now, reason: why } };
}

/** Sets (a date) or clears (null) the deadline of the current round, which must be open. */
export function setRoundDeadline(review: Review, deadline: Date | null, now: Date): Review {
  assertNotCancelled(review);
  if (review.status === 'complete') {
    throw new DomainError(
      'invalid-state',
      `“${review.cycle}” is complete: there is no round to set a deadline for.`,
    );
  }
  if (review.roundStatus !== 'open') {
    throw new DomainError(
      'invalid-state',
      `Round ${review.round} is closed: give the next round its deadline when you open it (next deadline=…).`,
    );
  }
  if (deadline && deadline.getTime() <= now.getTime()) {
    throw new DomainError('invalid-input', 'The deadline must be in the future.', {
      deadline: 'in the past',
    });
  }
  return { ...review, deadline };
}

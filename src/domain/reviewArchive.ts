import { DomainError } from './errors';
import type { Review } from './review';

/**
 * Archiving a finished review (issue 15): an archived review (complete or cancelled) leaves the everyday lists
 * (`status`, `results` and `reviews` without a cycle name, the console's list) but stays on the dashboard's heat
 * map and in exports. Pure functions; `now` is passed in.
 */

/** Who archived a review, and when. */
export interface Archival {
  by: string;
  at: Date;
}

export const isArchived = (review: Pick<Review, 'archived'>): boolean => Boolean(review.archived);

/** The reviews of the everyday lists: every one not archived, in the order given. */
export const everyday = <R extends Pick<Review, 'archived'>>(reviews: readonly R[]): R[] =>
  reviews.filter((r) => !isArchived(r));

/** Archives a complete or cancelled review; an open one is refused (close or cancel it first). */
export function archiveReview(review: Review, by: string, now: Date): Review {
  if (review.status === 'active') {
    throw new DomainError(
      'invalid-state',
      `“${review.cycle}” is still open: only a closed or cancelled review can be archived. Finish its rounds and decisions, or cancel it: review cancel "${review.cycle}" "why"`,
      { review: 'open' },
    );
  }
  if (review.archived) {
    throw new DomainError('invalid-state', `“${review.cycle}” is already archived.`);
  }
  return { ...review, archived: { by, at: now } };
}

/** Brings an archived review back into the everyday lists. */
export function unarchiveReview(review: Review): Review {
  if (!review.archived) {
    throw new DomainError('invalid-state', `“${review.cycle}” is not archived.`);
  }
  return { ...review, archived: null };
}

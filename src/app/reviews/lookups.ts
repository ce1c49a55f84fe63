import { DomainError } from '../../domain/errors';
import type { Review } from '../../domain/review';
import type { Rubric } from '../../domain/rubric';
import type { RubricCatalog, Store } from '../ports';

/**
 * The review if it belongs to `tenantId`. A review of another workspace/tenant is reported exactly like a
 * missing one, so nothing leaks across tenants.
 */
export function ownReview(tenantId: string, review: Review | null): Review {
  if (!review || review.tenantId !== tenantId) {
    throw new DomainError('unknown-review', 'That review does not exist here (it may have been removed).');
  }
  return review;
}

export async function loadOwnReview(store: Store, tenantId: string, reviewId: string): Promise<Review> {
  return ownReview(tenantId, await store.reviews.get(reviewId));
}

export function rubricFor(rubrics: RubricCatalog, review: Review): Rubric {
  const rubric = rubrics.get(review.rubricId);
  if (!rubric)
    throw new DomainError('invalid-state', `The rubric "${review.rubricId}" is no longer installed.`);
  return rubric;
}

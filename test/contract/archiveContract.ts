import type { Store } from '../../src/app/ports';
import { archiveReview, everyday, unarchiveReview } from '../../src/domain/reviewArchive';
import { cancelReview } from '../../src/domain/reviewLifecycle';
import { rubrics } from '../support/fixtures';
import { freshReview, later } from '../support/reviews';

/** Archived reviews in every store: the archival (who, when) kept with its date, cleared by unarchive. */
export function archiveContract(store: () => Store) {
  const rubric = rubrics.list()[0];
  if (!rubric) throw new Error('no rubric');

  test('review archive: kept with who and when, listed by district, cleared by unarchive', async () => {
    const s = store();
    await s.reviews.create(freshReview(rubric, { id: 'r-arch', roster: ['U1'] }));
    await s.reviews.create(freshReview(rubric, { id: 'r-kept', cycle: 'Other' }));
    const created = await s.reviews.get('r-arch');
    if (!created) throw new Error('missing');
    expect(created.archived ?? null).toBeNull();
    const cancelled = await s.reviews.save(cancelReview(created, 'U0', 'test', later(1)));
    await s.reviews.save(archiveReview(cancelled, 'U0', later(2)));
    const stored = await s.reviews.get('r-arch');
    expect(stored?.archived).toEqual({ by: 'U0', at: later(2) });
    expect(stored?.archived?.at).toBeInstanceOf(Date);
    expect(stored?.roster).toEqual(['U1']);
    const listed = await s.reviews.listByDistrict('T1', 'd1');
    expect(listed.map((r) => r.id).sort()).toEqual(['r-arch', 'r-kept']);
    expect(everyday(listed).map((r) => r.id)).toEqual(['r-kept']);
    if (!stored) throw new Error('missing');
    await s.reviews.save(unarchiveReview(stored));
    const back = await s.reviews.get('r-arch');
    expect(back?.archived ?? null).toBeNull();
    expect(everyday(await s.reviews.listByDistrict('T1', 'd1'))).toHaveLength(2);
  });
}

import type { Store } from '../../src/app/ports';
import { rubrics } from '../support/fixtures';
import { freshReview } from '../support/reviews';

/**
 * Review rosters in every store: kept as written, changed only by addToRoster/removeFromRoster (atomic, without
 * touching the version), never overwritten by a save of a review read earlier; a review without one stays without.
 */
export function rosterContract(store: () => Store) {
  const rubric = rubrics.list()[0];
  if (!rubric) throw new Error('no rubric');

  test('review rosters: stored, added to and taken from atomically, kept across saves', async () => {
    const s = store();
    const review = freshReview(rubric, { id: 'r-roster', roster: ['U2', 'U1', 'U1'] });
    await s.reviews.create(review);
    expect((await s.reviews.get('r-roster'))?.roster).toEqual(['U1', 'U2']);
    const readBefore = (await s.reviews.get('r-roster')) ?? review;
    await Promise.all(['U3', 'U4', 'U5', 'U3'].map((id) => s.reviews.addToRoster('r-roster', [id])));
    await s.reviews.addToRoster('r-roster', ['U1']);
    // A save of the review as read before the additions keeps them, and its other changes land.
    const saved = await s.reviews.save({ ...readBefore, cycle: 'Renamed', roster: ['U1'] });
    const stored = await s.reviews.get('r-roster');
    expect(stored?.cycle).toBe('Renamed');
    expect(stored?.version).toBe(saved.version);
    expect([...(stored?.roster ?? [])].sort()).toEqual(['U1', 'U2', 'U3', 'U4', 'U5']);
    await s.reviews.removeFromRoster('r-roster', ['U2', 'U4', 'U9']);
    expect([...((await s.reviews.get('r-roster'))?.roster ?? [])].sort()).toEqual(['U1', 'U3', 'U5']);
    // The roster operations leave the version alone: a save of the latest read still succeeds.
    await expect(s.reviews.save({ ...(stored ?? review), cycle: 'Again' })).resolves.toMatchObject({
      cycle: 'Again',
    });
  });

  test('a review stored without a roster keeps none (it counts every member)', async () => {
    const s = store();
    await s.reviews.create(freshReview(rubric, { id: 'r-legacy' }));
    await s.reviews.addToRoster('r-legacy', ['U1']);
    await s.reviews.removeFromRoster('r-legacy', ['U1']);
    const stored = await s.reviews.get('r-legacy');
    expect(stored).not.toBeNull();
    expect(stored?.roster).toBeUndefined();
  });
}

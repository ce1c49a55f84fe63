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

  test('small groups: stored on the review with its dates, replaced by a save, and a vote keeps its group', async () => {
    const s = store();
    const review = freshReview(rubric, { id: 'r-groups', roster: ['U1', 'U2'] });
    await s.reviews.create(review);
    const at = new Date('2026-03-01T10:00:00Z');
    const groups = [
      { name: 'Table one', memberIds: ['U1'] },
      { name: 'Table two', memberIds: ['U2'] },
    ];
    const split = { groups, round: 1, by: 'U_COORD', at, endedAt: null, endedRound: null };
    const saved = await s.reviews.save({ ...review, groups: split });
    expect((await s.reviews.get('r-groups'))?.groups).toEqual(split);
    const ended = { ...split, endedAt: new Date('2026-03-01T11:00:00Z'), endedRound: 1 };
    await s.reviews.save({ ...saved, groups: ended });
    const stored = await s.reviews.get('r-groups');
    expect(stored?.groups).toEqual(ended);
    expect(stored?.groups?.endedAt).toBeInstanceOf(Date);
    const rowId = rubric.rows[0]?.id ?? '';
    const vote = { reviewId: 'r-groups', rowId, round: 1, memberId: 'U1', perspective: 'district' as const };
    await s.votes.put({ ...vote, choice: 2, evidence: null, castAt: at, seq: 1, group: 'Table one' });
    expect((await s.votes.get('r-groups', rowId, 1, 'U1'))?.group).toBe('Table one');
    // A re-vote after the split ended records no group.
    await s.votes.put({ ...vote, choice: 3, evidence: null, castAt: at, seq: 2, group: null });
    expect((await s.votes.listRound('r-groups', 1)).map((v) => [v.choice, v.group])).toEqual([[3, null]]);
  });
}

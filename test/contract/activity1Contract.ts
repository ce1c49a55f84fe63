import type { Store } from '../../src/app/ports';
import type { Activity1, Activity1Pick } from '../../src/domain/activity1';

/**
 * `store.activity1` on one Store adapter: Activity 1s per district (latest, attach, ids unique), one pick per
 * person (a new pick replaces it), dates back as Dates, tenants and districts apart, and the stored layout.
 */
export function activity1Contract(store: () => Store) {
  // A Teams-style tenant id with characters the key layout encodes.
  const T = 'teams:t 1|x';
  const activity = (id: string, over: Partial<Activity1> = {}): Activity1 => ({
    id,
    tenantId: T,
    districtId: 'D1',
    channelId: '19:c@thread.tacv2',
    rubricId: 'culture-of-collaboration',
    startedAt: new Date('2026-11-02T13:00:00.000Z'),
    startedBy: 'U_COORD',
    reviewId: null,
    ...over,
  });
  const pick = (memberId: string, outcome: number, at: string, reason = 'why'): Activity1Pick => ({
    memberId,
    displayName: `Name ${memberId}`,
    outcome,
    reason,
    at: new Date(at),
  });

  test('activity1: latest per district, attach by save, a taken id is a conflict, tenants apart', async () => {
    const s = store();
    expect(await s.activity1.latest(T, 'D1')).toBeNull();
    await s.activity1.create(activity('a1'));
    await s.activity1.create(activity('a2', { startedAt: new Date('2026-11-09T13:00:00.000Z') }));
    await s.activity1.create(
      activity('a3', { districtId: 'D2', startedAt: new Date('2026-12-01T00:00:00Z') }),
    );
    await s.activity1.create(activity('a4', { tenantId: 'T2', startedAt: new Date('2026-12-01T00:00:00Z') }));
    await expect(s.activity1.create(activity('a1', { startedBy: 'U_OTHER' }))).rejects.toMatchObject({
      code: 'conflict',
    });
    const latest = await s.activity1.latest(T, 'D1');
    expect(latest?.id).toBe('a2');
    expect(latest?.startedAt).toBeInstanceOf(Date);
    expect(latest?.startedAt.toISOString()).toBe('2026-11-09T13:00:00.000Z');
    await s.activity1.save({ ...(latest as Activity1), reviewId: 'r9' });
    expect((await s.activity1.get(T, 'D1', 'a2'))?.reviewId).toBe('r9');
    // The one shown before a review is found by it (the cycle's export), in its own district only.
    expect((await s.activity1.forReview(T, 'D1', 'r9'))?.id).toBe('a2');
    expect((await s.activity1.forReview(T, 'D1', 'r9'))?.startedAt).toBeInstanceOf(Date);
    expect(await s.activity1.forReview(T, 'D2', 'r9')).toBeNull();
    expect(await s.activity1.forReview(T, 'D1', 'r8')).toBeNull();
    expect((await s.activity1.get(T, 'D1', 'a1'))?.startedBy).toBe('U_COORD');
    expect(await s.activity1.get(T, 'D2', 'a1')).toBeNull();
    expect(await s.activity1.get('T2', 'D1', 'a2')).toBeNull();
    // The stored layout: a namespace per district, tenant and district URI-encoded.
    expect(await s.kv.get('activity1:teams%3At%201%7Cx|D1', 'a2')).toMatchObject({
      reviewId: 'r9',
      startedAt: '2026-11-09T13:00:00.000Z',
    });
  });

  test('activity1 picks: one per person, a new pick replaces it, earliest first, activities apart', async () => {
    const s = store();
    await s.activity1.putPick('a1', pick('U1', 1, '2026-11-02T13:05:00Z', 'first thought'));
    await s.activity1.putPick('a1', pick('U2', 3, '2026-11-02T13:06:00Z'));
    await s.activity1.putPick('a1', pick('U1', 2, '2026-11-02T13:07:00Z', 'changed my mind'));
    await s.activity1.putPick('a2', pick('U1', 3, '2026-11-02T13:08:00Z'));
    const picks = await s.activity1.listPicks('a1');
    expect(picks.map((p) => [p.memberId, p.outcome, p.reason])).toEqual([
      ['U2', 3, 'why'],
      ['U1', 2, 'changed my mind'],
    ]);
    expect(picks[1]?.at).toBeInstanceOf(Date);
    expect(picks[1]?.at.toISOString()).toBe('2026-11-02T13:07:00.000Z');
    expect(await s.activity1.listPicks('a3')).toEqual([]);
    expect(await s.kv.get('activity1-pick:a1', 'U1')).toMatchObject({ outcome: 2, displayName: 'Name U1' });
  });
}

import type { Store } from '../../src/app/ports';
import { type ActionItem, completeAction, reminderKey } from '../../src/domain/action';

/**
 * `store.actions` on one Store adapter: actions per district (ids unique, tenants and districts apart, dates back
 * as Dates), marking done exactly once, the open list across districts, and reminder claims (one per key).
 */
export function actionContract(store: () => Store) {
  // A Teams-style tenant id with characters the key layout encodes.
  const T = 'teams:t 1|x';
  const action = (id: string, over: Partial<ActionItem> = {}): ActionItem => ({
    id,
    tenantId: T,
    districtId: 'D1',
    reviewId: 'r1',
    cycle: '2026-27 Fall',
    rubricId: 'culture-of-collaboration',
    rowId: 'policies-structures',
    text: `Action ${id}`,
    ownerId: 'U_OWNER',
    ownerName: 'Owner',
    due: '2027-02-01',
    target: 3,
    source: { kind: 'direct' },
    status: 'open',
    doneBy: null,
    doneAt: null,
    createdBy: 'U_COORD',
    createdAt: new Date('2026-11-02T13:00:00.000Z'),
    ...over,
  });

  test('actions: create, get, list per district, a taken id is a conflict, tenants apart', async () => {
    const s = store();
    await s.actions.create(action('ac1', { source: { kind: 'reflection', question: 3, memberId: 'U9' } }));
    await s.actions.create(action('ac2'));
    await s.actions.create(action('ac3', { districtId: 'D2' }));
    await s.actions.create(action('ac4', { tenantId: 'T2' }));
    await expect(s.actions.create(action('ac1', { text: 'again' }))).rejects.toMatchObject({
      code: 'conflict',
    });
    const got = await s.actions.get(T, 'D1', 'ac1');
    expect(got).toEqual(action('ac1', { source: { kind: 'reflection', question: 3, memberId: 'U9' } }));
    expect(got?.createdAt).toBeInstanceOf(Date);
    expect(await s.actions.get(T, 'D2', 'ac1')).toBeNull();
    expect(await s.actions.get('T2', 'D1', 'ac1')).toBeNull();
    const ids = (await s.actions.listByDistrict(T, 'D1')).map((a) => a.id).sort();
    expect(ids).toEqual(['ac1', 'ac2']);
    expect((await s.actions.listByDistrict('T2', 'D1')).map((a) => a.id)).toEqual(['ac4']);
  });

  test('actions: marked done once (a second mark changes nothing); open list across districts', async () => {
    const s = store();
    await s.actions.create(action('ac1'));
    await s.actions.create(action('ac2', { districtId: 'D2' }));
    const a1 = (await s.actions.get(T, 'D1', 'ac1')) as ActionItem;
    const done = completeAction(a1, 'U_OWNER', new Date('2026-12-01T10:00:00.000Z'));
    const [first, second] = await Promise.all([
      s.actions.complete(done),
      s.actions.complete({ ...done, doneBy: 'U_COORD' }),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    const stored = await s.actions.get(T, 'D1', 'ac1');
    expect(stored).toMatchObject({ status: 'done', doneAt: new Date('2026-12-01T10:00:00.000Z') });
    expect(['U_OWNER', 'U_COORD']).toContain(stored?.doneBy);
    expect((await s.actions.listOpen()).map((a) => a.id)).toEqual(['ac2']);
  });

  test('reminder claims: exactly one of concurrent claims of a key wins; updates are kept', async () => {
    const s = store();
    const key = reminderKey(action('ac1'), '2027-01-30');
    const claim = (by: string) => ({
      by,
      at: new Date('2027-01-30T13:00:00.000Z'),
      state: 'claimed' as const,
    });
    const wins = await Promise.all(['a', 'b', 'c', 'd'].map((by) => s.actions.claimReminder(key, claim(by))));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await s.actions.claimReminder(reminderKey(action('ac1'), '2027-01-31'), claim('a'))).toBe(true);
    await s.actions.updateReminder(key, { ...claim('a'), state: 'failed' });
    expect(await s.actions.getReminder(key)).toEqual({ ...claim('a'), state: 'failed' });
    expect(await s.actions.getReminder('nothing')).toBeNull();
  });
}

import type { Store } from '../../src/app/ports';
import type { PlanVersion } from '../../src/domain/balance';

/**
 * `store.plans` on one Store adapter: versions per plan (a building's, the district's) oldest first, one winner for
 * each version, plans, districts and tenants apart, and the stored layout.
 */
export function planContract(store: () => Store) {
  // A Teams-style tenant id and a building id with characters the key layout encodes.
  const T = 'teams:t 1|x';
  const v = (buildingId: string | null, version: number, over: Partial<PlanVersion> = {}): PlanVersion => ({
    tenantId: T,
    districtId: 'D1',
    buildingId,
    version,
    entries: [{ functionId: 'team', status: 'strengthen', actions: [`action ${version}`] }],
    submittedAt: `2026-11-0${version}T13:00:00.000Z`,
    submittedBy: 'U1',
    ...over,
  });

  test('plans: versions per plan oldest first, one winner per version, plans and districts apart', async () => {
    const s = store();
    expect(await s.plans.list(T, 'D1', 'b|1')).toEqual([]);
    expect(await s.plans.add(v('b|1', 2))).toBe(true);
    expect(await s.plans.add(v('b|1', 1))).toBe(true);
    expect(await s.plans.add(v('b|10', 1))).toBe(true);
    expect(await s.plans.add(v(null, 1))).toBe(true);
    expect(await s.plans.add(v('b|1', 1, { submittedBy: 'U_LATE' }))).toBe(false);
    expect(await s.plans.add(v('b|1', 1, { districtId: 'D2' }))).toBe(true);
    expect(await s.plans.add(v('b|1', 1, { tenantId: 'T2' }))).toBe(true);
    const mine = await s.plans.list(T, 'D1', 'b|1');
    expect(mine.map((x) => [x.buildingId, x.version, x.submittedBy])).toEqual([
      ['b|1', 1, 'U1'],
      ['b|1', 2, 'U1'],
    ]);
    expect(mine[1]?.entries).toEqual([{ functionId: 'team', status: 'strengthen', actions: ['action 2'] }]);
    expect((await s.plans.list(T, 'D1', null)).map((x) => [x.buildingId, x.version])).toEqual([[null, 1]]);
    expect((await s.plans.listDistrict(T, 'D1')).map((x) => [x.buildingId, x.version])).toEqual([
      [null, 1],
      ['b|1', 1],
      ['b|1', 2],
      ['b|10', 1],
    ]);
    expect(await s.plans.listDistrict('T2', 'D2')).toEqual([]);
    // The stored layout: a namespace per district, parts URI-encoded, versions zero-padded.
    expect(await s.kv.get('plan|teams%3At%201%7Cx|D1', 'building|b%7C1|000002')).toMatchObject({
      version: 2,
    });
    expect(await s.kv.get('plan|teams%3At%201%7Cx|D1', 'district|000001')).toMatchObject({
      buildingId: null,
    });
  });
}

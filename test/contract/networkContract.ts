import type { Store } from '../../src/app/ports';
import { joinNetwork, leaveNetwork, type Network } from '../../src/domain/network';

const network = (over: Partial<Network> = {}): Network => ({
  id: 'n1',
  name: 'Michigan CoOp',
  facilitators: [{ tenantId: 'T1', userId: 'U_F' }],
  code: 'ABCD2345EFGH',
  members: [],
  createdAt: new Date('2026-11-01T12:00:00Z'),
  createdBy: { tenantId: 'T1', userId: 'U_F' },
  version: 0,
  ...over,
});

/** The NetworkRepo part of the store contract (run by storeContract on every store). */
export function networkContract(store: () => Store) {
  test('networks: a record of its own across tenants; by code, by member district, by facilitator', async () => {
    const s = store();
    await s.networks.create(network());
    await expect(s.networks.create(network({ id: 'n2' }))).rejects.toMatchObject({ code: 'conflict' });
    await s.networks.create(
      network({ id: 'n2', code: 'OTHER2345', facilitators: [{ tenantId: 'tenant-a', userId: 'U_F' }] }),
    );
    const n = (await s.networks.findByCode('ABCD2345EFGH')) as Network;
    expect(n).toEqual(network());
    const joinedAt = new Date('2026-11-02T09:00:00Z');
    let saved = await s.networks.save(joinNetwork(n, { tenantId: 'T1', districtId: 'd1' }, false, joinedAt));
    saved = await s.networks.save(
      joinNetwork(saved, { tenantId: 'tenant-a', districtId: 'd1' }, true, joinedAt),
    );
    expect(saved.version).toBe(2);
    const got = await s.networks.get('n1');
    expect(got?.members).toEqual([
      { tenantId: 'T1', districtId: 'd1', joinedAt, named: false },
      { tenantId: 'tenant-a', districtId: 'd1', joinedAt, named: true },
    ]);
    expect(got?.members[0]?.joinedAt).toBeInstanceOf(Date);
    expect((await s.networks.listByDistrict('tenant-a', 'd1')).map((x) => x.id)).toEqual(['n1']);
    expect(await s.networks.listByDistrict('T2', 'd1')).toEqual([]);
    expect((await s.networks.listByFacilitator('T1', 'U_F')).map((x) => x.id)).toEqual(['n1']);
    expect((await s.networks.listByFacilitator('tenant-a', 'U_F')).map((x) => x.id)).toEqual(['n2']);
    expect(await s.networks.findByCode('NOPE')).toBeNull();
    // A stale save is a conflict; leaving removes the district from the lookup.
    await expect(s.networks.save(n)).rejects.toMatchObject({ code: 'conflict' });
    await s.networks.save(leaveNetwork(saved, { tenantId: 'T1', districtId: 'd1' }));
    expect(await s.networks.listByDistrict('T1', 'd1')).toEqual([]);
    expect((await s.networks.get('n1'))?.members).toHaveLength(1);
  });
}

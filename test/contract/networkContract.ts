import type { Store } from '../../src/app/ports';
import { joinNetwork, leaveNetwork, type Network } from '../../src/domain/network';
import type { ConnectRequest } from '../../src/domain/networkPeers';

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

  test('networks: a district’s last list of peers; connect requests asked once per pair, answered once', async () => {
    const s = store();
    const a = { tenantId: 'T1', districtId: 'd1' };
    const b = { tenantId: 'teams:tenant-b', districtId: 'd7' };
    const at = new Date('2026-11-03T10:00:00Z');
    expect(await s.networks.getPeerList('T1', 'd1')).toBeNull();
    const list = {
      networkId: 'n1',
      district: a,
      rubricId: 'r',
      rowId: 'row1',
      createdAt: at,
      handles: { A: b },
    };
    await s.networks.putPeerList(list);
    await s.networks.putPeerList({ ...list, rowId: 'row2' });
    expect(await s.networks.getPeerList('T1', 'd1')).toEqual({ ...list, rowId: 'row2' });
    expect(await s.networks.getPeerList('teams:tenant-b', 'd7')).toBeNull();

    const req: ConnectRequest = {
      id: 'c1',
      networkId: 'n1',
      from: a,
      to: b,
      requestedBy: { tenantId: 'T1', userId: 'U1' },
      rubricId: 'r',
      rowId: 'row1',
      note: 'Hello',
      createdAt: at,
    };
    expect(await s.networks.getConnect('c1')).toBeNull();
    expect(await s.networks.addConnect(req)).toBe(true);
    expect(await s.networks.addConnect({ ...req, id: 'c2' })).toBe(false); // the same pair, pending
    expect(await s.networks.getConnect('c2')).toBeNull();
    expect(await s.networks.addConnect({ ...req, id: 'c3', from: b, to: a })).toBe(true); // the other way
    expect(await s.networks.getConnect('c1')).toEqual({ request: req, answer: null });
    // Taken back (not delivered): the pair is free again.
    await s.networks.removeConnect({ ...req, id: 'c3', from: b, to: a });
    expect(await s.networks.getConnect('c3')).toBeNull();
    expect(await s.networks.addConnect({ ...req, id: 'c4', from: b, to: a })).toBe(true);
    // Answered once: the second answer does not count; declined keeps the pair taken, accepted frees it.
    const by = { tenantId: 'teams:tenant-b', userId: 'U9' };
    expect(await s.networks.answerConnect(req, { requestId: 'c1', accepted: false, by, at })).toBe(true);
    expect(await s.networks.answerConnect(req, { requestId: 'c1', accepted: true, by, at })).toBe(false);
    expect((await s.networks.getConnect('c1'))?.answer).toEqual({ requestId: 'c1', accepted: false, by, at });
    expect(await s.networks.addConnect({ ...req, id: 'c5' })).toBe(false);
    const c4 = (await s.networks.getConnect('c4'))?.request as ConnectRequest;
    expect(await s.networks.answerConnect(c4, { requestId: 'c4', accepted: true, by, at })).toBe(true);
    expect(await s.networks.addConnect({ ...c4, id: 'c6' })).toBe(true);
    // Each district's own requests, sent and received, newest first; nobody else's.
    const ids = async (d: typeof a) => (await s.networks.listConnects(d)).map((x) => x.request.id);
    expect((await ids(a)).sort()).toEqual(['c1', 'c4', 'c6']);
    expect((await ids(b)).sort()).toEqual(['c1', 'c4', 'c6']);
    expect(await ids({ tenantId: 'T1', districtId: 'd9' })).toEqual([]);
    expect((await s.networks.listConnects(a)).find((x) => x.request.id === 'c1')?.answer?.accepted).toBe(
      false,
    );
  });

  test('an expired pending request gives way to exactly one new request of the same pair', async () => {
    const s = store();
    const a = { tenantId: 'T1', districtId: 'x1' };
    const b = { tenantId: 'T2', districtId: 'x2' };
    const at = new Date('2026-11-23T15:00:00.000Z');
    const req: ConnectRequest = {
      id: 'e1',
      networkId: 'n1',
      from: a,
      to: b,
      requestedBy: { tenantId: 'T1', userId: 'U1' },
      rubricId: 'r',
      rowId: 'row1',
      note: 'Hello',
      createdAt: at,
    };
    expect(await s.networks.addConnect(req)).toBe(true);
    const later = (days: number) => new Date(at.getTime() + days * 86_400_000);
    expect(await s.networks.addConnect({ ...req, id: 'e2', createdAt: later(29) })).toBe(false);
    const [first, second] = await Promise.all([
      s.networks.addConnect({ ...req, id: 'e3', createdAt: later(30) }),
      s.networks.addConnect({ ...req, id: 'e4', createdAt: later(30) }),
    ]);
    expect([first, second].sort()).toEqual([false, true]);
    const kept = first ? 'e3' : 'e4';
    expect(await s.networks.getConnect(first ? 'e4' : 'e3')).toBeNull();
    // The new one is pending: the pair is held again.
    expect(await s.networks.addConnect({ ...req, id: 'e5', createdAt: later(31) })).toBe(false);
    expect((await s.networks.listConnects(a)).map((x) => x.request.id)).toEqual([kept, 'e1']);
  });

  test('removeExpiredConnects: requests expired unanswered go and free their pair; others stay', async () => {
    const s = store();
    const a = { tenantId: 'T1', districtId: 'y1' };
    const b = { tenantId: 'T2', districtId: 'y2' };
    const c = { tenantId: 'T2', districtId: 'y3' };
    const at = new Date('2026-11-23T15:00:00.000Z');
    const later = (days: number) => new Date(at.getTime() + days * 86_400_000);
    const req = (id: string, from: typeof a, to: typeof a, createdAt: Date): ConnectRequest => ({
      id,
      networkId: 'n1',
      from,
      to,
      requestedBy: { tenantId: from.tenantId, userId: 'U1' },
      rubricId: 'r',
      rowId: 'row1',
      note: 'Hello',
      createdAt,
    });
    expect(await s.networks.addConnect(req('x1', a, b, at))).toBe(true);
    expect(await s.networks.addConnect(req('x2', a, c, later(5)))).toBe(true);
    expect(await s.networks.addConnect(req('x3', c, b, at))).toBe(true);
    await s.networks.answerConnect(req('x3', c, b, at), {
      requestId: 'x3',
      accepted: false,
      by: { tenantId: 'T2', userId: 'U2' },
      at: later(1),
    });
    expect(await s.networks.removeExpiredConnects(later(29))).toBe(0);
    expect(await s.networks.removeExpiredConnects(later(30))).toBe(1);
    expect(await s.networks.getConnect('x1')).toBeNull();
    expect((await s.networks.listConnects(b)).map((x) => x.request.id)).toEqual(['x3']);
    expect(await s.networks.addConnect(req('x4', a, b, later(30)))).toBe(true);
    expect(await s.networks.addConnect(req('x5', c, b, later(30)))).toBe(false);
  });
}

import { buildNetworkView, joinNetwork, type Network } from '../../src/domain/network';
import {
  handleLetters,
  matchPeers,
  newConnectRequest,
  normalizeHandle,
  PEER_LIST_TTL_MS,
  type PeerRating,
  peerList,
  resolveHandle,
  setContact,
} from '../../src/domain/networkPeers';
import { cycleOverview, cycleStatus, type DistrictReviews } from '../../src/domain/networkReport';
import type { Level } from '../../src/domain/rubric';

const at = (day: number) => new Date(Date.UTC(2026, 10, day));
const ref = (i: number) => ({ tenantId: i % 2 ? 'T1' : 'teams:t', districtId: `d${i}` });

/** Districts 0..n-1; `open` opted in to contact, `named` chose to be named. */
function net(n: number, open: number[], named: number[] = []): Network {
  let x: Network = {
    id: 'n1',
    name: 'Co-op',
    facilitators: [{ tenantId: 'T1', userId: 'F' }],
    code: 'ABCDEF',
    members: [],
    createdAt: at(1),
    createdBy: { tenantId: 'T1', userId: 'F' },
    version: 0,
  };
  for (let i = 0; i < n; i++) x = joinNetwork(x, ref(i), named.includes(i), at(2));
  for (const i of open) x = setContact(x, ref(i), true);
  return x;
}
const rating = (i: number, level: Level | null): PeerRating => ({ ...ref(i), name: `District ${i}`, level });

describe('peer matching', () => {
  test('handles: A…Z, AA…; typed back with or without "District", any case', () => {
    expect([0, 1, 25, 26, 27, 701].map(handleLetters)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'ZZ']);
    expect(['District b', 'b', ' B ', 'district  aa'].map(normalizeHandle)).toEqual(['B', 'B', 'B', 'AA']);
    expect(normalizeHandle('District 7')).toBeNull();
  });

  test('helpers (3–4, highest first) and the same-level cohort, opted in only, in the given order', () => {
    const n = net(7, [1, 2, 3, 4, 6], [4]);
    const others = [rating(1, 3), rating(2, 2), rating(3, 4), rating(4, 2), rating(5, 4), rating(6, 1)];
    const m = matchPeers(n, ref(0), 'r1', 2, [rating(0, 2), ...others]);
    // 5 rated 4 but did not opt in; 6 is at level 1 (neither helps nor shares level 2); 0 is the asker.
    expect(m.helpers.map((s) => [s.handle, s.district.districtId, s.level])).toEqual([
      ['District A', 'd3', 4],
      ['District B', 'd1', 3],
    ]);
    expect(m.similar.map((s) => [s.handle, s.district.districtId, s.name])).toEqual([
      ['District C', 'd2', null],
      ['District D', 'd4', 'District 4'],
    ]);
    // Another order (the service shuffles per request) gives other handles to the same districts.
    const again = matchPeers(n, ref(0), 'r1', 2, [...others].reverse());
    expect(again.similar.map((s) => [s.handle, s.district.districtId])).toEqual([
      ['District C', 'd4'],
      ['District D', 'd2'],
    ]);
    // Unsettled peers are never listed.
    expect(matchPeers(n, ref(0), 'r1', 1, [rating(1, null), rating(6, 1)]).similar).toHaveLength(1);
  });

  test('only for a settled Beginning or Developing rating of a member district', () => {
    const n = net(3, [1, 2]);
    expect(() => matchPeers(n, ref(0), 'r', null, [])).toThrow(/no settled rating/);
    expect(() => matchPeers(n, ref(0), 'r', 3, [])).toThrow(/Evolving or Accomplished/);
    expect(() => matchPeers(n, ref(9), 'r', 1, [])).toThrow(/not in a co-op network/);
  });

  test('a list of peers resolves its handles for 7 days', () => {
    const n = net(3, [1, 2]);
    const m = matchPeers(n, ref(0), 'r1', 1, [rating(1, 4), rating(2, 1)]);
    const list = peerList('n1', ref(0), 'rub', m, at(3));
    expect(list.handles).toEqual({ A: ref(1), B: ref(2) });
    expect(resolveHandle(list, 'district b', at(3))).toEqual(ref(2));
    expect(() => resolveHandle(list, 'C', at(3))).toThrow(/no District C/);
    expect(() => resolveHandle(null, 'A', at(3))).toThrow(/no District A/);
    const late = new Date(at(3).getTime() + PEER_LIST_TTL_MS + 1);
    expect(() => resolveHandle(list, 'A', late)).toThrow(/valid for 7 days/);
    expect(() => resolveHandle(list, '<@U1>', at(3))).toThrow(/not a handle/);
  });

  test('a connect request: to a member open to contact, not oneself, with a note of at most 500 characters', () => {
    const n = net(3, [1]);
    const base = {
      id: 'c1',
      from: ref(0),
      to: ref(1),
      requestedBy: { tenantId: 'teams:t', userId: 'U' },
      rubricId: 'rub',
      rowId: 'r1',
      note: '  Hello  ',
      createdAt: at(4),
    };
    expect(newConnectRequest(n, base)).toMatchObject({ networkId: 'n1', note: 'Hello' });
    expect(() => newConnectRequest(n, { ...base, to: ref(2) })).toThrow(/no longer open to contact/);
    expect(() => newConnectRequest(n, { ...base, to: ref(0) })).toThrow(/your own district/);
    expect(() => newConnectRequest(n, { ...base, note: ' ' })).toThrow(/Add a short note/);
    expect(() => newConnectRequest(n, { ...base, note: 'x'.repeat(501) })).toThrow(/too long/);
  });

  test('k below 3 is never used, whatever is asked', () => {
    const n = net(3, []);
    const ds = [0, 1].map((i) => ({
      ...ref(i),
      name: `D${i}`,
      cycles: [{ rubricId: 'rub', cycle: 'Fall', createdAt: at(3), ratings: { r1: 2 as Level } }],
    }));
    expect(buildNetworkView(n, ds, () => ['r1'], { k: 2 }).rubrics[0]?.hiddenCycles).toBe(1);
  });
});

describe('participation (facilitator status)', () => {
  const n = net(4, [], [1]);
  const ds: DistrictReviews[] = [
    { ...ref(0), name: 'Zero', reviews: [{ cycle: '2026 Fall', state: 'complete' }] },
    {
      ...ref(1),
      name: 'One',
      reviews: [
        { cycle: '2026 fall', state: 'open' },
        { cycle: '2026 Fall', state: 'cancelled' },
      ],
    },
    { ...ref(2), name: 'Two', reviews: [{ cycle: ' 2026  Fall', state: 'settled' }] },
    { ...ref(3), name: 'Three', reviews: [{ cycle: 'Spring', state: 'complete' }] },
  ];
  test('one cycle: each district’s furthest state, named ones by name, the others counted', () => {
    const s = cycleStatus(n, ds, '2026 FALL');
    expect(s.counts).toEqual({ complete: 1, settled: 1, open: 1, none: 1 });
    expect(s.named).toEqual([{ name: 'One', state: 'open' }]);
    expect(s.unnamed).toEqual({ complete: 1, settled: 1, open: 0, none: 1 });
  });
  test('the cycles: named only with at least k districts', () => {
    expect(cycleOverview(n, ds, 3)).toEqual({
      cycles: [{ cycle: '2026 Fall', withReview: 3, counted: 2, complete: 1 }],
      hidden: 1,
    });
    expect(cycleOverview(n, ds, 4)).toEqual({ cycles: [], hidden: 2 });
  });
});

import {
  buildNetworkView,
  type DistrictRatings,
  joinNetwork,
  leaveNetwork,
  type Network,
  NOT_ENOUGH,
  normalizeCode,
} from '../../src/domain/network';
import type { Level } from '../../src/domain/rubric';

const ROWS = ['r1', 'r2'];
const at = (day: number) => new Date(Date.UTC(2026, 10, day));

function net(members: number, named: number[] = []): Network {
  let n: Network = {
    id: 'n1',
    name: 'Co-op',
    facilitators: [{ tenantId: 'T1', userId: 'F' }],
    code: 'ABCDEF',
    members: [],
    createdAt: at(1),
    createdBy: { tenantId: 'T1', userId: 'F' },
    version: 0,
  };
  for (let i = 0; i < members; i++) n = joinNetwork(n, ref(i), named.includes(i), at(2));
  return n;
}
const ref = (i: number) => ({ tenantId: i % 2 ? 'T1' : 'tenant-a', districtId: `d${i}` });
function district(i: number, r1: Level | null, r2: Level | null, cycle = '2026-27 Fall'): DistrictRatings {
  return {
    ...ref(i),
    name: `District ${i}`,
    cycles: [{ rubricId: 'rub', cycle, createdAt: at(3 + i), ratings: { r1, r2 } }],
  };
}
const view = (n: Network, ds: DistrictRatings[], viewer?: number) =>
  buildNetworkView(n, ds, () => ROWS, { k: 5, ...(viewer === undefined ? {} : { viewer: ref(viewer) }) });

describe('the network view: distributions of settled ratings, at least k districts each', () => {
  const ratings: Array<[Level | null, Level | null]> = [
    [3, 1],
    [3, null],
    [4, 2],
    [2, null],
    [3, 1],
    [1, 4],
  ];
  const ds = ratings.map(([a, b], i) => district(i, a, b));

  test.each([
    // contributors, k=5 → shown?, r1 distribution, r2 distribution (not settled counted apart)
    [4, false, null, null],
    [5, true, { levels: [0, 1, 3, 1], notSettled: 0 }, { levels: [2, 1, 0, 0], notSettled: 2 }],
    [6, true, { levels: [1, 1, 3, 1], notSettled: 0 }, { levels: [2, 1, 0, 1], notSettled: 2 }],
  ])('%i contributing districts → shown: %s', (count, shown, r1, r2) => {
    const v = view(net(6), ds.slice(0, count));
    const rubric = v.rubrics[0];
    if (!shown) {
      // below k: not even the cycle's name, only that there is one
      expect(rubric?.cycles).toEqual([]);
      expect(rubric?.hiddenCycles).toBe(1);
      return;
    }
    expect(rubric?.cycles[0]).toMatchObject({ cycle: '2026-27 Fall', contributors: count, enough: true });
    expect(rubric?.cycles[0]?.rows.map((r) => r.distribution)).toEqual([r1, r2]);
  });

  test('a member district sees its own ratings beside the network; below k only its own', () => {
    const full = view(net(6), ds, 1);
    expect(full.rubrics[0]?.cycles[0]?.rows).toEqual([
      { rowId: 'r1', distribution: { levels: [1, 1, 3, 1], notSettled: 0 }, yours: 3 },
      { rowId: 'r2', distribution: { levels: [2, 1, 0, 1], notSettled: 2 }, yours: null },
    ]);
    const few = view(net(6), ds.slice(0, 4), 2);
    expect(few.rubrics[0]?.cycles[0]).toEqual({
      cycle: '2026-27 Fall',
      contributors: 4,
      enough: false,
      rows: [
        { rowId: 'r1', distribution: null, yours: 4 },
        { rowId: 'r2', distribution: null, yours: 2 },
      ],
    });
  });

  test('a district that left contributes nothing; k counts only current members', () => {
    let n = net(6);
    n = leaveNetwork(n, ref(5));
    const v = view(n, ds);
    expect(v.memberCount).toBe(5);
    expect(v.rubrics[0]?.cycles[0]?.contributors).toBe(5);
    expect(v.rubrics[0]?.cycles[0]?.rows[0]?.distribution).toEqual({ levels: [0, 1, 3, 1], notSettled: 0 });
    n = leaveNetwork(n, ref(4));
    expect(view(n, ds).rubrics[0]?.cycles).toEqual([]);
    expect(() => leaveNetwork(n, ref(4))).toThrow(/not in a co-op network/);
  });

  test('cycles match without case or spacing; the latest review of a cycle counts once', () => {
    const spelled = ds.slice(0, 5).map((d, i) => ({
      ...d,
      cycles: d.cycles.map((c) => ({ ...c, cycle: i === 0 ? ' 2026-27  FALL ' : c.cycle })),
    }));
    const again = { ...spelled[1], cycles: [...(spelled[1]?.cycles ?? [])] } as DistrictRatings;
    again.cycles.push({
      rubricId: 'rub',
      cycle: '2026-27 Fall',
      createdAt: at(20),
      ratings: { r1: 1, r2: 1 },
    });
    const v = view(net(6), [spelled[0], again, ...spelled.slice(2)] as DistrictRatings[]);
    expect(v.rubrics[0]?.cycles[0]).toMatchObject({ cycle: '2026-27 Fall', contributors: 5 });
    expect(v.rubrics[0]?.cycles[0]?.rows[0]?.distribution?.levels).toEqual([1, 1, 2, 1]);
  });

  test('no district is named unless it opted in; ratings are never beside a name', () => {
    const v = view(net(6, [2, 4]), ds);
    expect(v.namedDistricts).toEqual(['District 2', 'District 4']);
    expect(JSON.stringify(v.rubrics)).not.toMatch(/District|tenant-a|T1|d\d/);
  });

  test('invitation codes compare without case or separators', () => {
    expect(normalizeCode('k7qf-m2xd 9pwa')).toBe('K7QFM2XD9PWA');
    expect(NOT_ENOUGH).toBe('not enough districts yet');
  });
});

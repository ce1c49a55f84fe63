import type { Perspective } from '../../src/domain/consensus';
import type { Vote } from '../../src/domain/district';
import { DomainError } from '../../src/domain/errors';
import {
  activeGroups,
  assertGroupVote,
  comparedRounds,
  compareGroups,
  endGroups,
  namedGroups,
  type SmallGroups,
  splitEvenly,
  startGroups,
  voteGroup,
} from '../../src/domain/groups';
import type { Review } from '../../src/domain/review';
import type { Choice } from '../../src/domain/rubric';

/** Small groups: a balanced, deterministic split; the coordinator's own groups checked; the comparison's math. */

const people = (n: number, building: number[] = []) =>
  Array.from({ length: n }, (_, i) => ({
    memberId: `U${String(i + 1).padStart(2, '0')}`,
    perspective: (building.includes(i + 1) ? 'building' : 'district') as Perspective,
  }));
const named = { anonymous: false };
const anonymous = { anonymous: true };

const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
};

describe('splitEvenly', () => {
  test('sizes differ by at most one, everyone placed once, for every roster size and group count', () => {
    for (let size = 2; size <= 23; size++) {
      for (let n = 2; n <= Math.min(10, size); n++) {
        const groups = splitEvenly(people(size), n, named);
        const sizes = groups.map((g) => g.memberIds.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        const all = groups.flatMap((g) => g.memberIds);
        expect(new Set(all).size).toBe(size);
        expect(all).toHaveLength(size);
      }
    }
  });

  test('deterministic from the roster: the same people in any order give the same groups, named A, B, …', () => {
    const roster = people(7, [2, 5]);
    const a = splitEvenly(roster, 3, named);
    const b = splitEvenly([...roster].reverse(), 3, named);
    expect(b).toEqual(a);
    expect(a.map((g) => g.name)).toEqual(['Group A', 'Group B', 'Group C']);
    // District people dealt first (U01 U03 U04 U06 U07), then building people (U02 U05), in turn.
    expect(a.map((g) => g.memberIds)).toEqual([
      ['U01', 'U05', 'U06'],
      ['U03', 'U07'],
      ['U02', 'U04'],
    ]);
  });

  test('each perspective is spread over the groups', () => {
    const groups = splitEvenly(people(8, [1, 2, 3, 4]), 2, named);
    for (const g of groups) {
      const building = g.memberIds.filter((id) => ['U01', 'U02', 'U03', 'U04'].includes(id));
      expect(building).toHaveLength(2);
    }
  });

  test('refuses too few people (two each when anonymous) and group counts out of 2..10', () => {
    expect(codeOf(() => splitEvenly(people(3), 4, named))).toBe('invalid-input');
    expect(codeOf(() => splitEvenly(people(3), 3, named))).toBe('no error');
    expect(codeOf(() => splitEvenly(people(5), 3, anonymous))).toBe('invalid-input');
    expect(codeOf(() => splitEvenly(people(6), 3, anonymous))).toBe('no error');
    expect(codeOf(() => splitEvenly(people(30), 1, named))).toBe('invalid-input');
    expect(codeOf(() => splitEvenly(people(30), 11, named))).toBe('invalid-input');
    expect(codeOf(() => splitEvenly(people(30), 2.5, named))).toBe('invalid-input');
  });
});

describe('namedGroups', () => {
  const roster = new Map([
    ['U1', 'Ann'],
    ['U2', 'Bob'],
    ['U3', 'Cy'],
    ['U4', 'Di'],
  ]);
  test('keeps the names (spaces tidied) and sorts each group', () => {
    expect(
      namedGroups(
        [
          { name: '  Table   one ', memberIds: ['U2', 'U1', 'U2'] },
          { name: 'Table two', memberIds: ['U3'] },
        ],
        roster,
        named,
      ),
    ).toEqual([
      { name: 'Table one', memberIds: ['U1', 'U2'] },
      { name: 'Table two', memberIds: ['U3'] },
    ]);
  });

  test.each([
    ['one group', [{ name: 'A', memberIds: ['U1'] }], /2 to 10 groups/],
    [
      'a person in two groups',
      [
        { name: 'A', memberIds: ['U1'] },
        { name: 'B', memberIds: ['U1'] },
      ],
      /Ann is in both “A” and “B”/,
    ],
    [
      'a name used twice',
      [
        { name: 'A', memberIds: ['U1'] },
        { name: 'a', memberIds: ['U2'] },
      ],
      /Two groups are named/,
    ],
    [
      'someone off the roster',
      [
        { name: 'A', memberIds: ['U1'] },
        { name: 'B', memberIds: ['U9'] },
      ],
      /not on this review's roster/,
    ],
    [
      'an empty group',
      [
        { name: 'A', memberIds: ['U1'] },
        { name: 'B', memberIds: [] },
      ],
      /“B” needs at least 1 person/,
    ],
    [
      'a name too long',
      [
        { name: 'x'.repeat(41), memberIds: ['U1'] },
        { name: 'B', memberIds: ['U2'] },
      ],
      /1 to 40 characters/,
    ],
  ])('refuses %s, saying nothing was changed', (_, defs, message) => {
    expect(() => namedGroups(defs, roster, named)).toThrow(message);
    expect(() => namedGroups(defs, roster, named)).toThrow(/Nothing was changed/);
  });

  test('an anonymous review needs two people a group', () => {
    const defs = [
      { name: 'A', memberIds: ['U1', 'U2'] },
      { name: 'B', memberIds: ['U3'] },
    ];
    expect(() => namedGroups(defs, roster, anonymous)).toThrow(/“B” needs at least 2 people/);
    expect(namedGroups(defs, roster, named)).toHaveLength(2);
  });
});

describe('the split on a review, and what votes record', () => {
  const review = { cycle: 'Fall', status: 'active', round: 2 } as Review;
  const now = new Date('2026-03-01T10:00:00Z');
  const groups = [
    { name: 'A', memberIds: ['U1'] },
    { name: 'B', memberIds: ['U2'] },
  ];

  test('start, vote tags, end', () => {
    expect(voteGroup(review, 'U1')).toEqual({});
    const split = startGroups(review, groups, 'U_COORD', now);
    expect(split).toEqual({ groups, round: 2, by: 'U_COORD', at: now, endedAt: null, endedRound: null });
    const withSplit = { ...review, groups: split };
    expect(voteGroup(withSplit, 'U1')).toEqual({ group: 'A' });
    expect(voteGroup(withSplit, 'U2')).toEqual({ group: 'B' });
    expect(voteGroup(withSplit, 'U3')).toEqual({ group: null });
    const later = new Date(now.getTime() + 60_000);
    const ended = endGroups({ ...withSplit, round: 3 }, later);
    expect(ended).toMatchObject({ endedAt: later, endedRound: 3 });
    const cleared = { ...withSplit, groups: ended };
    expect(activeGroups(cleared)).toBeNull();
    expect(voteGroup(cleared, 'U1')).toEqual({ group: null });
    expect(codeOf(() => endGroups(cleared, later))).toBe('invalid-state');
  });

  test("a vote on a group's own poll: its people only, and only while the split lasts", () => {
    const withSplit = { ...review, groups: startGroups(review, groups, 'U_COORD', now) };
    expect(codeOf(() => assertGroupVote(withSplit, 'U1', 'A'))).toBe('no error');
    expect(codeOf(() => assertGroupVote(withSplit, 'U2', 'A'))).toBe('not-in-group');
    expect(codeOf(() => assertGroupVote(withSplit, 'U3', 'A'))).toBe('not-in-group');
    expect(codeOf(() => assertGroupVote(withSplit, 'U1', 'C'))).toBe('invalid-state');
    expect(codeOf(() => assertGroupVote(review, 'U1', 'A'))).toBe('invalid-state');
    const cleared = { ...withSplit, groups: endGroups(withSplit, now) };
    expect(codeOf(() => assertGroupVote(cleared, 'U1', 'A'))).toBe('invalid-state');
  });

  test('a review that is not open cannot be split', () => {
    expect(codeOf(() => startGroups({ ...review, status: 'complete' }, groups, 'U', now))).toBe(
      'invalid-state',
    );
  });

  test('compared rounds: the split round up to the current or ending round, latest first', () => {
    const split: SmallGroups = { groups, round: 1, by: 'U', at: now, endedAt: null, endedRound: null };
    expect(comparedRounds(split, { round: 3 })).toEqual([3, 2, 1]);
    expect(comparedRounds({ ...split, endedAt: now, endedRound: 2 }, { round: 4 })).toEqual([2, 1]);
  });
});

describe('compareGroups', () => {
  const v = (
    rowId: string,
    choice: Choice,
    group?: string | null,
  ): Pick<Vote, 'rowId' | 'choice' | 'perspective' | 'group'> => ({
    rowId,
    choice,
    perspective: 'district',
    ...(group === undefined ? {} : { group }),
  });

  test('per row and group: distribution and median; the gap between medians; a level apart differs', () => {
    const rows = compareGroups(
      ['r1', 'r2', 'r3'],
      [
        v('r1', 1, 'A'),
        v('r1', 2, 'A'),
        v('r1', 2, 'A'),
        v('r1', 3, 'B'),
        v('r1', 4, 'B'),
        v('r1', 'unsure', 'B'),
        v('r1', 4, null),
        v('r2', 2, 'A'),
        v('r2', 3, 'B'),
        v('r2', 2, 'B'),
        v('r3', 3, 'A'),
      ],
      ['B', 'A'],
    );
    const [r1, r2, r3] = rows;
    expect(r1?.groups.map((g) => [g.name, g.distribution.levels, g.distribution.unsure, g.median])).toEqual([
      ['B', [0, 0, 1, 1], 1, 3.5],
      ['A', [1, 2, 0, 0], 0, 2],
    ]);
    expect(r1).toMatchObject({ outside: 1, gap: 1.5, differ: true });
    // Medians 2.5 and 2: half a level apart is not "differ".
    expect(r2).toMatchObject({ outside: 0, gap: 0.5, differ: false });
    // Only one group rated it: nothing to compare.
    expect(r3?.groups.map((g) => g.distribution.total)).toEqual([0, 1]);
    expect(r3).toMatchObject({ gap: null, differ: false });
  });

  test('a group name recorded on votes but not in the split (an earlier split) gets its own column, after', () => {
    const [row] = compareGroups(['r1'], [v('r1', 2, 'Old'), v('r1', 3, 'A')], ['A']);
    expect(row?.groups.map((g) => [g.name, g.median])).toEqual([
      ['A', 3],
      ['Old', 2],
    ]);
    expect(row?.gap).toBe(1);
  });
});

import type { Store } from '../../src/app/ports';
import { activity1Report, groupsReport, processMarkdown } from '../../src/app/reviews/processReport';
import { CSV_COLUMNS, mdCell, toCsv } from '../../src/app/reviews/resultsExport';
import type { ReviewResults } from '../../src/app/reviews/resultsModel';
import { fmt } from '../../src/app/reviews/resultsModel';
import type { Activity1, Activity1Pick } from '../../src/domain/activity1';
import type { Vote } from '../../src/domain/district';
import type { Review } from '../../src/domain/review';
import { parseCsv } from '../support/csv';
import { rubrics } from '../support/fixtures';

/** The Activity 1 and small-groups parts of a cycle's results and Markdown export (src/app/reviews/processReport.ts). */
const RUBRIC = rubrics.get('culture-of-collaboration');
if (!RUBRIC) throw new Error('rubric missing');
const row1 = RUBRIC.rows[0]?.id as string;

const activity: Activity1 = {
  id: 'a1',
  tenantId: 'T1',
  districtId: 'd1',
  channelId: 'C1',
  rubricId: RUBRIC.id,
  startedAt: new Date('2026-11-20T15:00:00Z'),
  startedBy: 'U_COORD',
  reviewId: 'r1',
};
const pick = (memberId: string, outcome: number, reason: string, i: number): Activity1Pick => ({
  memberId,
  displayName: '',
  outcome,
  reason,
  at: new Date(Date.UTC(2026, 10, 20, 15, i)),
});
const vote = (memberId: string, choice: 1 | 2 | 3 | 4, group: string | null, round = 1): Vote => ({
  reviewId: 'r1',
  rowId: row1,
  round,
  memberId,
  perspective: 'district',
  choice,
  evidence: null,
  castAt: new Date('2026-11-24T15:00:00Z'),
  group,
  seq: 1,
});

function storeWith(o: { activity?: Activity1 | null; picks?: Activity1Pick[]; votes?: Vote[] }): Store {
  return {
    activity1: {
      forReview: async (_t: string, _d: string, reviewId: string) =>
        o.activity && o.activity.reviewId === reviewId ? o.activity : null,
      listPicks: async () => o.picks ?? [],
    },
    votes: {
      listRound: async (_r: string, round: number) => (o.votes ?? []).filter((v) => v.round === round),
    },
  } as unknown as Store;
}

const review = (over: Partial<Review> = {}): Review =>
  ({
    id: 'r1',
    tenantId: 'T1',
    districtId: 'd1',
    round: 1,
    roundStatus: 'closed',
    blind: false,
    anonymous: false,
    groups: {
      groups: [
        { name: 'Table one', memberIds: ['a', 'b'] },
        { name: 'Table <two>', memberIds: ['c', 'd'] },
      ],
      round: 1,
      by: 'U_COORD',
      at: new Date('2026-11-24T14:00:00Z'),
      endedAt: null,
      endedRound: null,
    },
    ...over,
  }) as unknown as Review;

test('Activity 1: the spread and reasons of the activity attached to the review; names only when not anonymous', async () => {
  const picks = [
    pick('a', 2, 'Shared goals', 1),
    pick('b', 2, 'We plan alone | today', 2),
    pick('c', 1, 'Fair', 3),
  ];
  const names = new Map([
    ['a', 'Ann'],
    ['b', 'Bo'],
    ['c', 'Cy'],
  ]);
  const named = await activity1Report(storeWith({ activity, picks }), review(), RUBRIC, names);
  expect(named?.total).toBe(3);
  expect(named?.outcomes.map((o) => o.count)).toEqual([1, 2, 0]);
  expect(named?.outcomes[1]?.reasons).toEqual([
    { name: 'Ann', reason: 'Shared goals' },
    { name: 'Bo', reason: 'We plan alone | today' },
  ]);
  const anonymous = await activity1Report(
    storeWith({ activity, picks }),
    review({ anonymous: true }),
    RUBRIC,
    names,
  );
  expect(anonymous?.outcomes[1]?.reasons.map((r) => r.name)).toEqual([null, null]);
  // Another review's Activity 1, or one nobody picked in: no part.
  expect(
    await activity1Report(storeWith({ activity, picks }), review({ id: 'r2' }), RUBRIC, names),
  ).toBeNull();
  expect(await activity1Report(storeWith({ activity, picks: [] }), review(), RUBRIC, names)).toBeNull();

  const md = processMarkdown({ activity1: named }, mdCell, fmt).join('\n');
  expect(md).toContain('- **Outcome 2** (2): ');
  // Typed text through the one cell writer: the pipe cannot open a table cell.
  expect(md).toContain('  - We plan alone \\| today — Bo');
});

test('small groups: per group median and counts, where they differ; none for an unsplit, blind-open or anonymous group of one', async () => {
  const votes = [
    vote('a', 2, 'Table one'),
    vote('b', 2, 'Table one'),
    vote('c', 3, 'Table <two>'),
    vote('d', 4, 'Table <two>'),
  ];
  const g = await groupsReport(storeWith({ votes }), review(), RUBRIC);
  expect(g?.round).toBe(1);
  expect(g?.rows).toHaveLength(1);
  expect(g?.rows[0]).toMatchObject({ rowNumber: 1, gap: 1.5, differ: true, outside: 0 });
  expect(g?.rows[0]?.groups.map((x) => [x.name, x.median, x.levels])).toEqual([
    ['Table one', 2, [0, 2, 0, 0]],
    ['Table <two>', 3.5, [0, 0, 1, 1]],
  ]);
  const md = processMarkdown({ smallGroups: g }, mdCell, fmt).join('\n');
  expect(md).toContain('## Small groups: round 1');
  expect(md).toContain('Table one (2) · Table \\<two\\> (2)');
  expect(md).toMatch(/\| 1 \| [^|]+ \| 2 \(0·2·0·0\) \| 3\.5 \(0·0·1·1\) \| differ by 1\.5 level\(s\) \|/);

  expect(
    await groupsReport(storeWith({ votes }), review({ groups: null } as Partial<Review>), RUBRIC),
  ).toBeNull();
  expect(
    await groupsReport(storeWith({ votes }), review({ blind: true, roundStatus: 'open' }), RUBRIC),
  ).toBeNull();
  const ofOne = review({ anonymous: true });
  ofOne.groups = {
    ...(ofOne.groups as NonNullable<Review['groups']>),
    groups: [
      { name: 'Solo', memberIds: ['a'] },
      { name: 'Rest', memberIds: ['b', 'c', 'd'] },
    ],
  };
  expect(await groupsReport(storeWith({ votes }), ofOne, RUBRIC)).toBeNull();
  expect(processMarkdown({}, mdCell, fmt)).toEqual([]);
});

test('the CSV export carries both parts: a line per Activity 1 reason, a line per compared row and group', async () => {
  const picks = [pick('a', 2, '=HYPERLINK("https://evil.example")', 1), pick('b', 2, 'Shared, goals', 2)];
  const activity1 = await activity1Report(
    storeWith({ activity, picks }),
    review(),
    RUBRIC,
    new Map([['a', 'Ann']]),
  );
  const votes = [vote('a', 2, 'Table one'), vote('b', 2, 'Table one'), vote('c', 3, 'Table <two>')];
  const smallGroups = await groupsReport(storeWith({ votes }), review(), RUBRIC);
  const results = {
    districtName: 'Lakeview',
    cycle: '2026-27 Fall',
    rows: [{ rowNumber: 1, rowId: row1, rounds: [] }],
    actions: [],
    plans: null,
    activity1,
    smallGroups,
  } as unknown as ReviewResults;
  const [head, ...lines] = parseCsv(toCsv(results));
  expect(head).toEqual([...CSV_COLUMNS]);
  const col = (l: string[] | undefined, c: (typeof CSV_COLUMNS)[number]) => l?.[CSV_COLUMNS.indexOf(c)];
  const a1 = lines.filter((l) => col(l, 'activity1_outcome_number'));
  // Outcomes 1 and 3 had no reasons (one line each), outcome 2 had two.
  expect(
    a1.map((l) => [
      col(l, 'activity1_outcome_number'),
      col(l, 'activity1_count'),
      col(l, 'activity1_person'),
    ]),
  ).toEqual([
    ['1', '0', ''],
    ['2', '2', 'Ann'],
    ['2', '2', 'b'],
    ['3', '0', ''],
  ]);
  expect(a1.every((l) => col(l, 'district') === 'Lakeview' && col(l, 'cycle') === '2026-27 Fall')).toBe(true);
  // Typed text stays text: the formula is prefixed, the comma stays inside its cell.
  expect(col(a1[1], 'activity1_reason')).toBe(`'=HYPERLINK("https://evil.example")`);
  expect(col(a1[2], 'activity1_reason')).toBe('Shared, goals');
  const groups = lines.filter((l) => col(l, 'group'));
  expect(
    groups.map((l) =>
      [
        'row_id',
        'round',
        'group',
        'group_size',
        'developing',
        'evolving',
        'total',
        'median',
        'groups_gap',
        'groups_differ',
      ].map((c) => col(l, c as (typeof CSV_COLUMNS)[number])),
    ),
  ).toEqual([
    [row1, '1', 'Table one', '2', '2', '0', '2', '2', '1', 'true'],
    [row1, '1', 'Table <two>', '2', '0', '1', '1', '3', '1', 'true'],
  ]);
  // No line is both: the parts never share a line.
  expect(lines.filter((l) => col(l, 'group') && col(l, 'activity1_outcome'))).toEqual([]);
});

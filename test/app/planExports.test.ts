import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { dashboardPage } from '../../src/adapters/web/pages';
import { CommandService } from '../../src/app/commands';
import { buildPlansReport } from '../../src/app/plans/planReport';
import { PlanService } from '../../src/app/plans/planService';
import { ResultsService } from '../../src/app/reviews/results';
import { CSV_COLUMNS, exportResults } from '../../src/app/reviews/resultsExport';
import type { Actor } from '../../src/app/schemas';
import { coordinator, makeNudges, TestClock } from '../nudges/support';
import { parseCsv } from '../support/csv';
import { rubrics } from '../support/fixtures';

/** The review's exports and the district dashboard carry the action plans as they stand, typed text as data. */

const HOSTILE = '=HYPERLINK("https://evil.example") <script>alert(1)</script> a | b [x](y)';

const at = (userId: string, channelId: string): Actor => ({
  tenantId: 'T1',
  userId,
  displayName: userId,
  channelId,
  conversation: 'channel',
});

/** Oak ES (CB1) and Pine MS (CB2) submit plans, Elm HS (CB3) does not; the district (C1) saves its template. */
async function world(o: { districtPlan: boolean }) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const h = makeNudges(store, clock);
  const district = await h.reviews.setupDistrict(coordinator, { name: 'Lakeview Schools', channelId: 'C1' });
  for (const [name, ch, m] of [
    ['Oak ES', 'CB1', 'UB1'],
    ['Pine <b>MS</b>', 'CB2', 'UB2'],
    ['Elm HS', 'CB3', 'UB3'],
  ] as const)
    await h.buildings.register(coordinator, { channelId: 'C1', name, buildingChannelId: ch, members: [m] });
  const plans = new PlanService({ store, rubrics, clock });
  const commands = new CommandService(h.reviews, { plans });
  const started = await commands.run({ actor: coordinator, channelId: 'C1' }, 'review start "2026-27 Fall"');
  const reviewId = started.kind === 'review' ? started.review.reviewId : '';
  const oak = at('UB1', 'CB1');
  const pine = at('UB2', 'CB2');
  await plans.setEntry(oak, 'building', {
    channelId: 'CB1',
    fn: '1',
    status: 'create',
    actions: [HOSTILE, 'Name a data lead'],
  });
  await plans.setEntry(oak, 'building', { channelId: 'CB1', fn: '2', status: 'in-place' });
  await plans.setEntry(pine, 'building', {
    channelId: 'CB2',
    fn: '1',
    status: 'strengthen',
    actions: ['Meet monthly'],
  });
  if (o.districtPlan)
    await plans.setEntry(coordinator, 'district', {
      channelId: 'C1',
      fn: '1',
      status: 'strengthen',
      actions: [`District: ${HOSTILE}`],
    });
  const results = new ResultsService({ store, rubrics, clock });
  return { clock, district, reviewId, results };
}

const col = (line: string[], name: (typeof CSV_COLUMNS)[number]) => line[CSV_COLUMNS.indexOf(name)];

test('CSV: plan lines after the rows with their own columns at the end; formulas stay text', async () => {
  const w = await world({ districtPlan: true });
  const r = await w.results.results(coordinator, { reviewId: w.reviewId });
  const [header, ...lines] = parseCsv(exportResults(r, 'csv').content);
  expect(header).toEqual([...CSV_COLUMNS]);
  expect(CSV_COLUMNS.indexOf('plan_side')).toBe(CSV_COLUMNS.indexOf('action_done_on') + 1);
  for (const l of lines) expect(l).toHaveLength(CSV_COLUMNS.length);
  const plan = lines.filter((l) => col(l, 'plan_side'));
  const rowLines = lines.filter((l) => col(l, 'row_id'));
  expect(lines.indexOf(plan[0] as string[])).toBe(rowLines.length);
  const brief = (l: string[]) => [
    col(l, 'plan_side'),
    col(l, 'plan_team'),
    col(l, 'plan_version'),
    col(l, 'plan_function_number'),
    col(l, 'plan_status'),
  ];
  // Oak: 7 building functions, function 1 with two actions → 8 lines; Pine 7; Elm 1 (not submitted); district 7.
  expect(plan.filter((l) => col(l, 'plan_team') === 'Oak ES')).toHaveLength(8);
  expect(plan.slice(0, 3).map(brief)).toEqual([
    ['building', 'Oak ES', '2', '1', 'create'],
    ['building', 'Oak ES', '2', '1', 'create'],
    ['building', 'Oak ES', '2', '2', 'in-place'],
  ]);
  expect(plan.map(brief)).toContainEqual(['building', 'Pine <b>MS</b>', '1', '1', 'strengthen']);
  expect(plan.map(brief)).toContainEqual(['building', 'Pine <b>MS</b>', '1', '3', 'not-answered']);
  expect(plan.map(brief)).toContainEqual(['building', 'Elm HS', '0', '', 'not-submitted']);
  expect(plan.filter((l) => col(l, 'plan_side') === 'district').map(brief)[0]).toEqual([
    'district',
    'Lakeview Schools',
    '1',
    '1',
    'strengthen',
  ]);
  expect(plan.length).toBe(8 + 7 + 1 + 7);
  expect(col(plan[0] as string[], 'plan_action')).toBe(`'${HOSTILE}`);
  expect(col(plan[1] as string[], 'plan_action')).toBe('Name a data lead');
  expect(col(plan[0] as string[], 'plan_function')).toBe('Teams and membership');
  expect(col(plan[0] as string[], 'plan_submitted_at')).toBe(w.clock.now().toISOString());
  expect(col(plan[0] as string[], 'district')).toBe('Lakeview Schools');
});

test('JSON: a plans object with every building plan, who has not submitted, and the district plan', async () => {
  const w = await world({ districtPlan: true });
  const r = await w.results.results(coordinator, { reviewId: w.reviewId });
  const json = JSON.parse(exportResults(r, 'json').content);
  expect(json.plans.buildings.map((b: { name: string; version: number }) => [b.name, b.version])).toEqual([
    ['Oak ES', 2],
    ['Pine <b>MS</b>', 1],
  ]);
  expect(json.plans.buildings[0].functions[0]).toMatchObject({
    n: 1,
    id: 'team',
    status: 'create',
    actions: [HOSTILE, 'Name a data lead'],
  });
  expect(json.plans.buildings[1].functions[2].status).toBeNull();
  expect(json.plans.notSubmitted.map((b: { name: string }) => b.name)).toEqual(['Elm HS']);
  expect(json.plans.district).toMatchObject({ side: 'district', buildingId: null, version: 1 });
  expect(json.plans.district.functions[0].actions).toEqual([`District: ${HOSTILE}`]);
  expect(json.plans.functions).toHaveLength(json.plans.buildings[0].functions.length);
});

test('Markdown: the side-by-side table, each plan as a table, pipes and markup escaped', async () => {
  const w = await world({ districtPlan: false });
  const r = await w.results.results(coordinator, { reviewId: w.reviewId });
  const md = exportResults(r, 'md').content;
  expect(md).toContain('## Action plans: ');
  expect(md).toContain('| # | Function | Oak ES | Pine \\<b\\>MS\\</b\\> |');
  expect(md).toMatch(/\| 1 \| Teams and membership \| create \| strengthen \|/);
  expect(md).toContain('Not submitted yet: Elm HS.');
  expect(md).toContain(`### Oak ES — version 2, ${w.clock.now().toISOString().slice(0, 10)}`);
  expect(md).toContain('| 1 | Teams and membership | create | =HYPERLINK\\("https:');
  expect(md).toContain('a \\| b \\[x\\]\\(y\\) |');
  expect(md).toContain('| | | | Name a data lead |');
  expect(md).toMatch(/\| 2 \| [^|]+ \| in place \| \|/);
  expect(md).toContain('### District template\n\nNot saved yet.');
  expect(md).not.toContain('<script>');
  expect(md).not.toContain('[x](y)');
  // Every table line of the plans has as many cells as its header: a pipe in the text does not add one.
  const planPart = md.slice(md.indexOf('## Action plans'));
  for (const l of planPart.split('\n').filter((x) => x.startsWith('| #'))) {
    const table = planPart.slice(planPart.indexOf(l)).split('\n\n')[0]?.split('\n') ?? [];
    const cells = (x: string) => x.replace(/\\\|/g, '').split('|').length;
    for (const line of table) expect(cells(line)).toBe(cells(l));
  }
});

test('the dashboard shows functions × buildings, who has not submitted and the district template, escaped', async () => {
  const w = await world({ districtPlan: true });
  const d = await w.results.dashboard('T1', w.district.id);
  const html = dashboardPage(d, (p) => p, null, new Date('2026-12-01T00:00:00Z'));
  expect(html).toContain('<h2>Action plans</h2>');
  const table =
    /<div class="table-scroll"[^>]*><table class="plain" data-testid="plans">.*?<\/table><\/div>/s.exec(
      html,
    )?.[0];
  expect(table).toContain('<th scope="col">Oak ES</th><th scope="col">Pine &lt;b&gt;MS&lt;/b&gt;</th>');
  expect(table).toMatch(
    /<tr data-function="team"><th scope="row">1\. Teams and membership<\/th><td class="plan-create" data-status="create">create<\/td><td class="plan-strengthen" data-status="strengthen">strengthen<\/td><\/tr>/,
  );
  expect(table?.match(/<tr data-function=/g)).toHaveLength(d.plans?.functions.length ?? -1);
  expect(html).toContain('<p data-testid="plans-missing">Not submitted yet: Elm HS</p>');
  const district = /<table class="plain" data-testid="district-plan">.*?<\/table>/s.exec(html)?.[0];
  expect(district).toMatch(/data-status="strengthen">strengthen<\/td><td><ul><li>District: =HYPERLINK/);
  expect(district).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html).not.toContain('<b>MS</b>');
});

test('the dashboard says when the district template is not saved, and nothing without a balance table', async () => {
  const w = await world({ districtPlan: false });
  const d = await w.results.dashboard('T1', w.district.id);
  const html = dashboardPage(d, (p) => p, null, new Date('2026-12-01T00:00:00Z'));
  expect(html).toMatch(/data-testid="district-plan">Not saved yet/);
  expect(dashboardPage({ ...d, plans: null }, (p) => p, null, new Date(0))).not.toContain('Action plans');
});

test('report: latest versions only; a plan of a building no longer registered is left out', () => {
  const content = rubrics.list().find((r) => r.balance)?.balance;
  if (!content) throw new Error('the fixture rubrics have a balance table');
  const v = (buildingId: string | null, version: number, status: 'create' | 'in-place') => ({
    tenantId: 'T1',
    districtId: 'D1',
    buildingId,
    version,
    entries: [{ functionId: 'team', status, actions: status === 'create' ? [`v${version}`] : [] }],
    submittedAt: `2026-11-0${version}T00:00:00.000Z`,
    submittedBy: 'U1',
  });
  const report = buildPlansReport(
    content,
    { name: 'Lakeview Schools' },
    [
      { id: 'b2', name: 'Zed ES' },
      { id: 'b1', name: 'Ash ES' },
      { id: 'b3', name: 'Mid ES' },
    ],
    [
      v('b1', 2, 'in-place'),
      v('b1', 1, 'create'),
      v('b2', 1, 'create'),
      v('gone', 1, 'create'),
      v(null, 3, 'create'),
    ],
  );
  expect(report.buildings.map((b) => [b.name, b.version, b.functions[0]?.status])).toEqual([
    ['Ash ES', 2, 'in-place'],
    ['Zed ES', 1, 'create'],
  ]);
  expect(report.notSubmitted).toEqual([{ id: 'b3', name: 'Mid ES' }]);
  expect(report.district).toMatchObject({ name: 'Lakeview Schools', version: 3, buildingId: null });
  expect(report.district?.functions[0]).toMatchObject({ n: 1, status: 'create', actions: ['v3'] });
  expect(report.district?.functions.slice(1).every((f) => f.status === null && f.actions.length === 0)).toBe(
    true,
  );
  expect(JSON.stringify(report)).not.toContain('U1');
});

import { dashboardPage } from '../../src/adapters/web/pages';
import { CSV_COLUMNS, exportResults } from '../../src/app/reviews/resultsExport';
import { parseCsv } from '../support/csv';
import { actionWorld, COORD, idIn, OWNER } from './support';

/** Exports (CSV, JSON, Markdown) and the district dashboard list the actions, their typed text as data. */

const HOSTILE = '=HYPERLINK("https://evil.example") <script>alert(1)</script> *b* | [x](y) \u202Eevil';

async function withActions() {
  const w = await actionWorld();
  const done = idIn(
    await w.run(
      COORD,
      'action add 2 "Publish the planning calendar" owner=<@U_OWNER|O> due=2027-02-01 target=3',
    ),
  );
  await w.run(COORD, `action add 1 “${HOSTILE}” owner=<@U_OTHER|O> due=2027-03-01 target=4`);
  w.clock.advance(86_400_000);
  await w.run(OWNER, `action done ${done}`);
  const r = await w.results.results(COORD, { reviewId: w.reviewId });
  return { w, r };
}

test('the CSV has one line per action after the rows, with the action columns; formulas stay text', async () => {
  const { r } = await withActions();
  expect(r.actions.map((a) => [a.rowNumber, a.status])).toEqual([
    [1, 'open'],
    [2, 'done'],
  ]);
  const [header, ...lines] = parseCsv(exportResults(r, 'csv').content);
  expect(header).toEqual([...CSV_COLUMNS]);
  const col = (line: string[], name: (typeof CSV_COLUMNS)[number]) => line[CSV_COLUMNS.indexOf(name)];
  const actionLines = lines.filter((l) => col(l, 'action_id'));
  expect(
    actionLines.map((l) => [col(l, 'row_number'), col(l, 'action_status'), col(l, 'action_due')]),
  ).toEqual([
    ['1', 'open', '2027-03-01'],
    ['2', 'done', '2027-02-01'],
  ]);
  for (const l of lines) expect(l).toHaveLength(CSV_COLUMNS.length);
  expect(col(actionLines[1] as string[], 'action')).toBe('Publish the planning calendar');
  expect(col(actionLines[1] as string[], 'action_done_on')).toBe('2026-11-24');
  expect(col(actionLines[0] as string[], 'action')?.startsWith("'=HYPERLINK")).toBe(true);
  expect(col(actionLines[0] as string[], 'action_target')).toBe('4');
});

test('JSON and Markdown carry the actions; Markdown escapes the typed text', async () => {
  const { r } = await withActions();
  const json = JSON.parse(exportResults(r, 'json').content);
  expect(json.actions).toHaveLength(2);
  expect(json.actions[0]).toMatchObject({
    text: HOSTILE,
    ownerName: 'Person U_OTHER',
    due: '2027-03-01',
    status: 'open',
  });
  const md = exportResults(r, 'md').content;
  expect(md).toContain('## Actions');
  expect(md).toMatch(
    /\| 2 \| Publish the planning calendar \| Person U\\_OWNER \| 2027-02-01 \| .+ \| done 2026-11-24 \|/,
  );
  expect(md).not.toContain('<script>');
  expect(md).not.toContain('[x](y)');
  expect(md).not.toContain('\u202E');
});

test('the dashboard lists open and done actions, escaped', async () => {
  const { w } = await withActions();
  const district = await w.store.districts.findByChannel('T1', 'C1');
  const d = await w.results.dashboard('T1', district?.id ?? '');
  expect(d.actions).toMatchObject({ open: 1, done: 1 });
  const html = dashboardPage(d, (p) => p, null, new Date('2026-12-01T00:00:00Z'));
  expect(html).toContain('<h2>Actions</h2>');
  expect(html).toContain('1 open · 1 done');
  expect(html).toContain('Publish the planning calendar');
  expect(html).toMatch(/done 2026-11-24 by Person U_OWNER/);
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html.match(/data-testid="action"/g)).toHaveLength(2);
});

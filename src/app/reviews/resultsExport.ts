import { type FunctionStatus, STATUS_LABEL } from '../../domain/balance';
import type { PlanReportPlan, PlansReport } from '../plans/planReport';
import { breakAutoLinks, neutralizeBidi } from '../text';
import { PROCESS_CSV_COLUMNS, processCsvRecords, processMarkdown } from './processReport';
import { fmt, type ReviewResults, type RoundFigures, RULE_TEXT, signed, statusText } from './resultsModel';

// Exports of a review's results (CSV, JSON, Markdown), built from the results model (resultsModel.ts) only.

export type ExportFormat = 'csv' | 'json' | 'md';

export const CSV_COLUMNS = [
  'district',
  'cycle',
  'row_number',
  'row_id',
  'row_title',
  'rating_level',
  'rating_label',
  'how',
  'decided_round',
  'note',
  'round',
  'beginning',
  'developing',
  'evolving',
  'accomplished',
  'not_sure',
  'total',
  'median',
  'share_at_mode',
  'rwg',
  'district_median',
  'building_median',
  'gap',
  'settled',
  'previous_cycle',
  'previous_level',
  'change',
  // Action lines (one per action of the review; their figure columns are empty).
  'action_id',
  'action',
  'action_owner',
  'action_due',
  'action_target',
  'action_status',
  'action_done_on',
  // Action plan lines (Activity 3, as they stand): one per plan, function and action (a function without actions:
  // one line, action empty); a building that has not submitted, or a district plan not saved: one line.
  'plan_side',
  'plan_team',
  'plan_version',
  'plan_submitted_at',
  'plan_function_number',
  'plan_function_id',
  'plan_function',
  'plan_function_text',
  'plan_status',
  'plan_action',
  // Activity 1 and small-groups lines (./processReport.ts).
  ...PROCESS_CSV_COLUMNS,
] as const;

/** A CSV line: the given leading cells, the rest of the columns empty. */
const csvLine = (cells: ReadonlyArray<string | number | boolean | null>): string =>
  [...cells, ...Array(CSV_COLUMNS.length - cells.length).fill(null)].map(csvCell).join(',');

/** A CSV line from cells by column name (the review's district and cycle first); an unknown column is an error. */
function csvRecord(r: ReviewResults, v: Record<string, string | number | boolean | null>): string {
  const unknown = Object.keys(v).filter((k) => !(CSV_COLUMNS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`CSV: no column ${unknown.join(', ')}`);
  const all: Record<string, string | number | boolean | null> = {
    district: r.districtName,
    cycle: r.cycle,
    ...v,
  };
  return CSV_COLUMNS.map((c) => csvCell(all[c] ?? null)).join(',');
}

/** `plan_status` of a function: its status, `not-answered`, or `not-submitted` for a plan that does not exist. */
const planStatus = (s: FunctionStatus | null): string => s ?? 'not-answered';

/** The plans, when the district uses them (a building team registered or a district plan saved); else null. */
const usedPlans = (r: ReviewResults): PlansReport | null =>
  r.plans && (r.plans.buildings.length || r.plans.notSubmitted.length || r.plans.district) ? r.plans : null;

/** The plan lines of the CSV, after the row and action lines. */
function planCsvLines(r: ReviewResults): string[] {
  const p = usedPlans(r);
  if (!p) return [];
  const lead = [r.districtName, r.cycle, ...Array(CSV_COLUMNS.indexOf('plan_side') - 2).fill(null)];
  const out: string[] = [];
  const plan = (x: PlanReportPlan) => {
    for (const f of x.functions) {
      const cells = [
        x.side,
        x.name,
        x.version,
        x.submittedAt,
        f.n,
        f.id,
        f.topic,
        f.text,
        planStatus(f.status),
      ];
      for (const a of f.actions.length ? f.actions : [null]) out.push(csvLine([...lead, ...cells, a]));
    }
  };
  const missing = (side: 'building' | 'district', name: string) =>
    out.push(csvLine([...lead, side, name, 0, null, null, null, null, null, 'not-submitted']));
  for (const b of p.buildings) plan(b);
  for (const b of p.notSubmitted) missing('building', b.name);
  if (p.district) plan(p.district);
  else missing('district', r.districtName);
  return out;
}

/**
 * A character a spreadsheet reads as the start of a formula (= + - @), after the start of the text or after a
 * character where a cell may start: a spreadsheet that splits on `;` or tab (Excel in many locales) or a line break
 * starts a new cell inside this one. Spaces and quotes in between do not stop the formula.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_AT_CELL_START = /(^|[,;\t\r\n])([ \t\r\n"]*)([=+\-@])/g;

/**
 * The one CSV cell writer. Text is never read as a formula: a `'` goes before every formula character where a cell
 * may start (OWASP's prefix, also after `;`, `,`, tab and line breaks), and before a leading tab or carriage return.
 * Text with a quote, separator or line break is quoted (RFC 4180). Numbers and booleans are written as they are.
 */
export const csvCell = (v: string | number | boolean | null): string => {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  let s = v.replace(FORMULA_AT_CELL_START, "$1$2'$3");
  if (/^[\t\r]/.test(s)) s = `'${s}`;
  return /[",;\t\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One line per row and closed round (a row without a closed round gets one line with empty figures). */
export function toCsv(r: ReviewResults): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of r.rows) {
    const base = [
      r.districtName,
      r.cycle,
      row.rowNumber,
      row.rowId,
      row.title,
      row.rating,
      row.ratingLabel,
      row.how?.kind ?? null,
      row.how?.round ?? null,
      row.how?.kind === 'decision' ? row.how.note : null,
    ];
    const tail = [row.previous?.cycle ?? null, row.previous?.rating ?? null, row.change];
    const rounds: Array<RoundFigures | null> = row.rounds.length ? row.rounds : [null];
    for (const f of rounds) {
      const d = f?.distribution;
      const figures = f
        ? [
            f.round,
            d?.levels[0] ?? 0,
            d?.levels[1] ?? 0,
            d?.levels[2] ?? 0,
            d?.levels[3] ?? 0,
            d?.unsure ?? 0,
            d?.total ?? 0,
            f.median,
            f.shareAtMode,
            f.rwg,
            f.districtMedian,
            f.buildingMedian,
            f.gap,
            f.settled,
          ]
        : Array(14).fill(null);
      lines.push(csvLine([...base, ...figures, ...tail]));
    }
  }
  for (const a of r.actions) {
    const row = r.rows.find((x) => x.rowId === a.rowId);
    const base = [r.districtName, r.cycle, a.rowNumber, a.rowId, a.rowTitle, ...Array(5).fill(null)];
    const action = [
      a.id,
      a.text,
      a.ownerName,
      a.due,
      a.target,
      a.status,
      a.doneAt ? a.doneAt.toISOString().slice(0, 10) : null,
    ];
    const tail = [row?.previous?.cycle ?? null, row?.previous?.rating ?? null, row?.change ?? null];
    lines.push(csvLine([...base, ...Array(14).fill(null), ...tail, ...action]));
  }
  lines.push(...planCsvLines(r));
  lines.push(...processCsvRecords(r).map((v) => csvRecord(r, v)));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(r: ReviewResults): string {
  return `${JSON.stringify({ format: 'micip-review-results', version: 1, ...r }, null, 2)}\n`;
}

/**
 * The one Markdown text writer: the text is shown exactly as written, on one line. Every character CommonMark or
 * GitHub-flavoured Markdown could read as markup inline (emphasis, code, links, images, HTML, entities, tables,
 * strikethrough, math) is backslash-escaped; bare URLs, e-mail addresses and bidi overrides are neutralised.
 */
export const mdCell = (s: string): string =>
  breakAutoLinks(neutralizeBidi(s))
    .replace(/[\\`*_{}[\]<>()#!|~&$]/g, '\\$&')
    .replace(/\r?\n|\r/g, ' ');

export function toMarkdown(r: ReviewResults): string {
  const out: string[] = [];
  out.push(`# ${mdCell(r.rubricTitle)}`);
  out.push('');
  out.push(
    `**District:** ${mdCell(r.districtName)}  \n**Cycle:** ${mdCell(r.cycle)}  \n**Status:** ${mdCell(statusText(r))}  \n**Consensus rule:** ${RULE_TEXT(r.rule)}${r.anonymous ? '  \n**Anonymous review:** no names are recorded here.' : ''}`,
  );
  out.push('');
  out.push(
    `| # | Row | Rating | How reached | District − building gap | ${r.previousCycle ? `${mdCell(r.previousCycle)} | Change |` : 'Previous cycle |'}`,
  );
  out.push(`|---|---|---|---|---|---|${r.previousCycle ? '---|' : ''}`);
  for (const row of r.rows) {
    const prev = r.previousCycle
      ? `${mdCell(row.previous?.ratingLabel ?? '–')} | ${signed(row.change)} |`
      : '– |';
    out.push(
      `| ${row.rowNumber} | ${mdCell(row.title)} | ${mdCell(row.ratingLabel)} | ${mdCell(row.howText)} | ${signed(row.gap)} | ${prev}`,
    );
  }
  for (const row of r.rows) {
    out.push('');
    out.push(`## ${row.rowNumber}. ${mdCell(row.title)} — ${mdCell(row.ratingLabel)}`);
    out.push('');
    out.push(`How reached: ${mdCell(row.howText)}.`);
    if (row.rounds.length) {
      out.push('');
      out.push(
        '| Round | Beginning | Developing | Evolving | Accomplished | Not sure | Total | Median | Gap | Settled |',
      );
      out.push('|---|---|---|---|---|---|---|---|---|---|');
      for (const f of row.rounds) {
        const [a, b, c, d] = f.distribution.levels;
        out.push(
          `| ${f.round} | ${a} | ${b} | ${c} | ${d} | ${f.distribution.unsure} | ${f.distribution.total} | ${fmt(f.median)} | ${signed(f.gap)} | ${f.settled ? 'yes' : 'no'} |`,
        );
      }
    }
    if (row.evidence.length) {
      out.push('');
      out.push('Evidence:');
      for (const e of row.evidence) {
        out.push(`- (round ${e.round}) ${mdCell(e.text)}${e.by ? ` — ${mdCell(e.by)}` : ''}`);
      }
    }
    if (row.reflection.length) {
      out.push('');
      out.push('Reflection:');
      r.reflectionQuestions.forEach((q, qi) => {
        const answers = row.reflection.filter((a) => a.question === qi + 1);
        if (!answers.length) return;
        out.push(`- *${mdCell(q)}*`);
        for (const a of answers) out.push(`  - ${mdCell(a.text)}${a.by ? ` — ${mdCell(a.by)}` : ''}`);
      });
    }
  }
  if (r.actions.length) {
    out.push('');
    out.push('## Actions');
    out.push('');
    out.push('| Row | Action | Owner | Due | Target | Status |');
    out.push('|---|---|---|---|---|---|');
    for (const a of r.actions) {
      const status = a.status === 'done' ? `done ${a.doneOn ?? ''}`.trim() : 'open';
      out.push(
        `| ${a.rowNumber ?? ''} | ${mdCell(a.text)} | ${mdCell(a.ownerName)} | ${a.due} | ${mdCell(a.targetLabel)} | ${status} |`,
      );
    }
  }
  out.push(...processMarkdown(r, mdCell, fmt));
  out.push(...planMarkdown(r));
  out.push('');
  return out.join('\n');
}

const mdStatus = (s: FunctionStatus | null): string => (s ? STATUS_LABEL[s] : 'not answered');

/** One plan as a table: a line per action (the function's number, name and status on its first line). */
function planTable(x: PlanReportPlan): string[] {
  const out = ['| # | Function | Status | Action |', '|---|---|---|---|'];
  for (const f of x.functions) {
    const head = `| ${f.n} | ${mdCell(f.topic)} | ${mdStatus(f.status)} |`;
    if (!f.actions.length) out.push(`${head} |`);
    f.actions.forEach((a, i) => {
      out.push(`${i === 0 ? head : '| | | |'} ${mdCell(a)} |`);
    });
  }
  return out;
}

/** The action plans as they stand: functions × buildings, then each building's plan and the district's. */
function planMarkdown(r: ReviewResults): string[] {
  const p = usedPlans(r);
  if (!p) return [];
  const out = ['', `## Action plans: ${mdCell(p.title)}`, ''];
  out.push(
    "As they stand when exported: each building team's latest Building Action Planning template and the District Action Planning template (Activity 3).",
  );
  if (p.buildings.length) {
    out.push('', '### Building plans side by side', '');
    out.push(`| # | Function | ${p.buildings.map((b) => mdCell(b.name)).join(' | ')} |`);
    out.push(`|---|---|${p.buildings.map(() => '---|').join('')}`);
    p.functions.forEach((f, i) => {
      const cells = p.buildings.map((b) => mdStatus(b.functions[i]?.status ?? null));
      out.push(`| ${f.n} | ${mdCell(f.topic)} | ${cells.join(' | ')} |`);
    });
  }
  out.push(
    '',
    p.notSubmitted.length
      ? `Not submitted yet: ${p.notSubmitted.map((b) => mdCell(b.name)).join(', ')}.`
      : p.buildings.length
        ? 'Every building team has submitted its plan.'
        : 'No building teams are registered yet.',
  );
  const section = (heading: string, x: PlanReportPlan) => {
    out.push('', `### ${heading} — version ${x.version}, ${x.submittedAt.slice(0, 10)}`, '', ...planTable(x));
  };
  for (const b of p.buildings) section(mdCell(b.name), b);
  if (p.district) section('District template', p.district);
  else out.push('', '### District template', '', 'Not saved yet.');
  return out;
}

export interface ExportFile {
  filename: string;
  mimeType: string;
  content: string;
}

export function exportResults(r: ReviewResults, format: ExportFormat): ExportFile {
  const slug =
    `${r.districtName}-${r.cycle}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'review';
  switch (format) {
    case 'csv':
      return { filename: `micip-${slug}.csv`, mimeType: 'text/csv; charset=utf-8', content: toCsv(r) };
    case 'json':
      return { filename: `micip-${slug}.json`, mimeType: 'application/json', content: toJson(r) };
    case 'md':
      return {
        filename: `micip-${slug}.md`,
        mimeType: 'text/markdown; charset=utf-8',
        content: toMarkdown(r),
      };
  }
}

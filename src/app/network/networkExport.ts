import type { NetworkView } from '../../domain/network';
import type { RubricCatalog } from '../ports';
import { csvCell, type ExportFile, type ExportFormat, mdCell } from '../reviews/resultsExport';
import type { PracticeNoteView } from './practiceNotes';

/**
 * The facilitator's export of the network's figures: the network view without a viewer, so a cycle with fewer than
 * k contributing districts is left out entirely (only counted), and no district's rating or unnamed district's
 * name is in it. Every text cell goes through the results export's CSV and Markdown cell writers.
 */

export const NETWORK_CSV_COLUMNS = [
  'network',
  'rubric',
  'cycle',
  'districts',
  'row_number',
  'row_id',
  'row_title',
  'level_1',
  'level_2',
  'level_3',
  'level_4',
  'not_settled',
] as const;

/** The practice notes block of the CSV (after the figures and an empty line), one line per shared text. */
export const NOTE_CSV_COLUMNS = [
  'network',
  'rubric',
  'cycle',
  'row_number',
  'row_id',
  'row_title',
  'shared_by',
  'kind',
  'text',
] as const;

/** One network's practice notes (by its name, as the figures are). */
export interface NetworkNotes {
  network: string;
  notes: readonly PracticeNoteView[];
}

interface NoteLine {
  network: string;
  note: PracticeNoteView;
  kind: 'evidence' | 'reflection' | 'action';
  text: string;
}

function noteLinesOf(all: readonly NetworkNotes[], rubrics: RubricCatalog): NoteLine[] {
  const out: NoteLine[] = [];
  for (const { network, notes } of all) {
    for (const note of notes) {
      const cat = rubrics.get(note.rubricId);
      for (const e of note.evidence) out.push({ network, note, kind: 'evidence', text: e });
      for (const r of note.reflections) {
        const q = cat?.reflectionQuestions[r.question - 1] ?? `Question ${r.question}`;
        out.push({ network, note, kind: 'reflection', text: `${q} ${r.text}` });
      }
      for (const a of note.actions) {
        const level = cat?.levels[a.target - 1]?.name ?? `level ${a.target}`;
        out.push({
          network,
          note,
          kind: 'action',
          text: `${a.text} (aiming at ${level}${a.done ? ', done' : ''})`,
        });
      }
    }
  }
  return out;
}

interface Line {
  network: string;
  rubricId: string;
  rubric: string;
  levelNames: string[];
  cycle: string;
  districts: number;
  rowNumber: number;
  rowId: string;
  rowTitle: string;
  levels: [number, number, number, number];
  notSettled: number;
}

function linesOf(views: readonly NetworkView[], rubrics: RubricCatalog): Line[] {
  const out: Line[] = [];
  for (const v of views) {
    for (const r of v.rubrics) {
      const cat = rubrics.get(r.rubricId);
      for (const c of r.cycles) {
        if (!c.enough) continue;
        c.rows.forEach((row, i) => {
          if (!row.distribution) return;
          out.push({
            network: v.name,
            rubricId: r.rubricId,
            rubric: cat?.title ?? r.rubricId,
            levelNames: cat?.levels.map((l) => l.name) ?? ['1', '2', '3', '4'],
            cycle: c.cycle ?? '',
            districts: c.contributors,
            rowNumber: i + 1,
            rowId: row.rowId,
            rowTitle: cat?.rows.find((x) => x.id === row.rowId)?.title ?? row.rowId,
            levels: row.distribution.levels,
            notSettled: row.distribution.notSettled,
          });
        });
      }
    }
  }
  return out;
}

function toCsv(lines: Line[], notes: NoteLine[], rubrics: RubricCatalog): string {
  const rows = lines.map((l) =>
    [l.network, l.rubric, l.cycle, l.districts, l.rowNumber, l.rowId, l.rowTitle, ...l.levels, l.notSettled]
      .map(csvCell)
      .join(','),
  );
  const figures = `${[NETWORK_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
  if (notes.length === 0) return figures;
  const noteRows = notes.map((l) =>
    [
      l.network,
      rubrics.get(l.note.rubricId)?.title ?? l.note.rubricId,
      l.note.cycle,
      l.note.rowNumber,
      l.note.rowId,
      l.note.rowTitle,
      l.note.by,
      l.kind,
      l.text,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${figures}\r\n${[NOTE_CSV_COLUMNS.join(','), ...noteRows].join('\r\n')}\r\n`;
}

function toJson(views: readonly NetworkView[], lines: Line[], notes: readonly NetworkNotes[]): string {
  return `${JSON.stringify(
    {
      networks: views.map((v) => ({
        name: v.name,
        k: v.k,
        memberDistricts: v.memberCount,
        namedDistricts: v.namedDistricts,
        hiddenCycles: v.rubrics.reduce((n, r) => n + r.hiddenCycles, 0),
        figures: lines
          .filter((l) => l.network === v.name)
          .map((l) => ({
            rubricId: l.rubricId,
            cycle: l.cycle,
            districts: l.districts,
            rowNumber: l.rowNumber,
            rowId: l.rowId,
            rowTitle: l.rowTitle,
            levels: Object.fromEntries(l.levelNames.map((n, i) => [n, l.levels[i] ?? 0])),
            notSettled: l.notSettled,
          })),
        practiceNotes: (notes.find((x) => x.network === v.name)?.notes ?? []).map((n) => ({
          rubricId: n.rubricId,
          cycle: n.cycle,
          rowNumber: n.rowNumber,
          rowId: n.rowId,
          rowTitle: n.rowTitle,
          sharedBy: n.by,
          sharedAt: n.sharedAt.toISOString(),
          evidence: n.evidence,
          reflections: n.reflections,
          actions: n.actions,
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

function toMarkdown(views: readonly NetworkView[], lines: Line[], notes: NoteLine[]): string {
  const out: string[] = [];
  for (const v of views) {
    out.push(`# ${mdCell(v.name)}`, '');
    out.push(
      `${v.memberCount} member districts. Each figure counts districts and needs at least ${v.k} of them; cycles with fewer are left out.`,
      '',
    );
    const mine = lines.filter((l) => l.network === v.name);
    if (mine.length === 0) out.push('No figures yet: not enough districts yet.', '');
    let head = '';
    for (const l of mine) {
      const h = `${l.rubric} — ${l.cycle}`;
      if (h !== head) {
        head = h;
        out.push(`## ${mdCell(l.rubric)} — ${mdCell(l.cycle)} (${l.districts} districts)`, '');
        out.push(`| # | Row | ${l.levelNames.map(mdCell).join(' | ')} | Not settled |`);
        out.push(`|---|---|${l.levelNames.map(() => '---|').join('')}---|`);
      }
      out.push(`| ${l.rowNumber} | ${mdCell(l.rowTitle)} | ${l.levels.join(' | ')} | ${l.notSettled} |`);
    }
    out.push('');
    const shared = notes.filter((l) => l.network === v.name);
    if (shared.length > 0) {
      out.push('## Practice notes', '', '| Row | Cycle | Shared by | Kind | Text |', '|---|---|---|---|---|');
      for (const l of shared) {
        out.push(
          `| ${l.note.rowNumber} ${mdCell(l.note.rowTitle)} | ${mdCell(l.note.cycle)} | ${mdCell(l.note.by)} | ${l.kind} | ${mdCell(l.text)} |`,
        );
      }
      out.push('');
    }
  }
  return out.join('\n');
}

export function exportNetworks(
  views: readonly NetworkView[],
  rubrics: RubricCatalog,
  format: ExportFormat,
  notes: readonly NetworkNotes[] = [],
): ExportFile {
  const lines = linesOf(views, rubrics);
  const noteLines = noteLinesOf(notes, rubrics);
  const slug =
    (views.length === 1 ? (views[0]?.name ?? '') : 'networks')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'network';
  switch (format) {
    case 'csv':
      return {
        filename: `micip-network-${slug}.csv`,
        mimeType: 'text/csv; charset=utf-8',
        content: toCsv(lines, noteLines, rubrics),
      };
    case 'json':
      return {
        filename: `micip-network-${slug}.json`,
        mimeType: 'application/json',
        content: toJson(views, lines, notes),
      };
    case 'md':
      return {
        filename: `micip-network-${slug}.md`,
        mimeType: 'text/markdown; charset=utf-8',
        content: toMarkdown(views, lines, noteLines),
      };
  }
}

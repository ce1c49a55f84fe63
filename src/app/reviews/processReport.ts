import { spreadOf } from '../../domain/activity1';
import type { Vote } from '../../domain/district';
import { comparedRounds, compareGroups } from '../../domain/groups';
import type { Review } from '../../domain/review';
import type { Rubric } from '../../domain/rubric';
import type { Store } from '../ports';

/**
 * The parts of a review's cycle that happen around its rounds, for its results and exports: the Activity 1 shown
 * before its first round (the spread over the learner outcomes and the reasons), and its small groups' comparison
 * (each group's median and counts per row, and where the groups differ). Built from the stored records only.
 */
export interface Activity1Report {
  /** People who picked an outcome. */
  total: number;
  outcomes: Array<{
    number: number;
    text: string;
    count: number;
    /** `name` is null in an anonymous review. */
    reasons: Array<{ name: string | null; reason: string }>;
  }>;
}

export interface GroupsReport {
  /** The round compared: the latest since the split with votes recorded in a group. */
  round: number;
  groups: Array<{ name: string; size: number }>;
  rows: Array<{
    rowNumber: number;
    title: string;
    groups: Array<{ name: string; median: number | null; levels: number[]; unsure: number; total: number }>;
    outside: number;
    gap: number | null;
    differ: boolean;
  }>;
}

/** The Activity 1 attached to this review (shown before its first round), or null when there was none. */
export async function activity1Report(
  store: Store,
  review: Review,
  rubric: Rubric,
  names: ReadonlyMap<string, string>,
): Promise<Activity1Report | null> {
  const activity = await store.activity1.forReview(review.tenantId, review.districtId, review.id);
  const content = rubric.activity1;
  if (!activity || !content) return null;
  const picks = await store.activity1.listPicks(activity.id);
  if (!picks.length) return null;
  return {
    total: picks.length,
    outcomes: spreadOf(content.learnerOutcomes.length, picks).map((s) => ({
      number: s.outcome,
      text: content.learnerOutcomes[s.outcome - 1] ?? '',
      count: s.count,
      reasons: s.reasons.map((r) => ({
        name: review.anonymous ? null : r.displayName || names.get(r.memberId) || r.memberId,
        reason: r.reason,
      })),
    })),
  };
}

/**
 * The small groups' comparison as `groups compare` reads it (the latest round since the split with votes in a
 * group), or null when the review was never split. A group of one in an anonymous review is not shown per row
 * (its counts would be that person's vote): only the review's plain results are.
 */
export async function groupsReport(
  store: Store,
  review: Review,
  rubric: Rubric,
): Promise<GroupsReport | null> {
  const split = review.groups;
  if (!split) return null;
  if (review.anonymous && split.groups.some((g) => g.memberIds.length < 2)) return null;
  let round = review.round;
  let votes: Vote[] = [];
  for (const [n, r] of comparedRounds(split, review).entries()) {
    const listed = await store.votes.listRound(review.id, r);
    if (n === 0) [round, votes] = [r, listed];
    if (listed.some((v) => v.group)) {
      [round, votes] = [r, listed];
      break;
    }
  }
  // An open round of a blind review shows nothing before it closes (as `groups compare`).
  if (review.blind && round === review.round && review.roundStatus === 'open') return null;
  const compared = compareGroups(
    rubric.rows.map((r) => r.id),
    votes,
    split.groups.map((g) => g.name),
  );
  return {
    round,
    groups: split.groups.map((g) => ({ name: g.name, size: g.memberIds.length })),
    rows: rubric.rows
      .map((r, i) => ({ r, i, c: compared[i] }))
      .filter(({ c }) => c && (c.groups.some((g) => g.distribution.total > 0) || c.outside > 0))
      .map(({ r, i, c }) => ({
        rowNumber: i + 1,
        title: r.title,
        groups: (c?.groups ?? []).map((g) => ({
          name: g.name,
          median: g.median,
          levels: [...g.distribution.levels],
          unsure: g.distribution.unsure,
          total: g.distribution.total,
        })),
        outside: c?.outside ?? 0,
        gap: c?.gap ?? null,
        differ: c?.differ ?? false,
      })),
  };
}

/** The two parts as Markdown (`cell` escapes a value for a table cell or a line: resultsExport's mdCell). */
export function processMarkdown(
  r: { activity1?: Activity1Report | null; smallGroups?: GroupsReport | null },
  cell: (s: string) => string,
  fmt: (n: number | null) => string,
): string[] {
  const out: string[] = [];
  const a = r.activity1;
  if (a) {
    out.push('', '## Activity 1: the learner outcomes that resonate', '');
    out.push(`${a.total} ${a.total === 1 ? 'person' : 'people'} picked an outcome before round 1.`, '');
    for (const o of a.outcomes) {
      out.push(`- **Outcome ${o.number}** (${o.count}): ${cell(o.text)}`);
      for (const x of o.reasons) out.push(`  - ${cell(x.reason)}${x.name ? ` — ${cell(x.name)}` : ''}`);
    }
  }
  const g = r.smallGroups;
  if (g) {
    out.push('', `## Small groups: round ${g.round}`, '');
    out.push(g.groups.map((x) => `${cell(x.name)} (${x.size})`).join(' · '), '');
    out.push(
      `| # | Row | ${g.groups.map((x) => `${cell(x.name)}: median (1·2·3·4)`).join(' | ')} | Groups |`,
    );
    out.push(`|---|---|${g.groups.map(() => '---|').join('')}---|`);
    for (const row of g.rows) {
      const cells = row.groups.map((x) =>
        x.total
          ? `${fmt(x.median)} (${x.levels.join('·')}${x.unsure ? `, ${x.unsure} not sure` : ''})`
          : 'no votes',
      );
      const verdict = row.gap === null ? '–' : row.differ ? `differ by ${fmt(row.gap)} level(s)` : 'agree';
      out.push(`| ${row.rowNumber} | ${cell(row.title)} | ${cells.join(' | ')} | ${verdict} |`);
    }
  }
  return out;
}

/** The CSV columns of the two parts, added after the plan columns (the earlier columns keep their order). */
export const PROCESS_CSV_COLUMNS = [
  'activity1_outcome_number',
  'activity1_outcome',
  'activity1_count',
  'activity1_reason',
  'activity1_person',
  'group',
  'group_size',
  'groups_gap',
  'groups_differ',
] as const;

type CsvValue = string | number | boolean | null;

/**
 * The two parts as CSV records by column name: an Activity 1 line per reason (an outcome nobody gave a reason for:
 * one line, reason empty); a small-groups line per compared row and group, its counts in the row lines' own
 * columns (`round`, `beginning` … `total`, `median`) with `group` naming it.
 */
export function processCsvRecords(r: {
  activity1?: Activity1Report | null;
  smallGroups?: GroupsReport | null;
  rows: ReadonlyArray<{ rowNumber: number; rowId: string }>;
}): Array<Record<string, CsvValue>> {
  const out: Array<Record<string, CsvValue>> = [];
  for (const o of r.activity1?.outcomes ?? []) {
    const outcome = {
      activity1_outcome_number: o.number,
      activity1_outcome: o.text,
      activity1_count: o.count,
    };
    if (!o.reasons.length) out.push(outcome);
    for (const x of o.reasons) out.push({ ...outcome, activity1_reason: x.reason, activity1_person: x.name });
  }
  const g = r.smallGroups;
  for (const row of g?.rows ?? []) {
    for (const x of row.groups) {
      out.push({
        row_number: row.rowNumber,
        row_id: r.rows.find((y) => y.rowNumber === row.rowNumber)?.rowId ?? null,
        row_title: row.title,
        round: g?.round ?? null,
        beginning: x.levels[0] ?? 0,
        developing: x.levels[1] ?? 0,
        evolving: x.levels[2] ?? 0,
        accomplished: x.levels[3] ?? 0,
        not_sure: x.unsure,
        total: x.total,
        median: x.median,
        group: x.name,
        group_size: g?.groups.find((y) => y.name === x.name)?.size ?? null,
        groups_gap: row.gap,
        groups_differ: row.differ,
      });
    }
  }
  return out;
}

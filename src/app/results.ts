import { z } from 'zod';
import type { Distribution } from '../domain/consensus';
import type { Member, Vote } from '../domain/district';
import { DomainError } from '../domain/errors';
import type { PollStatus, Review } from '../domain/review';
import { type Choice, type Level, levelLabel, type Rubric } from '../domain/rubric';
import { loadOwnReview, rubricFor } from './lookups';
import { Access } from './policy';
import type { RubricCatalog, Store } from './ports';
import { type Actor, actorSchema, idString, parseInput, text } from './schemas';
import { breakAutoLinks, join, neutralizeBidi, plain, type RichText, rich, strong } from './text';

/**
 * Results of a review, row by row, for chats, the dashboard and exports. Built from stored state only; the
 * model never holds a member id, and in anonymous reviews it holds no name either.
 */
export interface RoundFigures {
  round: number;
  distribution: Distribution;
  median: number | null;
  shareAtMode: number;
  rwg: number | null;
  districtMedian: number | null;
  buildingMedian: number | null;
  /** districtMedian − buildingMedian; positive = district rates itself higher than the buildings do. */
  gap: number | null;
  quorum: number;
  settled: boolean;
  reason: 'consensus' | 'no-quorum' | 'no-agreement';
}

export interface EvidenceItem {
  round: number;
  text: string;
  /** Display name; null in anonymous reviews. */
  by: string | null;
  choice: Choice | null;
}

export interface ReflectionAnswer {
  question: number;
  text: string;
  /** Display name; null in anonymous reviews. */
  by: string | null;
  at: Date;
}

export interface RowResult {
  rowId: string;
  rowNumber: number;
  title: string;
  status: PollStatus;
  rating: Level | null;
  /** "Evolving", "Accomplished (Collaborative)" or "not settled". */
  ratingLabel: string;
  how:
    | { kind: 'consensus'; round: number; rule: string | null }
    | { kind: 'decision'; round: number; note: string; by: string | null }
    | null;
  /** Plain-language "how it was reached". */
  howText: string;
  rounds: RoundFigures[];
  /** Gap of the latest closed round. */
  gap: number | null;
  evidence: EvidenceItem[];
  previous: { cycle: string; reviewId: string; rating: Level | null; ratingLabel: string } | null;
  /** rating − previous rating (levels); null when either is missing. */
  change: number | null;
  reflection: ReflectionAnswer[];
}

export interface ReviewResults {
  reviewId: string;
  tenantId: string;
  districtId: string;
  districtName: string;
  cycle: string;
  rubricId: string;
  rubricTitle: string;
  status: 'active' | 'complete';
  round: number;
  roundStatus: 'open' | 'closed';
  blind: boolean;
  anonymous: boolean;
  rule: Review['rule'];
  previousCycle: string | null;
  reflectionQuestions: readonly string[];
  rows: RowResult[];
  rated: number;
}

export const NOT_SETTLED = 'not settled';

const fmt = (n: number | null): string => (n === null ? '–' : String(Math.round(n * 100) / 100));
const signed = (n: number | null): string => (n === null ? '–' : n > 0 ? `+${fmt(n)}` : fmt(n));

export const RULE_TEXT = (rule: Review['rule']): string =>
  rule.kind === 'single-level'
    ? `at least ${Math.round(rule.threshold * 100)}% at one level`
    : `at least ${Math.round(rule.threshold * 100)}% within two adjacent levels (rating = lower median)`;

export interface ResultsInput {
  review: Review;
  rubric: Rubric;
  districtName: string;
  members: readonly Member[];
  /** Votes of the review's closed rounds (open-round votes are ignored). */
  votes: readonly Vote[];
  previous: Review | null;
  reflections: ReadonlyArray<{ rowId: string; question: number; memberId: string; text: string; at: Date }>;
}

/** Pure: builds the results model. */
export function buildResults(i: ResultsInput): ReviewResults {
  const { review, rubric } = i;
  const names = new Map(i.members.map((m) => [m.memberId, m.displayName || m.memberId]));
  const who = (id: string | null): string | null =>
    review.anonymous || id === null ? null : (names.get(id) ?? id);
  const rows = review.polls.map((poll): RowResult => {
    const index = rubric.rows.findIndex((r) => r.id === poll.rowId);
    const title = rubric.rows[index]?.title ?? poll.rowId;
    const closedRounds = new Set(poll.rounds.map((r) => r.round));
    const rounds = poll.rounds.map(
      (r): RoundFigures => ({
        round: r.round,
        distribution: r.stats.distribution,
        median: r.stats.median,
        shareAtMode: r.stats.shareAtMode,
        rwg: r.stats.rwg,
        districtMedian: r.stats.districtMedian,
        buildingMedian: r.stats.buildingMedian,
        gap: r.stats.perspectiveGap,
        quorum: r.quorum,
        settled: r.settled,
        reason: r.reason,
      }),
    );
    const evidence = i.votes
      .filter((v) => v.rowId === poll.rowId && v.evidence && closedRounds.has(v.round))
      .sort((a, b) => a.round - b.round || a.castAt.getTime() - b.castAt.getTime())
      .map((v) => ({
        round: v.round,
        text: v.evidence as string,
        by: who(v.memberId),
        choice: review.anonymous ? null : v.choice,
      }));
    const o = poll.outcome;
    const rating = o?.rating ?? null;
    const how: RowResult['how'] = !o
      ? null
      : o.how === 'consensus'
        ? { kind: 'consensus', round: o.round, rule: o.rule }
        : { kind: 'decision', round: o.round, note: o.note ?? '', by: who(o.decidedBy) };
    let howText: string;
    if (how?.kind === 'consensus') howText = `consensus in round ${how.round} (${RULE_TEXT(review.rule)})`;
    else if (how?.kind === 'decision')
      howText = `recorded decision after round ${how.round}${how.by ? ` by ${how.by}` : ''}: ${how.note}`;
    else if (poll.status === 'voting') howText = `round ${review.round} open`;
    else if (poll.status === 'needs-decision')
      howText = 'no consensus after the last round: needs a decision';
    else howText = 'no consensus yet';
    const prevPoll = i.previous?.polls.find((p) => p.rowId === poll.rowId);
    const prevRating = prevPoll?.outcome?.rating ?? null;
    const previous =
      i.previous && prevPoll
        ? {
            cycle: i.previous.cycle,
            reviewId: i.previous.id,
            rating: prevRating,
            ratingLabel: prevRating ? levelLabel(rubric, prevRating) : NOT_SETTLED,
          }
        : null;
    const reflection = i.reflections
      .filter((a) => a.rowId === poll.rowId)
      .sort((a, b) => a.question - b.question || a.at.getTime() - b.at.getTime())
      .map((a) => ({ question: a.question, text: a.text, by: who(a.memberId), at: a.at }));
    return {
      rowId: poll.rowId,
      rowNumber: index + 1,
      title,
      status: poll.status,
      rating,
      ratingLabel: rating ? levelLabel(rubric, rating) : NOT_SETTLED,
      how,
      howText,
      rounds,
      gap: rounds[rounds.length - 1]?.gap ?? null,
      evidence,
      previous,
      change: rating !== null && prevRating !== null ? rating - prevRating : null,
      reflection,
    };
  });
  return {
    reviewId: review.id,
    tenantId: review.tenantId,
    districtId: review.districtId,
    districtName: i.districtName,
    cycle: review.cycle,
    rubricId: rubric.id,
    rubricTitle: rubric.title,
    status: review.status,
    round: review.round,
    roundStatus: review.roundStatus,
    blind: review.blind,
    anonymous: review.anonymous,
    rule: review.rule,
    previousCycle: i.previous?.cycle ?? null,
    reflectionQuestions: rubric.reflectionQuestions,
    rows,
    rated: rows.filter((r) => r.rating !== null).length,
  };
}

/** A few lines for a chat reply: each row's rating, how it was reached, gap and change since the last cycle. */
export function resultsSummary(r: ReviewResults): RichText {
  const lines = r.rows.map((row) => {
    // howText quotes a decision's note and who decided: a user value as a whole.
    const parts = [
      rich`${row.rowNumber}. ${plain(row.title)} — ${strong(plain(row.ratingLabel))}, ${row.howText}`,
    ];
    if (row.gap !== null && row.gap !== 0) parts.push(plain(`district − building ${signed(row.gap)}`));
    if (row.change !== null && r.previousCycle) {
      parts.push(
        row.change === 0
          ? rich`same as ${r.previousCycle}`
          : rich`${plain(signed(row.change))} since ${r.previousCycle}`,
      );
    }
    return join(parts, ' · ');
  });
  return join(
    [rich`Results of ${strong(r.cycle)}: ${r.rated} of ${r.rows.length} rows rated.`, ...lines],
    '\n',
  );
}

// ---------------------------------------------------------------- exports

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
] as const;

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
const csvCell = (v: string | number | boolean | null): string => {
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
      lines.push([...base, ...figures, ...tail].map(csvCell).join(','));
    }
  }
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
const mdCell = (s: string): string =>
  breakAutoLinks(neutralizeBidi(s))
    .replace(/[\\`*_{}[\]<>()#!|~&$]/g, '\\$&')
    .replace(/\r?\n|\r/g, ' ');

export function toMarkdown(r: ReviewResults): string {
  const out: string[] = [];
  out.push(`# ${mdCell(r.rubricTitle)}`);
  out.push('');
  out.push(
    `**District:** ${mdCell(r.districtName)}  \n**Cycle:** ${mdCell(r.cycle)}  \n**Status:** ${r.status === 'complete' ? 'complete' : `in progress (round ${r.round} ${r.roundStatus})`}  \n**Consensus rule:** ${RULE_TEXT(r.rule)}${r.anonymous ? '  \n**Anonymous review:** no names are recorded here.' : ''}`,
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
  out.push('');
  return out.join('\n');
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

// ---------------------------------------------------------------- dashboard

export interface DashboardCell {
  reviewId: string;
  rating: Level | null;
  status: PollStatus;
}

export interface DashboardRow {
  rowId: string;
  rowNumber: number;
  title: string;
  /** One per cycle column, oldest first; null when that review does not cover the row. */
  cells: Array<DashboardCell | null>;
  /** Distribution of the latest closed round of this row in the latest review (null before any close). */
  latest: { round: number; distribution: Distribution; gap: number | null } | null;
}

export interface DashboardRubric {
  rubricId: string;
  rubricTitle: string;
  levelNames: string[];
  cycles: Array<{ reviewId: string; cycle: string; status: 'active' | 'complete'; round: number }>;
  rows: DashboardRow[];
}

export interface Dashboard {
  tenantId: string;
  districtId: string;
  districtName: string;
  rubrics: DashboardRubric[];
}

/** Pure: rows × cycles per rubric, oldest cycle first. `reviews` may come in any order. */
export function buildDashboard(
  district: { tenantId: string; id: string; name: string },
  reviews: readonly Review[],
  rubrics: RubricCatalog,
): Dashboard {
  const byRubric = new Map<string, Review[]>();
  for (const r of [...reviews].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const list = byRubric.get(r.rubricId) ?? [];
    list.push(r);
    byRubric.set(r.rubricId, list);
  }
  const out: DashboardRubric[] = [];
  for (const [rubricId, list] of byRubric) {
    const rubric = rubrics.get(rubricId);
    if (!rubric) continue;
    const latest = list[list.length - 1];
    out.push({
      rubricId,
      rubricTitle: rubric.title,
      levelNames: rubric.levels.map((l) => l.name),
      cycles: list.map((r) => ({ reviewId: r.id, cycle: r.cycle, status: r.status, round: r.round })),
      rows: rubric.rows.map((row, idx) => {
        const lastPoll = latest?.polls.find((p) => p.rowId === row.id);
        const lastRound = lastPoll?.rounds[lastPoll.rounds.length - 1];
        return {
          rowId: row.id,
          rowNumber: idx + 1,
          title: row.title,
          cells: list.map((r) => {
            const p = r.polls.find((x) => x.rowId === row.id);
            return p ? { reviewId: r.id, rating: p.outcome?.rating ?? null, status: p.status } : null;
          }),
          latest: lastRound
            ? {
                round: lastRound.round,
                distribution: lastRound.stats.distribution,
                gap: lastRound.stats.perspectiveGap,
              }
            : null,
        };
      }),
    });
  }
  return { tenantId: district.tenantId, districtId: district.id, districtName: district.name, rubrics: out };
}

// ---------------------------------------------------------------- use cases

export const REFLECTION_NS = (reviewId: string) => `reflection:${reviewId}`;

interface StoredAnswer {
  rowId: string;
  question: number;
  memberId: string;
  text: string;
  at: string;
}

const reflectionInput = z.object({
  reviewId: idString,
  rowId: idString,
  question: z.number().int().min(1, 'must be 1 or more').max(20),
  answer: text(2000),
});

export interface ResultsServiceDeps {
  store: Store;
  rubrics: RubricCatalog;
  clock: { now(): Date };
}

/** Results, reflection answers, exports and the district dashboard. */
export class ResultsService {
  private readonly access: Access;

  constructor(private readonly d: ResultsServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  private load(tenantId: string, reviewId: string): Promise<Review> {
    return loadOwnReview(this.d.store, tenantId, reviewId);
  }

  private rubricOf(review: Review): Rubric {
    return rubricFor(this.d.rubrics, review);
  }

  async results(actorIn: Actor, input: unknown): Promise<ReviewResults> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(z.object({ reviewId: idString }), input);
    return this.resultsOf(await this.access.review(actor, reviewId, 'review.read'));
  }

  /** Results of a review already known to belong to the caller's tenant (e.g. from a signed dashboard link). */
  async resultsOf(review: Review): Promise<ReviewResults> {
    const rubric = this.rubricOf(review);
    const closedRounds = new Set(review.polls.flatMap((p) => p.rounds.map((r) => r.round)));
    const [district, members, all, votes, stored] = await Promise.all([
      this.d.store.districts.get(review.tenantId, review.districtId),
      this.d.store.members.list(review.tenantId, review.districtId),
      this.d.store.reviews.listByDistrict(review.tenantId, review.districtId),
      Promise.all([...closedRounds].map((r) => this.d.store.votes.listRound(review.id, r))),
      this.d.store.kv.list<StoredAnswer>(REFLECTION_NS(review.id)),
    ]);
    const previous =
      all
        .filter(
          (r) =>
            r.id !== review.id &&
            r.rubricId === review.rubricId &&
            r.createdAt.getTime() < review.createdAt.getTime(),
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null;
    return buildResults({
      review,
      rubric,
      districtName: district?.name ?? review.districtId,
      members,
      votes: votes.flat(),
      previous,
      reflections: stored.map((s) => ({ ...s.value, at: new Date(s.value.at) })),
    });
  }

  async export(actorIn: Actor, input: unknown): Promise<ExportFile> {
    const i = parseInput(
      z.object({
        reviewId: idString,
        format: z.enum(['csv', 'json', 'md'], { error: 'must be csv, json or md' }),
      }),
      input,
    );
    return exportResults(await this.results(actorIn, { reviewId: i.reviewId }), i.format);
  }

  /**
   * Keeps a member's answer to one reflection question on a rated row (one answer per member and question; a
   * new answer replaces the member's earlier one).
   */
  async answerReflection(actorIn: Actor, input: unknown): Promise<RowResult> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(reflectionInput, input);
    const review = await this.access.review(actor, i.reviewId, 'review.reflect');
    const rubric = this.rubricOf(review);
    const poll = review.polls.find((p) => p.rowId === i.rowId);
    if (!poll) throw new DomainError('unknown-row', `This review has no rubric row "${i.rowId}".`);
    if (i.question > rubric.reflectionQuestions.length) {
      throw new DomainError(
        'invalid-input',
        `There are ${rubric.reflectionQuestions.length} reflection questions: choose 1 to ${rubric.reflectionQuestions.length}.`,
        { question: 'out of range' },
      );
    }
    if (!poll.outcome) {
      throw new DomainError(
        'invalid-state',
        'This row has no rating yet: reflect on it once the team has settled its rating.',
      );
    }
    const value: StoredAnswer = {
      rowId: i.rowId,
      question: i.question,
      memberId: actor.userId,
      text: i.answer,
      at: this.d.clock.now().toISOString(),
    };
    await this.d.store.kv.put(REFLECTION_NS(review.id), `${i.rowId}|${i.question}|${actor.userId}`, value);
    const results = await this.resultsOf(review);
    return results.rows.find((r) => r.rowId === i.rowId) as RowResult;
  }

  /** The dashboard of one district; the caller must already hold access to (tenantId, districtId). */
  async dashboard(tenantId: string, districtId: string): Promise<Dashboard> {
    const district = await this.d.store.districts.get(tenantId, districtId);
    if (!district) throw new DomainError('unknown-district', 'That district does not exist here.');
    const reviews = await this.d.store.reviews.listByDistrict(tenantId, districtId);
    return buildDashboard(district, reviews, this.d.rubrics);
  }

  /** A review of the given district, refused as unknown when it belongs to another district or tenant. */
  async reviewOfDistrict(tenantId: string, districtId: string, reviewId: string): Promise<Review> {
    const review = await this.load(tenantId, parseInput(idString, reviewId));
    if (review.districtId !== districtId) {
      throw new DomainError('unknown-review', 'That review does not exist here (it may have been removed).');
    }
    return review;
  }
}

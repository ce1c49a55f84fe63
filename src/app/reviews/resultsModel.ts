import type { Distribution } from '../../domain/consensus';
import type { Member, Vote } from '../../domain/district';
import type { Reflection } from '../../domain/reflection';
import type { PollStatus, Review } from '../../domain/review';
import { type Choice, type Level, levelLabel, type Rubric } from '../../domain/rubric';
import type { ActionView } from '../actions/actionViews';
import type { PlansReport } from '../plans/planReport';
import { join, plain, type RichText, rich, strong, table } from '../text';
import { showDay } from '../when';
import type { Activity1Report, GroupsReport } from './processReport';

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
    | {
        kind: 'decision';
        round: number;
        note: string;
        by: string | null;
        /** Earlier decisions this one corrected, oldest first. */
        corrected: Array<{ rating: number; ratingLabel: string; note: string; by: string | null; at: Date }>;
      }
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
  status: Review['status'];
  /** When and why the review was cancelled (who is not exported: it would name a member); null unless cancelled. */
  cancelled: { at: Date; reason: string } | null;
  /** The district's time zone, in which the human-readable dates are given (machine timestamps are ISO/UTC). */
  timezone: string;
  round: number;
  roundStatus: 'open' | 'closed';
  blind: boolean;
  anonymous: boolean;
  rule: Review['rule'];
  previousCycle: string | null;
  reflectionQuestions: readonly string[];
  rows: RowResult[];
  rated: number;
  /** The actions written in this review (owners are named even in anonymous reviews: an assignment, not a vote). */
  actions: ActionView[];
  /**
   * The district's Activity 3 action plans as they stand when the results are read (plans have no cycle): null when
   * this server has no "Maintaining Balance" table.
   */
  plans: PlansReport | null;
  /** The Activity 1 shown before round 1 (./processReport.ts); absent or null when there was none. */
  activity1?: Activity1Report | null;
  /** The small groups' comparison, when the review was split into groups. */
  smallGroups?: GroupsReport | null;
}

export const NOT_SETTLED = 'not settled';

/** A figure rounded to two decimals, or "–" when there is none (chat replies and exports). */
export const fmt = (n: number | null): string => (n === null ? '–' : String(Math.round(n * 100) / 100));
/** `fmt` with a sign: "+0.5", "-1", "0" or "–". */
export const signed = (n: number | null): string => (n === null ? '–' : n > 0 ? `+${fmt(n)}` : fmt(n));

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
  reflections: readonly Reflection[];
  /** The review's actions, as people read them (actions/actionViews.ts). */
  actions?: readonly ActionView[];
  /** The district's action plans as they stand (plans/planReport.ts). */
  plans?: PlansReport | null;
  /** The district's time zone: human-readable dates (cancelled on, done on) are in it. */
  timezone: string;
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
        : {
            kind: 'decision',
            round: o.round,
            note: o.note ?? '',
            by: who(o.decidedBy),
            corrected: (o.corrected ?? []).map((c) => ({
              rating: c.rating,
              ratingLabel: levelLabel(rubric, c.rating as Level),
              note: c.note,
              by: who(c.decidedBy),
              at: c.at,
            })),
          };
    let howText: string;
    if (how?.kind === 'consensus') howText = `consensus in round ${how.round} (${RULE_TEXT(review.rule)})`;
    else if (how?.kind === 'decision')
      howText =
        `recorded decision after round ${how.round}${how.by ? ` by ${how.by}` : ''}: ${how.note}` +
        how.corrected
          .map((c) => `; corrects ${c.ratingLabel}${c.by ? ` by ${c.by}` : ''}: ${c.note}`)
          .join('');
    else if (review.status === 'cancelled') howText = 'not settled: the review was cancelled';
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
    cancelled:
      review.status === 'cancelled'
        ? { at: review.cancellation?.at ?? review.createdAt, reason: review.cancellation?.reason ?? '' }
        : null,
    timezone: i.timezone,
    round: review.round,
    roundStatus: review.roundStatus,
    blind: review.blind,
    anonymous: review.anonymous,
    rule: review.rule,
    previousCycle: i.previous?.cycle ?? null,
    reflectionQuestions: rubric.reflectionQuestions,
    rows,
    rated: rows.filter((r) => r.rating !== null).length,
    actions: [...(i.actions ?? [])],
    plans: i.plans ?? null,
  };
}

/** The review's state in one phrase: "complete", "cancelled on 2026-12-01: why" or "in progress (round 2 open)". */
export function statusText(
  r: Pick<ReviewResults, 'status' | 'cancelled' | 'round' | 'roundStatus' | 'timezone'>,
): string {
  if (r.status === 'complete') return 'complete';
  if (r.cancelled) {
    return `cancelled on ${showDay(r.cancelled.at, r.timezone)}${r.cancelled.reason ? `: ${r.cancelled.reason}` : ''}`;
  }
  return `in progress (round ${r.round} ${r.roundStatus})`;
}

/**
 * The results for a chat reply: a line, then a table with a row per rubric row (its rating, how it was reached,
 * and the gap and change since the last cycle).
 */
export function resultsSummary(r: ReviewResults): RichText {
  const rows = r.rows.map((row) => {
    const notes: RichText[] = [];
    if (row.gap !== null && row.gap !== 0) notes.push(plain(`district − building ${signed(row.gap)}`));
    if (row.change !== null && r.previousCycle) {
      notes.push(
        row.change === 0
          ? rich`same as ${r.previousCycle}`
          : rich`${plain(signed(row.change))} since ${r.previousCycle}`,
      );
    }
    // howText quotes a decision's note and who decided: a user value as a whole.
    return [
      plain(`${row.rowNumber}. ${row.title}`),
      strong(plain(row.ratingLabel)),
      row.howText,
      notes.length ? join(notes, ' · ') : plain('—'),
    ];
  });
  const cancelled = r.cancelled ? rich`\nThis review was ${plain(statusText(r))}.` : '';
  return rich`Results of ${strong(r.cycle)}: ${r.rated} of ${r.rows.length} rows rated.${cancelled}\n${table(
    ['Row', 'Rating', 'How it was reached', 'Gap and change'].map(plain),
    rows,
  )}`;
}

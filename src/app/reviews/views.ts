import type { Distribution, RowStats } from '../../domain/consensus';
import type { Member, Vote } from '../../domain/district';
import { type Cancellation, isVoting, type Poll, type PollStatus, type Review } from '../../domain/review';
import { countedVotes, electorate } from '../../domain/roster';
import {
  type Choice,
  cellText,
  LEVELS_ACCOMPLISHED_FIRST,
  type Level,
  levelLabel,
  type Rubric,
  type RubricRow,
} from '../../domain/rubric';
import type { LastCycleActions } from '../actions/actionViews';

/**
 * Channel-neutral view models: everything a Slack or Teams renderer needs to draw a poll, and nothing that the
 * viewer may not see (no choices of others in anonymous reviews, no distribution in an open blind round).
 */
export interface LevelOption {
  level: Level;
  label: string; // "Accomplished (Collaborative)"
  name: string; // "Accomplished"
  text: string;
}

export interface EvidenceView {
  text: string;
  /** Null in anonymous reviews. */
  by: string | null;
  choice: Choice | null;
}

export interface ResultView {
  rating: Level;
  label: string;
  how: 'consensus' | 'decision';
  round: number;
  note: string | null;
}

export interface RoundView {
  round: number;
  distribution: Distribution;
  stats: RowStats;
  settled: boolean;
  reason: 'consensus' | 'no-quorum' | 'no-agreement';
  quorum: number;
}

export interface PollView {
  reviewId: string;
  /** The review's cycle name ("2026-27 Fall"): what people call the review; the id stays internal. */
  cycle: string;
  rowId: string;
  rowNumber: number;
  rowCount: number;
  title: string;
  /** Accomplished first, as the toolkit asks teams to read them. */
  levels: LevelOption[];
  status: PollStatus;
  round: number;
  votingOpen: boolean;
  /** The review was cancelled: no more votes, whatever the row's status. */
  cancelled: boolean;
  blind: boolean;
  anonymous: boolean;
  participation: {
    voted: number;
    eligible: number;
    /** Display names of members who have not voted this round; null when anonymous. */
    notVoted: string[] | null;
  };
  /** Current round's distribution; null while hidden (blind review, round open). */
  distribution: Distribution | null;
  /** Evidence cited this round; only when the distribution is visible. */
  evidence: EvidenceView[];
  /** The previous round of this row (shown in a later round). */
  previousRound: (RoundView & { evidence: EvidenceView[] }) | null;
  /** Latest closed round's numbers. */
  lastRound: RoundView | null;
  result: ResultView | null;
  /** The viewer's own current choice, when a viewer is known. */
  myChoice: Choice | null;
  myEvidence: string | null;
  /** Last cycle's actions for this row and whether each was done; null when it had none. */
  lastCycleActions: LastCycleActions | null;
}

export interface ReviewView {
  reviewId: string;
  tenantId: string;
  districtId: string;
  channelId: string;
  cycle: string;
  rubricId: string;
  rubricTitle: string;
  round: number;
  roundStatus: 'open' | 'closed';
  status: Review['status'];
  /** Who cancelled the review, when and why; null unless cancelled. */
  cancellation: Cancellation | null;
  blind: boolean;
  anonymous: boolean;
  deadline: Date | null;
  /** The deadline for people, in the district's time zone ("Tue 2026-12-15 12:00 EST"); null when none. */
  deadlineText: string | null;
  rule: Review['rule'];
  maxRounds: number;
  memberCount: number;
  polls: PollView[];
  reflectionQuestions: readonly string[];
}

const roundView = (p: Poll['rounds'][number]): RoundView => ({
  round: p.round,
  distribution: p.stats.distribution,
  stats: p.stats,
  settled: p.settled,
  reason: p.reason,
  quorum: p.quorum,
});

export function levelOptions(rubric: Rubric, row: RubricRow): LevelOption[] {
  return LEVELS_ACCOMPLISHED_FIRST.map((level) => ({
    level,
    label: levelLabel(rubric, level),
    name: rubric.levels[level - 1]?.name ?? String(level),
    text: cellText(row, level),
  }));
}

const evidenceOf = (
  votes: readonly Vote[],
  anonymous: boolean,
  names: ReadonlyMap<string, string>,
): EvidenceView[] =>
  votes
    .filter((v) => v.evidence)
    .sort((a, b) => a.castAt.getTime() - b.castAt.getTime())
    .map((v) => ({
      text: v.evidence as string,
      by: anonymous ? null : (names.get(v.memberId) ?? v.memberId),
      choice: anonymous ? null : v.choice,
    }));

export interface PollViewInput {
  review: Review;
  rubric: Rubric;
  poll: Poll;
  members: readonly Member[];
  /** Votes of the poll's current round. */
  votes: readonly Vote[];
  /** Votes of the poll's previous round (for evidence), if any. */
  previousVotes: readonly Vote[];
  viewerId: string | null;
  /** Last cycle's actions for this row (actions/actionViews.ts `lastCycleActions`). */
  lastCycleActions?: LastCycleActions | null;
}

export function buildPollView(i: PollViewInput): PollView {
  const { review, rubric, poll } = i;
  const rowIndex = rubric.rows.findIndex((r) => r.id === poll.rowId);
  const row = rubric.rows[rowIndex];
  if (!row) throw new Error(`rubric ${rubric.id} has no row ${poll.rowId}`);
  const names = new Map(i.members.map((m) => [m.memberId, m.displayName || m.memberId]));
  const votingOpen = isVoting(review, poll);
  // The round the poll is "in": the current round while voting, else the last round it took part in.
  const last = poll.rounds[poll.rounds.length - 1] ?? null;
  const round = votingOpen ? review.round : (last?.round ?? review.round);
  const visible = !votingOpen || !review.blind;
  // Who the quorum counts (the review's roster, src/domain/roster.ts); votes of people taken off it do not count.
  const e = electorate(
    review,
    i.members,
    i.votes.map((v) => v.memberId),
  );
  const votes = countedVotes(i.votes, e);
  const voters = new Set(votes.map((v) => v.memberId));
  const mine = i.viewerId ? i.votes.find((v) => v.memberId === i.viewerId) : undefined;
  const prev = votingOpen
    ? (poll.rounds[poll.rounds.length - 1] ?? null)
    : (poll.rounds[poll.rounds.length - 2] ?? null);
  const distribution = votingOpen
    ? ({
        levels: [1, 2, 3, 4].map((l) => votes.filter((v) => v.choice === l).length) as [
          number,
          number,
          number,
          number,
        ],
        unsure: votes.filter((v) => v.choice === 'unsure').length,
        total: votes.length,
      } satisfies Distribution)
    : (last?.stats.distribution ?? { levels: [0, 0, 0, 0], unsure: 0, total: 0 });
  return {
    reviewId: review.id,
    cycle: review.cycle,
    rowId: poll.rowId,
    rowNumber: rowIndex + 1,
    rowCount: rubric.rows.length,
    title: row.title,
    levels: levelOptions(rubric, row),
    status: poll.status,
    round,
    votingOpen,
    cancelled: review.status === 'cancelled',
    blind: review.blind,
    anonymous: review.anonymous,
    participation: {
      voted: votingOpen ? voters.size : distribution.total,
      eligible: Math.max(e.ids.size, voters.size),
      notVoted: review.anonymous
        ? null
        : [...e.ids].filter((id) => !voters.has(id)).map((id) => names.get(id) ?? id),
    },
    distribution: visible ? distribution : null,
    evidence: visible ? evidenceOf(votes, review.anonymous, names) : [],
    previousRound: prev
      ? { ...roundView(prev), evidence: evidenceOf(i.previousVotes, review.anonymous, names) }
      : null,
    lastRound: last ? roundView(last) : null,
    result: poll.outcome
      ? {
          rating: poll.outcome.rating,
          label: levelLabel(rubric, poll.outcome.rating),
          how: poll.outcome.how,
          round: poll.outcome.round,
          note: poll.outcome.note,
        }
      : null,
    myChoice: mine?.choice ?? null,
    myEvidence: mine?.evidence ?? null,
    lastCycleActions: i.lastCycleActions ?? null,
  };
}

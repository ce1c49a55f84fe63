import {
  type ConsensusRule,
  computeStats,
  decide,
  quorumFor,
  type RowStats,
  type TallyVote,
} from './consensus';
import type { Vote } from './district';
import { DomainError } from './errors';
import type { Level, Rubric } from './rubric';

/**
 * A review is one district team's self-assessment of a rubric for a cycle (e.g. "2026-27 Fall"), held in one
 * channel, with one poll per rubric row. Rounds are review-wide: closing a round closes every poll still voting;
 * the next round reopens only the rows that did not reach consensus.
 */
export type PollStatus =
  | 'voting' // open in the current round
  | 'settled' // consensus reached
  | 'unsettled' // round closed without consensus; another round may run
  | 'needs-decision' // maximum rounds reached without consensus: a coordinator records the rating
  | 'decided'; // a coordinator recorded the rating with a note

export interface RoundResult {
  round: number;
  closedAt: Date;
  stats: RowStats;
  quorum: number;
  settled: boolean;
  rating: Level | null;
  reason: 'consensus' | 'no-quorum' | 'no-agreement';
}

export interface Outcome {
  rating: Level;
  how: 'consensus' | 'decision';
  round: number;
  rule: ConsensusRule['kind'] | null;
  note: string | null;
  decidedBy: string | null;
  at: Date;
  /** Earlier recorded decisions this one corrected, oldest first (absent when never corrected). */
  corrected?: PriorDecision[];
}
/** A recorded decision as it stood before a coordinator corrected it. */
export interface PriorDecision {
  rating: Level;
  note: string;
  decidedBy: string | null;
  at: Date;
}

export interface Poll {
  rowId: string;
  status: PollStatus;
  /** Results of every closed round this row took part in, oldest first. */
  rounds: RoundResult[];
  outcome: Outcome | null;
}

export interface Review {
  id: string;
  tenantId: string;
  districtId: string;
  rubricId: string;
  cycle: string;
  channelId: string;
  /** Blind: no distribution visible until the round closes. */
  blind: boolean;
  /** Anonymous: nobody (coordinators included) sees who voted what; counts and "who has voted" only. */
  anonymous: boolean;
  rule: ConsensusRule;
  maxRounds: number;
  deadline: Date | null;
  round: number;
  roundStatus: 'open' | 'closed';
  roundOpenedAt: Date;
  /** 'cancelled': stopped by a coordinator (`cancellation` says who, when and why); nothing more happens in it. */
  status: 'active' | 'complete' | 'cancelled';
  /** Set when the review was cancelled; absent on reviews stored before cancelling existed (and never cancelled). */
  cancellation?: Cancellation | null;
  polls: Poll[];
  /** Whom the quorum counts: the members at start plus later additions (absent before rosters: every member); set
   * only by the store's roster operations (a save leaves it as stored). */
  roster?: string[];
  groups?: import('./groups').SmallGroups | null; // small groups (./groups.ts); absent: never split
  archived?: import('./reviewArchive').Archival | null; // out of the everyday lists (./reviewArchive.ts)
  createdAt: Date;
  createdBy: string;
  /** Optimistic-concurrency version, bumped by the store on every save. */
  version: number;
}

export type Cancellation = { by: string; at: Date; reason: string };

export interface NewReviewParams {
  id: string;
  tenantId: string;
  districtId: string;
  channelId: string;
  rubric: Rubric;
  cycle: string;
  blind: boolean;
  anonymous: boolean;
  rule: ConsensusRule;
  maxRounds: number;
  deadline: Date | null;
  createdBy: string;
  /** The member ids the review's roster starts with (the district's members at `review start`); none: no roster. */
  roster?: readonly string[];
}

export function createReview(p: NewReviewParams, now: Date): Review {
  if (p.deadline && p.deadline.getTime() <= now.getTime()) {
    throw new DomainError('invalid-input', 'The deadline must be in the future.', {
      deadline: 'in the past',
    });
  }
  return {
    id: p.id,
    tenantId: p.tenantId,
    districtId: p.districtId,
    rubricId: p.rubric.id,
    cycle: p.cycle,
    channelId: p.channelId,
    blind: p.blind,
    anonymous: p.anonymous,
    rule: p.rule,
    maxRounds: p.maxRounds,
    deadline: p.deadline,
    round: 1,
    roundStatus: 'open',
    roundOpenedAt: now,
    status: 'active',
    polls: p.rubric.rows.map((r) => ({ rowId: r.id, status: 'voting', rounds: [], outcome: null })),
    ...(p.roster ? { roster: [...new Set(p.roster)].sort() } : {}),
    createdAt: now,
    createdBy: p.createdBy,
    version: 0,
  };
}

export function findPoll(review: Review, rowId: string): Poll {
  const poll = review.polls.find((p) => p.rowId === rowId);
  if (!poll) throw new DomainError('unknown-row', `This review has no rubric row "${rowId}".`);
  return poll;
}

/** True once the close of `round` has saved its results for `rowId` (the row's result for that round exists). */
export function roundResultsSaved(review: Review, rowId: string, round: number): boolean {
  if (review.round > round) return true;
  return review.polls.find((p) => p.rowId === rowId)?.rounds.some((r) => r.round === round) ?? true;
}

/** Whether `poll` takes votes now (its deadline aside): the review goes on, the round is open, the row voting. */
export function isVoting(review: Review, poll: Poll): boolean {
  return review.status !== 'cancelled' && review.roundStatus === 'open' && poll.status === 'voting';
}

/** Refuses any change to a cancelled review (close, next round, decision, deadline). */
export function assertNotCancelled(review: Review): void {
  if (review.status !== 'cancelled') return;
  const why = review.cancellation?.reason ? ` (${review.cancellation.reason})` : '';
  throw new DomainError(
    'invalid-state',
    `“${review.cycle}” was cancelled${why}: nothing more can be done in it. Start a new review with review start.`,
  );
}

/** Throws unless a vote on `rowId` may be cast at `now`. */
export function assertVotingOpen(review: Review, rowId: string, now: Date): Poll {
  const poll = findPoll(review, rowId);
  if (review.status === 'cancelled') {
    throw new DomainError(
      'round-closed',
      `“${review.cycle}” was cancelled, so voting is closed. Your vote was not recorded.`,
    );
  }
  if (review.roundStatus !== 'open' || poll.status !== 'voting') {
    throw new DomainError(
      'round-closed',
      `Voting on this row is closed (round ${review.round}). Your vote was not recorded.`,
    );
  }
  if (review.deadline && now.getTime() > review.deadline.getTime()) {
    throw new DomainError(
      'deadline-passed',
      `The deadline for this review passed at ${review.deadline.toISOString()}. Your vote was not recorded.`,
    );
  }
  return poll;
}

/**
 * Closing a round is two saves, so that no vote is accepted while the round's votes are read:
 * 1. `beginCloseRound`: the round is marked closed (saved with a version check, so two coordinators cannot both
 *    close it);
 * 2. the round's votes are read, and `finishCloseRound` gives every row still voting its statistics and verdict.
 *
 * Step 1: the review to save before the votes are read, or null when a close interrupted after step 1 (round
 * marked closed, rows still voting) is being completed: that one is finished, not refused.
 */
export function beginCloseRound(review: Review): Review | null {
  assertNotCancelled(review);
  const interrupted = review.roundStatus === 'closed' && review.polls.some((p) => p.status === 'voting');
  if (review.roundStatus !== 'open' && !interrupted) {
    throw new DomainError('invalid-state', `Round ${review.round} is already closed.`);
  }
  return interrupted ? null : { ...review, roundStatus: 'closed' };
}

/**
 * Step 2: every row still voting gets its statistics and verdict from the round's votes. Rows that reached
 * consensus are settled; the others await another round, or a coordinator's decision once `maxRounds` rounds
 * have run. The review is complete once every row has a rating.
 */
export function finishCloseRound(
  review: Review,
  votesByRow: ReadonlyMap<string, readonly TallyVote[]>,
  memberCount: number,
  now: Date,
): Review {
  assertNotCancelled(review);
  if (review.roundStatus !== 'closed') {
    throw new DomainError('invalid-state', `Round ${review.round} is still open: mark it closed first.`);
  }
  const polls = review.polls.map((poll): Poll => {
    if (poll.status !== 'voting') return poll;
    const stats = computeStats(votesByRow.get(poll.rowId) ?? []);
    const verdict = decide(stats, review.rule, memberCount);
    const result: RoundResult = {
      round: review.round,
      closedAt: now,
      stats,
      quorum: quorumFor(review.rule, memberCount),
      settled: verdict.settled,
      rating: verdict.rating,
      reason: verdict.reason,
    };
    if (verdict.settled) {
      return {
        ...poll,
        status: 'settled',
        rounds: [...poll.rounds, result],
        outcome: {
          rating: verdict.rating,
          how: 'consensus',
          round: review.round,
          rule: review.rule.kind,
          note: null,
          decidedBy: null,
          at: now,
        },
      };
    }
    return {
      ...poll,
      status: review.round >= review.maxRounds ? 'needs-decision' : 'unsettled',
      rounds: [...poll.rounds, result],
    };
  });
  return withCompletion({ ...review, polls });
}

/** Both steps at once, for a round that is open (no store in between). */
export function closeRound(
  review: Review,
  votesByRow: ReadonlyMap<string, readonly TallyVote[]>,
  memberCount: number,
  now: Date,
): Review {
  assertNotCancelled(review);
  if (review.roundStatus !== 'open') {
    throw new DomainError('invalid-state', `Round ${review.round} is already closed.`);
  }
  return finishCloseRound({ ...review, roundStatus: 'closed' }, votesByRow, memberCount, now);
}

/** The round's votes as the consensus math takes them, by row. */
export function votesByRow(votes: readonly Vote[]): Map<string, TallyVote[]> {
  const byRow = new Map<string, TallyVote[]>();
  for (const v of votes) {
    const list = byRow.get(v.rowId) ?? [];
    list.push({ choice: v.choice, perspective: v.perspective });
    byRow.set(v.rowId, list);
  }
  return byRow;
}

/**
 * The deadline of the next round. None given (`undefined`): the review's deadline carries over while it is still
 * ahead; once it has passed, the coordinator must say what the new round gets (a new deadline, or `null` for none)
 * instead of it silently vanishing.
 */
export function nextRoundDeadline(review: Review, given: Date | null | undefined, now: Date): Date | null {
  assertNotCancelled(review);
  if (given !== undefined) return given;
  if (review.deadline && review.deadline.getTime() <= now.getTime()) {
    throw new DomainError(
      'invalid-input',
      `The review's deadline (${review.deadline.toISOString()}) has passed: give round ${review.round + 1} a new one, e.g. deadline=${new Date(now.getTime() + 7 * 86_400_000).toISOString().slice(0, 10)}T17:00Z, or deadline=none to run it without one.`,
      { deadline: 'passed' },
    );
  }
  return review.deadline;
}

/** Opens the next round for the rows without consensus. */
export function startNextRound(review: Review, now: Date, deadline: Date | null = review.deadline): Review {
  assertNotCancelled(review);
  if (review.roundStatus !== 'closed') {
    throw new DomainError('invalid-state', `Round ${review.round} is still open: close it first.`);
  }
  const reopen = review.polls.filter((p) => p.status === 'unsettled');
  if (reopen.length === 0) {
    const waiting = review.polls.filter((p) => p.status === 'needs-decision').length;
    throw new DomainError(
      'invalid-state',
      waiting > 0
        ? `No row can have another round: ${waiting} row(s) reached the maximum of ${review.maxRounds} rounds and need a recorded decision.`
        : 'Every row already has a rating: there is nothing to vote on again.',
    );
  }
  if (deadline && deadline.getTime() <= now.getTime()) {
    throw new DomainError('invalid-input', 'The deadline must be in the future.', {
      deadline: 'in the past',
    });
  }
  return {
    ...review,
    round: review.round + 1,
    roundStatus: 'open',
    roundOpenedAt: now,
    deadline,
    polls: review.polls.map((p) => (p.status === 'unsettled' ? { ...p, status: 'voting' } : p)),
  };
}

/** A coordinator records a row's rating (with a note) where the team did not reach consensus, or corrects one
 * recorded so (the earlier kept in `outcome.corrected`); a consensus rating is the team's and is not overwritten. */
export function recordDecision(
  review: Review,
  rowId: string,
  rating: Level,
  note: string,
  by: string,
  now: Date,
): Review {
  assertNotCancelled(review);
  const poll = findPoll(review, rowId);
  const prior = poll.status === 'decided' && poll.outcome?.how === 'decision' ? poll.outcome : null;
  if (poll.status !== 'unsettled' && poll.status !== 'needs-decision' && !prior) {
    const why =
      poll.status === 'voting'
        ? 'this row is still being voted on: close the round first'
        : 'the team reached this rating by consensus';
    throw new DomainError('invalid-state', `A decision cannot be recorded: ${why}.`);
  }
  if (note.trim().length === 0) {
    throw new DomainError('invalid-input', 'A recorded decision needs a note explaining it.', {
      note: 'required',
    });
  }
  const polls = review.polls.map(
    (p): Poll =>
      p.rowId === rowId
        ? {
            ...p,
            status: 'decided',
            outcome: {
              rating,
              how: 'decision',
              round: review.round,
              rule: null,
              note: note.trim(),
              decidedBy: by,
              at: now,
              ...(prior ? { corrected: [...(prior.corrected ?? []), priorDecision(prior)] } : {}),
            },
          }
        : p,
  );
  return withCompletion({ ...review, polls });
}

const priorDecision = (o: Outcome): PriorDecision => ({
  rating: o.rating,
  note: o.note ?? '',
  decidedBy: o.decidedBy,
  at: o.at,
});

function withCompletion(review: Review): Review {
  const done = review.polls.every((p) => p.status === 'settled' || p.status === 'decided');
  return { ...review, status: done ? 'complete' : 'active' };
}

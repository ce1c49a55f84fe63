import { quorumFor } from './consensus';
import type { Member } from './district';
import { isVoting, type Review } from './review';
import { countedVotes, electorate } from './roster';

/**
 * Who has not voted yet, and whether a row has reached its quorum, in the current round of a review. Both count
 * the review's roster (src/domain/roster.ts): people taken off it are neither reminded nor counted.
 */

/** A person on the roster who has not voted on one or more rows still open for voting, and those rows (rubric order). */
export interface NonVoter {
  memberId: string;
  rowIds: string[];
}

/** The rows still open for voting in the current round (none once the round closed or the review ended). */
export function openRowIds(review: Review): string[] {
  return review.polls.filter((p) => isVoting(review, p)).map((p) => p.rowId);
}

/**
 * Everyone on the review's roster who has not voted on at least one row still open for voting in the current round,
 * with those rows; ordered by member id. `votes`: the current round's stored votes (any rows).
 */
export function nonVoters(
  review: Review,
  members: readonly Pick<Member, 'memberId' | 'removedAt'>[],
  votes: readonly { memberId: string; rowId: string; round: number }[],
): NonVoter[] {
  const rows = openRowIds(review);
  if (rows.length === 0) return [];
  const e = electorate(review, members);
  const voted = new Set(votes.filter((v) => v.round === review.round).map((v) => `${v.memberId}|${v.rowId}`));
  const out: NonVoter[] = [];
  for (const memberId of [...e.ids].sort()) {
    const missing = rows.filter((rowId) => !voted.has(`${memberId}|${rowId}`));
    if (missing.length) out.push({ memberId, rowIds: missing });
  }
  return out;
}

/** How far a row's current round is from its quorum: the votes that count, the roster's size, the quorum. */
export interface RowQuorum {
  voted: number;
  eligible: number;
  quorum: number;
  reached: boolean;
}

/** The quorum of one row in the current round, from that row's votes of the round (as the close would count them). */
export function rowQuorum(
  review: Review,
  members: readonly Pick<Member, 'memberId' | 'removedAt'>[],
  rowVotes: readonly { memberId: string }[],
): RowQuorum {
  const e = electorate(
    review,
    members,
    rowVotes.map((v) => v.memberId),
  );
  const voted = countedVotes(rowVotes, e).length;
  const quorum = quorumFor(review.rule, e.ids.size);
  return { voted, eligible: e.ids.size, quorum, reached: voted >= quorum };
}

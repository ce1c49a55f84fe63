import { isActiveMember, type Member } from './district';
import type { Review } from './review';

/**
 * Who a review's quorum and its "N of M voted" count. A review started with a roster counts the people on it
 * (the district's members at `review start`, and those added since: `roster add`, a first vote); a review stored
 * before rosters existed counts every member of the district. Either way:
 * - someone whose vote is in the round is counted, and so is a member who joined the district after the review
 *   started (a late joiner, enrolled by a first vote: the close writes them onto the roster);
 * - a member a coordinator took off the roster (`removedAt`) is not counted, and neither is their vote in a round
 *   that is still open (stored votes are kept: added back before the close, their votes count again). Closed
 *   rounds keep what they counted.
 */
export interface Electorate {
  /** Member ids the quorum counts. */
  ids: Set<string>;
  /** Whether a vote by `memberId` counts (false only for members taken off the roster). */
  counts(memberId: string): boolean;
}

export function electorate(
  review: Pick<Review, 'roster'> & { createdAt?: Date },
  members: readonly (Pick<Member, 'memberId' | 'removedAt'> & { joinedAt?: Date })[],
  voterIds: Iterable<string> = [],
): Electorate {
  const removed = new Set(members.filter((m) => !isActiveMember(m)).map((m) => m.memberId));
  const counts = (id: string) => !removed.has(id);
  const ids = new Set<string>();
  const base = review.roster ?? members.map((m) => m.memberId);
  for (const id of base) if (counts(id)) ids.add(id);
  // Members who joined the district after the review started (a first vote enrolls them) are on its roster too:
  // the vote does not write the review; the close writes them onto it.
  const started = review.createdAt?.getTime();
  if (review.roster && started !== undefined) {
    for (const m of members)
      if (m.joinedAt && m.joinedAt.getTime() >= started && counts(m.memberId)) ids.add(m.memberId);
  }
  for (const id of voterIds) if (counts(id)) ids.add(id);
  return { ids, counts };
}

/** The votes that count (those of members still on the roster). */
export const countedVotes = <V extends { memberId: string }>(votes: readonly V[], e: Electorate): V[] =>
  votes.filter((v) => e.counts(v.memberId));

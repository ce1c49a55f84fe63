import { computeStats } from '../../domain/consensus';
import type { Member } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { activeGroups, type SmallGroup } from '../../domain/groups';
import type { Review } from '../../domain/review';
import * as R from '../../domain/review';
import { rubricFor } from './lookups';
import type { ReviewViewDeps } from './reviewViews';
import { buildPollView, type PollView } from './views';

/**
 * Each small group rates in its own place: while a review is split (domain/groups.ts), every group gets its own
 * copy of each open row's poll (Slack: in the thread of a "Group A: …" message; Teams: as replies to a group card).
 * A group's poll shows only that group: its people's participation and the votes they recorded in the group, so a
 * group rates without seeing the others; votes on it from anyone outside the group are refused
 * (`assertGroupVote`). The whole-team consensus is untouched: every vote counts for its row as before.
 */
export interface GroupPollView extends PollView {
  /** The group whose poll this is (its name: what the vote buttons carry). */
  group: string;
}

export interface GroupThreadsView {
  reviewId: string;
  /** The review's channel, where the groups' threads go. */
  channelId: string;
  cycle: string;
  round: number;
  groups: Array<{
    name: string;
    /** Its people's names, sorted. */
    people: string[];
    /** One poll per row still voting, in rubric order. */
    polls: GroupPollView[];
  }>;
}

/** The split's group named `name` (ended splits too: their polls are still drawn, without vote buttons). */
export function groupNamed(review: Review, name: string): SmallGroup {
  const g = review.groups?.groups.find((x) => x.name === name);
  if (!g) {
    throw new DomainError('invalid-state', `“${review.cycle}” has no small group named “${name}” any more.`);
  }
  return g;
}

/** One group's poll of a row, as `viewerId` may see it. */
export async function loadGroupPoll(
  d: ReviewViewDeps,
  review: Review,
  group: SmallGroup,
  rowId: string,
  viewerId: string | null,
  members?: Promise<Member[]>,
): Promise<GroupPollView> {
  const poll = R.findPoll(review, rowId);
  const votingOpen = R.isVoting(review, poll);
  const round = votingOpen ? review.round : (poll.rounds[poll.rounds.length - 1]?.round ?? review.round);
  const prevRound = votingOpen
    ? poll.rounds[poll.rounds.length - 1]?.round
    : poll.rounds[poll.rounds.length - 2]?.round;
  const inGroup = (v: { group?: string | null }) => v.group === group.name;
  const [memberList, votes, previousVotes] = await Promise.all([
    members ?? d.store.members.list(review.tenantId, review.districtId),
    d.store.votes.listRow(review.id, rowId, round).then((vs) => vs.filter(inGroup)),
    prevRound === undefined
      ? Promise.resolve([])
      : d.store.votes.listRow(review.id, rowId, prevRound).then((vs) => vs.filter(inGroup)),
  ]);
  const view = buildPollView({
    review,
    rubric: rubricFor(d.rubrics, review),
    poll,
    members: memberList,
    votes,
    previousVotes,
    viewerId,
  });
  const names = new Map(memberList.map((m) => [m.memberId, m.displayName || m.memberId]));
  const voters = new Set(votes.map((v) => v.memberId));
  const stats = computeStats(votes);
  // Only while the split lasts may the group vote on its own poll (after `groups clear`: the team's poll).
  const open = view.votingOpen && activeGroups(review)?.groups.some((g) => g.name === group.name) === true;
  return {
    ...view,
    group: group.name,
    votingOpen: open,
    participation: {
      voted: voters.size,
      eligible: Math.max(group.memberIds.length, voters.size),
      notVoted: review.anonymous
        ? null
        : group.memberIds.filter((id) => !voters.has(id)).map((id) => names.get(id) ?? id),
    },
    distribution: view.distribution === null && view.votingOpen ? null : stats.distribution,
    lastCycleActions: null,
  };
}

/** Every group's polls of the rows still voting: what the chats post when a review is split. */
export async function loadGroupThreads(d: ReviewViewDeps, review: Review): Promise<GroupThreadsView> {
  const split = activeGroups(review);
  const members = d.store.members.list(review.tenantId, review.districtId);
  const names = new Map((await members).map((m) => [m.memberId, m.displayName || m.memberId]));
  const rows = review.polls.filter((p) => R.isVoting(review, p)).map((p) => p.rowId);
  const groups = await Promise.all(
    (split?.groups ?? []).map(async (g) => ({
      name: g.name,
      people: g.memberIds.map((id) => names.get(id) ?? id).sort((a, b) => a.localeCompare(b)),
      polls: await Promise.all(rows.map((rowId) => loadGroupPoll(d, review, g, rowId, null, members))),
    })),
  );
  return {
    reviewId: review.id,
    channelId: review.channelId,
    cycle: review.cycle,
    round: review.round,
    groups,
  };
}

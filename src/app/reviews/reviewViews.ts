import type { ActionItem } from '../../domain/action';
import type { Member } from '../../domain/district';
import type { Review } from '../../domain/review';
import * as R from '../../domain/review';
import { lastCycleActions } from '../actions/actionViews';
import type { RubricCatalog, Store } from '../ports';
import { showTime, zoneOf } from '../when';
import { rubricFor } from './lookups';
import { buildPollView, type PollView, type ReviewView } from './views';

/** What drawing a review needs: the stored members and votes, and the rubric catalog. */
export interface ReviewViewDeps {
  store: Store;
  rubrics: RubricCatalog;
}

/**
 * A poll as `viewerId` may see it, with the votes of the round it shows and of the round before. `members` may be
 * passed in when one caller draws several polls of a review (they share the member list).
 */
export async function loadPollView(
  d: ReviewViewDeps,
  review: Review,
  rowId: string,
  viewerId: string | null,
  members?: Promise<Member[]>,
  earlierActions?: Promise<EarlierActions>,
): Promise<PollView> {
  const poll = R.findPoll(review, rowId);
  const rubric = rubricFor(d.rubrics, review);
  const votingOpen = R.isVoting(review, poll);
  const round = votingOpen ? review.round : (poll.rounds[poll.rounds.length - 1]?.round ?? review.round);
  const prevRound = votingOpen
    ? poll.rounds[poll.rounds.length - 1]?.round
    : poll.rounds[poll.rounds.length - 2]?.round;
  const [memberList, votes, previousVotes, earlier] = await Promise.all([
    members ?? d.store.members.list(review.tenantId, review.districtId),
    d.store.votes.listRow(review.id, rowId, round),
    prevRound === undefined ? Promise.resolve([]) : d.store.votes.listRow(review.id, rowId, prevRound),
    earlierActions ?? loadEarlierActions(d, review),
  ]);
  return buildPollView({
    review,
    rubric,
    poll,
    members: memberList,
    votes,
    previousVotes,
    viewerId,
    lastCycleActions: lastCycleActions(review, rowId, earlier.actions, earlier.reviewCreatedAt),
  });
}

/**
 * Several polls of one review (`rowIds`): the member list and the district's earlier actions are read once for all
 * of them, every read begun when this is called. Each poll's votes are still read on their own: with one read of a
 * whole round's votes (tens of thousands in the benchmark's polls) its slow moments were worse on the test server
 * (docs/benchmarks.md, runs 80–89). One promise per row, in order: a row the review does not have fails alone.
 */
export function loadPollViews(
  d: ReviewViewDeps,
  review: Review,
  rowIds: readonly string[],
  viewerId: string | null,
): Promise<PollView>[] {
  if (rowIds.length <= 1) return rowIds.map((rowId) => loadPollView(d, review, rowId, viewerId));
  const members = d.store.members.list(review.tenantId, review.districtId);
  const earlier = loadEarlierActions(d, review);
  // Shared reads that no row ends up awaiting (every row failed) must not be unhandled rejections.
  members.catch(() => undefined);
  earlier.catch(() => undefined);
  return rowIds.map((rowId) => loadPollView(d, review, rowId, viewerId, members, earlier));
}

/** The district's actions of other reviews, and when those reviews began (read only when there are any). */
interface EarlierActions {
  actions: ActionItem[];
  reviewCreatedAt: ReadonlyMap<string, Date>;
}

async function loadEarlierActions(d: ReviewViewDeps, review: Review): Promise<EarlierActions> {
  const all = await d.store.actions.listByDistrict(review.tenantId, review.districtId);
  const actions = all.filter((a) => a.reviewId !== review.id && a.rubricId === review.rubricId);
  if (actions.length === 0) return { actions, reviewCreatedAt: new Map() };
  const reviews = await d.store.reviews.listByDistrict(review.tenantId, review.districtId);
  return { actions, reviewCreatedAt: new Map(reviews.map((r) => [r.id, r.createdAt])) };
}

/** The whole review as `viewerId` may see it: its settings and every poll. */
export async function loadReviewView(
  d: ReviewViewDeps,
  review: Review,
  viewerId: string | null,
): Promise<ReviewView> {
  const rubric = rubricFor(d.rubrics, review);
  const [polls, district] = await Promise.all([
    Promise.all(
      loadPollViews(
        d,
        review,
        review.polls.map((p) => p.rowId),
        viewerId,
      ),
    ),
    review.deadline ? d.store.districts.get(review.tenantId, review.districtId) : null,
  ]);
  return {
    reviewId: review.id,
    tenantId: review.tenantId,
    districtId: review.districtId,
    channelId: review.channelId,
    cycle: review.cycle,
    rubricId: rubric.id,
    rubricTitle: rubric.title,
    round: review.round,
    roundStatus: review.roundStatus,
    status: review.status,
    cancellation: review.cancellation ?? null,
    blind: review.blind,
    anonymous: review.anonymous,
    deadline: review.deadline,
    deadlineText: review.deadline ? showTime(review.deadline, zoneOf(district)) : null,
    rule: review.rule,
    maxRounds: review.maxRounds,
    memberCount: polls[0]?.participation.eligible ?? 0,
    polls,
    reflectionQuestions: rubric.reflectionQuestions,
  };
}

import { z } from 'zod';
import { isActiveMember, type Member, type Vote } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import {
  activeGroups,
  comparedRounds,
  compareGroups,
  endGroups,
  namedGroups,
  type RowComparison,
  type SmallGroup,
  splitEvenly,
  startGroups,
} from '../../domain/groups';
import type { Review } from '../../domain/review';
import { electorate } from '../../domain/roster';
import type { Access } from '../policy';
import type { Clock, RubricCatalog, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { type ComparisonCardView, comparisonCard } from './comparisonCard';
import {
  type GroupPollView,
  type GroupThreadsView,
  groupNamed,
  loadGroupPoll,
  loadGroupThreads,
} from './groupPolls';
import { rubricFor } from './lookups';

/**
 * Small groups (`groups …`, domain/groups.ts): a coordinator splits the open review's roster into named groups
 * (policy rule `groups.manage`); while the split lasts each vote records the voter's group; `groups compare` shows
 * the groups' ratings side by side per row (rule `groups.read`, like results). The split is stored on the review
 * (`Review.groups`, saved with its version check), so the vote path reads it with the review it already loads.
 */
export interface GroupServiceDeps {
  store: Store;
  clock: Clock;
  rubrics: RubricCatalog;
  access: Access;
}

export interface GroupsView {
  cycle: string;
  round: number;
  /** The groups, each with its people's names (sorted). */
  groups: Array<{ name: string; people: string[] }>;
  /** People on the roster in no group (they vote as before; their votes show as "outside the groups"). */
  outside: string[];
  /** Each group's own polls, for the chats to post in the group's thread (./groupPolls.ts). */
  threads: GroupThreadsView;
}

export interface ComparisonView {
  cycle: string;
  /** The round compared: the latest since the split with votes recorded in a group. */
  round: number;
  roundOpen: boolean;
  /** Whether the split is still in force (false after `groups clear`). */
  active: boolean;
  /** The split's groups and their people (names). */
  groups: GroupsView['groups'];
  rows: Array<{ rowNumber: number; title: string } & RowComparison>;
  /** The same, each group's rating per row, for the chats' comparison card (./comparisonCard.ts). */
  card: ComparisonCardView;
}

const reviewInput = z.object({ reviewId: idString });
const groupPollInput = z.object({ reviewId: idString, rowId: idString, group: z.string().min(1).max(200) });
const splitInput = z.object({ reviewId: idString, count: z.number().int() });
const defineInput = z.object({
  reviewId: idString,
  groups: z.array(z.object({ name: z.string().max(200), memberIds: z.array(idString).max(5000) })).max(50),
});

const byName = (a: string, b: string) => a.localeCompare(b);
const peopleOf = (groups: readonly SmallGroup[], name: (id: string) => string) =>
  groups.map((g) => ({ name: g.name, people: g.memberIds.map(name).sort(byName) }));

export class GroupService {
  constructor(private readonly d: GroupServiceDeps) {}

  /** The review's roster as members (taken-off people excluded), by id. */
  private async roster(review: Review): Promise<Map<string, Member>> {
    const members = (await this.d.store.members.list(review.tenantId, review.districtId)).filter(
      isActiveMember,
    );
    const ids = electorate(review, members).ids;
    return new Map(members.filter((m) => ids.has(m.memberId)).map((m) => [m.memberId, m]));
  }

  /** `groups split N`: the roster dealt into N balanced groups. */
  async split(actorIn: Actor, input: unknown): Promise<GroupsView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(splitInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'groups.manage');
    const roster = await this.roster(review);
    return this.save(review, splitEvenly([...roster.values()], i.count, review), actor.userId, roster);
  }

  /** `groups "Name" @a @b "Name" @c …`: the coordinator's own groups. */
  async define(actorIn: Actor, input: unknown): Promise<GroupsView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(defineInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'groups.manage');
    const roster = await this.roster(review);
    const names = new Map([...roster].map(([id, m]) => [id, m.displayName]));
    return this.save(review, namedGroups(i.groups, names, review), actor.userId, roster);
  }

  private async save(review: Review, groups: SmallGroup[], by: string, roster: Map<string, Member>) {
    const split = startGroups(review, groups, by, this.d.clock.now());
    const saved = await this.d.store.reviews.save({ ...review, groups: split });
    const name = (id: string) => roster.get(id)?.displayName || id;
    const placed = new Set(groups.flatMap((g) => g.memberIds));
    return {
      cycle: review.cycle,
      round: review.round,
      groups: peopleOf(groups, name),
      outside: [...roster.keys()]
        .filter((id) => !placed.has(id))
        .map(name)
        .sort(byName),
      threads: await loadGroupThreads(this.d, saved),
    };
  }

  /** One group's own poll of a row (rule `review.vote`, like the team's poll): what its thread shows. */
  async pollState(actorIn: Actor, input: unknown): Promise<GroupPollView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(groupPollInput, input);
    const review = await this.d.access.review(actor, i.reviewId, 'review.vote');
    return loadGroupPoll(this.d, review, groupNamed(review, i.group), i.rowId, actor.userId);
  }

  /** `groups clear`: ends the split (votes keep the group they recorded: `groups compare` still reads them). */
  async clear(
    actorIn: Actor,
    input: unknown,
  ): Promise<{ reviewId: string; rowIds: string[]; cycle: string; round: number; groups: number }> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(reviewInput, input);
    const review = await this.d.access.review(actor, reviewId, 'groups.manage');
    const ended = endGroups(review, this.d.clock.now());
    await this.d.store.reviews.save({ ...review, groups: ended });
    return {
      reviewId: review.id,
      rowIds: review.polls.map((p) => p.rowId),
      cycle: review.cycle,
      round: review.round,
      groups: ended.groups.length,
    };
  }

  /** `groups compare`: each row's votes per group (distribution, median) and where the groups differ. */
  async compare(actorIn: Actor, input: unknown): Promise<ComparisonView> {
    const actor = parseInput(actorSchema, actorIn);
    const { reviewId } = parseInput(reviewInput, input);
    const review = await this.d.access.review(actor, reviewId, 'groups.read');
    const split = review.groups;
    if (!split) {
      throw new DomainError(
        'invalid-state',
        `“${review.cycle}” has not been split into small groups: a coordinator can do it with "groups split 2".`,
      );
    }
    // The latest round since the split with votes recorded in a group (else the latest round).
    let round = review.round;
    let votes: Vote[] = [];
    for (const [n, r] of comparedRounds(split, review).entries()) {
      const listed = await this.d.store.votes.listRound(review.id, r);
      if (n === 0) [round, votes] = [r, listed];
      if (listed.some((v) => v.group)) {
        [round, votes] = [r, listed];
        break;
      }
    }
    const roundOpen = round === review.round && review.roundStatus === 'open';
    if (roundOpen && review.blind) {
      throw new DomainError(
        'invalid-state',
        `“${review.cycle}” is blind: the groups' ratings show once round ${round} closes ("close").`,
      );
    }
    const members = await this.d.store.members.list(review.tenantId, review.districtId);
    // Like the open round's counts: votes of people taken off the roster do not count (closed rounds keep theirs).
    if (roundOpen) votes = votes.filter((v) => electorate(review, members).counts(v.memberId));
    const names = new Map(members.map((m) => [m.memberId, m.displayName || m.memberId]));
    const rubric = rubricFor(this.d.rubrics, review);
    const rows = rubric.rows.map((r, n) => ({ rowId: r.id, rowNumber: n + 1, title: r.title }));
    const compared = compareGroups(
      rows.map((r) => r.rowId),
      votes,
      split.groups.map((g) => g.name),
    );
    const view: Omit<ComparisonView, 'card'> = {
      cycle: review.cycle,
      round,
      roundOpen,
      active: activeGroups(review) !== null,
      groups: peopleOf(split.groups, (id) => names.get(id) ?? id),
      rows: rows
        .map((r, n) => ({ ...r, ...(compared[n] as RowComparison) }))
        .filter((r) => r.groups.some((g) => g.distribution.total > 0) || r.outside > 0),
    };
    return { ...view, card: comparisonCard(view, rubric, review.rule, votes) };
  }
}

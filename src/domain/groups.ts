import { computeStats, type Distribution, type Perspective } from './consensus';
import type { Vote } from './district';
import { DomainError } from './errors';
import type { Review } from './review';

/**
 * Small groups (the toolkit's Activities 2 and 3: "break into smaller groups and then compare results"). A
 * coordinator splits the open review's roster into named groups; while the split lasts, each vote records the
 * voter's group at the time (`Vote.group`), so the comparison reads the stored votes grouped by it. Consensus is
 * untouched: every vote counts for its row as before, and the whole-team round goes on as today.
 */
export interface SmallGroup {
  name: string;
  /** Member ids, sorted. */
  memberIds: string[];
}

export interface SmallGroups {
  groups: SmallGroup[];
  /** The round the split was made in. */
  round: number;
  by: string;
  at: Date;
  /** When `groups clear` ended the split, and in which round (null while it lasts). */
  endedAt: Date | null;
  endedRound: number | null;
}

export const MAX_GROUPS = 10;
export const GROUP_NAME_MAX = 40;

/** People per group at least: 2 in an anonymous review (one person's counts would be their vote), else 1. */
export const minGroupSize = (review: Pick<Review, 'anonymous'>): number => (review.anonymous ? 2 : 1);

const letter = (i: number) => String.fromCharCode(65 + i);

/**
 * `groups split N`: the roster dealt into N groups ("Group A", "Group B", …) whose sizes differ by at most one.
 * Deterministic from the roster: people sorted by perspective (district first), then member id, dealt in turn, so
 * each group gets its share of both perspectives.
 */
export function splitEvenly(
  people: readonly { memberId: string; perspective: Perspective }[],
  n: number,
  review: Pick<Review, 'anonymous'>,
): SmallGroup[] {
  if (!Number.isInteger(n) || n < 2 || n > MAX_GROUPS) {
    throw new DomainError('invalid-input', `Split into 2 to ${MAX_GROUPS} groups (not ${n}).`);
  }
  const unique = [...new Map(people.map((p) => [p.memberId, p])).values()];
  const min = minGroupSize(review);
  if (unique.length < n * min) {
    throw new DomainError(
      'invalid-input',
      `The roster has ${unique.length} people: too few for ${n} groups of at least ${min}${review.anonymous ? ' (this review is anonymous)' : ''}. Nothing was changed.`,
    );
  }
  const sorted = unique.sort(
    (a, b) =>
      (a.perspective === b.perspective ? 0 : a.perspective === 'district' ? -1 : 1) ||
      (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0),
  );
  const groups: SmallGroup[] = Array.from({ length: n }, (_, i) => ({
    name: `Group ${letter(i)}`,
    memberIds: [],
  }));
  sorted.forEach((p, i) => {
    (groups[i % n] as SmallGroup).memberIds.push(p.memberId);
  });
  for (const g of groups) g.memberIds.sort();
  return groups;
}

/**
 * `groups "Group A" @a @b "Group B" @c …`: the coordinator's own groups, checked: 2 to MAX_GROUPS groups with
 * distinct names, each with enough people, nobody in two groups, everyone on the review's roster.
 */
export function namedGroups(
  defs: readonly { name: string; memberIds: readonly string[] }[],
  /** The review's roster: member id → display name. */
  roster: ReadonlyMap<string, string>,
  review: Pick<Review, 'anonymous'>,
): SmallGroup[] {
  const bad = (m: string) => new DomainError('invalid-input', `${m} Nothing was changed.`);
  if (defs.length < 2 || defs.length > MAX_GROUPS) throw bad(`Name 2 to ${MAX_GROUPS} groups.`);
  const names = new Set<string>();
  const placed = new Map<string, string>();
  const min = minGroupSize(review);
  return defs.map((d) => {
    const name = d.name.trim().replace(/\s+/g, ' ');
    if (!name || name.length > GROUP_NAME_MAX)
      throw bad(`A group's name has 1 to ${GROUP_NAME_MAX} characters.`);
    if (names.has(name.toLowerCase())) throw bad(`Two groups are named “${name}”.`);
    names.add(name.toLowerCase());
    const ids = [...new Set(d.memberIds)];
    if (ids.length < min) {
      throw bad(
        `“${name}” needs at least ${min} ${min === 1 ? 'person' : `people${review.anonymous ? ' (this review is anonymous)' : ''}`}.`,
      );
    }
    for (const id of ids) {
      const other = placed.get(id);
      const who = roster.get(id);
      if (who === undefined)
        throw bad(`Someone named in “${name}” is not on this review's roster (roster add @person first).`);
      if (other !== undefined) throw bad(`${who || id} is in both “${other}” and “${name}”.`);
      placed.set(id, name);
    }
    return { name, memberIds: ids.sort() };
  });
}

/** The split that is in force (null: none, or ended by `groups clear`). */
export const activeGroups = (review: Pick<Review, 'groups'>): SmallGroups | null =>
  review.groups && review.groups.endedAt === null ? review.groups : null;

/** What a vote records of the voter's group: nothing on a review never split, else the group's name or null. */
export function voteGroup(review: Pick<Review, 'groups'>, memberId: string): { group?: string | null } {
  if (!review.groups) return {};
  const g = activeGroups(review)?.groups.find((x) => x.memberIds.includes(memberId));
  return { group: g ? g.name : null };
}

export function startGroups(review: Review, groups: SmallGroup[], by: string, now: Date): SmallGroups {
  if (review.status !== 'active') {
    throw new DomainError(
      'invalid-state',
      `“${review.cycle}” is not open, so it cannot be split into groups.`,
    );
  }
  return { groups, round: review.round, by, at: now, endedAt: null, endedRound: null };
}

export function endGroups(review: Review, now: Date): SmallGroups {
  const g = activeGroups(review);
  if (!g)
    throw new DomainError('invalid-state', `“${review.cycle}” is not split into groups: nothing to clear.`);
  return { ...g, endedAt: now, endedRound: review.round };
}

/** The rounds a comparison may read, latest first: from the split's round to the current (or ending) round. */
export function comparedRounds(g: SmallGroups, review: Pick<Review, 'round'>): number[] {
  const last = g.endedRound ?? review.round;
  const out: number[] = [];
  for (let r = last; r >= g.round; r--) out.push(r);
  return out;
}

export interface GroupRowStats {
  name: string;
  distribution: Distribution;
  /** Median of the level votes (x.5 possible); null without level votes. */
  median: number | null;
}

export interface RowComparison {
  rowId: string;
  groups: GroupRowStats[];
  /** Votes on the row by people in no group (cast before the split, or by people it left out). */
  outside: number;
  /** Highest group median minus lowest (groups with level votes; null with fewer than two such groups). */
  gap: number | null;
  /** The groups are a whole level or more apart on this row (gap ≥ 1). */
  differ: boolean;
}

/**
 * Each row's votes grouped by the group each vote recorded: per group its distribution and median, and how far
 * apart the groups' medians are. Groups in `order` first (the split's), then any other recorded name by name.
 */
export function compareGroups(
  rowIds: readonly string[],
  votes: readonly Pick<Vote, 'rowId' | 'choice' | 'perspective' | 'group'>[],
  order: readonly string[],
): RowComparison[] {
  const extra = [...new Set(votes.map((v) => v.group).filter((g): g is string => !!g))]
    .filter((g) => !order.includes(g))
    .sort();
  const names = [...order, ...extra];
  return rowIds.map((rowId) => {
    const row = votes.filter((v) => v.rowId === rowId);
    const groups = names.map((name) => {
      const stats = computeStats(row.filter((v) => v.group === name));
      return { name, distribution: stats.distribution, median: stats.median };
    });
    const medians = groups.map((g) => g.median).filter((m): m is number => m !== null);
    const gap = medians.length >= 2 ? Math.max(...medians) - Math.min(...medians) : null;
    return {
      rowId,
      groups,
      outside: row.filter((v) => !v.group).length,
      gap,
      differ: gap !== null && gap >= 1,
    };
  });
}

/**
 * A vote cast on a small group's own poll (in the group's thread): only the group's people may cast it. Refused,
 * with where to vote instead, when the split has ended or the voter is in another group or in none.
 */
export function assertGroupVote(review: Pick<Review, 'groups'>, memberId: string, group: string): void {
  const split = activeGroups(review);
  const target = split?.groups.find((g) => g.name === group);
  if (!split || !target) {
    throw new DomainError(
      'invalid-state',
      `The small groups this poll was posted for have ended: vote on the team's poll in the channel. Nothing was recorded.`,
    );
  }
  if (target.memberIds.includes(memberId)) return;
  const own = split.groups.find((g) => g.memberIds.includes(memberId));
  throw new DomainError(
    'not-in-group',
    own
      ? `This poll is “${group}”'s and you are in “${own.name}”: vote on your group's poll in its thread. Nothing was recorded.`
      : `This poll is “${group}”'s and you are in no small group: vote on the team's poll in the channel. Nothing was recorded.`,
  );
}

import { type ConsensusRule, computeStats, decide } from '../../domain/consensus';
import type { Vote } from '../../domain/district';
import type { Rubric } from '../../domain/rubric';
import { levelLabel } from '../../domain/rubric';
import type { ComparisonView } from './groupService';

/**
 * `groups compare` as a card (Slack: Block Kit sections with fields; Teams: an Adaptive Card), channel-neutral:
 * the groups side by side per row, each group's rating by the review's consensus rule applied to that group's votes
 * (its quorum capped at the group's size), or "not settled". The renderers only lay it out; every value a user
 * typed (cycle, group names) stays a plain string for them to escape.
 */
export interface ComparisonCell {
  group: string;
  /** The group's rating (the level's label) when its votes settle the row, else null: "not settled". */
  rating: string | null;
  /** "median 2.5 · 4 votes", "no votes". */
  detail: string;
}

export interface ComparisonCardView {
  cycle: string;
  round: number;
  /** "round 2 · still open", "round 1 · closed · the split has ended". */
  state: string;
  groups: Array<{ name: string; size: number }>;
  rows: Array<{
    rowNumber: number;
    title: string;
    cells: ComparisonCell[];
    /** The groups' medians are a whole level or more apart. */
    differ: boolean;
    /** Votes on the row by people in no group. */
    outside: number;
  }>;
  /** The rows the groups differ on (numbers), for the card's closing line. */
  differOn: number[];
}

export const NOT_SETTLED = 'not settled';

const detailOf = (total: number, median: number | null) =>
  total === 0 ? 'no votes' : `median ${median ?? '—'} · ${total} vote${total === 1 ? '' : 's'}`;

/** What a group's votes on a row settle to under the review's rule (quorum capped at the group's size). */
export function groupRating(
  rubric: Rubric,
  rule: ConsensusRule,
  size: number,
  votes: readonly Pick<Vote, 'choice' | 'perspective'>[],
): string | null {
  if (votes.length === 0) return null;
  const capped = { ...rule, minVoters: Math.max(1, Math.min(rule.minVoters, size)) };
  const verdict = decide(computeStats(votes), capped, size);
  return verdict.settled ? levelLabel(rubric, verdict.rating) : null;
}

/** The card's model from the comparison and the votes it was computed from. */
export function comparisonCard(
  v: Omit<ComparisonView, 'card'>,
  rubric: Rubric,
  rule: ConsensusRule,
  votes: readonly Pick<Vote, 'rowId' | 'choice' | 'perspective' | 'group'>[],
): ComparisonCardView {
  const sizes = new Map(v.groups.map((g) => [g.name, g.people.length]));
  const state = [
    `round ${v.round}`,
    v.roundOpen ? 'still open' : 'closed',
    ...(v.active ? [] : ['the split has ended']),
  ].join(' · ');
  return {
    cycle: v.cycle,
    round: v.round,
    state,
    groups: v.groups.map((g) => ({ name: g.name, size: g.people.length })),
    rows: v.rows.map((r) => ({
      rowNumber: r.rowNumber,
      title: r.title,
      cells: r.groups.map((g) => ({
        group: g.name,
        rating: groupRating(
          rubric,
          rule,
          sizes.get(g.name) ?? g.distribution.total,
          votes.filter((x) => x.rowId === r.rowId && x.group === g.name),
        ),
        detail: detailOf(g.distribution.total, g.median),
      })),
      differ: r.differ,
      outside: r.outside,
    })),
    differOn: v.rows.filter((r) => r.differ).map((r) => r.rowNumber),
  };
}

import type { Choice, Level } from './rubric';

export type Perspective = 'district' | 'building';

export interface TallyVote {
  choice: Choice;
  perspective: Perspective;
}

/** Counts per level (index 0 = level 1) plus "not sure". */
export interface Distribution {
  levels: [number, number, number, number];
  unsure: number;
  total: number;
}

export interface RowStats {
  distribution: Distribution;
  /** Votes for a level (total minus "not sure"). */
  levelVotes: number;
  /** Median of the level votes (may be x.5 with an even count); null without level votes. */
  median: number | null;
  /** The lower of the two middle values (the median itself for an odd count). */
  lowerMedian: Level | null;
  /** Every level with the highest count (ties listed low to high); empty without level votes. */
  modes: Level[];
  /** Share of all votes cast (including "not sure") at the modal level. */
  shareAtMode: number;
  /** Interquartile range, quartiles by linear interpolation (R type 7 / Excel QUARTILE.INC). */
  iqr: number | null;
  /** Within-group agreement rwg = 1 − s²/σ²EU, σ²EU = (A²−1)/12 = 1.25 for A = 4 levels; truncated to [0, 1]. Needs ≥ 2 level votes. */
  rwg: number | null;
  districtMedian: number | null;
  buildingMedian: number | null;
  /** districtMedian − buildingMedian; positive = district rates itself higher. */
  perspectiveGap: number | null;
}

export const SIGMA2_EU_4_LEVELS = 1.25;

export function distributionOf(votes: readonly TallyVote[]): Distribution {
  const levels: [number, number, number, number] = [0, 0, 0, 0];
  let unsure = 0;
  for (const v of votes) {
    if (v.choice === 'unsure') unsure++;
    else levels[v.choice - 1] = (levels[v.choice - 1] as number) + 1;
  }
  return { levels, unsure, total: votes.length };
}

const sortedLevels = (votes: readonly TallyVote[]): Level[] =>
  votes
    .map((v) => v.choice)
    .filter((c): c is Level => c !== 'unsure')
    .sort((a, b) => a - b);

/** Quantile by linear interpolation between order statistics (R type 7). `xs` sorted ascending, non-empty. */
export function quantile(xs: readonly number[], p: number): number {
  const h = (xs.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = xs[lo] as number;
  const b = xs[hi] as number;
  return a + (h - lo) * (b - a);
}

export function median(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : quantile(xs, 0.5);
}

export function sampleVariance(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function computeStats(votes: readonly TallyVote[]): RowStats {
  const distribution = distributionOf(votes);
  const xs = sortedLevels(votes);
  const n = xs.length;
  const max = Math.max(...distribution.levels);
  const modes = n === 0 ? [] : ([1, 2, 3, 4] as Level[]).filter((l) => distribution.levels[l - 1] === max);
  const s2 = sampleVariance(xs);
  const dist = sortedLevels(votes.filter((v) => v.perspective === 'district'));
  const bld = sortedLevels(votes.filter((v) => v.perspective === 'building'));
  const districtMedian = median(dist);
  const buildingMedian = median(bld);
  return {
    distribution,
    levelVotes: n,
    median: median(xs),
    lowerMedian: n === 0 ? null : (xs[Math.floor((n - 1) / 2)] as Level),
    modes,
    shareAtMode: distribution.total === 0 || n === 0 ? 0 : round6(max / distribution.total),
    iqr: n === 0 ? null : round6(quantile(xs, 0.75) - quantile(xs, 0.25)),
    rwg: s2 === null ? null : round6(Math.min(1, Math.max(0, 1 - s2 / SIGMA2_EU_4_LEVELS))),
    districtMedian,
    buildingMedian,
    perspectiveGap:
      districtMedian === null || buildingMedian === null ? null : round6(districtMedian - buildingMedian),
  };
}

/**
 * How a row is judged settled.
 * - `single-level`: at least `threshold` of all votes cast (including "not sure") at one level; rating = that level.
 * - `adjacent-levels`: at least `threshold` of votes within two adjacent levels; rating = the lower median, which
 *   follows the toolkit's "move one column to the left until the description fits".
 * Both need a quorum: at least `minVoters` votes and at least `minShareOfMembers` of the district's members.
 */
export interface ConsensusRule {
  kind: 'single-level' | 'adjacent-levels';
  threshold: number;
  minVoters: number;
  minShareOfMembers: number;
}

/**
 * What a new review gets unless its coordinator says otherwise: the consensus rule (one level, 75% of the votes
 * cast, a quorum of 3 voters and half the members) and at most 3 rounds. The one place these numbers are written:
 * the input schemas default to them.
 */
export const CONSENSUS_DEFAULTS: Readonly<{ rule: Readonly<ConsensusRule>; maxRounds: number }> =
  Object.freeze({
    rule: Object.freeze<ConsensusRule>({
      kind: 'single-level',
      threshold: 0.75,
      minVoters: 3,
      minShareOfMembers: 0.5,
    }),
    maxRounds: 3,
  });

/** The default consensus rule (CONSENSUS_DEFAULTS.rule). */
export const DEFAULT_RULE: Readonly<ConsensusRule> = CONSENSUS_DEFAULTS.rule;

export type Verdict =
  | { settled: true; rating: Level; reason: 'consensus' }
  | { settled: false; rating: null; reason: 'no-quorum' | 'no-agreement' };

export const quorumFor = (rule: ConsensusRule, memberCount: number): number =>
  Math.max(rule.minVoters, Math.ceil(rule.minShareOfMembers * memberCount));

export function decide(stats: RowStats, rule: ConsensusRule, memberCount: number): Verdict {
  const total = stats.distribution.total;
  if (total < quorumFor(rule, memberCount)) return { settled: false, rating: null, reason: 'no-quorum' };
  const counts = stats.distribution.levels;
  // Shares compared with a tiny tolerance so that e.g. 3 of 4 (0.75) meets a 0.75 threshold exactly.
  const meets = (count: number) => count / total >= rule.threshold - 1e-9;
  if (rule.kind === 'single-level') {
    const level = ([1, 2, 3, 4] as Level[]).find((l) => meets(counts[l - 1] as number));
    return level === undefined
      ? { settled: false, rating: null, reason: 'no-agreement' }
      : { settled: true, rating: level, reason: 'consensus' };
  }
  const pairOk = [0, 1, 2].some((i) => meets((counts[i] as number) + (counts[i + 1] as number)));
  if (!pairOk || stats.lowerMedian === null) return { settled: false, rating: null, reason: 'no-agreement' };
  return { settled: true, rating: stats.lowerMedian, reason: 'consensus' };
}

import { cycleKey, displayCycle, isMemberDistrict, type Network, sameDistrict } from './network';
import type { DistrictRef } from './networkPeers';

/**
 * The facilitator's participation report: which member districts have a review of a cycle and how far it got. It
 * says nothing about ratings (those are only in the network view, at least k districts each), and names only the
 * districts that chose to be named; the others are counted.
 */

/** How far a district got with a cycle: complete, a round closed (its ratings count), a review open, none. */
export type Participation = 'complete' | 'settled' | 'open' | 'none';
export const PARTICIPATION: readonly Participation[] = ['complete', 'settled', 'open', 'none'];

export interface ReviewSummary {
  cycle: string;
  state: 'complete' | 'settled' | 'open' | 'cancelled';
}

export interface DistrictReviews extends DistrictRef {
  name: string;
  reviews: ReviewSummary[];
}

export type Counts = Record<Participation, number>;

export interface CycleStatus {
  cycle: string;
  memberCount: number;
  counts: Counts;
  /** The districts that chose to be named, by name, sorted. */
  named: Array<{ name: string; state: Participation }>;
  /** The others, only counted. */
  unnamed: Counts;
}

const zero = (): Counts => ({ complete: 0, settled: 0, open: 0, none: 0 });
const RANK: Record<Participation, number> = { complete: 3, settled: 2, open: 1, none: 0 };

/** A district's furthest state in the cycle (cancelled reviews do not count). */
export function participationOf(d: DistrictReviews, cycle: string): Participation {
  let best: Participation = 'none';
  for (const r of d.reviews) {
    if (r.state === 'cancelled' || cycleKey(r.cycle) !== cycleKey(cycle)) continue;
    if (RANK[r.state] > RANK[best]) best = r.state;
  }
  return best;
}

export function cycleStatus(
  network: Network,
  districts: readonly DistrictReviews[],
  cycle: string,
): CycleStatus {
  const counts = zero();
  const unnamed = zero();
  const named: CycleStatus['named'] = [];
  for (const m of network.members) {
    const d = districts.find((x) => sameDistrict(x, m));
    const state = d ? participationOf(d, cycle) : 'none';
    counts[state]++;
    if (m.named && d) named.push({ name: d.name, state });
    else unnamed[state]++;
  }
  named.sort((a, b) => a.name.localeCompare(b.name));
  return {
    cycle: cycle.trim().replace(/\s+/g, ' '),
    memberCount: network.members.length,
    counts,
    named,
    unnamed,
  };
}

export interface CycleOverview {
  /** The spelling most districts used. */
  cycle: string;
  /** Districts with a review of the cycle that was not cancelled. */
  withReview: number;
  /** Of those, districts whose ratings count (a closed round) and those complete. */
  counted: number;
  complete: number;
}

/**
 * The cycles of the member districts, each named only when at least `k` districts have a review of it (a cycle's
 * name was typed by one district); the others are only counted.
 */
export function cycleOverview(
  network: Network,
  districts: readonly DistrictReviews[],
  k: number,
): { cycles: CycleOverview[]; hidden: number } {
  const byKey = new Map<string, Array<{ c: { cycle: string }; state: Participation }>>();
  for (const d of districts) {
    if (!isMemberDistrict(network, d)) continue;
    const keys = new Set(d.reviews.filter((r) => r.state !== 'cancelled').map((r) => cycleKey(r.cycle)));
    for (const key of keys) {
      const spelled = d.reviews.find((r) => cycleKey(r.cycle) === key)?.cycle ?? key;
      const list = byKey.get(key) ?? [];
      byKey.set(key, list);
      list.push({ c: { cycle: spelled }, state: participationOf(d, key) });
    }
  }
  const cycles: CycleOverview[] = [];
  let hidden = 0;
  for (const list of byKey.values()) {
    if (list.length < k) {
      hidden++;
      continue;
    }
    cycles.push({
      cycle: displayCycle(list),
      withReview: list.length,
      counted: list.filter((x) => x.state === 'complete' || x.state === 'settled').length,
      complete: list.filter((x) => x.state === 'complete').length,
    });
  }
  cycles.sort((a, b) => a.cycle.localeCompare(b.cycle));
  return { cycles, hidden };
}

// ---------- reminders (`network remind`) ----------

/** Whether a district has finished the cycle's review (a complete review of it); the others are reminded. */
export const finishedCycle = (d: DistrictReviews, cycle: string): boolean =>
  participationOf(d, cycle) === 'complete';

/**
 * The claim of one reminder: one per network, district, cycle and UTC day, whichever replica sends it first. The
 * cycle is keyed without case or spacing, as cycles match across districts.
 */
export const remindClaimKey = (networkId: string, d: DistrictRef, cycle: string, now: Date): string =>
  [networkId, d.tenantId, d.districtId, cycleKey(cycle), now.toISOString().slice(0, 10)]
    .map(encodeURIComponent)
    .join('|');

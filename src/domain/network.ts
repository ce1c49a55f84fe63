import { DomainError } from './errors';
import { isLevel, type Level } from './rubric';

/**
 * A co-op network: districts (of any Slack workspace or Teams tenant) that share each rubric row's SETTLED rating
 * per cycle, so that each can see where it stands among its peers. The network sees only counts: never votes,
 * names of people, evidence or building data, and no district is named unless it opted in. A count is shown only
 * when at least `k` districts contributed to it; below that the view says "not enough districts yet" and shows no
 * level at all (not even the cycle's name, which one district typed).
 */

/** The fewest districts whose ratings a distribution may be made of. */
export const DEFAULT_K = 5;

/** The smallest k a deployment may choose (NETWORK_MIN_DISTRICTS): with two, each could read the other's rating. */
export const MIN_K = 3;

export const NOT_ENOUGH = 'not enough districts yet';

/** Exactly what a member district shares, in the words the join reply and the docs use. */
export const SHARED = "each row's settled rating per cycle; never votes, names, evidence or building data";

/** A person, anywhere: a network spans workspaces and tenants. */
export interface PersonRef {
  tenantId: string;
  userId: string;
}

export interface NetworkMember {
  tenantId: string;
  districtId: string;
  joinedAt: Date;
  /** The district agreed to be named (in the list of member districts; never beside a rating). */
  named: boolean;
  /** The district agreed to be suggested to districts asking for help and to receive connect requests. */
  contact?: boolean;
}

export interface Network {
  id: string;
  name: string;
  facilitators: PersonRef[];
  /** Invitation code a coordinator joins with (normalised: upper case, no separators). */
  code: string;
  members: NetworkMember[];
  createdAt: Date;
  createdBy: PersonRef;
  /** Optimistic-concurrency version, bumped by the store on every save. */
  version: number;
}

export const sameDistrict = (
  a: Pick<NetworkMember, 'tenantId' | 'districtId'>,
  b: Pick<NetworkMember, 'tenantId' | 'districtId'>,
) => a.tenantId === b.tenantId && a.districtId === b.districtId;

export const isFacilitator = (n: Network, p: PersonRef): boolean =>
  n.facilitators.some((f) => f.tenantId === p.tenantId && f.userId === p.userId);

export const isMemberDistrict = (n: Network, d: Pick<NetworkMember, 'tenantId' | 'districtId'>) =>
  n.members.some((m) => sameDistrict(m, d));

/** "k7qf-m2xd 9pwa" → "K7QFM2XD9PWA": what people type back is compared without case or separators. */
export const normalizeCode = (code: string): string => code.toUpperCase().replace(/[\s-]/g, '');

/** "K7QFM2XD9PWA" → "K7QF-M2XD-9PWA", easier to read out. */
export const formatCode = (code: string): string => code.match(/.{1,4}/g)?.join('-') ?? code;

export function joinNetwork(
  n: Network,
  d: Pick<NetworkMember, 'tenantId' | 'districtId'>,
  named: boolean,
  now: Date,
): Network {
  const others = n.members.filter((m) => !sameDistrict(m, d));
  const was = n.members.find((m) => sameDistrict(m, d));
  return {
    ...n,
    members: [
      ...others,
      {
        tenantId: d.tenantId,
        districtId: d.districtId,
        joinedAt: was?.joinedAt ?? now,
        named,
        ...(was?.contact !== undefined ? { contact: was.contact } : {}),
      },
    ],
  };
}

export function leaveNetwork(n: Network, d: Pick<NetworkMember, 'tenantId' | 'districtId'>): Network {
  if (!isMemberDistrict(n, d)) {
    throw new DomainError('invalid-state', 'This district is not in a co-op network.');
  }
  return { ...n, members: n.members.filter((m) => !sameDistrict(m, d)) };
}

// ---------- the view ----------

/** One review's settled ratings, as a member district contributes them (only reviews with a closed round). */
export interface CycleRatings {
  rubricId: string;
  cycle: string;
  createdAt: Date;
  /** Per row: the settled or decided rating, or null ("not settled"). */
  ratings: Record<string, Level | null>;
}

export interface DistrictRatings {
  tenantId: string;
  districtId: string;
  /** The district's name: used only when it opted in to be named. */
  name: string;
  cycles: CycleRatings[];
}

/** Levels 1–4 (index 0 = level 1) and rows not settled. */
export interface NetworkDistribution {
  levels: [number, number, number, number];
  notSettled: number;
}

export interface NetworkRowCell {
  rowId: string;
  /** Null below k. */
  distribution: NetworkDistribution | null;
  /** The viewing district's own rating (null: not settled), when it contributed to this cycle. */
  yours?: Level | null;
}

export interface NetworkCycle {
  /** Null below k (a cycle's name was typed by one district), except the viewer's own cycle. */
  cycle: string | null;
  contributors: number;
  enough: boolean;
  rows: NetworkRowCell[];
}

export interface NetworkRubricView {
  rubricId: string;
  cycles: NetworkCycle[];
  /** Cycles with fewer than k districts that the viewer did not take part in: only their number. */
  hiddenCycles: number;
}

export interface NetworkView {
  networkId: string;
  name: string;
  k: number;
  memberCount: number;
  /** Names of the member districts that opted in, sorted; the others are only counted. */
  namedDistricts: string[];
  rubrics: NetworkRubricView[];
}

/** Cycle names match across districts without case, outer spaces or repeated spaces. */
export const cycleKey = (cycle: string) => cycle.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The network view: per rubric, cycle and row, the distribution of the member districts' settled ratings, shown
 * only where at least `k` districts contributed. Districts that left contribute nothing. With `viewer` (a member
 * district), each row also carries that district's own rating ("your district vs. the network").
 */
export function buildNetworkView(
  network: Network,
  districts: readonly DistrictRatings[],
  rowsOf: (rubricId: string) => readonly string[],
  opts: { k?: number; viewer?: Pick<NetworkMember, 'tenantId' | 'districtId'> } = {},
): NetworkView {
  const k = Math.max(MIN_K, opts.k ?? DEFAULT_K);
  const members = districts.filter((d) => isMemberDistrict(network, d));
  // rubric → cycle key → contributions (one per district: its latest review of that cycle)
  const groups = new Map<string, Map<string, Array<{ d: DistrictRatings; c: CycleRatings }>>>();
  for (const d of members) {
    const latest = new Map<string, CycleRatings>();
    for (const c of d.cycles) {
      const key = `${c.rubricId}\u0000${cycleKey(c.cycle)}`;
      const prev = latest.get(key);
      if (!prev || prev.createdAt.getTime() < c.createdAt.getTime()) latest.set(key, c);
    }
    for (const c of latest.values()) {
      const byCycle = groups.get(c.rubricId) ?? new Map();
      groups.set(c.rubricId, byCycle);
      const list = byCycle.get(cycleKey(c.cycle)) ?? [];
      byCycle.set(cycleKey(c.cycle), list);
      list.push({ d, c });
    }
  }
  const rubrics: NetworkRubricView[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rubricId, byCycle]) => {
      const rowIds = rowsOf(rubricId);
      const cycles: NetworkCycle[] = [];
      let hiddenCycles = 0;
      const ordered = [...byCycle.values()].sort((a, b) => earliest(a).getTime() - earliest(b).getTime());
      for (const list of ordered) {
        const enough = list.length >= k;
        const mine = opts.viewer
          ? list.find((x) => sameDistrict(x.d, opts.viewer as NetworkMember))
          : undefined;
        if (!enough && !mine) {
          hiddenCycles++;
          continue;
        }
        cycles.push({
          cycle: mine ? mine.c.cycle : displayCycle(list),
          contributors: list.length,
          enough,
          rows: rowIds.map((rowId) => ({
            rowId,
            distribution: enough ? distributionOf(list.map((x) => x.c.ratings[rowId])) : null,
            ...(mine ? { yours: rating(mine.c.ratings[rowId]) } : {}),
          })),
        });
      }
      return { rubricId, cycles, hiddenCycles };
    });
  return {
    networkId: network.id,
    name: network.name,
    k,
    memberCount: network.members.length,
    namedDistricts: members
      .filter((d) => network.members.find((m) => sameDistrict(m, d))?.named)
      .map((d) => d.name)
      .sort((a, b) => a.localeCompare(b)),
    rubrics,
  };
}

const rating = (r: Level | null | undefined): Level | null => (isLevel(r) ? r : null);

function distributionOf(ratings: Array<Level | null | undefined>): NetworkDistribution {
  const levels: [number, number, number, number] = [0, 0, 0, 0];
  let notSettled = 0;
  for (const r of ratings) {
    if (isLevel(r)) levels[r - 1] = (levels[r - 1] ?? 0) + 1;
    else notSettled++;
  }
  return { levels, notSettled };
}

const earliest = (list: Array<{ c: CycleRatings }>): Date =>
  new Date(Math.min(...list.map((x) => x.c.createdAt.getTime())));

/** The spelling most districts used (ties: the first in sort order), so no single district's typing shows. */
export function displayCycle(list: ReadonlyArray<{ c: Pick<CycleRatings, 'cycle'> }>): string {
  const counts = new Map<string, number>();
  for (const x of list) {
    const s = x.c.cycle.trim().replace(/\s+/g, ' ');
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

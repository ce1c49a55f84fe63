import type { Perspective } from './consensus';
import type { Choice } from './rubric';

/** A district team: its channel, its time zone and how new voters join. One per channel per workspace/tenant. */
export interface District {
  id: string;
  tenantId: string;
  name: string;
  channelId: string;
  timezone: string;
  /** When true, anyone who votes in the district's channel becomes a member with `defaultPerspective`. */
  autoEnroll: boolean;
  defaultPerspective: Perspective;
  createdAt: Date;
  createdBy: string;
  version: number;
}

export type Role = 'coordinator';

export interface Member {
  tenantId: string;
  districtId: string;
  memberId: string;
  displayName: string;
  perspective: Perspective;
  roles: Role[];
  joinedAt: Date;
  /**
   * Set when a coordinator took them off the roster (`roster remove`): kept (with their name, for the evidence and
   * votes they gave) but no longer a member: they count for no quorum and their votes of an open round no longer
   * count. Absent or null: a member.
   */
  removedAt?: Date | null;
  /** When the member said their perspective themselves (or a coordinator set it); absent: the district's default
   * (enrolled by a first vote or an import), so their first vote in a review asks (./perspective.ts). */
  perspectiveSetAt?: Date | null;
  /** The building they rate for (perspective 'building', answered on a first vote); absent: none. */
  buildingId?: string | null;
  /**
   * The review whose vote enrolled them (a first-time voter): that vote's confirmation asks their perspective, so
   * the review needs no separate "asked" claim (src/app/reviews/perspectiveAsk.ts). Absent: not enrolled by a vote.
   */
  perspectiveAskedIn?: string | null;
}

export const isCoordinator = (m: Member | null): boolean => !!m && m.roles.includes('coordinator');

/** On the district's roster (not taken off it by a coordinator). */
export const isActiveMember = (m: Pick<Member, 'removedAt'>): boolean => !m.removedAt;

/** One member's vote on one poll in one round. Re-casting replaces it until the round closes. */
export interface Vote {
  reviewId: string;
  rowId: string;
  round: number;
  memberId: string;
  perspective: Perspective;
  choice: Choice;
  evidence: string | null;
  castAt: Date;
  /** The voter's small group when they voted (null: in none); absent on reviews never split (./groups.ts). */
  group?: string | null;
  /**
   * Monotonic write sequence: the store keeps the vote with the highest `seq`, so concurrent re-votes by one
   * member settle on the last one cast, whatever order they reach the database in.
   */
  seq: number;
}

export const voteKey = (v: Pick<Vote, 'reviewId' | 'rowId' | 'round' | 'memberId'>): string =>
  `${v.reviewId}|${v.rowId}|${v.round}|${v.memberId}`;

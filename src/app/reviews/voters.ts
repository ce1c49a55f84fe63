import { type District, isActiveMember, type Member } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import type { Review } from '../../domain/review';
import type { Clock, Store } from '../ports';
import { FreshReads } from './freshReads';
import { type Roster, removedFromRoster } from './roster';

const MEMBER_CACHE_MS = 60_000;
const MEMBER_CACHE_MAX = 10_000;

/** Who a click comes from, as the vote path knows it. */
export interface Voter {
  tenantId: string;
  userId: string;
  displayName: string;
}

/**
 * The member a vote is from: remembered for MEMBER_CACHE_MS after a lookup (saving a read on every later vote), a
 * voter's concurrent first clicks sharing one lookup, and enrolled on a first vote where the district enrolls
 * voters (one round trip: the stored member or the new one). `forget` drops a member whose perspective or roles
 * changed through this process (other replicas see such changes within the TTL).
 */
export class Voters {
  private readonly memberCache = new Map<string, { member: Member; until: number }>();
  /** Lookups running per voter; a change to the member drops its entry, so later votes read it again. */
  private readonly voterLookups = new Map<string, Promise<Member>>();
  private readonly districtReads = new FreshReads<District | null>();
  private readonly districts = new Map<string, { district: District; until: number }>();

  constructor(private readonly d: { store: Store; clock: Clock; roster: Roster }) {}

  forget(m: Pick<Member, 'tenantId' | 'districtId' | 'memberId'>): void {
    const key = `${m.tenantId}|${m.districtId}|${m.memberId}`;
    this.memberCache.delete(key);
    this.voterLookups.delete(key);
  }

  async forVote(actor: Voter, review: Review): Promise<Member> {
    const key = `${actor.tenantId}|${review.districtId}|${actor.userId}`;
    const cached = this.memberCache.get(key);
    const now = this.d.clock.now().getTime();
    if (cached && cached.until > now) return cached.member;
    // A member's first clicks (one per row, within the same second) share one lookup and one enrollment.
    const pending = this.voterLookups.get(key);
    if (pending) return pending;
    const lookup = this.lookUpVoter(actor, review, key, now).finally(() => {
      if (this.voterLookups.get(key) === lookup) this.voterLookups.delete(key);
    });
    this.voterLookups.set(key, lookup);
    return lookup;
  }

  /**
   * Whether this process enrolled the member with a vote in `reviewId` (and has not said so before): that vote's
   * confirmation is the one that asks their perspective. True once per enrollment.
   */
  takeEnrolled(tenantId: string, reviewId: string, memberId: string): boolean {
    return this.enrolledHere.delete(`${tenantId}|${reviewId}|${memberId}`);
  }

  /** Members this process enrolled by a vote, per review, until the perspective question takes them (bounded). */
  private readonly enrolledHere = new Set<string>();

  private async lookUpVoter(actor: Voter, review: Review, key: string, now: number): Promise<Member> {
    const district = await this.districtOf(actor.tenantId, review.districtId, now);
    let member: Member | null;
    if (district?.autoEnroll) {
      // Where the district enrolls first-time voters: one round trip gives the stored member or enrolls them.
      const r = await this.d.roster.enrollVoter(district, actor.userId, actor.displayName, review.id);
      member = r.member;
      if (r.created) {
        if (this.enrolledHere.size >= MEMBER_CACHE_MAX) this.enrolledHere.clear();
        this.enrolledHere.add(`${actor.tenantId}|${review.id}|${actor.userId}`);
      }
    } else {
      member = await this.d.store.members.get(actor.tenantId, review.districtId, actor.userId);
    }
    if (member && !isActiveMember(member)) throw removedFromRoster();
    if (!member) {
      throw new DomainError(
        'not-member',
        'You are not a member of this district team, so your vote was not recorded. Ask a coordinator to add you.',
      );
    }
    this.cacheMember(key, member, now);
    return member;
  }

  /**
   * The district, for whether it enrolls first-time voters: read once per MEMBER_CACHE_MS, since a meeting's new
   * voters all ask the same question (a change of the setting reaches this process within that time).
   */
  private async districtOf(tenantId: string, districtId: string, now: number): Promise<District | null> {
    const key = `${tenantId}|${districtId}`;
    const hit = this.districts.get(key);
    if (hit && hit.until > now) return hit.district;
    const district = await this.districtReads.read(key, () =>
      this.d.store.districts.get(tenantId, districtId),
    );
    if (this.districts.size >= MEMBER_CACHE_MAX) this.districts.clear();
    if (district) this.districts.set(key, { district, until: now + MEMBER_CACHE_MS });
    return district;
  }

  private cacheMember(key: string, member: Member, now: number) {
    if (this.memberCache.size >= MEMBER_CACHE_MAX) {
      const oldest = this.memberCache.keys().next().value;
      if (oldest !== undefined) this.memberCache.delete(oldest);
    }
    this.memberCache.set(key, { member, until: now + MEMBER_CACHE_MS });
  }
}

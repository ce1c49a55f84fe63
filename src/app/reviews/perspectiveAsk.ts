import { z } from 'zod';
import type { Building } from '../../domain/building';
import type { Member, Vote } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import * as P from '../../domain/perspective';
import type { Review } from '../../domain/review';
import type { Clock, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { ownReview } from './lookups';

/** kv namespace of the questions asked: key review|member, inserted once (a member is asked once per review). */
const ASKED = 'perspective-asked';

/** The question a voter's confirmation carries (channel-neutral: each chat draws the buttons). */
export interface PerspectiveQuestion {
  reviewId: string;
  question: string;
  options: P.PerspectiveOption[];
}

export interface PerspectiveAnswered {
  member: Member;
  /** For the voter: "Noted: you rate for Oak Elementary." */
  text: string;
}

const SEEN_MAX = 50_000;
const BUILDINGS_MS = 30_000;
const answerInput = z.object({ reviewId: idString, value: z.string().min(1).max(300) });

/**
 * Asks each member's perspective on their first vote in a review while it is unknown (issue 15): `afterVote`, off
 * the vote's path, gives the question once per member and review (claimed with an insert, or by the enrollment of a
 * first-time voter, which marks the member document); `answer` stores it on
 * the member (perspective, building link), which the close counts every vote of theirs with.
 */
export class PerspectiveAsk {
  /** review|member already looked at by this process: a member's later votes cost no read (bounded). */
  private readonly seen = new Set<string>();
  private readonly buildingLists = new Map<string, { until: number; list: Promise<Building[]> }>();

  constructor(
    private readonly d: {
      store: Store;
      clock: Clock;
      /** The roster's own `setMember` (policy: the member themselves, in the district channel; drops caches). */
      setMember(actor: Actor, input: unknown): Promise<Member>;
      /** Whether this process enrolled the member with a vote in the review (true once): see Voters.takeEnrolled. */
      enrolledByVote(tenantId: string, reviewId: string, memberId: string): boolean;
    },
  ) {}

  /**
   * The question for this voter, or null (perspective known, or already asked in this review). `seen`: the review
   * and member as the vote's path read them, so that a vote whose voter's perspective is known costs no read.
   */
  async afterVote(
    tenantId: string,
    vote: Pick<Vote, 'reviewId' | 'memberId'>,
    seen?: { review: Review; member: Member },
  ): Promise<PerspectiveQuestion | null> {
    if (seen && P.perspectiveKnown(seen.member)) return null;
    const key = `${tenantId}|${vote.reviewId}|${vote.memberId}`;
    if (this.seen.has(key)) return null;
    if (this.seen.size >= SEEN_MAX) this.seen.clear();
    this.seen.add(key);
    const review = seen?.review ?? (await this.d.store.reviews.get(vote.reviewId));
    if (!review || review.tenantId !== tenantId) return null;
    const member =
      seen?.member ?? (await this.d.store.members.get(tenantId, review.districtId, vote.memberId));
    if (!member || P.perspectiveKnown(member)) return null;
    if (member.perspectiveAskedIn === review.id) {
      // Enrolled by a vote in this review: that vote's confirmation asks (the member document is the claim, so a
      // first-time voter costs no claim write); any other vote, here or on another replica, does not.
      if (!this.d.enrolledByVote(tenantId, review.id, vote.memberId)) return null;
    } else {
      const asked = { at: this.d.clock.now().toISOString() };
      if (!(await this.d.store.kv.putIfAbsent(ASKED, `${review.id}|${vote.memberId}`, asked))) return null;
    }
    const buildings = await this.buildingsOf(tenantId, review.districtId);
    return {
      reviewId: review.id,
      question: P.PERSPECTIVE_QUESTION,
      options: P.perspectiveOptions(buildings, vote.memberId),
    };
  }

  /**
   * The district's buildings for the answer buttons, read at most once per BUILDINGS_MS per district: a meeting's
   * first votes all ask the same question (a building registered since shows within that time).
   */
  private buildingsOf(tenantId: string, districtId: string): Promise<Building[]> {
    const key = `${tenantId}|${districtId}`;
    const now = this.d.clock.now().getTime();
    const hit = this.buildingLists.get(key);
    if (hit && hit.until > now) return hit.list;
    const list = this.d.store.nudges.buildings.list(tenantId, districtId);
    if (this.buildingLists.size >= SEEN_MAX) this.buildingLists.clear();
    this.buildingLists.set(key, { until: now + BUILDINGS_MS, list });
    list.catch(() => this.buildingLists.delete(key));
    return list;
  }

  /** The voter's answer (a button's value): stored on them; a building must be one of the district's. */
  async answer(actorIn: Actor, input: unknown): Promise<PerspectiveAnswered> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(answerInput, input);
    const review = ownReview(actor.tenantId, await this.d.store.reviews.get(i.reviewId));
    const a = P.parsePerspectiveAnswer(i.value);
    const building = a.buildingId
      ? await this.d.store.nudges.buildings.get(actor.tenantId, review.districtId, a.buildingId)
      : null;
    if (a.buildingId && !building) {
      throw new DomainError('invalid-input', 'That building is no longer registered: nothing was changed.', {
        building: 'unknown',
      });
    }
    const set = await this.d.setMember(actor, {
      channelId: review.channelId,
      memberId: actor.userId,
      displayName: actor.displayName ?? '',
      perspective: a.perspective,
    });
    const member = P.answeredPerspective(set, a, this.d.clock.now());
    await this.d.store.members.put(member);
    return {
      member,
      text: building
        ? `Noted: you rate for ${building.name} (the building perspective).`
        : 'Noted: you rate as the district team.',
    };
  }
}

import { z } from 'zod';
import type { Perspective } from '../../domain/consensus';
import { type District, isActiveMember, type Member } from '../../domain/district';
import { DomainError, notSetUp } from '../../domain/errors';
import { isValidTimeZone } from '../../domain/schedule';
import type { Access } from '../policy';
import type { Clock, IdGenerator, Store } from '../ports';
import {
  type Actor,
  actorSchema,
  displayNameSchema,
  idString,
  parseInput,
  perspectiveSchema,
  text,
} from '../schemas';
import { joinOpenReviews } from './rosterService';

export interface RosterDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  access: Access;
  /** Time zone given to new districts unless one is named. */
  defaultTimezone: string;
  /** Told of every member whose perspective or roles this roster changed (so a cache of members can drop it). */
  onMemberChanged: (member: Member) => void;
}

const setupDistrictInput = z.object({
  name: text(120),
  channelId: idString,
  timezone: z
    .string()
    .refine(isValidTimeZone, 'is not a known IANA time zone (e.g. America/Detroit)')
    .optional(),
  perspective: perspectiveSchema.default('district'),
});

const roleInput = z.object({
  channelId: idString,
  memberId: idString,
  displayName: displayNameSchema,
});
const memberInput = z.object({
  channelId: idString,
  memberId: idString,
  displayName: displayNameSchema,
  perspective: perspectiveSchema,
});

/**
 * The district team use cases: setting a channel up as a district team, its members, their perspective and the
 * coordinator role. ReviewService exposes them; every input is validated with zod and checked by the policy.
 */
export class Roster {
  constructor(private readonly d: RosterDeps) {}

  /** Registers the district team for a channel; the caller becomes its first coordinator. */
  async setupDistrict(actorIn: Actor, input: unknown): Promise<District> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(setupDistrictInput, input);
    const existing = await this.d.store.districts.findByChannel(actor.tenantId, i.channelId);
    const now = this.d.clock.now();
    if (existing) {
      await this.d.access.enforce(actor, 'district.configure', existing);
      return this.d.store.districts.save({
        ...existing,
        name: i.name,
        timezone: i.timezone ?? existing.timezone,
      });
    }
    await this.d.access.enforce(actor, 'district.create', null);
    const district: District = {
      id: this.d.ids.next('d'),
      tenantId: actor.tenantId,
      name: i.name,
      channelId: i.channelId,
      timezone: i.timezone ?? this.d.defaultTimezone,
      autoEnroll: true,
      defaultPerspective: 'district',
      createdAt: now,
      createdBy: actor.userId,
      version: 0,
    };
    await this.d.store.districts.create(district);
    await this.d.store.members.put({
      tenantId: actor.tenantId,
      districtId: district.id,
      memberId: actor.userId,
      displayName: actor.displayName,
      perspective: i.perspective,
      roles: ['coordinator'],
      joinedAt: now,
    });
    return district;
  }

  /**
   * The district team of the channel a request comes from. The channel is the one the adapter established
   * (`actor.channelId`); a use case naming another channel than the asker's is refused as not set up.
   */
  async districtForChannel(actorIn: Actor, channelId: string): Promise<District> {
    const actor = parseInput(actorSchema, actorIn);
    const channel = parseInput(idString, channelId);
    const d =
      actor.channelId && actor.channelId !== channel
        ? null
        : await this.d.store.districts.findByChannel(actor.tenantId, channel);
    if (!d) {
      throw notSetUp();
    }
    return d;
  }

  async getMember(actorIn: Actor, districtId: string): Promise<Member | null> {
    const actor = parseInput(actorSchema, actorIn);
    return this.d.store.members.get(actor.tenantId, districtId, actor.userId);
  }

  async setCoordinator(actorIn: Actor, input: unknown, grant: boolean): Promise<Member> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(roleInput, input);
    const district = await this.districtForChannel(actor, i.channelId);
    await this.d.access.enforce(actor, 'district.roles', district);
    const target = await this.ensureMember(district, i.memberId, i.displayName, null);
    if (!grant && target.memberId === actor.userId) {
      const coordinators = (await this.d.store.members.list(actor.tenantId, district.id)).filter((m) =>
        m.roles.includes('coordinator'),
      );
      if (coordinators.length <= 1) {
        throw new DomainError(
          'invalid-state',
          'You are the only coordinator: grant the role to someone else first.',
        );
      }
    }
    const roles = grant
      ? Array.from(new Set([...target.roles, 'coordinator' as const]))
      : target.roles.filter((r) => r !== 'coordinator');
    const updated = { ...target, roles };
    await this.d.store.members.put(updated);
    this.d.onMemberChanged(updated);
    return updated;
  }

  /** Adds a member or changes their perspective. Coordinators may set anyone; a member may set their own. */
  async setMember(actorIn: Actor, input: unknown): Promise<Member> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(memberInput, input);
    const district = await this.districtForChannel(actor, i.channelId);
    const self = i.memberId === actor.userId;
    await this.d.access.enforce(actor, self ? 'district.join' : 'district.roles', district);
    const m = await this.ensureMember(district, i.memberId, i.displayName, i.perspective);
    if (self && !isActiveMember(m)) throw removedFromRoster();
    // A coordinator's `member add` puts someone taken off the roster back on it, and on the open reviews' rosters.
    const updated = {
      ...m,
      perspective: i.perspective,
      perspectiveSetAt: this.d.clock.now(),
      displayName: i.displayName || m.displayName,
      removedAt: null,
    };
    await this.d.store.members.put(updated);
    this.d.onMemberChanged(updated);
    if (!self) await joinOpenReviews(this.d.store, district, [updated.memberId]);
    return updated;
  }

  /** The member, enrolled first (with the district's default perspective unless one is given) if new. */
  async ensureMember(
    district: District,
    memberId: string,
    displayName: string,
    perspective: Perspective | null,
  ): Promise<Member> {
    return this.d.store.members.ensure(this.newMember(district, memberId, displayName, perspective));
  }

  /**
   * A first-time voter's enrollment (where the district enrolls voters), in one round trip: the stored member, or
   * the new one, marked as asked their perspective in `reviewId` by the vote that enrolled them.
   */
  enrollVoter(
    district: District,
    memberId: string,
    displayName: string,
    reviewId: string,
  ): Promise<{ member: Member; created: boolean }> {
    return this.d.store.members.enroll({
      ...this.newMember(district, memberId, displayName, null),
      perspectiveAskedIn: reviewId,
    });
  }

  private newMember(
    district: District,
    memberId: string,
    displayName: string,
    perspective: Perspective | null,
  ): Member {
    return {
      tenantId: district.tenantId,
      districtId: district.id,
      memberId,
      displayName,
      perspective: perspective ?? district.defaultPerspective,
      roles: [],
      joinedAt: this.d.clock.now(),
    };
  }
}

/** What someone a coordinator took off the roster reads when they try to vote or join again themselves. */
export const removedFromRoster = () =>
  new DomainError(
    'not-member',
    "A coordinator took you off this district team's roster, so nothing was recorded. Ask a coordinator to add you back (roster add).",
  );

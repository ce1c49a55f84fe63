import type { District, Member } from '../domain/district';
import { isActiveMember, isCoordinator } from '../domain/district';
import { DomainError } from '../domain/errors';
import { isFacilitator, isMemberDistrict, type Network } from '../domain/network';
import type { Review } from '../domain/review';
import { NETWORK_RULES } from './networkRules';
import {
  buildingNotFound,
  coordinatorIn,
  coordinatorOnly,
  type Refusal,
  type Rule,
  readsDistrict,
  reviewNotFound,
  type Standing,
} from './policyParts';
import type { Store } from './ports';
import { loadOwnReview } from './reviews/lookups';
import type { Actor } from './schemas';

export type { Standing } from './policyParts';

/**
 * Who may do what: the one table (RULES). The standing it is decided on, and the rules' building blocks, are in
 * policyParts.ts; the co-op network's rows in networkRules.ts (spread into RULES below).
 */
export const RULES = {
  /** `setup` in a channel that is not a district team yet. */
  'district.create': {
    who: 'a workspace/tenant admin, the app installer or a listed admin, in a channel (never a 1:1 or group chat)',
    allow: (s) => s.conversation === 'channel' && s.platformAdmin,
    refusal: {
      kind: 'forbidden',
      code: 'not-admin',
      message:
        'Only a workspace admin, the person who installed the app, or someone in ADMIN_USER_IDS can set up a district team, and only in a channel (not a direct or group chat).',
    },
  },
  /** `setup` again in the district's channel (rename, time zone). */
  'district.configure': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('change the district setup'),
  },
  /** help with the district's name, `reviews`, `dashboard`, `submissions`, `building list`, `schedule list`. */
  'district.read': {
    who: 'a member of the district, or anyone in its channel',
    allow: readsDistrict,
    refusal: reviewNotFound,
  },
  /** `perspective`; joining by voting (auto-enrolment). */
  'district.join': {
    who: 'anyone in the district channel',
    allow: (s) => s.inChannel,
    refusal: reviewNotFound,
  },
  /** `coordinator add|remove`, `member add`. */
  'district.roles': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('grant or change roles'),
  },
  /** `roster`, `roster import|add|remove`: who is on the district's roster and who a review's quorum counts. */
  'roster.manage': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('see or change the roster'),
  },
  /** `review start`, `close`, `next`, `decide`. */
  'review.manage': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('start, close or decide reviews'),
  },
  /** `review archive|unarchive`: a closed or cancelled review leaves (or rejoins) the everyday lists. */
  'review.archive': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('archive or unarchive reviews'),
  },
  /**
   * `remind`: privately reminds the open round's non-voters on the review's roster. Coordinators only: it messages
   * people and (in named reviews) tells who has not voted.
   */
  'review.remind': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('remind people to vote'),
  },
  /** `groups split N`, `groups "Name" @a …`, `groups clear`: split the open review's roster into small groups. */
  'groups.manage': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('split the review into small groups or end the split'),
  },
  /** `groups compare`: the groups' ratings side by side (counts and medians, like results). */
  'groups.read': {
    who: 'a member of the district, or anyone in its channel',
    allow: readsDistrict,
    refusal: reviewNotFound,
  },
  /** `status`, `results`, `export`, a poll's current state, the export links. */
  'review.read': {
    who: 'a member of the district, or anyone in its channel',
    allow: readsDistrict,
    refusal: reviewNotFound,
  },
  /** A vote, evidence, a poll card's refresh: only on the poll in its own channel. */
  'review.vote': {
    who: "anyone in the poll's own channel (the district channel)",
    allow: (s) => s.inChannel,
    refusal: reviewNotFound,
  },
  /** `reflect`: answers kept with the results. */
  'review.reflect': {
    who: 'a member of the district, in its channel',
    allow: (s) => s.member !== null && s.inChannel,
    refusal: {
      kind: 'forbidden',
      code: 'not-member',
      message:
        'Only members of this district team can answer its reflection questions, from its channel. Your answer was not recorded.',
    },
  },
  /** `activity1`: start (or post again) the district's Activity 1 in its channel. */
  'activity1.start': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('start Activity 1'),
  },
  /** Picking a learner outcome and saying why, on the Activity 1 card: like a vote, only in the district's channel. */
  'activity1.answer': {
    who: 'anyone in the district channel (like voting)',
    allow: (s) => s.inChannel,
    refusal: {
      kind: 'forbidden',
      code: 'not-member',
      message: "Answer Activity 1 on its card in the district team's channel. Nothing was saved.",
    },
  },
  /** `building add|rename|members|remove`, `schedule add|remove`. */
  'building.manage': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('manage building teams and nudge schedules'),
  },
  /** `building here|move`: typed in the building team's own channel, so not in the district's. */
  'building.here': {
    who: "a coordinator of the district, in a channel (the building team's own)",
    allow: (s) => isCoordinator(s.member) && s.conversation === 'channel',
    refusal: {
      kind: 'forbidden',
      code: 'not-coordinator',
      message:
        "Only a coordinator of the district can register or move a building team, typed in the building team's own channel.",
    },
  },
  /** `nudge now`: the current period's nudge at once, to the buildings that have not submitted. */
  'nudge.now': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('nudge building teams'),
  },
  /** A building's monitoring form (with its data), snooze. */
  'building.read': {
    who: "the building team's members, or a district coordinator",
    allow: (s) => s.buildingMember || isCoordinator(s.member),
    refusal: buildingNotFound,
  },
  /** Saving the monitoring form. */
  'building.submit': {
    who: "the building team's members, or a district coordinator",
    allow: (s) => s.buildingMember || isCoordinator(s.member),
    refusal: {
      kind: 'forbidden',
      code: 'not-member',
      message:
        'Only members of this building team (or a district coordinator) can save its monitoring data. Nothing was saved.',
    },
  },
  /** `plan` in a building's channel: its Activity 3 action plan (the form, its history). */
  'plan.read': {
    who: "the building team's members, in its channel, or a district coordinator",
    allow: (s) => s.buildingMember || isCoordinator(s.member),
    refusal: buildingNotFound,
  },
  /** Saving a building's action plan: the building team's own template. */
  'plan.submit': {
    who: "the building team's members, in its channel",
    allow: (s) => s.buildingMember,
    refusal: {
      kind: 'forbidden',
      code: 'not-member',
      message:
        'Only the building team, in its own channel, can save its action plan (a coordinator reads it with "plans"). Nothing was saved.',
    },
  },
  /** `plans` (every building's plan side by side), `plan district` (the district's form, read). */
  'plan.review': {
    who: 'a member of the district, or anyone in its channel',
    allow: readsDistrict,
    refusal: reviewNotFound,
  },
  /** Saving the District Action Planning template. */
  'plan.decide': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly("save the district's action plan"),
  },
  ...NETWORK_RULES,
  /** `action add`: create an action and assign it to a member. */
  'action.manage': {
    who: 'a coordinator, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('add and assign actions'),
  },
  /** `action done <id>`: mark an action done. */
  'action.complete': {
    who: "the action's owner (a member) or a coordinator, in the district channel",
    allow: (s) => coordinatorIn(s) || (s.actionOwner && s.member !== null && s.inChannel),
    refusal: {
      kind: 'forbidden',
      code: 'not-member',
      message:
        "Only the action's owner or a coordinator can mark it done, from the district's channel. Nothing was changed.",
    },
  },
  /** `actions`, the dashboard's actions, the actions in exports and polls. */
  'action.read': {
    who: 'a member of the district, or anyone in its channel',
    allow: readsDistrict,
    refusal: reviewNotFound,
  },
} satisfies Record<string, Rule>;

export type Action = keyof typeof RULES;
export const ACTIONS = Object.keys(RULES) as Action[];

export const permits = (action: Action, s: Standing): boolean => RULES[action].allow(s);

/** The refusal for `action` as the error a person reads. A refused read reads exactly like a missing resource. */
export function refusal(action: Action): DomainError {
  const r: Refusal = RULES[action].refusal;
  if (r.kind === 'forbidden') return new DomainError(r.code, r.message);
  if (r.what === 'network') return networkMissing();
  return r.what === 'review'
    ? new DomainError('unknown-review', 'That review does not exist here (it may have been removed).')
    : new DomainError(
        'invalid-input',
        'This building team is no longer registered. Ask the district coordinator to register it again.',
      );
}

/** What anyone outside a network reads: the same words whether or not the network exists. */
export const networkMissing = () =>
  new DomainError(
    'unknown-district',
    'There is no co-op network here. A district coordinator can join one with "network join <code>".',
  );

/** A district as the policy sees it: which tenant it is in and which channel is its own. */
export type Place = Pick<District, 'id' | 'tenantId' | 'channelId'>;

/** Where a review lives: its district, and the channel its polls are in (the district's own). */
export const placeOf = (r: Review): Place => ({
  id: r.districtId,
  tenantId: r.tenantId,
  channelId: r.channelId,
});

/** What a standing may be asked about besides the district: a member record, a building team, a network. */
export interface StandingExtra {
  member?: Member | null;
  /** With `onlyInChannel`, only someone asking from that channel (the team's own) counts as on the team. */
  building?: { members: string[]; onlyInChannel?: string };
  network?: Network;
  /** The owner of the action the request is about. */
  actionOwnerId?: string;
}

export interface AccessOptions {
  store: Store;
}

/** The asker's standing towards a district, from the store and the platform; then the rule decides. */
export class Access {
  constructor(private readonly o: AccessOptions) {}

  async standing(actor: Actor, district: Place | null, extra: StandingExtra = {}): Promise<Standing> {
    const inTenant = district !== null && district.tenantId === actor.tenantId;
    const member =
      extra.member !== undefined
        ? extra.member
        : inTenant && district
          ? await this.o.store.members.get(actor.tenantId, district.id, actor.userId)
          : null;
    return {
      // Someone a coordinator took off the roster is no member (nor coordinator) any more.
      member: inTenant && member && isActiveMember(member) ? member : null,
      inChannel: inTenant && !!actor.channelId && actor.channelId === district?.channelId,
      conversation: actor.conversation ?? null,
      platformAdmin: false,
      buildingMember:
        !!extra.building &&
        (extra.building.onlyInChannel === undefined || actor.channelId === extra.building.onlyInChannel) &&
        (extra.building.members.length === 0 || extra.building.members.includes(actor.userId)),
      facilitator: !!extra.network && isFacilitator(extra.network, actor),
      networkMember:
        !!extra.network &&
        district !== null &&
        isMemberDistrict(extra.network, { tenantId: district.tenantId, districtId: district.id }),
      actionOwner: inTenant && extra.actionOwnerId === actor.userId,
    };
  }

  /** The review, if the actor may do `action` on it; a refused read reads like a missing review. */
  async review(actor: Actor, reviewId: string, action: Action): Promise<Review> {
    const review = await loadOwnReview(this.o.store, actor.tenantId, reviewId);
    await this.enforce(actor, action, placeOf(review));
    return review;
  }

  /** Throws the action's refusal unless the actor may do `action` on `district`'s data; returns the standing. */
  async enforce(
    actor: Actor,
    action: Action,
    district: Place | null,
    extra: StandingExtra = {},
  ): Promise<Standing> {
    const s = await this.standing(actor, district, extra);
    // The platform is asked only when the rule needs it (it can cost a Web API call).
    if (action === 'district.create' && s.conversation === 'channel' && actor.isAdmin) {
      s.platformAdmin = await actor.isAdmin();
    }
    if (action === 'network.create' && s.conversation !== 'group' && actor.isAdmin) {
      s.platformAdmin = await actor.isAdmin();
    }
    if (!permits(action, s)) {
      // Someone who may not even read the district learns nothing about it: not even that it exists.
      // (Building actions come from a building's own form or channel, whose district is no secret to its team.)
      if (
        district &&
        !action.startsWith('building.') &&
        action !== 'plan.read' &&
        action !== 'plan.submit' &&
        !action.startsWith('network.') &&
        action !== 'district.create' &&
        !readsDistrict(s)
      ) {
        throw refusal(RULES[action].refusal.kind === 'not-found' ? action : 'review.read');
      }
      throw refusal(action);
    }
    return s;
  }
}

import type { District, Member } from '../domain/district';
import { isActiveMember, isCoordinator } from '../domain/district';
import { DomainError, type DomainErrorCode } from '../domain/errors';
import { isFacilitator, isMemberDistrict, type Network } from '../domain/network';
import type { Review } from '../domain/review';
import type { Store } from './ports';
import { loadOwnReview } from './reviews/lookups';
import type { Actor, Conversation } from './schemas';

/**
 * Who may do what: the one place the product decides it. Use cases ask `Access` before they read or change a
 * district's data; the chat and web adapters only say who is asking and from where (`Actor.channelId`,
 * `Actor.conversation`, `Actor.isAdmin`). docs/SECURITY.md is this table in words.
 *
 * A person's standing towards one district is made of facts the store and the platform confirm:
 * - `member`: the district's roster has them, not taken off it (with `coordinator` among their roles, they coordinate);
 * - `inChannel`: they are asking from the district's own channel (so the chat platform has already checked they
 *   can see it);
 * - `conversation`: the kind of conversation they are asking from (a channel, a group chat, a 1:1 chat);
 * - `platformAdmin`: a workspace admin/owner or the app's installer (Slack), the app's installer in the team
 *   (Teams), or listed in ADMIN_USER_IDS;
 * - `buildingMember`: on the building team the request is about;
 * - `facilitator`: facilitates the co-op network the request is about (a network spans workspaces and tenants);
 * - `networkMember`: the district is a member of that network;
 * - `actionOwner`: they own the action the request is about.
 */
export interface Standing {
  member: Member | null;
  inChannel: boolean;
  conversation: Conversation | null;
  platformAdmin: boolean;
  buildingMember: boolean;
  facilitator: boolean;
  networkMember: boolean;
  actionOwner: boolean;
}

/** How a refusal reads: like "not found" (reads: nothing about the resource leaks), or a message to act on. */
type Refusal =
  | { kind: 'not-found'; what: 'review' | 'building' | 'network' }
  | { kind: 'forbidden'; code: DomainErrorCode; message: string };

interface Rule {
  /** Who may, in words (docs/SECURITY.md and the policy table test print it). */
  who: string;
  allow: (s: Standing) => boolean;
  refusal: Refusal;
}

const coordinatorIn = (s: Standing) => isCoordinator(s.member) && s.inChannel;
const readsDistrict = (s: Standing) => s.member !== null || s.inChannel;
const coordinatorOnly = (what: string): Refusal => ({
  kind: 'forbidden',
  code: 'not-coordinator',
  message: `Only a coordinator of this district can ${what}, from the district's channel. Ask a coordinator to grant you the role.`,
});
const reviewNotFound: Refusal = { kind: 'not-found', what: 'review' };
const buildingNotFound: Refusal = { kind: 'not-found', what: 'building' };
const networkNotFound: Refusal = { kind: 'not-found', what: 'network' };

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
  /** `network create`: a co-op network of its own (not a setting of this workspace); the creator facilitates it. */
  'network.create': {
    who: 'a workspace/tenant admin, the app installer or a listed admin, in a channel or a 1:1 chat',
    allow: (s) => s.platformAdmin && s.conversation !== 'group',
    refusal: {
      kind: 'forbidden',
      code: 'not-admin',
      message:
        'Only a workspace admin, the person who installed the app, or someone in ADMIN_USER_IDS can create a co-op network (in a channel or a direct chat with the bot).',
    },
  },
  /** `network code`: the invitation code. */
  'network.manage': {
    who: "the network's facilitators, from anywhere",
    allow: (s) => s.facilitator,
    refusal: networkNotFound,
  },
  /** `network join|leave|named`: a district's membership of a network. */
  'network.join': {
    who: 'a coordinator of the district, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('join or leave a co-op network'),
  },
  /** `network`: the network view (distributions of settled ratings, at least k districts each). */
  'network.read': {
    who: "the network's facilitators; a member district's members, or anyone in its channel",
    allow: (s) => s.facilitator || (s.networkMember && readsDistrict(s)),
    refusal: networkNotFound,
  },
  /** `network contact on|off`: whether the district may be suggested as a peer and asked to connect. */
  'network.contact': {
    who: 'a coordinator of the district, in the district channel',
    allow: coordinatorIn,
    refusal: coordinatorOnly('open or close the district to contact in its co-op network'),
  },
  /** `network peers <row>`: member districts that can help on a row, or share its struggle (opted in only). */
  'network.peers': {
    who: 'a coordinator of a member district, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('look for peers in its co-op network'),
  },
  /** `network connect <handle> "note"`: a connect request to another member district. */
  'network.connect': {
    who: 'a coordinator of a member district, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('ask another district of its co-op network to connect'),
  },
  /** `network accept|decline <id>`: the answer to a connect request sent to the district. */
  'network.answer': {
    who: 'a coordinator of the member district the request was sent to, in the district channel',
    allow: (s) => coordinatorIn(s) && s.networkMember,
    refusal: coordinatorOnly('answer connect requests'),
  },
  /** `network status [cycle]`, `network export`: participation per cycle and the network's figures (k rule). */
  'network.report': {
    who: "the network's facilitators, from anywhere",
    allow: (s) => s.facilitator,
    refusal: networkNotFound,
  },
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

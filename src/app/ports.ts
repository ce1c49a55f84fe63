import type { ActionItem } from '../domain/action';
import type { Activity1, Activity1Pick } from '../domain/activity1';
import type { District, Member, Vote } from '../domain/district';
import type { Network } from '../domain/network';
import type { ConnectAnswer, ConnectRequest, DistrictRef, PeerList } from '../domain/networkPeers';
import type { Reflection } from '../domain/reflection';
import type { Review } from '../domain/review';
import type { Rubric } from '../domain/rubric';
import type { Destination, NudgeRepos } from './nudges/nudgePorts';
import type { PlanRepo } from './plans/planPorts';
import type { ReminderView } from './reviews/reminders';
import type { RichText } from './text';

/** Where "now" comes from. Tests inject a fixed clock; production uses the system clock. */
export interface Clock {
  now(): Date;
}

export interface RubricCatalog {
  get(id: string): Rubric | null;
  list(): readonly Rubric[];
}

/**
 * Result of saving a vote: `stale` means a newer vote (higher seq) by the same member is already stored;
 * `duplicate` means this very vote (same seq: the same click, delivered twice) is already stored.
 */
export type VoteWrite = 'written' | 'stale' | 'duplicate';

export interface DistrictRepo {
  get(tenantId: string, districtId: string): Promise<District | null>;
  findByChannel(tenantId: string, channelId: string): Promise<District | null>;
  /** Inserts a new district; throws DomainError('conflict') if that id or channel is taken. */
  create(district: District): Promise<void>;
  /** Saves if the stored version equals `district.version`; throws DomainError('conflict') otherwise. */
  save(district: District): Promise<District>;
}

export interface MemberRepo {
  get(tenantId: string, districtId: string, memberId: string): Promise<Member | null>;
  /** Inserts the member if absent (idempotent); returns the stored member. */
  ensure(member: Member): Promise<Member>;
  /** `ensure` in one round trip, saying whether this call created the member (exactly one of concurrent calls). */
  enroll(member: Member): Promise<{ member: Member; created: boolean }>;
  /** Replaces the stored member (role or perspective changes). */
  put(member: Member): Promise<void>;
  list(tenantId: string, districtId: string): Promise<Member[]>;
  /** One person's memberships in every district of the tenant (e.g. which districts they coordinate). */
  listByPerson(tenantId: string, memberId: string): Promise<Member[]>;
  count(tenantId: string, districtId: string): Promise<number>;
}

export interface ReviewRepo {
  create(review: Review): Promise<void>;
  get(id: string): Promise<Review | null>;
  /** Saves if the stored version equals `review.version`; returns it with the bumped version; else DomainError('conflict'). */
  save(review: Review): Promise<Review>;
  listByDistrict(tenantId: string, districtId: string): Promise<Review[]>;
  /**
   * Adds member ids to the review's roster (`Review.roster`) in one atomic step, leaving everything else (and the
   * version) as stored: late joiners' first votes do not contend with a close. No-op for a review without a roster.
   * `save` never changes the roster, so neither overwrites the other.
   */
  addToRoster(reviewId: string, memberIds: readonly string[]): Promise<void>;
  /** Takes member ids off the review's roster (atomic, like addToRoster). */
  removeFromRoster(reviewId: string, memberIds: readonly string[]): Promise<void>;
}

export interface VoteRepo {
  /**
   * Upserts the member's vote for (review, row, round). Never creates a second vote for the same key; keeps the
   * vote with the highest `seq`.
   */
  put(vote: Vote): Promise<VoteWrite>;
  get(reviewId: string, rowId: string, round: number, memberId: string): Promise<Vote | null>;
  /** Every vote of one round of one row. */
  listRow(reviewId: string, rowId: string, round: number): Promise<Vote[]>;
  /** Every vote of one round, all rows. */
  listRound(reviewId: string, round: number): Promise<Vote[]>;
  /**
   * Puts a member's vote of a closed round back to what the round's tally counted: `to` null removes it. For a
   * vote written after the tally was read (see ReviewService's close barrier). Idempotent.
   */
  reset(key: VoteKey, to: TalliedVote | null): Promise<void>;
}

export type VoteKey = Pick<Vote, 'reviewId' | 'rowId' | 'round' | 'memberId'>;

/** What a round's close counted of one member's vote on one row. */
export interface TalliedVote {
  seq: number;
  choice: Vote['choice'];
  perspective: Vote['perspective'];
  castAt: Date;
}

/**
 * Every vote a round's close counted, by row and member: written before the round's results are saved, so a vote
 * whose write raced the close can tell whether it was counted.
 */
export interface RoundTally {
  reviewId: string;
  round: number;
  rows: Record<string, Record<string, TalliedVote>>;
}

export interface TallyRepo {
  put(tally: RoundTally): Promise<void>;
  get(reviewId: string, round: number): Promise<RoundTally | null>;
}

/** Reflection answers of a review: one per member, row and question. */
export interface ReflectionRepo {
  /** Inserts, or replaces the member's earlier answer to the same question on the same row. */
  put(reviewId: string, answer: Reflection): Promise<void>;
  /** Every answer of the review, sorted by row id, then question and member id (as text). */
  list(reviewId: string): Promise<Reflection[]>;
}

/** Activity 1 of a district (one per cycle: see domain/activity1.ts) and each person's pick. */
export interface Activity1Repo {
  /** Inserts a new Activity 1; throws DomainError('conflict') if its id is taken. */
  create(activity: Activity1): Promise<void>;
  /** Replaces a stored Activity 1 (e.g. attached to the review it was shown before). */
  save(activity: Activity1): Promise<void>;
  get(tenantId: string, districtId: string, id: string): Promise<Activity1 | null>;
  /** The district's most recently started Activity 1. */
  latest(tenantId: string, districtId: string): Promise<Activity1 | null>;
  /** The Activity 1 shown before that review's first round (attached to it), or null. */
  forReview(tenantId: string, districtId: string, reviewId: string): Promise<Activity1 | null>;
  /** Inserts, or replaces the person's earlier pick. */
  putPick(activityId: string, pick: Activity1Pick): Promise<void>;
  /** Every pick, earliest first. */
  listPicks(activityId: string): Promise<Activity1Pick[]>;
}

/** What became of one owner reminder (one per action per district day). */
export interface ReminderClaim {
  by: string;
  at: Date;
  state: 'claimed' | 'sent' | 'failed';
}

/** Actions of a district (domain/action.ts) and the bookkeeping of their owners' reminders. */
export interface ActionRepo {
  /** Inserts a new action; throws DomainError('conflict') if its id is taken. */
  create(action: ActionItem): Promise<void>;
  get(tenantId: string, districtId: string, id: string): Promise<ActionItem | null>;
  /** Stores the action as done; false (nothing changed) when it was marked done already (one of concurrent wins). */
  complete(action: ActionItem): Promise<boolean>;
  /** Every action of the district, open and done (in no particular order). */
  listByDistrict(tenantId: string, districtId: string): Promise<ActionItem[]>;
  /** Every open action of every district (what the reminder tick walks). */
  listOpen(): Promise<ActionItem[]>;
  /** True for the one caller that now owns the reminder `key` (domain `reminderKey`); false if taken. */
  claimReminder(key: string, claim: ReminderClaim): Promise<boolean>;
  /** Records what became of a claimed reminder. */
  updateReminder(key: string, claim: ReminderClaim): Promise<void>;
  getReminder(key: string): Promise<ReminderClaim | null>;
}

/**
 * Small keyed records that belong to one adapter (Slack installations, Teams conversation references, the
 * message ids of posted poll cards). Values are plain JSON-like objects.
 */
export interface KeyValueRepo {
  get<T extends object>(namespace: string, key: string): Promise<T | null>;
  /** Inserts or replaces. */
  put(namespace: string, key: string, value: object): Promise<void>;
  /** Inserts only if absent; returns false when the key already existed (useful for idempotency keys). */
  putIfAbsent(namespace: string, key: string, value: object): Promise<boolean>;
  delete(namespace: string, key: string): Promise<void>;
  list<T extends object>(namespace: string): Promise<Array<{ key: string; value: T }>>;
}

/**
 * Co-op networks: records of their own (a network spans workspaces and tenants), not settings of a workspace.
 */
export interface NetworkRepo {
  /** Inserts a new network; throws DomainError('conflict') if its id or invitation code is taken. */
  create(network: Network): Promise<void>;
  get(id: string): Promise<Network | null>;
  /** The network with this (normalised) invitation code. */
  findByCode(code: string): Promise<Network | null>;
  /** Networks the district is a member of. */
  listByDistrict(tenantId: string, districtId: string): Promise<Network[]>;
  /** Networks the person facilitates. */
  listByFacilitator(tenantId: string, userId: string): Promise<Network[]>;
  /** Saves if the stored version equals `network.version`; throws DomainError('conflict') otherwise. */
  save(network: Network): Promise<Network>;
  /** Replaces the district's last list of peers (its handles). */
  putPeerList(list: PeerList): Promise<void>;
  getPeerList(tenantId: string, districtId: string): Promise<PeerList | null>;
  /**
   * Stores a connect request; false (nothing stored) when the same district already asked the same district and
   * that request is pending or was declined (one that expired unanswered gives way, to exactly one new request).
   */
  addConnect(request: ConnectRequest): Promise<boolean>;
  /** Takes back a request that could not be delivered (and frees its pair). */
  removeConnect(request: ConnectRequest): Promise<void>;
  getConnect(id: string): Promise<{ request: ConnectRequest; answer: ConnectAnswer | null } | null>;
  /** The requests the district sent or was sent (any state), newest first. */
  listConnects(
    district: DistrictRef,
  ): Promise<Array<{ request: ConnectRequest; answer: ConnectAnswer | null }>>;
  /** Records the answer; false when the request was answered already (one of concurrent answers wins). */
  answerConnect(request: ConnectRequest, answer: ConnectAnswer): Promise<boolean>;
  /** Removes the requests that expired unanswered by `now` (and the pair each still holds); returns how many. */
  removeExpiredConnects(now: Date): Promise<number>;
}

/**
 * A plain notice to a district's channel (a connect request, its answer), whichever platform it is on: the tenant
 * prefix of the destination picks Slack or Teams. A rejected promise means it was not delivered.
 */
export interface NoticeMessenger {
  sendNotice(to: Destination, text: RichText): Promise<void>;
}

/**
 * Reminds people, privately where the chat can, that rows wait for their vote (`remind`). Slack: an ephemeral
 * message to each person in the district's channel; Teams: one channel message that @-mentions only them (see
 * docs/usage.md#reminders). `private` says whether nobody but the person sees their reminder: anonymous reviews are
 * reminded only through a private messenger. Resolves with the people it could not reach (e.g. not in the channel);
 * rejects when nothing could be sent.
 */
export interface ReminderMessenger {
  readonly private: boolean;
  remind(place: Destination, view: ReminderView): Promise<{ unreachable: string[] }>;
}

export interface Store {
  readonly kind: string;
  readonly kv: KeyValueRepo;
  readonly districts: DistrictRepo;
  readonly members: MemberRepo;
  readonly reviews: ReviewRepo;
  readonly votes: VoteRepo;
  readonly tallies: TallyRepo;
  readonly networks: NetworkRepo;
  readonly reflections: ReflectionRepo;
  readonly activity1: Activity1Repo;
  /** Actions and their owners' reminders. */
  readonly actions: ActionRepo;
  /** Building teams, submissions, schedules and nudge bookkeeping. */
  readonly nudges: NudgeRepos;
  /** Activity 3 action plans (building teams' and the district team's), versioned. */
  readonly plans: PlanRepo;
  /** Creates indexes and anything else needed before use. Idempotent. */
  init(): Promise<void>;
  /** A cheap round trip to the database (readiness checks); rejects when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A person in a chat channel, as the platform lists its members. */
export interface ChannelPerson {
  userId: string;
  displayName: string;
}

/**
 * The members of a chat channel, as the platform lists them (Slack conversations.members, the Teams conversation
 * roster): people only. `skipped` counts who the platform listed but are not people who can vote (bots, apps,
 * deactivated accounts). Asked only by `roster import`, for the channel the command came from.
 */
export interface ChannelMembers {
  list(tenantId: string, channelId: string): Promise<{ people: ChannelPerson[]; skipped: number }>;
}

/** Produces ids for new records. */
export interface IdGenerator {
  next(prefix: string): string;
}

import type { Building, BuildingChannel } from '../../domain/building';
import type { DigestClaim, EscalationClaim, NudgeClaim, Snooze } from '../../domain/nudge';
import type { Schedule } from '../../domain/nudgeSchedule';
import type { OccurrenceSource } from '../../domain/schedule';
import type { SubmissionVersion } from '../../domain/submission';
import type { DigestView, EscalationView, NudgeView } from './nudgeViews';

/** Evaluates cron expressions in a time zone (implemented with cron-parser in adapters/scheduler). */
export interface CronEngine {
  /** Throws DomainError('invalid-input') when the expression cannot be evaluated. */
  source(cron: string, tz: string): OccurrenceSource;
}

/** Where a message goes: a channel of a workspace/tenant. The tenant prefix ("slack:", "teams:") picks the channel. */
export interface Destination {
  tenantId: string;
  channelId: string;
}

/** A message the platform accepted, by its id there. */
export interface SentMessage {
  messageId: string;
}

/**
 * Channel-neutral delivery of nudges, digests and escalations. Implementations queue and rate-limit per
 * destination and retry on 429; a rejected promise means the message was not delivered.
 */
export interface NudgeMessenger {
  /** Resolves with the posted message's id (Slack ts, Teams activity id) when the platform gives one. */
  // biome-ignore lint/suspicious/noConfusingVoidType: messengers that cannot say where the nudge went return nothing
  sendNudge(to: Destination, view: NudgeView): Promise<SentMessage | undefined | void>;
  /** Redraws a posted nudge (e.g. "Submitted v2 …", "Snoozed until …"): `messageId` is what sendNudge gave. */
  updateNudge?(to: Destination, messageId: string, view: NudgeView): Promise<void>;
  sendDigest(to: Destination, view: DigestView): Promise<void>;
  sendEscalation(to: Destination, view: EscalationView): Promise<void>;
}

/** Building teams of a district, and which building owns each channel. */
export interface BuildingRepo {
  get(tenantId: string, districtId: string, buildingId: string): Promise<Building | null>;
  list(tenantId: string, districtId: string): Promise<Building[]>;
  /** Inserts or replaces. */
  put(building: Building): Promise<void>;
  remove(building: Building): Promise<void>;
  /** Claims the channel for a building; false when another building already owns it. */
  claimChannel(tenantId: string, channelId: string, owner: BuildingChannel): Promise<boolean>;
  channelOwner(tenantId: string, channelId: string): Promise<BuildingChannel | null>;
  releaseChannel(tenantId: string, channelId: string): Promise<void>;
}

/** Nudge schedules. */
export interface ScheduleRepo {
  get(tenantId: string, districtId: string, scheduleId: string): Promise<Schedule | null>;
  /** The district's schedules. */
  list(tenantId: string, districtId: string): Promise<Schedule[]>;
  /** Every schedule of every district (what a tick walks). */
  listAll(): Promise<Schedule[]>;
  /** Inserts or replaces. */
  put(schedule: Schedule): Promise<void>;
  remove(schedule: Schedule): Promise<void>;
}

/** Versioned monitoring-data submissions. */
export interface SubmissionRepo {
  /** Adds version `v.version`; false when that version already exists (a concurrent edit won). */
  add(v: SubmissionVersion): Promise<boolean>;
  /** Every version of every building's submission for a period, by building, then version (ascending). */
  list(tenantId: string, districtId: string, periodId: string): Promise<SubmissionVersion[]>;
}

/** Nudge claims of one district and period: the exactly-once record of each nudge. */
export interface NudgeClaimRepo {
  /**
   * True when the caller now owns sending this nudge (building, schedule, occurrence); false when another replica
   * (or an earlier tick) claimed it first. Exactly one of any number of concurrent claims succeeds.
   */
  claim(tenantId: string, districtId: string, periodId: string, claim: NudgeClaim): Promise<boolean>;
  /** Records what became of a claimed nudge (sent, failed). */
  update(tenantId: string, districtId: string, periodId: string, claim: NudgeClaim): Promise<void>;
  list(tenantId: string, districtId: string, periodId: string): Promise<NudgeClaim[]>;
}

/** The once-per-round jobs: a round's digest, an escalation of one building in one period. */
export interface RoundClaimRepo {
  /** True for the one caller that now owns the digest of (schedule, occurrence). */
  claimDigest(scheduleId: string, occurrence: string, claim: DigestClaim): Promise<boolean>;
  digestClaimed(scheduleId: string, occurrence: string): Promise<boolean>;
  /** True for the one caller that now owns escalating this building in this period. */
  claimEscalation(
    tenantId: string,
    districtId: string,
    periodId: string,
    buildingId: string,
    claim: EscalationClaim,
  ): Promise<boolean>;
}

/** Building snoozes (one per building). */
export interface SnoozeRepo {
  get(tenantId: string, districtId: string, buildingId: string): Promise<Snooze | null>;
  /** Every snooze of every district (what a tick walks). */
  listAll(): Promise<Snooze[]>;
  /** Inserts or replaces the building's snooze. */
  put(snooze: Snooze): Promise<void>;
  remove(snooze: Snooze): Promise<void>;
}

/** The repositories of building teams, submissions, schedules and nudge bookkeeping (`Store.nudges`). */
export interface NudgeRepos {
  readonly buildings: BuildingRepo;
  readonly schedules: ScheduleRepo;
  readonly submissions: SubmissionRepo;
  readonly claims: NudgeClaimRepo;
  readonly rounds: RoundClaimRepo;
  readonly snoozes: SnoozeRepo;
}

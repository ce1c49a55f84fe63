import type { PersonRef } from './network';
import type { NudgePolicy } from './schedule';

/**
 * A facilitator's standing schedule for `network remind` (issue 17): a cron expression (typed as a phrase such as
 * "every Monday 9:00", as nudge schedules are) in one time zone. Each nominal occurrence is one round; the replica
 * that inserts the occurrence's key first runs it, the others skip it.
 */
export interface NetworkRemindSchedule {
  networkId: string;
  cron: string;
  /** How the schedule reads back ("every Monday at 09:00"). */
  description: string;
  tz: string;
  /** The cycle to remind about; null: the one cycle at least k districts have a review of, decided at each run. */
  cycle: string | null;
  /** Occurrences before this instant never count (when it was set). */
  startsAt: Date;
  setBy: PersonRef;
}

/** A network reminder goes out at its time: no quiet hours, weekends or holidays of one district apply. */
export const NETWORK_REMIND_POLICY: NudgePolicy = { quietHours: null, skipWeekends: false, holidays: [] };

/** The identity of one scheduled round: the network and the nominal occurrence (inserted as the claim's `_id`). */
export const occurrenceKey = (networkId: string, occurrence: Date): string =>
  `${encodeURIComponent(networkId)}|${occurrence.toISOString()}`;

/**
 * How long claims of rounds, reminders and clean-ups are kept: well past the grace period of a round and the UTC day
 * a reminder claim guards, so an old key is never needed again when it is removed.
 */
export const CLAIM_RETENTION_MS = 8 * 86_400_000;

/** Whether a claim made at `at` may be removed at `now`. A claim without a readable time is old. */
export function isOldClaim(at: string | Date | undefined, now: Date): boolean {
  const t = at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : Number.NaN;
  return !Number.isFinite(t) || now.getTime() - t >= CLAIM_RETENTION_MS;
}

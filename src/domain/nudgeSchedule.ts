import type { NudgePolicy, PeriodKind } from './schedule';

/**
 * A district's nudge schedule: stored data (node-cron only ticks). The occurrence math over it is in
 * schedule.ts; dates are ISO strings.
 */
export interface Schedule {
  id: string;
  tenantId: string;
  districtId: string;
  /** What the coordinator typed: a phrase ("every Monday 8:00") or a cron. */
  expression: string;
  cron: string;
  description: string;
  timezone: string;
  /** null = every building of the district. */
  buildingIds: string[] | null;
  startsAt: string;
  endsAt: string | null;
  periodKind: PeriodKind;
  policy: NudgePolicy;
  escalateAfter: number;
  createdAt: string;
  createdBy: string;
  /**
   * What the nudges ask for: monitoring data (absent, as in schedules stored before plans had nudges) or the
   * building's Building Action Planning template (`plan`).
   */
  subject?: NudgeSubject;
}

/** What a schedule's nudges ask the building teams for: `plan` = their Building Action Planning template. */
export type NudgeSubject = 'monitoring' | 'plan';

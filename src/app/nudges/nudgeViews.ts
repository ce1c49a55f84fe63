/**
 * Channel-neutral view models for building teams, monitoring-data forms, nudges, digests and escalations.
 * Slack renders them as Block Kit, Teams as Adaptive Cards (cards/nudge.json, cards/submission.json).
 */

export interface BuildingView {
  buildingId: string;
  name: string;
  channelId: string;
  members: string[];
  /** Why the app could not post in its channel (the last message there failed), or null. */
  unreachable: string | null;
}

/** The monitoring-data fields, flat so that field-level errors map 1:1 to form inputs. */
export const SUBMISSION_FIELDS = [
  'strategy',
  'implementationMeasure',
  'fidelityPercent',
  'impactMeasure',
  'impactValue',
  'interimTarget',
  'meaning',
  'recommendations',
] as const;
export type SubmissionField = (typeof SUBMISSION_FIELDS)[number];

export const SUBMISSION_LABELS: Record<SubmissionField, string> = {
  strategy: 'Strategy',
  implementationMeasure: 'Implementation data: what was measured',
  fidelityPercent: 'Share of classrooms implementing with fidelity (%)',
  impactMeasure: 'Impact measure',
  impactValue: 'Impact value',
  interimTarget: 'Interim target',
  meaning: 'What the team makes of it',
  recommendations: 'Recommendations to the district team',
};

/** How the form shows one field, whatever the channel (Slack modal input, Adaptive Card Input.Text). */
export interface SubmissionFieldSpec {
  id: SubmissionField;
  label: string;
  /** A text area rather than a one-line input. */
  multiline: boolean;
  /** The most characters the input takes. */
  maxLength: number;
  /** What to type (cards show it as the placeholder). */
  hint: string;
}

const MULTILINE_FIELDS: ReadonlySet<SubmissionField> = new Set([
  'meaning',
  'recommendations',
  'implementationMeasure',
  'impactMeasure',
]);
const LONG_FIELDS: ReadonlySet<SubmissionField> = new Set(['meaning', 'recommendations']);
const FIELD_HINTS: Partial<Record<SubmissionField, string>> = {
  fidelityPercent: 'A number from 0 to 100',
  impactValue: 'A number',
  interimTarget: 'A number',
};

/** The monitoring-data form's fields in order, with their labels and limits. */
export const SUBMISSION_FORM: readonly SubmissionFieldSpec[] = SUBMISSION_FIELDS.map((id) => ({
  id,
  label: SUBMISSION_LABELS[id],
  multiline: MULTILINE_FIELDS.has(id),
  maxLength: LONG_FIELDS.has(id) ? 3000 : 500,
  hint: FIELD_HINTS[id] ?? 'Required',
}));

export interface SubmissionFormView {
  tenantId: string;
  districtId: string;
  buildingId: string;
  buildingName: string;
  districtName?: string;
  periodId: string;
  periodLabel: string;
  /** Current values as strings (what the form shows). */
  values: Partial<Record<SubmissionField, string>>;
  /** Field → message, when a submit was refused. */
  errors: Partial<Record<SubmissionField, string>>;
  /** Version the form was drawn from (0 = nothing submitted yet); sent back to detect concurrent edits. */
  version: number;
  /** False once the period has closed: the form is read-only. */
  editable: boolean;
  /** ISO time the period closes (shown to people through nudgeTexts' formCloses, in `timezone`). */
  closesAt: string;
  /** The district's time zone: every time on the form is shown in it. */
  timezone: string;
  history: Array<{ version: number; submittedAt: string; submittedBy: string }>;
}

export interface NudgeView {
  tenantId: string;
  districtId: string;
  districtName: string;
  buildingId: string;
  buildingName: string;
  periodId: string;
  periodLabel: string;
  /** 1 for the first nudge this period, 2 for the second … */
  attempt: number;
  /** When the period closes, in the district's zone ("Tue 2026-12-01 00:00 EST"). */
  closesAt: string;
  /** The district's (or the schedule's) time zone: the outcome's time is shown in it. */
  timezone: string;
  /** A nudge sent when a snooze ended. */
  reminder: boolean;
  /** How the team answered it, once it has (the nudge is then redrawn: no snooze buttons). */
  outcome?: NudgeOutcome;
  /** `plan`: it asks for the Building Action Planning template (its button opens the plan; no snoozes). */
  subject?: 'plan';
}

/** What became of a nudge: the team submitted (version, when, who) or snoozed it (until, in the district's zone). */
export type NudgeOutcome =
  | { kind: 'submitted'; version: number; at: string; by: string; byName: string }
  | { kind: 'snoozed'; until: string };

export interface DigestEntry {
  buildingId: string;
  name: string;
  channelId: string;
  /** ISO time of the current submission, null when none. */
  submittedAt: string | null;
  nudges: number;
  snoozedUntil: string | null;
  link: string | null;
  /** Why this round's nudge did not reach the building's channel (null when it did, or none was due). */
  undelivered: string | null;
}

export interface DigestView {
  tenantId: string;
  districtId: string;
  districtName: string;
  periodId: string;
  periodLabel: string;
  schedule: string;
  submitted: DigestEntry[];
  missing: DigestEntry[];
  escalated: DigestEntry[];
  nextRuns: string[];
  /** The schedule's time zone (the district's unless the schedule set its own): the entries' times are shown in it. */
  timezone: string;
  /** The district's dashboard (every building's submission status), when the server issues such links. */
  dashboardUrl?: string | null;
  /** `plan`: a round of nudges for the Building Action Planning templates ("submitted" = has a plan). */
  subject?: 'plan';
}

export interface EscalationView {
  tenantId: string;
  districtId: string;
  districtName: string;
  periodLabel: string;
  escalateAfter: number;
  buildings: DigestEntry[];
  /** The time zone the entries' times are shown in. */
  timezone: string;
}

export interface ScheduleView {
  scheduleId: string;
  expression: string;
  cron: string;
  description: string;
  timezone: string;
  buildings: string[] | 'all';
  endsOn: string | null;
  periodKind: 'month' | 'week';
  quietHours: string;
  skipWeekends: boolean;
  holidays: string[];
  escalateAfter: number;
  /** What the nudges ask for: monitoring data, or the Building Action Planning template. */
  subject: 'monitoring' | 'plan';
  /** The next three send times, formatted in the district's time zone. */
  nextRuns: string[];
}

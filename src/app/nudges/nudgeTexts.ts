import { clip, type Interpolation, link, plain, type RichText, rich } from '../text';
import { showDay, showTime } from '../when';
import type { DigestEntry, DigestView, EscalationView, NudgeView, SubmissionFormView } from './nudgeViews';

/**
 * The words of nudges, digests, escalations and the monitoring-data form, shared by the Slack and Teams renderers
 * (src/adapters/slack/nudges.ts, src/adapters/teams/nudges.ts), which add only their own layout and markup.
 */

export const NUDGE_TEXT = {
  staleNudge: 'This button is out of date. Ask your coordinator for a new nudge.',
  staleForm: 'This form is out of date. Open it again from the nudge.',
  noSubmission: 'Nothing submitted yet for this period.',
} as const;

/** `mark` sets off the building and period (Slack makes them bold; a card title is bold as a whole). */
type Mark = (value: string) => Interpolation;
const asIs: Mark = (value) => value;

/** What a nudge asks for, in a headline. */
const PLAN_TEMPLATE = 'Building Action Planning template';

/** A nudge's headline: the building's data for the period (or its action plan) is due. */
export const nudgeDue = (v: NudgeView, mark: Mark = asIs): RichText =>
  v.subject === 'plan'
    ? rich`${mark(v.buildingName)}: your ${plain(PLAN_TEMPLATE)} is due`
    : rich`${mark(v.buildingName)}: monitoring data for ${mark(v.periodLabel)} is due`;

/** A nudge's headline: the first nudge's, or the reminder's sent when a snooze ended. */
export const nudgeTitle = (v: NudgeView, mark: Mark = asIs): RichText =>
  v.reminder && v.subject !== 'plan'
    ? rich`Reminder: ${mark(v.buildingName)}'s monitoring data for ${mark(v.periodLabel)}`
    : nudgeDue(v, mark);

/** "Open until …" under a nudge's ask (monitoring data closes with its period; a plan stays open). */
export const nudgeOpenUntil = (v: NudgeView): string =>
  v.subject === 'plan' ? '' : ` Open until ${v.closesAt}.`;

/** A digest's headline subject: "Monitoring data" or "Action plans". */
export const digestSubject = (v: Pick<DigestView, 'subject'>): string =>
  v.subject === 'plan' ? 'Building Action Planning templates' : 'Monitoring data';

/**
 * How the team answered a redrawn nudge: "Submitted v2 on Fri 2026-11-20 10:00 EST by <who>" (`who`: Slack mentions
 * the person, Teams names them) or "Snoozed until Tue 2026-11-24 10:00 EST"; null while it is unanswered.
 */
export function nudgeOutcome(
  v: NudgeView,
  who: (by: string, byName: string) => Interpolation,
): RichText | null {
  const o = v.outcome;
  if (!o) return null;
  return o.kind === 'submitted'
    ? rich`Submitted v${o.version} on ${plain(showTime(o.at, v.timezone))} by ${who(o.by, o.byName)}. Thank you!`
    : rich`Snoozed until ${plain(o.until)}: one reminder comes then if nothing is submitted.`;
}

/** What a nudge asks of the building team. */
export const nudgeAsk = (v: NudgeView): RichText =>
  v.subject === 'plan'
    ? rich`Fill in your ${plain(PLAN_TEMPLATE)} (Maintaining Balance) for the ${v.districtName} district team: for each building-team function, whether it is in place or to create or strengthen, and your actions.`
    : rich`Share your strategy implementation and impact data, what your team makes of it and your recommendations with the ${v.districtName} district team.`;

/** Which nudge of the period this is, from the second on (null for the first). */
export const nudgeCount = (v: NudgeView): RichText | null =>
  v.attempt > 1 ? plain(`(Nudge ${v.attempt} this period.)`) : null;

/** The form's versions so far: "History: v1 Fri 2026-11-20 10:00 EST · v2 …", or that there are none. */
export function submissionHistory(f: SubmissionFormView): string {
  return f.history.length
    ? `History: ${f.history.map((h) => `v${h.version} ${showTime(h.submittedAt, f.timezone)}`).join(' · ')}`
    : NUDGE_TEXT.noSubmission;
}

/** When the form's period closes (its end), in the district's zone: "Tue 2026-12-01 00:00 EST". */
export const formCloses = (f: SubmissionFormView): string => showTime(f.closesAt, f.timezone);

/**
 * Where a building stands, in the district's zone `tz`: "submitted 2026-11-20", or "2 nudge(s), snoozed until
 * Sat 2026-11-21 08:00 EST".
 */
export function entryStatus(e: DigestEntry, tz: string): string {
  if (e.submittedAt) return `submitted ${showDay(e.submittedAt, tz)}`;
  return `${e.nudges} nudge(s)${e.snoozedUntil ? `, snoozed until ${showTime(e.snoozedUntil, tz)}` : ''}${e.undelivered ? `, this nudge not delivered: ${clip(e.undelivered, 120)}` : ''}`;
}

/** " open" linking to the building's submission, when there is a link. */
export const entryLink = (e: DigestEntry): RichText => (e.link ? rich` ${link(e.link, 'open')}` : plain(''));

/** The schedule's next send times, or "none". */
export const nextRunsText = (v: DigestView): RichText => plain(v.nextRuns.join('; ') || 'none');

export const dashboardLink = (url: string): RichText => link(url, 'Open the district dashboard');

export interface DigestSection {
  kind: 'submitted' | 'missing' | 'undelivered' | 'escalated';
  heading: string;
  entries: DigestEntry[];
}

/** The digest's lists: submitted, not yet submitted, and escalated when any were. */
export function digestSections(v: DigestView): DigestSection[] {
  const undelivered = v.missing.filter((e) => e.undelivered);
  return [
    { kind: 'submitted', heading: `Submitted (${v.submitted.length})`, entries: v.submitted },
    { kind: 'missing', heading: `Not yet submitted (${v.missing.length})`, entries: v.missing },
    ...(undelivered.length
      ? [
          {
            kind: 'undelivered' as const,
            heading: `Could not be reached (${undelivered.length}): add the MICIP app to these channels (in Teams: to their teams), then "nudge now" here nudges them at once (or the next round does)`,
            entries: undelivered,
          },
        ]
      : []),
    ...(v.escalated.length
      ? [{ kind: 'escalated' as const, heading: `Escalated (${v.escalated.length})`, entries: v.escalated }]
      : []),
  ];
}

/** The heading of an escalation's list. */
export const ESCALATION_HEADING = 'Building teams';

/** "3 building team(s) have missed 2 nudges" */
export const missedNudges = (v: EscalationView): RichText =>
  plain(`${v.buildings.length} building team(s) have missed ${v.escalateAfter} nudges`);

/** What an escalation suggests to the district team. */
export const checkIn = (v: EscalationView): RichText =>
  rich`The ${v.districtName} district team may want to check in with them directly.`;

import type { Building } from '../../domain/building';
import type { District } from '../../domain/district';
import { type NudgeClaim, type Snooze, undeliveredReason } from '../../domain/nudge';
import type { Schedule } from '../../domain/nudgeSchedule';
import { type Period, shouldEscalate } from '../../domain/schedule';
import type { SubmissionVersion } from '../../domain/submission';
import type { CronEngine, NudgeMessenger, NudgeRepos } from './nudgePorts';
import type { DigestEntry } from './nudgeViews';
import { scheduleView } from './scheduleService';

/** What the end of a round needs from the NudgeRunner's dependencies. */
export interface RoundEndDeps {
  nudges: Pick<NudgeRepos, 'claims' | 'rounds' | 'buildings'>;
  cron: CronEngine;
  messenger: NudgeMessenger;
  /** Link to a building's submission for the digest (e.g. the web console), when there is one. */
  linkFor?: (b: Building, periodId: string) => string | null;
  /** Link to the district's dashboard for the digest, when there is one. */
  dashboardLink?: (tenantId: string, districtId: string) => string | null;
}

/** A round of a schedule whose nudges have all been handed out, as the NudgeRunner saw it. */
export interface EndingRound {
  schedule: Schedule;
  district: District;
  /** The buildings the round was for. */
  targets: Building[];
  period: Period;
  /** The buildings' submissions for the period (for a plan schedule: their latest plans), by building id. */
  current: Map<string, Pick<SubmissionVersion, 'submittedAt'>>;
  /** Snoozes of the district's buildings, by building id. */
  snoozed: Map<string, Snooze>;
  /** The occurrence (ISO time) the round is for. */
  occ: string;
}

/**
 * The end of a round, run once per round by the replica that claimed its digest: escalates the buildings that
 * missed `escalateAfter` nudges (once per building and period), then posts the digest to the district channel.
 * Delivery failures go to `fail`; what was sent is counted in `report`.
 */
export async function finishRound(
  d: RoundEndDeps,
  round: EndingRound,
  now: Date,
  report: { escalated: number; digests: number },
  fail: (what: string, e: unknown) => void,
): Promise<void> {
  const { schedule: s, district, targets, period, current, snoozed, occ } = round;
  const claims = await d.nudges.claims.list(s.tenantId, s.districtId, period.id);
  const counts = countNudges(claims);
  const before = countNudges(claims.filter((c) => c.occurrence !== occ));
  // As stored now: this round's sends have marked (or cleared) the buildings they could not (could) reach.
  const stored = new Map((await d.nudges.buildings.list(s.tenantId, s.districtId)).map((b) => [b.id, b]));
  const entry = (b: Building): DigestEntry => ({
    buildingId: b.id,
    name: b.name,
    channelId: b.channelId,
    submittedAt: current.get(b.id)?.submittedAt ?? null,
    nudges: counts.get(b.id) ?? 0,
    snoozedUntil: snoozed.get(b.id)?.until ?? null,
    // The submission links open monitoring data; a plan is opened from the building's channel (`plan`).
    link: s.subject === 'plan' ? null : (d.linkFor?.(b, period.id) ?? null),
    undelivered: current.has(b.id)
      ? null
      : (undeliveredReason(claims, b.id, occ) ?? stored.get(b.id)?.unreachable?.reason ?? null),
  });
  const sorted = [...targets].sort((a, b) => a.name.localeCompare(b.name));
  const submitted = sorted.filter((b) => current.has(b.id)).map(entry);
  const missing = sorted.filter((b) => !current.has(b.id)).map(entry);
  // Escalate buildings that have missed `escalateAfter` nudges (nudged that many times before this round's
  // nudge and still not submitted), once per building per period.
  const escalated: DigestEntry[] = [];
  for (const m of missing) {
    if (!shouldEscalate(before.get(m.buildingId) ?? 0, s.escalateAfter)) continue;
    const claim = { at: now.toISOString(), scheduleId: s.id };
    if (await d.nudges.rounds.claimEscalation(s.tenantId, s.districtId, period.id, m.buildingId, claim))
      escalated.push(m);
  }
  const to = { tenantId: district.tenantId, channelId: district.channelId };
  if (escalated.length) {
    try {
      await d.messenger.sendEscalation(to, {
        tenantId: district.tenantId,
        districtId: district.id,
        districtName: district.name,
        periodLabel: period.label,
        escalateAfter: s.escalateAfter,
        buildings: escalated,
        timezone: s.timezone,
      });
      report.escalated += escalated.length;
    } catch (e) {
      fail('escalation', e);
    }
  }
  try {
    await d.messenger.sendDigest(to, {
      tenantId: district.tenantId,
      districtId: district.id,
      districtName: district.name,
      periodId: period.id,
      periodLabel: period.label,
      schedule: s.description,
      submitted,
      missing,
      escalated,
      nextRuns: scheduleView(s, d.cron, now).nextRuns,
      timezone: s.timezone,
      dashboardUrl: d.dashboardLink?.(district.tenantId, district.id) ?? null,
      ...(s.subject === 'plan' ? { subject: 'plan' as const } : {}),
    });
    report.digests++;
  } catch (e) {
    fail('digest', e);
  }
}

/**
 * Nudges per building (every claimed round or reminder counts, whatever the delivery outcome; a takeover is the
 * same nudge as the claim it replaces).
 */
export function countNudges(claims: NudgeClaim[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of claims) {
    if (c.occurrence.endsWith('|takeover')) continue;
    out.set(c.buildingId, (out.get(c.buildingId) ?? 0) + 1);
  }
  return out;
}

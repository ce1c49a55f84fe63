import type { Building } from '../../domain/building';
import type { District } from '../../domain/district';
import type { NudgeClaim, Snooze } from '../../domain/nudge';
import type { Schedule } from '../../domain/nudgeSchedule';
import { type DueOccurrence, dueOccurrence, type Period, periodAt } from '../../domain/schedule';
import { currentByBuilding } from '../../domain/submission';
import type { Store } from '../ports';
import { countNudges, finishRound } from './nudgeDigest';
import type { CronEngine, NudgeMessenger, NudgeRepos } from './nudgePorts';
import { nudgeViewOf, sendClaimed } from './nudgeSend';
import { planPeriod, plansByBuilding } from './planNudges';
import { scheduleWindow } from './scheduleService';

export interface NudgeRunnerDeps {
  store: Store;
  nudges: NudgeRepos;
  cron: CronEngine;
  messenger: NudgeMessenger;
  /** Names this replica in claim records (diagnostics only; correctness comes from the store). */
  instanceId: string;
  /** An occurrence that fell due longer ago than this (e.g. while every replica was down) is dropped. */
  graceMs: number;
  /** How many buildings of one round are handled at once (sends are queued and rate-limited by the messenger). */
  concurrency?: number;
  /**
   * How long a nudge claimed by another replica may stay unsent before that replica is presumed dead and the
   * replica closing the round sends it instead (default 10 minutes; keep it above the longest rate-limited
   * fan-out). Until then the round's digest waits.
   */
  leaseMs?: number;
  /** Waits between checks on other replicas' claims (tests inject a fast one). */
  wait?: (ms: number) => Promise<void>;
  /** Wall-clock milliseconds for the lease (default Date.now). */
  nowMs?: () => number;
  /** Link to a building's submission for the digest (e.g. the web console), when there is one. */
  linkFor?: (b: Building, periodId: string) => string | null;
  /** Link to the district's dashboard for the digest, when there is one. */
  dashboardLink?: (tenantId: string, districtId: string) => string | null;
  /** Delivery failures are reported here (and counted), never swallowed. */
  onError?: (what: string, e: unknown) => void;
}

export interface TickReport {
  rounds: number;
  sent: number;
  reminders: number;
  skippedSubmitted: number;
  skippedSnoozed: number;
  alreadyClaimed: number;
  failed: number;
  escalated: number;
  digests: number;
  errors: number;
}

/** A tick's report before anything happened. */
export const emptyReport = (): TickReport => ({
  rounds: 0,
  sent: 0,
  reminders: 0,
  skippedSubmitted: 0,
  skippedSnoozed: 0,
  alreadyClaimed: 0,
  failed: 0,
  escalated: 0,
  digests: 0,
  errors: 0,
});

async function eachLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Sends the nudges that are due. Call `tick(now)` every minute on every replica: each nudge is claimed in the
 * store with a unique key (schedule, occurrence, building) before it is sent, so however many replicas tick,
 * each building gets each nudge once. The digest and escalations of a round are claimed the same way.
 */
export class NudgeRunner {
  constructor(private readonly d: NudgeRunnerDeps) {}

  private fail(report: TickReport, what: string, e: unknown) {
    report.errors++;
    this.d.onError?.(what, e);
  }

  async tick(now: Date): Promise<TickReport> {
    const report = emptyReport();
    let schedules: Schedule[] = [];
    let snoozes: Snooze[] = [];
    try {
      [schedules, snoozes] = await Promise.all([
        this.d.nudges.schedules.listAll(),
        this.d.nudges.snoozes.listAll(),
      ]);
    } catch (e) {
      this.fail(report, 'listing schedules', e);
      return report;
    }
    // Schedules (districts) run side by side: one district's rate-limited fan-out does not delay another's.
    await eachLimit(schedules, 8, async (s) => {
      try {
        const due = dueOccurrence(now, this.d.graceMs, scheduleWindow(s, this.d.cron));
        if (due) await this.runRound(s, due, now, snoozes, report);
      } catch (e) {
        this.fail(report, `schedule ${s.id}`, e);
      }
    });
    for (const sn of snoozes) {
      if (new Date(sn.until) > now) continue;
      try {
        await this.remind(sn, now, report);
      } catch (e) {
        this.fail(report, `snooze reminder ${sn.buildingId}`, e);
      }
    }
    return report;
  }

  /** Claims, then sends; a failed send is recorded on the claim (no second send) and reported. */
  private async claimAndSend(
    district: District,
    b: Building,
    period: Period,
    claim: NudgeClaim,
    attempt: number,
    reminder: boolean,
    report: TickReport,
    subject?: Schedule['subject'],
  ): Promise<boolean> {
    const { tenantId, id: districtId } = district;
    if (!(await this.d.nudges.claims.claim(tenantId, districtId, period.id, claim))) {
      report.alreadyClaimed++;
      return false;
    }
    const r = await sendClaimed(
      this.d,
      district,
      b,
      period.id,
      claim,
      nudgeViewOf(district, b, period, district.timezone, attempt, reminder, subject),
    );
    if (r.sent && reminder) report.reminders++;
    else if (r.sent) report.sent++;
    else {
      report.failed++;
      this.fail(report, `nudge to ${b.name} (${b.channelId})`, r.error);
    }
    return r.sent;
  }

  private async runRound(s: Schedule, due: DueOccurrence, now: Date, snoozes: Snooze[], report: TickReport) {
    const occ = due.occurrence.toISOString();
    // A round whose digest is out has been fully handed out (every building claimed by some replica).
    if (await this.d.nudges.rounds.digestClaimed(s.id, occ)) return;
    const district = await this.d.store.districts.get(s.tenantId, s.districtId);
    if (!district) return;
    report.rounds++;
    const all = await this.d.nudges.buildings.list(s.tenantId, s.districtId);
    const targets = s.buildingIds ? all.filter((b) => s.buildingIds?.includes(b.id)) : all;
    if (!targets.length) {
      // Nobody to nudge (no building registered yet, or all removed): no digest either; mark the round done.
      await this.d.nudges.rounds.claimDigest(s.id, occ, {
        instance: this.d.instanceId,
        at: now.toISOString(),
        empty: true,
      });
      return;
    }
    // A plan schedule (./planNudges.ts): "submitted" = has a plan; its claims kept apart; no snoozes.
    const plan = s.subject === 'plan';
    const monitoringPeriod = periodAt(due.sendAt, s.timezone, s.periodKind);
    const period = plan ? planPeriod(monitoringPeriod) : monitoringPeriod;
    const current: Map<string, { submittedAt: string }> = plan
      ? await plansByBuilding(this.d.store.plans, s.tenantId, s.districtId)
      : currentByBuilding(await this.d.nudges.submissions.list(s.tenantId, s.districtId, period.id));
    const prior = countNudges(await this.d.nudges.claims.list(s.tenantId, s.districtId, period.id));
    const snoozed = new Map(
      snoozes
        .filter((x) => !plan && x.tenantId === s.tenantId && x.districtId === s.districtId)
        .map((x) => [x.buildingId, x]),
    );
    await eachLimit(targets, this.d.concurrency ?? 100, async (b) => {
      if (current.has(b.id)) {
        report.skippedSubmitted++;
        return;
      }
      const sn = snoozed.get(b.id);
      if (sn && new Date(sn.until) > due.sendAt) {
        report.skippedSnoozed++;
        return;
      }
      const claim: NudgeClaim = {
        buildingId: b.id,
        scheduleId: s.id,
        occurrence: occ,
        claimedAt: now.toISOString(),
        instance: this.d.instanceId,
        status: 'claimed',
      };
      const attempt = (prior.get(b.id) ?? 0) + 1;
      await this.claimAndSend(district, b, period, claim, attempt, false, report, s.subject);
    });
    if (
      !(await this.d.nudges.rounds.claimDigest(s.id, occ, {
        instance: this.d.instanceId,
        at: now.toISOString(),
      }))
    )
      return;
    await this.settleOthersClaims(s, district, targets, period, occ, report);
    await finishRound(
      this.d,
      { schedule: s, district, targets, period, current, snoozed, occ },
      now,
      report,
      (what, e) => this.fail(report, what, e),
    );
  }

  /**
   * Before the digest: waits for nudges of this round that other replicas claimed and have not yet sent. A claim
   * still unsent when the lease runs out belongs to a replica that died between claiming and sending; it is taken
   * over (itself claimed once, with a second unique key) and sent here, so a crash loses no nudge.
   */
  private async settleOthersClaims(
    s: Schedule,
    district: District,
    targets: Building[],
    period: Period,
    occ: string,
    report: TickReport,
  ) {
    const nowMs = this.d.nowMs ?? Date.now;
    const wait = this.d.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = nowMs() + (this.d.leaseMs ?? 10 * 60_000);
    const byId = new Map(targets.map((b) => [b.id, b]));
    for (;;) {
      const pending = (await this.d.nudges.claims.list(s.tenantId, s.districtId, period.id)).filter(
        (c) =>
          c.scheduleId === s.id && c.occurrence === occ && c.status === 'claimed' && byId.has(c.buildingId),
      );
      if (!pending.length) return;
      if (nowMs() < deadline) {
        await wait(Math.min(250, Math.max(10, deadline - nowMs())));
        continue;
      }
      const all = await this.d.nudges.claims.list(s.tenantId, s.districtId, period.id);
      const prior = countNudges(all.filter((c) => c.occurrence !== occ));
      for (const c of pending) {
        const b = byId.get(c.buildingId) as Building;
        const takeover: NudgeClaim = { ...c, occurrence: `${occ}|takeover`, instance: this.d.instanceId };
        // The takeover is itself claimed once, so two replicas closing the round cannot both resend.
        if (!(await this.d.nudges.claims.claim(s.tenantId, s.districtId, period.id, takeover))) continue;
        const attempt = (prior.get(b.id) ?? 0) + 1;
        const sent = await this.claimAndSendClaimed(
          district,
          b,
          period,
          takeover,
          attempt,
          report,
          s.subject,
        );
        await this.d.nudges.claims.update(s.tenantId, s.districtId, period.id, {
          ...c,
          status: sent ? 'sent' : 'failed',
          error: `taken over by ${this.d.instanceId} after the lease ran out`,
        });
      }
      return;
    }
  }

  private async claimAndSendClaimed(
    district: District,
    b: Building,
    period: Period,
    claim: NudgeClaim,
    attempt: number,
    report: TickReport,
    subject?: Schedule['subject'],
  ): Promise<boolean> {
    const view = nudgeViewOf(district, b, period, district.timezone, attempt, false, subject);
    const r = await sendClaimed(this.d, district, b, period.id, claim, view);
    if (r.sent) report.sent++;
    else {
      report.failed++;
      this.fail(report, `nudge to ${b.name} (${b.channelId}) after takeover`, r.error);
    }
    return r.sent;
  }

  private async remind(sn: Snooze, now: Date, report: TickReport) {
    const district = await this.d.store.districts.get(sn.tenantId, sn.districtId);
    const b = district ? await this.d.nudges.buildings.get(sn.tenantId, sn.districtId, sn.buildingId) : null;
    const s = district ? await this.d.nudges.schedules.get(sn.tenantId, sn.districtId, sn.scheduleId) : null;
    if (district && b) {
      const tz = s?.timezone ?? district.timezone;
      const period = periodAt(now, tz, s?.periodKind ?? 'month');
      const current = currentByBuilding(
        await this.d.nudges.submissions.list(sn.tenantId, sn.districtId, period.id),
      );
      if (!current.has(b.id) && now.getTime() - new Date(sn.until).getTime() <= this.d.graceMs) {
        const prior = countNudges(await this.d.nudges.claims.list(sn.tenantId, sn.districtId, period.id));
        const claim: NudgeClaim = {
          buildingId: b.id,
          scheduleId: sn.scheduleId,
          occurrence: `reminder:${sn.until}`,
          claimedAt: now.toISOString(),
          instance: this.d.instanceId,
          status: 'claimed',
        };
        await this.claimAndSend(district, b, period, claim, (prior.get(b.id) ?? 0) + 1, true, report);
      }
    }
    // Only the snooze that was read is removed; a newer snooze set meanwhile stays.
    const still = await this.d.nudges.snoozes.get(sn.tenantId, sn.districtId, sn.buildingId);
    if (still && still.until === sn.until) await this.d.nudges.snoozes.remove(sn);
  }
}

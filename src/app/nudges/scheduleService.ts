import { z } from 'zod';
import type { District } from '../../domain/district';
import { DomainError, notSetUp } from '../../domain/errors';
import type { Schedule } from '../../domain/nudgeSchedule';
import {
  DEFAULT_POLICY,
  isValidTimeZone,
  type NudgePolicy,
  nextAllowedTime,
  pad2,
  parseQuietHours,
  parseScheduleExpression,
  periodAt,
  type ScheduleWindow,
  type SnoozeLength,
  snoozeUntil,
  upcomingRuns,
  zonedTime,
} from '../../domain/schedule';
import { Access } from '../policy';
import type { Clock, IdGenerator, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput } from '../schemas';
import { plain, type RichText, rich } from '../text';
import { showTime } from '../when';
import type { BuildingService } from './buildingService';
import { type NudgeNowReport, nudgeNow } from './nudgeNow';
import type { CronEngine, NudgeMessenger, NudgeRepos } from './nudgePorts';
import type { ScheduleView } from './nudgeViews';

export interface ScheduleServiceDeps {
  store: Store;
  nudges: NudgeRepos;
  buildings: BuildingService;
  cron: CronEngine;
  clock: Clock;
  ids: IdGenerator;
  /** Sends `nudge now`. */
  messenger?: NudgeMessenger;
}

const dateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2027-06-15');

const scheduleInput = z.object({
  channelId: idString,
  expression: z.string().max(200, 'is too long'),
  /** Building ids/names/channel mentions; empty or omitted = every building. */
  buildings: z.array(z.string().max(200)).max(1000).default([]),
  endsOn: dateOnly.optional(),
  timezone: z
    .string()
    .refine(isValidTimeZone, 'is not a known IANA time zone (e.g. America/Detroit)')
    .optional(),
  quiet: z.string().max(40).optional(),
  weekends: z.boolean().default(false),
  holidays: z.array(dateOnly).max(366).default([]),
  escalateAfter: z.number().int().min(0).max(50).default(3),
  period: z.enum(['month', 'week']).default('month'),
  /** What the nudges ask for: monitoring data (default) or the Building Action Planning template. */
  subject: z.enum(['monitoring', 'plan'], { error: 'must be monitoring or plan' }).default('monitoring'),
});

const snoozeInput = z.object({
  districtId: idString,
  buildingId: idString,
  scheduleId: idString.optional(),
  length: z.enum(['1d', '1w'], { error: 'snooze for 1d (one day) or 1w (one week)' }),
});

const fmtMinutes = (m: number) => `${pad2(Math.floor(m / 60))}:${pad2(m % 60)}`;

export function scheduleWindow(s: Schedule, cron: CronEngine): ScheduleWindow {
  return {
    occurrences: cron.source(s.cron, s.timezone),
    tz: s.timezone,
    policy: s.policy,
    startsAt: new Date(s.startsAt),
    endsAt: s.endsAt ? new Date(s.endsAt) : null,
  };
}

export function scheduleView(s: Schedule, cron: CronEngine, now: Date): ScheduleView {
  const runs = upcomingRuns(now, 3, scheduleWindow(s, cron));
  return {
    scheduleId: s.id,
    expression: s.expression,
    cron: s.cron,
    description: s.description,
    timezone: s.timezone,
    buildings: s.buildingIds ?? 'all',
    endsOn: s.endsAt,
    periodKind: s.periodKind,
    quietHours: s.policy.quietHours
      ? `${fmtMinutes(s.policy.quietHours.start)}-${fmtMinutes(s.policy.quietHours.end)}`
      : 'off',
    skipWeekends: s.policy.skipWeekends,
    holidays: s.policy.holidays,
    escalateAfter: s.escalateAfter,
    subject: s.subject ?? 'monitoring',
    nextRuns: runs.map((r) => showTime(r.sendAt, s.timezone)),
  };
}

/** Nudge schedules (stored data; node-cron only ticks) and building snoozes. */
export class ScheduleService {
  private readonly access: Access;

  constructor(private readonly d: ScheduleServiceDeps) {
    this.access = new Access({ store: d.store });
  }

  private async coordinatorDistrict(actorIn: Actor, channelId: string): Promise<District> {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.d.store.districts.findByChannel(actor.tenantId, channelId);
    if (!district) throw notSetUp();
    await this.access.enforce(actor, 'building.manage', district);
    return district;
  }

  /** Validates a schedule and builds the record without storing it. */
  private async build(actorIn: Actor, input: unknown): Promise<Schedule> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(scheduleInput, input);
    const district = await this.coordinatorDistrict(actor, i.channelId);
    const parsed = parseScheduleExpression(i.expression);
    const tz = i.timezone ?? district.timezone;
    this.d.cron.source(parsed.cron, tz); // refuses what the cron engine cannot evaluate
    const now = this.d.clock.now();
    let endsAt: Date | null = null;
    if (i.endsOn) {
      const [y, m, day] = i.endsOn.split('-').map(Number) as [number, number, number];
      endsAt = zonedTime(tz, y, m, day + 1); // through the end of that local day
      if (Number.isNaN(endsAt.getTime()) || endsAt <= now)
        throw new DomainError('invalid-input', `The end date ${i.endsOn} is already past.`, {
          endsOn: 'in the past',
        });
    }
    const buildingIds: string[] = [];
    for (const ref of i.buildings) {
      buildingIds.push((await this.d.buildings.findBuilding(actor.tenantId, district.id, ref)).id);
    }
    const policy: NudgePolicy = {
      quietHours: i.quiet === undefined ? DEFAULT_POLICY.quietHours : parseQuietHours(i.quiet),
      skipWeekends: !i.weekends,
      holidays: Array.from(new Set(i.holidays)).sort(),
    };
    return {
      id: this.d.ids.next('s'),
      tenantId: actor.tenantId,
      districtId: district.id,
      expression: i.expression.trim(),
      cron: parsed.cron,
      description: parsed.description,
      timezone: tz,
      buildingIds: buildingIds.length ? Array.from(new Set(buildingIds)) : null,
      startsAt: now.toISOString(),
      endsAt: endsAt ? endsAt.toISOString() : null,
      periodKind: i.period,
      policy,
      escalateAfter: i.escalateAfter,
      createdAt: now.toISOString(),
      createdBy: actor.userId,
      ...(i.subject === 'plan' ? { subject: 'plan' as const } : {}),
    };
  }

  /** What a schedule would do: its next three send times. Nothing is stored. */
  async preview(actor: Actor, input: unknown): Promise<ScheduleView> {
    const s = await this.build(actor, input);
    return scheduleView(s, this.d.cron, this.d.clock.now());
  }

  async add(actor: Actor, input: unknown): Promise<ScheduleView> {
    const s = await this.build(actor, input);
    const view = scheduleView(s, this.d.cron, this.d.clock.now());
    if (!view.nextRuns.length)
      throw new DomainError('invalid-input', 'This schedule would never send a nudge before its end date.', {
        schedule: 'no run before the end date',
      });
    await this.d.nudges.schedules.put(s);
    return view;
  }

  async list(actorIn: Actor, channelId: string): Promise<ScheduleView[]> {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.d.store.districts.findByChannel(
      actor.tenantId,
      parseInput(idString, channelId),
    );
    if (!district) return [];
    await this.access.enforce(actor, 'district.read', district);
    const now = this.d.clock.now();
    return (await this.d.nudges.schedules.list(actor.tenantId, district.id))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((s) => scheduleView(s, this.d.cron, now));
  }

  async remove(actorIn: Actor, channelId: string, scheduleId: string): Promise<ScheduleView> {
    const actor = parseInput(actorSchema, actorIn);
    const district = await this.coordinatorDistrict(actor, channelId);
    const s = await this.d.nudges.schedules.get(actor.tenantId, district.id, scheduleId);
    if (!s)
      throw new DomainError(
        'invalid-input',
        `There is no schedule "${scheduleId.slice(0, 60)}" here. See \`schedule list\`.`,
      );
    await this.d.nudges.schedules.remove(s);
    return scheduleView(s, this.d.cron, this.d.clock.now());
  }

  /** `nudge now ["Building"]`: the current period's nudge at once (see ./nudgeNow.ts). */
  nudgeNow(actor: Actor, channelId: string, building?: string): Promise<NudgeNowReport> {
    const a = parseInput(actorSchema, actor);
    return nudgeNow(
      this.d,
      this.access,
      (t, d, ref) => this.d.buildings.findBuilding(t, d, ref),
      a,
      parseInput(idString, channelId),
      building,
    );
  }

  /**
   * A building snoozes its nudges for a day or a week: rounds in between skip it, and one reminder goes out
   * when the snooze ends (at the next allowed time) if it still has not submitted.
   */
  async snooze(actorIn: Actor, input: unknown): Promise<{ until: Date; untilLocal: string; text: RichText }> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(snoozeInput, input);
    const district = await this.d.store.districts.get(actor.tenantId, i.districtId);
    const building = district
      ? await this.d.nudges.buildings.get(actor.tenantId, i.districtId, i.buildingId)
      : null;
    if (!district || !building)
      throw new DomainError('invalid-input', 'This building team is no longer registered.');
    await this.d.buildings.assertTeamMember(actor, district.id, building.id);
    // Snoozes are for monitoring-data nudges (plan nudges have no snooze buttons).
    const schedules = (await this.d.nudges.schedules.list(actor.tenantId, district.id)).filter(
      (x) => x.subject !== 'plan',
    );
    const s = schedules.find((x) => x.id === i.scheduleId) ?? schedules[0];
    const tz = s?.timezone ?? district.timezone;
    const policy = s?.policy ?? DEFAULT_POLICY;
    const now = this.d.clock.now();
    const until = snoozeUntil(now, i.length as SnoozeLength, tz, policy);
    await this.d.nudges.snoozes.put({
      tenantId: actor.tenantId,
      districtId: district.id,
      buildingId: building.id,
      scheduleId: s?.id ?? '',
      periodId: periodAt(nextAllowedTime(until, tz, policy), tz, s?.periodKind ?? 'month').id,
      until: until.toISOString(),
      setBy: actor.userId,
      setAt: now.toISOString(),
    });
    const current = periodAt(now, tz, s?.periodKind ?? 'month');
    const untilLocal = showTime(until, tz);
    this.d.buildings.redrawNudges(district, building, current, { kind: 'snoozed', until: untilLocal });
    return { until, untilLocal, text: rich`Snoozed: ${building.name} gets a reminder ${plain(untilLocal)}.` };
  }
}

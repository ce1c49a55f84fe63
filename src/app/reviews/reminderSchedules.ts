import { z } from 'zod';
import type { District } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import * as S from '../../domain/reminderSchedule';
import { dueOccurrence, upcomingRuns } from '../../domain/schedule';
import type { CronEngine } from '../nudges/nudgePorts';
import type { Access } from '../policy';
import type { Clock, ReminderMessenger, Store } from '../ports';
import { type Actor, actorSchema, idString, parseInput, text } from '../schemas';
import { showTime, zoneOf } from '../when';
import type { ReminderService } from './reminders';

/** kv namespaces: the schedules (key tenant|district) and the claims of their occurrences (S.occurrenceKey). */
const SCHEDULES = 'remind-schedule';
const CLAIMS = 'remind-occurrence';

export interface ReminderSchedulesDeps {
  store: Store;
  clock: Clock;
  access: Access;
  cron: CronEngine;
  reminders: Pick<ReminderService, 'remindReview'>;
  /** The district of a channel (ReviewService.districtForChannel): refused as not set up elsewhere. */
  districtForChannel(actor: Actor, channelId: string): Promise<District>;
  /** The chat's reminder delivery for a tenant (Slack or Teams); null when that chat is not connected. */
  messenger(tenantId: string): ReminderMessenger | null;
  /** Names this replica in claim records (diagnostics only; correctness comes from the store). */
  instanceId: string;
  /** A tick this late after an occurrence still sends it (the nudges' grace). */
  graceMs: number;
  onError?: (what: string, e: unknown) => void;
}

/** The district's reminder schedule as a coordinator sees it. */
export interface ReminderScheduleView {
  description: string;
  timezone: string;
  /** The next reminder time in the district's zone ("Mon 2026-11-30 09:00 EST"); null when none comes. */
  next: string | null;
}

export interface ReminderTickReport {
  /** Reviews reminded (one reminder round each). */
  sent: number;
  alreadyClaimed: number;
  /** Claimed but refused or undeliverable (recorded on the claim). */
  failed: number;
  errors: number;
}

const setInput = z.object({ channelId: idString, expression: text(120) });
const channelInput = z.object({ channelId: idString });
const keyOf = (d: Pick<District, 'tenantId' | 'id'>) => `${d.tenantId}|${d.id}`;

/**
 * `remind every Monday 9:00` / `remind off` (issue 15): an optional reminder schedule per district, and its runner.
 * `tick(now)` runs every minute on every replica beside the nudges: for each schedule whose occurrence is due (in
 * the district's time zone, DST included: the cron engine's), each open review of the district is claimed by
 * inserting the occurrence key as the record's `_id` (`kv.putIfAbsent`); only the replica whose insert succeeds
 * sends the same reminder `remind` sends (the roster's non-voters), so each occurrence goes out exactly once.
 */
export class ReminderSchedules {
  constructor(private readonly d: ReminderSchedulesDeps) {}

  /** Sets (or replaces) the district's schedule. Policy rule `review.remind` (coordinators, district channel). */
  async set(actorIn: Actor, input: unknown): Promise<ReminderScheduleView> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(setInput, input);
    const district = await this.district(actor, i.channelId);
    const schedule = S.reminderSchedule(
      { tenantId: district.tenantId, districtId: district.id, expression: i.expression, setBy: actor.userId },
      this.d.clock.now(),
    );
    const view = this.view(schedule, district); // checks the cron before it is stored
    await this.d.store.kv.put(SCHEDULES, keyOf(district), schedule);
    return view;
  }

  /** Removes the district's schedule; false when there was none. */
  async off(actorIn: Actor, input: unknown): Promise<boolean> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(channelInput, input);
    const district = await this.district(actor, channelId);
    const had = await this.d.store.kv.get(SCHEDULES, keyOf(district));
    await this.d.store.kv.delete(SCHEDULES, keyOf(district));
    return had !== null;
  }

  /** The district's schedule, or null. */
  async show(actorIn: Actor, input: unknown): Promise<ReminderScheduleView | null> {
    const actor = parseInput(actorSchema, actorIn);
    const { channelId } = parseInput(channelInput, input);
    const district = await this.district(actor, channelId);
    const s = await this.d.store.kv.get<S.ReminderSchedule>(SCHEDULES, keyOf(district));
    return s ? this.view(s, district) : null;
  }

  async tick(now: Date): Promise<ReminderTickReport> {
    const report: ReminderTickReport = { sent: 0, alreadyClaimed: 0, failed: 0, errors: 0 };
    let schedules: Array<{ value: S.ReminderSchedule }>;
    try {
      schedules = await this.d.store.kv.list<S.ReminderSchedule>(SCHEDULES);
    } catch (e) {
      report.errors++;
      this.d.onError?.('listing reminder schedules', e);
      return report;
    }
    for (const { value: s } of schedules) {
      try {
        await this.run(s, now, report);
      } catch (e) {
        report.errors++;
        this.d.onError?.(`reminder schedule ${s.tenantId}|${s.districtId}`, e);
      }
    }
    return report;
  }

  private async run(s: S.ReminderSchedule, now: Date, report: ReminderTickReport) {
    const district = await this.d.store.districts.get(s.tenantId, s.districtId);
    if (!district) return;
    const window = S.reminderWindow(s, zoneOf(district), this.d.cron.source(s.cron, zoneOf(district)));
    const due = dueOccurrence(now, this.d.graceMs, window);
    if (!due) return;
    const reviews = S.remindable(await this.d.store.reviews.listByDistrict(s.tenantId, s.districtId), now);
    for (const review of reviews) {
      const key = S.occurrenceKey(s, review.id, due.occurrence);
      const claim = { by: this.d.instanceId, at: now.toISOString(), state: 'claimed' };
      if (!(await this.d.store.kv.putIfAbsent(CLAIMS, key, claim))) {
        report.alreadyClaimed++;
        continue;
      }
      try {
        const messenger = this.d.messenger(s.tenantId);
        if (!messenger) throw new Error(`no chat connection for ${s.tenantId}`);
        const r = await this.d.reminders.remindReview(review, messenger);
        report.sent++;
        await this.d.store.kv.put(CLAIMS, key, { ...claim, state: 'sent', reminded: r.reminded });
      } catch (e) {
        report.failed++;
        const reason = e instanceof DomainError ? e.message : String((e as Error)?.message ?? e);
        if (!(e instanceof DomainError)) this.d.onError?.(`scheduled reminder of ${review.id}`, e);
        await this.d.store.kv.put(CLAIMS, key, { ...claim, state: 'failed', reason });
      }
    }
  }

  private async district(actor: Actor, channelId: string): Promise<District> {
    const district = await this.d.districtForChannel(actor, channelId);
    await this.d.access.enforce(actor, 'review.remind', district);
    return district;
  }

  private view(s: S.ReminderSchedule, district: District): ReminderScheduleView {
    const tz = zoneOf(district);
    const window = S.reminderWindow(s, tz, this.d.cron.source(s.cron, tz));
    const [next] = upcomingRuns(this.d.clock.now(), 1, window);
    return { description: s.description, timezone: tz, next: next ? showTime(next.sendAt, tz) : null };
  }
}

import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { isFacilitator, type Network } from '../../domain/network';
import {
  NETWORK_REMIND_POLICY,
  type NetworkRemindSchedule,
  occurrenceKey,
} from '../../domain/networkSchedule';
import {
  dueOccurrence,
  parseScheduleExpression,
  type ScheduleWindow,
  upcomingRuns,
} from '../../domain/schedule';
import type { CronEngine } from '../nudges/nudgePorts';
import { type Access, networkMissing } from '../policy';
import type { Clock, Store } from '../ports';
import { type Actor, actorSchema, parseInput, text } from '../schemas';
import type { NetworkReminders, RemindResult } from './networkReminders';

export interface RemindScheduleDeps {
  store: Store;
  clock: Clock;
  /** Cron evaluation (the nudges' engine); without it, schedules cannot be set. */
  cron?: CronEngine;
  /** The time zone schedules are read in (DEFAULT_TIMEZONE; a network spans districts of several zones). */
  timezone?: string;
  /** How late a round may still go out after its time (a tick missed while every replica was down). */
  graceMs?: number;
  /** Who claims a round (logs, the run record). */
  instanceId?: string;
  onError?: (what: string, e: unknown) => void;
}

/** Key-value namespaces: the schedules (one per network), the rounds' claims, each network's last round. */
export const SCHEDULES = 'network-remind-schedule';
export const ROUND_CLAIMS = 'network-remind-round';
export const LAST_ROUNDS = 'network-remind-last';

type Stored = Omit<NetworkRemindSchedule, 'startsAt'> & { startsAt: string };

/** One facilitated network's schedule as its facilitator reads it. */
export interface ScheduleReading {
  networkName: string;
  schedule: Pick<NetworkRemindSchedule, 'description' | 'tz' | 'cycle'> | null;
  /** The next rounds' times (at most 3). */
  next: Date[];
  last: { at: Date; reminded: number; error: string | null } | null;
}

export interface ScheduleTickReport {
  /** Rounds this replica ran. */
  rounds: number;
  /** Rounds another replica had claimed. */
  alreadyClaimed: number;
  reminded: number;
  errors: number;
}

const scheduleInput = z.object({
  expression: z.string().max(200, 'is too long'),
  cycle: text(120).nullable().default(null),
});

/**
 * The facilitator's standing `network remind` (`network remind schedule "every Monday 9:00" ["cycle"]`, `network
 * remind off`): stored data, ticked with the nudges each minute on every replica. The round due at `now` (the domain's
 * `dueOccurrence`, as for nudges) is run by the one replica whose insert of its occurrence key succeeds; the round is
 * `network remind` itself, so each district is still told at most once a day per cycle.
 */
export class NetworkRemindSchedules {
  constructor(
    private readonly d: RemindScheduleDeps,
    private readonly access: Access,
    private readonly reminders: NetworkReminders,
  ) {}

  /** Sets (or replaces) the schedule of every network the asker facilitates. */
  async set(actorIn: Actor, input: unknown): Promise<ScheduleReading[]> {
    const actor = parseInput(actorSchema, actorIn);
    const i = parseInput(scheduleInput, input);
    const mine = await this.facilitated(actor);
    const cron = this.d.cron;
    if (!cron)
      throw new DomainError('invalid-state', 'Scheduled reminders are not available on this server.');
    const parsed = parseScheduleExpression(i.expression);
    const tz = this.d.timezone ?? 'UTC';
    cron.source(parsed.cron, tz); // throws a clear error on an expression the engine cannot evaluate
    const cycle = i.cycle === null ? null : i.cycle.replace(/\s+/g, ' ');
    for (const n of mine) {
      const s: NetworkRemindSchedule = {
        networkId: n.id,
        cron: parsed.cron,
        description: parsed.description,
        tz,
        cycle,
        startsAt: this.d.clock.now(),
        setBy: { tenantId: actor.tenantId, userId: actor.userId },
      };
      await this.d.store.kv.put(SCHEDULES, n.id, { ...s, startsAt: s.startsAt.toISOString() });
    }
    return this.readings(mine);
  }

  /** Stops the schedule of every network the asker facilitates. */
  async off(actorIn: Actor): Promise<Array<{ networkName: string; had: boolean }>> {
    const actor = parseInput(actorSchema, actorIn);
    const out = [];
    for (const n of await this.facilitated(actor)) {
      const had = (await this.d.store.kv.get(SCHEDULES, n.id)) !== null;
      await this.d.store.kv.delete(SCHEDULES, n.id);
      out.push({ networkName: n.name, had });
    }
    return out;
  }

  async show(actorIn: Actor): Promise<ScheduleReading[]> {
    const actor = parseInput(actorSchema, actorIn);
    return this.readings(await this.facilitated(actor));
  }

  /** One pass at `now` (every replica, each minute): runs the rounds due that no other replica has claimed. */
  async tick(now: Date): Promise<ScheduleTickReport> {
    const report: ScheduleTickReport = { rounds: 0, alreadyClaimed: 0, reminded: 0, errors: 0 };
    const cron = this.d.cron;
    if (!cron) return report;
    let schedules: Array<{ value: Stored }>;
    try {
      schedules = await this.d.store.kv.list<Stored>(SCHEDULES);
    } catch (e) {
      report.errors++;
      this.d.onError?.('listing network reminder schedules', e);
      return report;
    }
    for (const { value } of schedules) {
      const s = fromStored(value);
      try {
        const due = dueOccurrence(now, this.d.graceMs ?? 10 * 60_000, this.window(s, cron));
        if (!due) continue;
        const claim = { by: this.d.instanceId ?? 'this', at: now.toISOString() };
        if (
          !(await this.d.store.kv.putIfAbsent(
            ROUND_CLAIMS,
            occurrenceKey(s.networkId, due.occurrence),
            claim,
          ))
        ) {
          report.alreadyClaimed++;
          continue;
        }
        report.rounds++;
        const n = await this.d.store.networks.get(s.networkId);
        // A network gone, or whose facilitator no longer facilitates it, has no schedule any more.
        if (!n || !isFacilitator(n, s.setBy)) {
          await this.d.store.kv.delete(SCHEDULES, s.networkId);
          continue;
        }
        const r = await this.run(n, s.cycle, now);
        report.reminded += r?.reminded ?? 0;
      } catch (e) {
        report.errors++;
        this.d.onError?.(`network reminder round of ${s.networkId}`, e);
      }
    }
    return report;
  }

  /** Runs one round; what became of it is kept for `network remind schedule` (a failure is not retried). */
  private async run(n: Network, cycle: string | null, now: Date): Promise<RemindResult | null> {
    try {
      const r = await this.reminders.remindNetwork(n, cycle);
      await this.d.store.kv.put(LAST_ROUNDS, n.id, {
        at: now.toISOString(),
        reminded: r.reminded,
        error: null,
      });
      return r;
    } catch (e) {
      const error = e instanceof DomainError ? e.message : 'the reminders could not be sent';
      await this.d.store.kv.put(LAST_ROUNDS, n.id, { at: now.toISOString(), reminded: 0, error });
      if (!(e instanceof DomainError)) throw e;
      return null;
    }
  }

  private window(s: NetworkRemindSchedule, cron: CronEngine): ScheduleWindow {
    return {
      occurrences: cron.source(s.cron, s.tz),
      tz: s.tz,
      policy: NETWORK_REMIND_POLICY,
      startsAt: s.startsAt,
      endsAt: null,
    };
  }

  private async readings(networks: Network[]): Promise<ScheduleReading[]> {
    const now = this.d.clock.now();
    const out: ScheduleReading[] = [];
    for (const n of networks) {
      const stored = await this.d.store.kv.get<Stored>(SCHEDULES, n.id);
      const s = stored ? fromStored(stored) : null;
      const last = await this.d.store.kv.get<{ at: string; reminded: number; error: string | null }>(
        LAST_ROUNDS,
        n.id,
      );
      out.push({
        networkName: n.name,
        schedule: s ? { description: s.description, tz: s.tz, cycle: s.cycle } : null,
        next: s && this.d.cron ? upcomingRuns(now, 3, this.window(s, this.d.cron)).map((x) => x.sendAt) : [],
        last: last ? { at: new Date(last.at), reminded: last.reminded, error: last.error } : null,
      });
    }
    return out;
  }

  private async facilitated(actor: Actor): Promise<Network[]> {
    const mine = await this.d.store.networks.listByFacilitator(actor.tenantId, actor.userId);
    if (mine.length === 0) throw networkMissing();
    for (const n of mine) await this.access.enforce(actor, 'network.remind', null, { network: n });
    return mine;
  }
}

const fromStored = (v: Stored): NetworkRemindSchedule => ({ ...v, startsAt: new Date(v.startsAt) });

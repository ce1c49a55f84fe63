import type { ActionReminderRunner } from '../../app/actions/actionReminders';
import type { NetworkService } from '../../app/network/networkService';
import type { NudgeRunner, TickReport } from '../../app/nudges/nudgeRunner';
import type { ReminderSchedules } from '../../app/reviews/reminderSchedules';
import type { Logger } from '../observability/logger';

/**
 * What runs on each minute's tick, in order: the building nudges (whose report the scheduler counts), the owners'
 * action reminders, the districts' reminder schedules, the co-op networks' reminder schedules and, once a UTC day,
 * the networks' clean-up. Each part claims its own work in the store, so every replica may tick.
 */
export function everyMinute(
  p: {
    nudges: Pick<NudgeRunner, 'tick'>;
    actionReminders: Pick<ActionReminderRunner, 'tick'>;
    reminderSchedules: Pick<ReminderSchedules, 'tick'>;
    network: Pick<NetworkService, 'schedules' | 'cleanup'>;
  },
  log: Pick<Logger, 'info'>,
): { tick(now: Date): Promise<TickReport> } {
  return {
    async tick(now: Date) {
      const report = await p.nudges.tick(now);
      const a = await p.actionReminders.tick(now);
      const rs = await p.reminderSchedules.tick(now);
      if (rs.sent || rs.failed || rs.errors)
        log.info(`scheduled reminders: ${rs.sent} sent, ${rs.failed} failed`, { ...rs });
      if (a.sent || a.failed || a.errors)
        log.info(`action reminders: ${a.sent} sent, ${a.failed} failed`, { ...a });
      const n = await p.network.schedules.tick(now);
      if (n.rounds || n.errors)
        log.info(`network reminders: ${n.rounds} rounds, ${n.reminded} reminded`, { ...n });
      const c = await p.network.cleanup.tick(now);
      if (c.ran || c.errors)
        log.info(`network clean-up: ${c.expiredConnects} expired requests, ${c.oldClaims} old claims`, {
          ...c,
        });
      return report;
    },
  };
}

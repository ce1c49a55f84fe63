import cron from 'node-cron';
import type { Destination, NudgeMessenger } from '../../app/nudges/nudgePorts';
import type { NudgeRunner, TickReport } from '../../app/nudges/nudgeRunner';
import type { Clock, NoticeMessenger } from '../../app/ports';
import { defaultLogger, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

export { cronParserEngine } from './cronEngine';

/**
 * Routes each message to the channel its tenant belongs to: tenant ids of Teams start with "teams:", the local
 * console's with "console:", the rest are Slack workspaces. A message for a channel that is not configured fails loudly (recorded on the claim).
 */
export function routeMessenger(o: {
  slack?: NudgeMessenger | null;
  teams?: NudgeMessenger | null;
  /** The local console's simulated channels (`console:` tenants). */
  console?: NudgeMessenger | null;
}): NudgeMessenger {
  const pick = (to: Destination): NudgeMessenger => {
    if (to.tenantId.startsWith('console:')) {
      if (!o.console) throw new Error('The local console is off: its demo channels cannot be nudged');
      return o.console;
    }
    const m = to.tenantId.startsWith('teams:') ? o.teams : o.slack;
    if (!m)
      throw new Error(
        `No ${to.tenantId.startsWith('teams:') ? 'Teams' : 'Slack'} connection is configured for nudges`,
      );
    return m;
  };
  return {
    sendNudge: async (to, v) => pick(to).sendNudge(to, v),
    updateNudge: async (to, id, v) => {
      const m = pick(to);
      if (!m.updateNudge) throw new Error('This chat connection cannot redraw nudges');
      await m.updateNudge(to, id, v);
    },
    sendDigest: async (to, v) => pick(to).sendDigest(to, v),
    sendEscalation: async (to, v) => pick(to).sendEscalation(to, v),
  };
}

/** The co-op network's notices, routed the same way (a district's channel is on its tenant's platform). */
export function routeNotices(o: {
  slack?: NoticeMessenger | null;
  teams?: NoticeMessenger | null;
  console?: NoticeMessenger | null;
}): NoticeMessenger {
  return {
    async sendNotice(to, text) {
      if (to.tenantId.startsWith('console:')) {
        if (!o.console) throw new Error('The local console is off: its demo channels cannot be reached');
        await o.console.sendNotice(to, text);
        return;
      }
      const teams = to.tenantId.startsWith('teams:');
      const m = teams ? o.teams : o.slack;
      if (!m) throw new Error(`No ${teams ? 'Teams' : 'Slack'} connection is configured for notices`);
      await m.sendNotice(to, text);
    },
  };
}

export interface NudgeSchedulerHandle {
  /** Runs one tick now (also what node-cron calls every minute). Overlapping ticks are skipped, not queued. */
  tickNow(): Promise<TickReport | null>;
  stop(): Promise<void>;
}

/**
 * node-cron only ticks (every minute, on every replica); what is due and who sends it is decided by the runner
 * against the store, so replicas need no lock and a missed tick is caught up by the next one within the grace.
 */
export function startNudgeScheduler(o: {
  /** The nudge runner (main.ts also ticks the action reminders with it). */
  runner: Pick<NudgeRunner, 'tick'>;
  clock: Clock;
  logger?: Pick<Logger, 'info' | 'error'>;
  /** Each tick's report is counted here (nudges sent and failed, errors, the time of the last tick). */
  metrics?: Pick<Metrics, 'nudgeTick'>;
  /** node-cron expression of the tick; default every minute. */
  every?: string;
}): NudgeSchedulerHandle {
  const log = o.logger ?? defaultLogger('nudges');
  let running: Promise<TickReport | null> | null = null;
  const tickNow = async () => {
    if (running) return null;
    running = o.runner.tick(o.clock.now()).then(
      (r) => {
        o.metrics?.nudgeTick(r, Date.now());
        if (r.sent || r.reminders || r.failed || r.errors)
          log.info(
            `nudges: ${r.sent} sent, ${r.reminders} reminders, ${r.failed} failed, ${r.escalated} escalated, ${r.digests} digests`,
            { ...r },
          );
        return r;
      },
      (e) => {
        log.error('nudge tick failed', e);
        return null;
      },
    );
    try {
      return await running;
    } finally {
      running = null;
    }
  };
  const task = cron.schedule(o.every ?? '* * * * *', () => void tickNow(), {
    name: 'micip-nudges',
    noOverlap: true,
  });
  return {
    tickNow,
    async stop() {
      await task.destroy();
      if (running) await running;
    },
  };
}

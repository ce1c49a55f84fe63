import type { NudgeMessenger } from '../app/nudges/nudgePorts';
import type { Clock, NoticeMessenger, ReminderMessenger } from '../app/ports';
import type { Config } from '../config';
import type { Logger } from './observability/logger';
import { routeMessenger, routeNotices } from './scheduler';
import { createSlackNudgeMessenger, slackAdapterPoster, slackAdapterUpdater } from './slack/nudges';
import { slackScheduledReminders } from './slack/reminders';
import type { SlackAdapter } from './slack/slackApp';
import type { TeamsBot } from './teams';
import { createTeamsNudgeMessenger } from './teams/nudges';
import { ConsoleChannels } from './web/consoleChannels';

/** Whether the local console is on: `on`, or `auto` on a fresh machine (embedded store, no chat credentials). */
export function consoleEnabled(config: Config): boolean {
  const chatConfigured = !!(config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN || config.MicrosoftAppId);
  return (
    config.WEB_CONSOLE === 'on' || (config.WEB_CONSOLE === 'auto' && !config.MONGODB_URI && !chatConfigured)
  );
}

/**
 * One way out per platform for what the app sends on its own (not in answer to someone): building nudges and
 * digests, notices (welcomes, the co-op network's, action reminders) and scheduled vote reminders — routed by the
 * tenant (Teams `teams:`, the console's `console:`, else Slack). The console's simulated building channels exist
 * only when the console is on.
 */
export function chatMessengers(o: {
  config: Config;
  clock: Clock;
  slack: SlackAdapter | null;
  teams: TeamsBot;
  slackLog: Logger;
}): {
  messenger: NudgeMessenger;
  notices: NoticeMessenger;
  reminders: (tenantId: string) => ReminderMessenger | null;
  consoleChannels: ConsoleChannels | null;
} {
  const { config, slack, teams } = o;
  const slackMessenger = slack
    ? createSlackNudgeMessenger({
        post: slackAdapterPoster(slack, config.SLACK_BOT_TOKEN),
        update: slackAdapterUpdater(slack, config.SLACK_BOT_TOKEN),
        // The adapter's one outbound layer: nudges and notices share the workspace's budgets with the polls.
        outbound: slack.outbound,
      })
    : null;
  const teamsMessenger = createTeamsNudgeMessenger({
    post: (t, c, a) => teams.postToChannel(t, c, a),
    update: (t, c, id, a) => teams.updateInChannel(t, c, id, a),
  });
  const consoleChannels = consoleEnabled(config) ? new ConsoleChannels(() => o.clock.now()) : null;
  const consoleMessenger = consoleChannels?.messenger ?? null;
  const slackReminders = slack
    ? slackScheduledReminders(slack, config.SLACK_BOT_TOKEN, o.slackLog, slack.outbound)
    : null;
  return {
    messenger: routeMessenger({ slack: slackMessenger, teams: teamsMessenger, console: consoleMessenger }),
    notices: routeNotices({ slack: slackMessenger, teams: teamsMessenger, console: consoleMessenger }),
    reminders: (t) => (t.startsWith('teams:') ? teams.reminders() : slackReminders),
    consoleChannels,
  };
}

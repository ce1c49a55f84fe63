import * as fs from 'node:fs';
import * as http from 'node:http';
import express from 'express';
import { NedbStore } from './adapters/embedded/nedbStore';
import { loadRubricCatalog } from './adapters/files/rubricCatalog';
import { chatMessengers, consoleEnabled } from './adapters/messengers';
import { MongoStore } from './adapters/mongo/mongoStore';
import { createLogger, type Logger, levelFrom } from './adapters/observability/logger';
import { PromMetrics } from './adapters/observability/metrics';
import { mountObservability } from './adapters/observability/routes';
import { OwedRedraws } from './adapters/owedRedraws';
import { cronParserEngine, startNudgeScheduler } from './adapters/scheduler';
import { everyMinute } from './adapters/scheduler/everyMinute';
import { mountSlack, type SlackAdapter, slackFirst } from './adapters/slack';
import { registerSlackActivity1 } from './adapters/slack/activity1';
import { registerSlackNudgeHandlers } from './adapters/slack/nudges';
import { registerSlackPlans } from './adapters/slack/plans';
import type { SlackDeps } from './adapters/slack/slackApp';
import { randomIds, systemClock } from './adapters/system';
import { mountTeams, type TeamsBot } from './adapters/teams';
import { teamsNudgeActions } from './adapters/teams/nudges';
import { teamsPlanActions } from './adapters/teams/plans';
import { issueLink, mountWeb } from './adapters/web';
import { buildingStatusSource } from './adapters/web/buildings';
import { LinkSigner, webLinks } from './adapters/web/links';
import { newNetworkCode } from './adapters/web/network';
import { ActionReminderRunner } from './app/actions/actionReminders';
import { ActionService } from './app/actions/actionService';
import { Activity1Service } from './app/activity1/activity1Service';
import { CommandService } from './app/commands';
import { NetworkService } from './app/network/networkService';
import { BuildingService } from './app/nudges/buildingService';
import type { NudgeMessenger } from './app/nudges/nudgePorts';
import { NudgeRunner } from './app/nudges/nudgeRunner';
import { ScheduleService } from './app/nudges/scheduleService';
import { PlanService } from './app/plans/planService';
import type { Clock, IdGenerator, NoticeMessenger, ReminderMessenger, Store } from './app/ports';
import { ReminderSchedules } from './app/reviews/reminderSchedules';
import { ResultsService } from './app/reviews/results';
import { ReviewService } from './app/reviews/reviewService';
import { RubricFileError } from './app/reviews/rubricSchema';
import { type Config, ConfigError, loadConfig, readSettings } from './config';

/** The one place that wires adapters to use cases. */
export async function openStore(config: Config): Promise<Store> {
  if (config.MONGODB_URI) {
    const store = await MongoStore.connect({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB });
    await store.init();
    return store;
  }
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  const store = new NedbStore(config.DATA_DIR);
  await store.init();
  return store;
}

export interface App {
  config: Config;
  store: Store;
  service: ReviewService;
  server: http.Server;
  url: string;
  /** URL of the local demo console, when enabled (WEB_CONSOLE). */
  consoleUrl: string | null;
  /** The Slack adapter, when Slack is configured. */
  slack: SlackAdapter | null;
  /** The Teams bot at POST /api/messages (off without MicrosoftAppId unless TEAMS_LOCAL_NO_AUTH, loopback only). */
  teams: TeamsBot;
  /** The nudge runner (every minute via node-cron when NUDGES=on); `tick(now)` runs one pass at `now`. */
  nudges: NudgeRunner;
  /** Owners' action reminders, ticked with the nudges. */
  actionReminders: ActionReminderRunner;
  /** `remind every Monday 9:00`: districts' reminder schedules, ticked with the nudges (`tick(now)`). */
  reminderSchedules: ReminderSchedules;
  logger: Logger;
  /** What GET /metrics shows (its own Prometheus registry). */
  metrics: PromMetrics;
  /** Readiness turns 503 at once, queued Slack votes are written, then everything closes. */
  stop(): Promise<void>;
}

/** What tests may replace: the clock every use case reads and the id source every new record takes its id from. */
export interface AppDeps {
  clock?: Clock;
  ids?: IdGenerator;
  /** Default: JSON lines on stdout at LOG_LEVEL. */
  logger?: Logger;
  /** The Slack outbound layer's time and timers (default wall-clock; tests: a faster clock shared with a fake Slack). */
  slackOutboundTime?: SlackDeps['outboundTime'];
}

export async function startApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL);
  // This process, as its claims (nudges, reminders) and its marks of owed poll redraws name it.
  const instanceId = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // A registry per app, not prom-client's global one: several apps in one process (tests) never clash.
  const metrics = new PromMetrics();
  const rubrics = loadRubricCatalog(config.RUBRICS_DIR);
  const store = await openStore(config);
  logger.child('store').info('store opened', { kind: store.kind });
  let stopping = false;
  const service = new ReviewService({
    store,
    clock,
    rubrics,
    ids,
    defaultTimezone: config.DEFAULT_TIMEZONE,
    closeGraceMs: config.CLOSE_GRACE_MS,
  });
  const web = express();
  web.disable('x-powered-by');
  // GET /healthz, /readyz (the store answers a ping; 503 once stopping) and /metrics (METRICS_TOKEN or loopback).
  mountObservability(web, {
    store,
    metrics,
    metricsToken: config.METRICS_TOKEN,
    stopping: () => stopping,
    logger: logger.child('web'),
  });
  // Results, exports, signed dashboard links and the shared command language (with export/reflect/dashboard).
  let baseUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const results = new ResultsService({ store, rubrics, clock });
  const signer = new LinkSigner(config.WEB_LINK_SECRET);
  const linkDeps = {
    signer,
    clock,
    baseUrl: () => baseUrl,
    linkTtlMs: config.WEB_LINK_TTL_DAYS * 86_400_000,
  };
  // Building teams and their submissions (issue 6): the dashboard shows each building's status this period.
  // Co-op networks' notices, building welcomes and `nudge now` reach the chats through the adapters mounted below.
  let notices: NoticeMessenger | null = null;
  let messenger: NudgeMessenger | null = null;
  const late = (what: string) => Promise.reject(new Error(`${what} are not wired yet`));
  const lateMessenger: NudgeMessenger = {
    sendNudge: (to, v) => (messenger ? messenger.sendNudge(to, v) : late('nudges')),
    updateNudge: (to, id, v) => messenger?.updateNudge?.(to, id, v) ?? late('nudge redraws'),
    sendDigest: (to, v) => (messenger ? messenger.sendDigest(to, v) : late('digests')),
    sendEscalation: (to, v) => (messenger ? messenger.sendEscalation(to, v) : late('escalations')),
  };
  const buildings = new BuildingService({
    store,
    nudges: store.nudges,
    clock,
    ids,
    notices: { sendNotice: (to, text) => (notices ? notices.sendNotice(to, text) : late('notices')) },
    messenger: lateMessenger,
    onError: (what, e) => logger.child('nudges').error(`nudges: ${what} failed`, e),
  });
  const schedules = new ScheduleService({
    store,
    nudges: store.nudges,
    buildings,
    cron: cronParserEngine,
    clock,
    ids,
    messenger: lateMessenger,
  });
  // Co-op networks (issue 17): records of their own, across workspaces and tenants.
  const network = new NetworkService({
    store,
    clock,
    rubrics,
    ids,
    newCode: newNetworkCode,
    k: config.NETWORK_MIN_DISTRICTS,
    // `network remind schedule`: read in DEFAULT_TIMEZONE, ticked with the nudges (claims make each round run once).
    cron: cronParserEngine,
    timezone: config.DEFAULT_TIMEZONE,
    graceMs: config.NUDGE_GRACE_MINUTES * 60_000,
    instanceId,
    onError: (what, e) => logger.child('network').error(`network: ${what} failed`, e),
    // Connect requests reach a district's channel through the chat adapters, mounted below (they need the commands).
    notices: {
      sendNotice: (to, text) =>
        notices ? notices.sendNotice(to, text) : Promise.reject(new Error('notices are not wired yet')),
    },
  });
  // The toolkit's Activity 1 (learner outcomes): one per cycle, shown before the review's first round.
  const activity1 = new Activity1Service({ store, rubrics, clock, ids });
  // Actions that come back: owners, due dates, targets; reminded in the district channel, shown in the next poll.
  const actions = new ActionService({ store, rubrics, clock, ids });
  // Activity 3's action plans (building teams' and the district's templates).
  const plans = new PlanService({
    store,
    rubrics,
    clock,
    // Its plan nudges are redrawn once a building team saves its plan (plan schedules, `kind=plan`).
    messenger: lateMessenger,
    onError: (what, e) => logger.child('nudges').error(`plans: ${what} failed`, e),
  });
  // `remind every Monday 9:00` (issue 15): reminders on a schedule, ticked with the nudges below; delivered by
  // the chat adapters mounted below.
  let reminderMessenger: (tenantId: string) => ReminderMessenger | null = () => null;
  const reminderSchedules = new ReminderSchedules({
    store,
    clock,
    access: service.access,
    cron: cronParserEngine,
    reminders: service.reminders,
    districtForChannel: (a, c) => service.districtForChannel(a, c),
    messenger: (t) => reminderMessenger(t),
    instanceId,
    graceMs: config.NUDGE_GRACE_MINUTES * 60_000,
    onError: (what, e) => logger.child('nudges').error(`reminders: ${what} failed`, e),
  });
  const commands = new CommandService(service, {
    reminderSchedules,
    activity1,
    actions,
    plans,
    results,
    links: webLinks(linkDeps),
    nudges: { buildings, schedules },
    network,
  });
  // Poll redraws a process owed when it died are drawn by another (marks per platform, adopted after a silence).
  const owedRedraws = (platform: 'slack' | 'teams') =>
    new OwedRedraws({
      kv: store.kv,
      namespace: `${platform}-owed-redraws`,
      owner: instanceId,
      now: () => clock.now().getTime(),
      adoptAfterMs: config.POLL_REDRAW_ADOPT_SECONDS * 1000,
      log: (m, e) => logger.child(platform).error(m, e),
    });
  // Channel adapters mount their routes on `web` here (Slack: /slack/events, Teams: /api/messages).
  // Slack: /slack/events (+ /slack/install, /slack/oauth_redirect with OAuth), or Socket Mode with SLACK_APP_TOKEN.
  const slackLog = logger.child('slack');
  const slack = mountSlack(web, config, {
    service,
    commands,
    kv: store.kv,
    clock,
    logger: slackLog,
    metrics,
    ...(deps.slackOutboundTime ? { outboundTime: deps.slackOutboundTime } : {}),
    owed: owedRedraws('slack'),
  });
  if (slack)
    registerSlackNudgeHandlers(slack.app, {
      buildings,
      schedules,
      outbound: slack.outbound,
      logger: slackLog,
    });
  if (slack) registerSlackActivity1(slack.app, { activity1, logger: slackLog, outbound: slack.outbound });
  if (slack) registerSlackPlans(slack.app, { plans, logger: slackLog, outbound: slack.outbound });
  // Teams: POST /api/messages (guarded: 256 KB limit, activity shape, serviceUrl allowlist, token check, caps).
  const teams = mountTeams(web, {
    config,
    service,
    commands,
    store,
    clock,
    actions: [teamsNudgeActions({ buildings, schedules }), teamsPlanActions({ plans })],
    activity1,
    logger: logger.child('teams'),
    metrics,
    owed: owedRedraws('teams'),
  });
  // One way out per platform (and the console's simulated channels): nudges, notices, scheduled reminders.
  const out = chatMessengers({ config, clock, slack, teams, slackLog });
  notices = out.notices;
  messenger = out.messenger;
  reminderMessenger = out.reminders;
  const consoleChannels = out.consoleChannels;
  // Nudges (issue 6): every replica ticks each minute; the store's occurrence keys make each nudge go out once.
  const nudgeLog = logger.child('nudges');
  const nudgeRunner = new NudgeRunner({
    store,
    nudges: store.nudges,
    cron: cronParserEngine,
    instanceId,
    graceMs: config.NUDGE_GRACE_MINUTES * 60_000,
    messenger: lateMessenger,
    onError: (what, e) => nudgeLog.error(`nudges: ${what} failed`, e),
    dashboardLink: (tenantId, districtId) => issueLink(linkDeps)(tenantId, districtId).url,
  });
  const actionReminders = new ActionReminderRunner({
    store,
    rubrics,
    messenger: notices,
    instanceId,
    onError: (what, e) => nudgeLog.error(`actions: ${what} failed`, e),
  });
  const tickAll = everyMinute({ nudges: nudgeRunner, actionReminders, reminderSchedules, network }, nudgeLog);
  const nudgeScheduler =
    config.NUDGES === 'on'
      ? startNudgeScheduler({ runner: tickAll, clock, logger: nudgeLog, metrics })
      : null;
  const { consolePath } = mountWeb(web, {
    ...linkDeps,
    service,
    results,
    commands,
    rubrics,
    console: consoleEnabled(config),
    ...(consoleChannels ? { consoleBuildings: { buildings, schedules, channels: consoleChannels } } : {}),
    buildings: buildingStatusSource(buildings, store),
    logger: logger.child('web'),
    metrics,
    network,
  });

  web.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  const server = http.createServer(slackFirst(web, slack)).listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://localhost:${port}`;
  baseUrl = url;
  await Promise.all([slack?.start(), teams.start()]);
  return {
    config,
    store,
    service,
    server,
    url,
    consoleUrl: consolePath ? `${url}${consolePath}` : null,
    slack,
    teams,
    nudges: nudgeRunner,
    actionReminders,
    reminderSchedules,
    logger,
    metrics,
    async stop() {
      stopping = true;
      await nudgeScheduler?.stop();
      // Side by side, within the ~30 s most orchestrators give: queued confirmations sent, owed redraws drawn.
      await Promise.all([slack?.stop(), teams.stop()]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

async function main(): Promise<void> {
  // Until the settings are read: LOG_LEVEL from the environment (info when unset or not a level).
  let logger = createLogger(levelFrom(process.env.LOG_LEVEL));
  let config: Config;
  let envFile: string | null;
  try {
    const settings = readSettings();
    config = loadConfig(settings.env);
    envFile = settings.envFile;
  } catch (e) {
    if (e instanceof ConfigError) {
      logger.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  logger = createLogger(config.LOG_LEVEL);
  logger.info(
    envFile ? `Settings: the environment, then ${envFile}` : 'Settings: the environment (no .env file)',
  );
  try {
    const app = await startApp(config, { logger });
    logger.info(`MICIP collaboration bot listening on ${app.url} (store: ${app.store.kind})`);
    if (app.consoleUrl)
      logger.info(`Local console (demo district, no Slack or Teams needed): ${app.consoleUrl}`);
    const shutdown = (signal: NodeJS.Signals) => {
      logger.info(`${signal}: shutting down`);
      app.stop().then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err) => {
          logger.error('Shutdown failed', err);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (e) {
    if (e instanceof RubricFileError) {
      logger.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

if (require.main === module) {
  main().catch((e) => {
    createLogger('error').error('Start-up failed', e);
    process.exit(1);
  });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, LogLevel, webApi } from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import type { CommandService } from '../../app/commands';
import type { Clock, KeyValueRepo } from '../../app/ports';
import type { ReviewService } from '../../app/reviews/reviewService';
import { defaultLogger, type Logger } from '../observability/logger';
import { type Metrics, noMetrics } from '../observability/metrics';
import type { OwedRedraws } from '../owedRedraws';
import { systemClock } from '../system';
import { slackAsker } from './asker';
import { slackAuthorize } from './authorize';
import { parsePollRef } from './blocks';
import { boltLogger } from './boltLogger';
import { Confirmations } from './confirmations';
import { RecentKeys } from './guard';
import { createHttpFetch } from './httpFetch';
import { cachedInstallationStore, kvInstallationStore } from './installations';
import { installPages } from './installPages';
import { registerListeners } from './listeners';
import { slackToken } from './nudges';
import { type OutboundOptions, SlackOutbound } from './outbound';
import { PollMessages } from './pollMessages';
import { PollUpdater } from './pollUpdater';
import { commandPresenter } from './present';
import { SlackReceiver } from './receiver';
import { ephemeralReplies } from './replies';
import { WorkQueue } from './workQueue';

export { BOT_EVENTS, BOT_SCOPES, CHANNELS_NS, POLL_MESSAGES_NS, SLASH_COMMAND } from './constants';
export { slackTsToMicros } from './listeners/actions/vote';
export { errorReply } from './replies';

/** The app's logger (src/adapters/observability/logger.ts). */
export type SlackLogger = Logger;

/** What the Slack adapter is given by the app (src/main.ts): the use cases, the store and the observability. */
export interface SlackDeps {
  service: ReviewService;
  commands: CommandService;
  kv: KeyValueRepo;
  /** Expiry of cached OAuth installations (default: the system clock). */
  clock?: Clock;
  logger?: SlackLogger;
  /** Votes, acknowledgement times and 429s are counted here. */
  metrics?: Metrics;
  /** The outbound layer's time and timers (tests: a faster clock, with a fake Slack counting on the same). */
  outboundTime?: Pick<OutboundOptions, 'now' | 'setTimer'>;
  /**
   * Durable marks of the poll messages this process owes a redraw (../owedRedraws.ts): another process draws them
   * if this one dies, and this one draws those of a process that died. Without it, a killed process's owed redraws
   * wait for the poll's next vote or its close.
   */
  owed?: OwedRedraws;
}

export interface SlackAdapterOptions extends SlackDeps {
  signingSecret?: string | undefined;
  /** Single-workspace install. */
  botToken?: string | undefined;
  /** Socket Mode. */
  appToken?: string | undefined;
  /** Multi-workspace install through OAuth. */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  stateSecret?: string | undefined;
  /** Base URL of this app, for the OAuth redirect. */
  publicUrl?: string | undefined;
  /** Slack Web API base (tests and the benchmark point it at a local fake). */
  apiUrl?: string | undefined;
  /** ADMIN_USER_IDS: people who may set up district teams whatever their Slack role. */
  adminUserIds?: readonly string[];
  /** Bot ids when known (skips the auth.test lookup for a single token). */
  botId?: string | undefined;
  botUserId?: string | undefined;
  nowMs?: () => number;
  updateIntervalMs?: number;
  traceUpdates?: boolean;
  /** Confirmations sent at once (default 32, 8 during a burst); votes are written before their acknowledgement. */
  workConcurrency?: number;
  /** Longest a vote's write may take before the click is answered as not done (default 2 s; Slack waits 3 s). */
  voteWriteTimeoutMs?: number;
  /**
   * Requests per second from which confirmations and redraws wait for the burst to pass (at most `maxWorkDeferMs`,
   * default 10 s) so that acknowledgements keep up; default 50, 0 never waits.
   */
  burstPerSecond?: number;
  maxWorkDeferMs?: number;
  /** The same member clicking the same choice of a poll again within this long is a double click (default 5 s). */
  doubleClickMs?: number;
  /** Workspace-wide ceiling of chat.postMessage (polls, announcements, nudges), per second (default 20). */
  postMessagePerWorkspacePerSecond?: number;
}

export interface SlackAdapter {
  app: App;
  receiver: SlackReceiver;
  updater: PollUpdater;
  /** The one way out to Slack's Web API for budgeted calls (polls, confirmations, replies, nudges). */
  outbound: SlackOutbound;
  work: WorkQueue;
  installer: InstallProvider | null;
  /** POST /slack/events */
  handleEvents(req: IncomingMessage, res: ServerResponse): void;
  /** GET /slack/install and GET /slack/oauth_redirect (only with OAuth). */
  handleInstall(req: IncomingMessage, res: ServerResponse): Promise<void>;
  handleOAuthRedirect(req: IncomingMessage, res: ServerResponse): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackAdapter(o: SlackAdapterOptions): SlackAdapter {
  const log = o.logger ?? defaultLogger('slack');
  const metrics = o.metrics ?? noMetrics;
  // Bolt, the Web API client, Socket Mode and OAuth log through ours (at error, as before).
  const libraryLog = boltLogger(log);
  const clientOptions: webApi.WebClientOptions = {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    // The default retries for about 30 minutes. A 429 is handed back at once instead of pausing the client's whole
    // request queue: the outbound layer (outbound.ts) pauses only that method's budget in that workspace and sends
    // again after Retry-After, so a rate-limited chat.update never holds up confirmations or nudges.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000, randomize: true },
    rejectRateLimitedCalls: true,
    timeout: 15000,
    // Web API calls and the clicks' response_url replies (Bolt's respond) on one keep-alive pool (./httpFetch.ts).
    fetch: createHttpFetch(),
    logLevel: webApi.LogLevel.ERROR,
    logger: libraryLog,
  };
  const receiver = new SlackReceiver({
    signingSecret: o.signingSecret,
    appToken: o.appToken,
    socketClientOptions: clientOptions,
    ...(o.nowMs ? { nowMs: o.nowMs } : {}),
    ...(o.burstPerSecond ? { burstPerSecond: o.burstPerSecond } : {}),
    logger: log,
    libraryLogger: libraryLog,
    metrics,
  });

  // OAuth: every request is authorized from the installation store, so its reads are cached (see installations.ts).
  const installations =
    o.clientId && o.clientSecret
      ? cachedInstallationStore(kvInstallationStore(o.kv), { clock: o.clock ?? systemClock })
      : null;
  // One outbound layer: Slack's tier table per workspace and method (chat.postMessage per channel too), shared by
  // poll posts and redraws, confirmations, replies, nudges and directory reads; wall-clock time unless a test's.
  const outbound = new SlackOutbound({
    ...(o.postMessagePerWorkspacePerSecond
      ? { postMessagePerWorkspacePerSecond: o.postMessagePerWorkspacePerSecond }
      : {}),
    ...o.outboundTime,
  });
  // Who is asking: the ids Slack sends, and users.info / the installation when a rule needs more.
  const asker = slackAsker({ adminUserIds: new Set(o.adminUserIds ?? []), installations, outbound });
  const installer =
    o.clientId && o.clientSecret && installations
      ? new InstallProvider({
          clientId: o.clientId,
          clientSecret: o.clientSecret,
          stateSecret: o.stateSecret ?? o.clientSecret,
          installationStore: installations,
          clientOptions,
          logLevel: webApi.LogLevel.ERROR,
          logger: libraryLog,
        })
      : null;

  const authorize = slackAuthorize({
    botToken: o.botToken,
    botId: o.botId,
    botUserId: o.botUserId,
    installer,
    clientOptions,
    log,
  });

  const app = new App({
    receiver,
    authorize,
    clientOptions,
    logLevel: LogLevel.ERROR,
    logger: libraryLog,
    ignoreSelf: true,
    // Bolt's conversation store (context.conversation) is not used: without it, no store lookup on every request.
    convoStore: false,
  });
  // Every Web API client Bolt hands to listeners (one per token), and app.client (nudges): count their 429s.
  const watched = new WeakSet<webApi.WebClient>();
  const watchRateLimits = (client: webApi.WebClient) => {
    if (watched.has(client)) return;
    watched.add(client);
    client.on(webApi.WebClientEvent.RATE_LIMITED, () => metrics.rateLimited('slack'));
  };
  watchRateLimits(app.client);
  app.use(async ({ client, next }) => {
    watchRateLimits(client);
    await next();
  });
  app.error(async (e) => {
    log.error('Slack listener error', e);
  });

  // Confirmations and poll redraws wait for a burst of requests to pass, each at most 10 s.
  const holdBack = {
    ...(o.burstPerSecond === 0 ? {} : { yieldWhile: () => receiver.load.busy() }),
    maxDeferMs: o.maxWorkDeferMs ?? 10_000,
    // The rate meter's bucket (a quarter second: by then a burst of 50 clicks a second shows), so a burst's first
    // clicks' confirmations and redraws wait too. A lone click's confirmation and redraw come that much later.
    settleMs: o.burstPerSecond === 0 ? 0 : receiver.load.bucketMs,
  };
  // 32 confirmations at once (each mostly waits on Slack), 8 while a burst is on (only those held for maxDeferMs).
  const work = new WorkQueue(o.workConcurrency ?? 32, log, { ...holdBack, busyConcurrency: 8 });
  // Every poll message of a workspace shares its chat.update budget (Tier 3) there.
  const updater = new PollUpdater(log, o.updateIntervalMs ?? 1000, Date.now, o.traceUpdates ?? false, {
    ...holdBack,
    outbound,
    ...(o.owed ? { owed: o.owed } : {}),
  });
  const { service, commands, kv } = o;
  const ephemeral = ephemeralReplies(log, outbound);
  const polls = new PollMessages({ kv, service, updater, ephemeral, outbound });
  registerListeners(app, {
    service,
    commands,
    kv,
    log,
    metrics,
    asker,
    installations,
    polls,
    confirmations: new Confirmations(work, ephemeral, log),
    later: (job) => work.push(job),
    ephemeral,
    outbound,
    present: commandPresenter({ ephemeral, polls, log }),
    doubleClicks: new RecentKeys(50_000, o.doubleClickMs ?? 5000),
    voteWriteTimeoutMs: o.voteWriteTimeoutMs ?? 2000,
  });
  const pages = installPages(installer, o.publicUrl, log);

  return {
    app,
    receiver,
    updater,
    outbound,
    work,
    installer,
    handleEvents: receiver.handle,
    handleInstall: pages.handleInstall,
    handleOAuthRedirect: pages.handleOAuthRedirect,
    async start() {
      await receiver.start();
      // What a process that died owed: redrawn here (the workspace's client from its token, as nudges are sent).
      const token = slackToken({ app, installer }, o.botToken);
      await o.owed?.start((tenantId, key) => {
        const ref = parsePollRef(key);
        if (!ref) return;
        token(tenantId)
          .then((t) => {
            const client = new webApi.WebClient(t, clientOptions);
            watchRateLimits(client);
            if (ref.group !== undefined)
              return polls.groups.redraw(client, tenantId, ref.reviewId, ref.rowId);
            polls.redraw(client, tenantId, ref.reviewId, ref.rowId, { groups: false });
          })
          .catch((e: unknown) => log.error(`An owed redraw of poll ${key} was not adopted`, e));
      });
    },
    async stop() {
      // Votes are stored before they are acknowledged; confirmations still queued are sent before the process goes
      // (most orchestrators allow 30 s).
      const started = Date.now();
      const left = await work.drain(25_000);
      if (left > 0) log.error(`Stopping with ${left} Slack vote confirmations not sent (drain timed out)`);
      // Poll messages that owe their votes a redraw are drawn now, not after another process finds them owed.
      const drawn = await updater.flush(Math.max(2_000, 25_000 - (Date.now() - started)));
      if (!drawn)
        log.error('Stopping with Slack poll messages not redrawn (their votes are stored and counted)');
      work.stop();
      updater.stop();
      // The marks of what was drawn are removed; what is still owed stays marked for another process.
      await o.owed?.stop();
      outbound.stop();
      await receiver.stop();
    },
  };
}

export { silentLogger } from '../observability/logger';

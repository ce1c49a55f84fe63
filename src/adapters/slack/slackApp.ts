import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  App,
  type AuthorizeResult,
  type AuthorizeSourceData,
  type BlockAction,
  type ButtonAction,
  LogLevel,
  type RespondFn,
  type SlackViewAction,
  type types,
  webApi,
} from '@slack/bolt';
import { InstallProvider } from '@slack/oauth';
import type { CommandResult, CommandService } from '../../app/commands';
import type { Clock, KeyValueRepo } from '../../app/ports';
import type { ReviewService } from '../../app/reviewService';
import type { Actor } from '../../app/schemas';
import { person, rich } from '../../app/text';
import type { PollView, ReviewView } from '../../app/views';
import { isDomainError } from '../../domain/errors';
import { defaultLogger, type Logger } from '../observability/logger';
import { countVote, type Metrics, noMetrics } from '../observability/metrics';
import { systemClock } from '../system';
import { slackAsker } from './asker';
import {
  ACTION,
  clip,
  commandResultBlocks,
  evidenceModal,
  fileFallbackText,
  type HomeDistrict,
  homeView,
  LIMITS,
  parsePollRef,
  pollBlocks,
  pollFallbackText,
  pollRef,
  voteConfirmationFor,
} from './blocks';
import { boltLogger } from './boltLogger';
import { RecentKeys } from './guard';
import { cachedInstallationStore, kvInstallationStore } from './installations';
import { toMrkdwn, userMrkdwn } from './mrkdwn';
import { PollUpdater } from './pollUpdater';
import { NOT_RECORDED, SlackReceiver } from './receiver';
import { KeyedBudgets, POST_MESSAGE_PER_CHANNEL, WorkspaceBudgets } from './tiers';
import { WorkQueue, withDeadline } from './workQueue';

export const POLL_MESSAGES_NS = 'slack-poll-messages';
export const CHANNELS_NS = 'slack-district-channels';

/** The Slack OAuth scopes the code uses; manifests/slack/manifest.json lists the same (a test checks). */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'files:write',
  'users:read',
] as const;
/** The one slash command and the bot events the app listens to (the manifest lists the same). */
export const SLASH_COMMAND = '/micip';
export const BOT_EVENTS = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;

/** The app's logger (src/adapters/observability/logger.ts). */
export type SlackLogger = Logger;

export interface SlackAdapterOptions {
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
  service: ReviewService;
  commands: CommandService;
  kv: KeyValueRepo;
  /** Expiry of cached OAuth installations (default: the system clock). */
  clock?: Clock;
  logger?: SlackLogger;
  /** Votes, acknowledgement times and 429s are counted here. */
  metrics?: Metrics;
  nowMs?: () => number;
  updateIntervalMs?: number;
  traceUpdates?: boolean;
  /** Vote confirmations sent at once (default 8); votes themselves are written before their acknowledgement. */
  workConcurrency?: number;
  /** Longest a vote's write may take before the click is answered as not done (default 2 s; Slack waits 3 s). */
  voteWriteTimeoutMs?: number;
  /**
   * Requests per second from which confirmations and redraws wait for the burst to pass (at most `maxWorkDeferMs`,
   * default 10 s) so that acknowledgements keep up; default 250, 0 never waits.
   */
  burstPerSecond?: number;
  maxWorkDeferMs?: number;
  /** The same member clicking the same choice of a poll again within this long is a double click (default 5 s). */
  doubleClickMs?: number;
}

export interface SlackAdapter {
  app: App;
  receiver: SlackReceiver;
  updater: PollUpdater;
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

type ErrorContext = 'vote' | 'command' | 'evidence' | 'home';

/**
 * The one place where errors become Slack replies (mrkdwn). Domain errors carry their own message, which may quote
 * what was typed: it is escaped as a whole. Other errors are logged.
 */
export function errorReply(e: unknown, ctx: ErrorContext, log: SlackLogger): string {
  if (isDomainError(e)) {
    if (e.code === 'store-unavailable') {
      return ctx === 'vote'
        ? ':warning: Your vote was *not* recorded: the database is not reachable right now. Please vote again in a minute.'
        : ':warning: Nothing was changed: the database is not reachable right now. Please try again in a minute.';
    }
    return userMrkdwn(e.message);
  }
  log.error(`Slack ${ctx} failed`, e);
  return ctx === 'vote'
    ? ':warning: Your vote was *not* recorded because of an error on our side. Please vote again.'
    : ':warning: Something went wrong on our side and nothing was changed. Please try again.';
}

/** The workspace a payload comes from (Enterprise Grid payloads may carry the team on the user). */
function tenantOf(body: { team?: { id?: string } | null; user?: { team_id?: string } }): string {
  return body.team?.id ?? body.user?.team_id ?? '';
}

/**
 * A Slack timestamp ("1732361234.567890": seconds and microseconds) as microseconds since the epoch; undefined when
 * it is not one (the vote is then ordered by the server's clock).
 */
export function slackTsToMicros(ts: unknown): number | undefined {
  if (typeof ts !== 'string') return undefined;
  const m = /^(\d{9,11})\.(\d{1,6})$/.exec(ts);
  if (!m) return undefined;
  return Number(m[1]) * 1_000_000 + Number((m[2] as string).padEnd(6, '0'));
}

const VOTE_ACTION = new RegExp(`^${ACTION.vote}_(1|2|3|4|unsure)$`);

export function createSlackAdapter(o: SlackAdapterOptions): SlackAdapter {
  const log = o.logger ?? defaultLogger('slack');
  const metrics = o.metrics ?? noMetrics;
  // Bolt, the Web API client, Socket Mode and OAuth log through ours (at error, as before).
  const libraryLog = boltLogger(log);
  const clientOptions: webApi.WebClientOptions = {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    // The default retries for about 30 minutes; a 429 is still retried after its Retry-After.
    retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000, randomize: true },
    timeout: 15000,
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
  // Who is asking: the ids Slack sends, and users.info / the installation when a rule needs more.
  const asker = slackAsker({ adminUserIds: new Set(o.adminUserIds ?? []), installations });
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

  // Single token: look the bot ids up once (lazily, so that start-up never waits on Slack).
  let tokenIds: Promise<{ botId?: string; botUserId?: string }> | null =
    o.botId || o.botUserId
      ? Promise.resolve({
          ...(o.botId ? { botId: o.botId } : {}),
          ...(o.botUserId ? { botUserId: o.botUserId } : {}),
        })
      : null;
  const authorize = async (src: AuthorizeSourceData<boolean>): Promise<AuthorizeResult> => {
    if (o.botToken) {
      if (!tokenIds) {
        const c = new webApi.WebClient(o.botToken, clientOptions);
        tokenIds = c.auth.test().then(
          (r) => ({
            ...(r.bot_id ? { botId: r.bot_id } : {}),
            ...(r.user_id ? { botUserId: r.user_id } : {}),
          }),
          (e: unknown) => {
            tokenIds = null;
            log.warn('Slack auth.test failed; continuing without bot ids', e);
            return {};
          },
        );
      }
      return { botToken: o.botToken, ...(await tokenIds) };
    }
    if (installer) return installer.authorize(src);
    throw new Error('Slack is not configured with a bot token or OAuth credentials');
  };

  const app = new App({
    receiver,
    authorize,
    clientOptions,
    logLevel: LogLevel.ERROR,
    logger: libraryLog,
    ignoreSelf: true,
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
  };
  const work = new WorkQueue(o.workConcurrency ?? 8, log, holdBack);
  // One chat.update budget per workspace (Tier 3) shared by every poll message there; wall-clock time.
  const updater = new PollUpdater(log, o.updateIntervalMs ?? 1000, Date.now, o.traceUpdates ?? false, {
    ...holdBack,
    budgets: new WorkspaceBudgets('chat.update'),
  });
  /** chat.postMessage: about one a second per channel (a review's polls go out at that pace). */
  const channelPosts = new KeyedBudgets(
    POST_MESSAGE_PER_CHANNEL.perSecond * 60,
    POST_MESSAGE_PER_CHANNEL.burst - 1,
  );
  const pacePost = (tenantId: string, channel: string) =>
    channelPosts.for(`${tenantId}|${channel}`).acquire();
  /** chat.postEphemeral budgets per workspace (Tier 4), for confirmations without a response_url. */
  const ephemeralBudgets = new WorkspaceBudgets('chat.postEphemeral');
  const { service, commands, kv } = o;
  /** Vote clicks of the last few seconds (per process), to tell a double click from a change of mind. */
  const doubleClicks = new RecentKeys(50_000, o.doubleClickMs ?? 5000);

  /** The app itself, drawing the poll message it posted in `channelId`. */
  const appActor = (tenantId: string, channelId: string): Actor => ({
    tenantId,
    userId: 'micip-slack-app',
    displayName: '',
    channelId,
    conversation: 'channel',
  });

  const scheduleUpdate = (client: webApi.WebClient, tenantId: string, reviewId: string, rowId: string) => {
    const key = pollRef(reviewId, rowId);
    updater.schedule(key, client, async () => {
      const where = await kv.get<{ channel: string; ts: string; tenantId: string }>(POLL_MESSAGES_NS, key);
      if (!where || where.tenantId !== tenantId) return null;
      const poll = await service.getPollState(appActor(tenantId, where.channel), { reviewId, rowId });
      return {
        channel: where.channel,
        ts: where.ts,
        blocks: pollBlocks(poll),
        text: pollFallbackText(poll),
      };
    });
  };

  /**
   * A vote's confirmation (or refusal), sent in the background so that nothing waits for it: through the click's
   * response_url (no Web API budget), else chat.postEphemeral within the workspace's Tier 4 budget.
   */
  const confirm = (
    client: webApi.WebClient,
    tenantId: string,
    channel: string | undefined,
    user: string,
    text: string,
    respond?: RespondFn,
  ) => {
    work.push(async () => {
      if (respond) {
        try {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: clip(text, LIMITS.messageText),
          });
          return;
        } catch (e) {
          log.warn('Reply through response_url failed; using chat.postEphemeral', e);
        }
      }
      await ephemeralBudgets.for(tenantId).acquire();
      await ephemeral(client, channel, user, text);
    });
  };

  /** A private reply; where the bot may not post (not in a private channel), the command's response_url. */
  const ephemeral = async (
    client: webApi.WebClient,
    channel: string | undefined,
    user: string,
    text: string,
    respond?: RespondFn,
    blocks?: types.KnownBlock[],
  ) => {
    const t = clip(text, LIMITS.messageText);
    try {
      if (!channel) throw new Error('no channel to answer in');
      await client.chat.postEphemeral({ channel, user, text: t, ...(blocks ? { blocks } : {}) });
    } catch (e) {
      if (respond) {
        await respond({ response_type: 'ephemeral', text: t, ...(blocks ? { blocks } : {}) }).catch(
          (err: unknown) => log.error('Reply through response_url failed', err),
        );
      } else log.error('chat.postEphemeral failed', e);
    }
  };

  const slackError = (e: unknown): string => {
    const code = (e as { data?: { error?: unknown } }).data?.error;
    return typeof code === 'string' ? code : e instanceof Error ? e.message : 'unknown error';
  };

  // ---------- /micip ----------
  app.command(SLASH_COMMAND, async ({ ack, command, client, respond }) => {
    await ack();
    const channelId = command.channel_id;
    const actor = asker.actor(client, {
      teamId: command.team_id,
      userId: command.user_id,
      displayName: command.user_name ?? '',
      channelId,
      channelName: command.channel_name,
    });
    try {
      const result = await commands.run(
        { actor, channelId, people: asker.people(client) },
        command.text ?? '',
      );
      if (/^\s*setup\b/i.test(command.text ?? '')) {
        await kv.put(`${CHANNELS_NS}:${command.team_id}`, channelId, {
          tenantId: command.team_id,
          channelId,
        });
      }
      await present(client, actor, channelId, result, respond);
    } catch (e) {
      await ephemeral(client, channelId, command.user_id, errorReply(e, 'command', log), respond);
    }
  });

  async function present(
    client: webApi.WebClient,
    actor: Actor,
    channelId: string,
    r: CommandResult,
    respond: RespondFn,
  ) {
    const { text, blocks } = commandResultBlocks(r);
    if (r.kind === 'file') {
      await postFile(client, actor, channelId, r, respond);
      return;
    }
    if (r.kind !== 'review') {
      await ephemeral(client, channelId, actor.userId, text, respond, blocks);
      return;
    }
    const v = r.review;
    if (r.action === 'status' || r.action === 'results') {
      await ephemeral(client, channelId, actor.userId, text, respond, blocks);
      // Polls that could not be posted before (the app was not in the channel) are posted now.
      if (r.action === 'status' && v.status === 'active') await ensurePolls(client, actor, v, respond);
      return;
    }
    try {
      await pacePost(actor.tenantId, v.channelId);
      await client.chat.postMessage({ channel: v.channelId, text, ...(blocks ? { blocks } : {}) });
    } catch (e) {
      await ephemeral(client, channelId, actor.userId, `${text}\n${cannotPost(e)}`, respond);
      if (r.action === 'started') return;
    }
    if (r.action === 'started') {
      await ensurePolls(client, actor, v, respond);
      return;
    }
    for (const p of v.polls) scheduleUpdate(client, actor.tenantId, v.reviewId, p.rowId);
  }

  /**
   * An export as a real file in the channel (files.getUploadURLExternal → upload → files.completeUploadExternal).
   * When the upload fails (an install from before `files:write`: `missing_scope`; the app not in the channel) the
   * caller gets the file inline with what to do — the export is never lost silently.
   */
  async function postFile(
    client: webApi.WebClient,
    actor: Actor,
    channelId: string,
    r: Extract<CommandResult, { kind: 'file' }>,
    respond: RespondFn,
  ) {
    try {
      await client.files.uploadV2({
        channel_id: channelId,
        filename: r.filename,
        title: r.filename,
        content: r.content,
        initial_comment: clip(
          toMrkdwn(rich`${r.message} (requested by ${person(actor.userId)})`),
          LIMITS.sectionText,
        ),
      });
    } catch (e) {
      const code = slackError(e);
      log.warn(`Export upload failed (${code}); showing it inline`);
      await ephemeral(client, channelId, actor.userId, fileFallbackText(r, code), respond);
    }
  }

  const cannotPost = (e: unknown) =>
    `:warning: I could not post the polls in this channel (${slackError(e)}). Add the app to the channel (channel name → Integrations → Add apps), then run \`/micip status\` to post them.`;

  /** Posts the poll messages of an active review that have none yet (first start, or after a failed post). */
  async function ensurePolls(client: webApi.WebClient, actor: Actor, v: ReviewView, respond: RespondFn) {
    for (const p of v.polls) {
      if (await kv.get(POLL_MESSAGES_NS, pollRef(v.reviewId, p.rowId))) continue;
      try {
        await postPoll(client, actor.tenantId, v.channelId, p);
      } catch (e) {
        await ephemeral(client, v.channelId, actor.userId, cannotPost(e), respond);
        return;
      }
    }
  }

  async function postPoll(
    client: webApi.WebClient,
    tenantId: string,
    channel: string,
    p: PollView,
  ) {
    await pacePost(tenantId, channel);
    const res = await client.chat.postMessage({
      channel,
      blocks: pollBlocks(p),
      text: pollFallbackText(p),
    });
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    await kv.put(POLL_MESSAGES_NS, pollRef(p.reviewId, p.rowId), {
      tenantId,
      channel: res.channel ?? channel,
      ts: res.ts,
    });
  }

  // ---------- votes ----------
  app.action<BlockAction<ButtonAction>>(VOTE_ACTION, async ({ ack, body, action, client, respond }) => {
    const tenantId = tenantOf(body);
    const channel = body.channel?.id;
    const user = body.user.id;
    const ref = parsePollRef(typeof action.value === 'string' ? action.value : '');
    if (!ref) {
      await ack();
      confirm(
        client,
        tenantId,
        channel,
        user,
        'That button does not belong to a MICIP poll. Nothing was recorded.',
      );
      return;
    }
    const raw = action.action_id.slice(ACTION.vote.length + 1);
    const choice = raw === 'unsure' ? 'unsure' : Number(raw);
    // A double click (the same member, poll and choice again within a few seconds) is one vote and one
    // confirmation: the second click is acknowledged and dropped. A vote that failed is forgotten at once, so
    // clicking again retries it.
    const clickKey = `${tenantId}|${user}|${ref.reviewId}|${ref.rowId}|${raw}`;
    if (!doubleClicks.add(clickKey, Date.now())) {
      await ack();
      return;
    }
    const actor = asker.actor(client, {
      teamId: tenantId,
      userId: user,
      displayName: body.user.name ?? '',
      ...(channel ? { channelId: channel } : {}),
    });
    const clickedAtUs = slackTsToMicros(action.action_ts);
    // Acknowledged means stored: the vote is written (and past the close barrier) before the click is
    // acknowledged. Nothing on this path waits for Slack. A write that fails or takes longer than the deadline is
    // answered as not done (HTTP 503 / no Socket Mode ack): Slack shows the member it failed, and they click again.
    let r: Awaited<ReturnType<ReviewService['recordVote']>>;
    try {
      r = await withDeadline(
        countVote(metrics, 'slack', () =>
          service.recordVote(actor, {
            reviewId: ref.reviewId,
            rowId: ref.rowId,
            choice,
            ...(clickedAtUs ? { clickedAtUs } : {}),
          }),
        ),
        o.voteWriteTimeoutMs ?? 2000,
      );
    } catch (e) {
      doubleClicks.forget(clickKey);
      if (isDomainError(e) && e.code !== 'store-unavailable') {
        // Refused with a reason (round closed, not a member, deadline passed): the click worked, the answer is no.
        await ack();
        confirm(client, tenantId, channel, user, errorReply(e, 'vote', log), respond);
        return;
      }
      log.warn(`Slack vote not recorded (${e instanceof Error ? e.message : 'error'}); answering 503`);
      await ack(NOT_RECORDED as never);
      return;
    }
    await ack();
    // This very click was already recorded (a retry that reached another replica first), or a later click of the
    // same member already was (it has its own confirmation): nothing to redraw or say.
    if (r.write !== 'written') return;
    scheduleUpdate(client, tenantId, ref.reviewId, ref.rowId);
    const rubric = service.rubrics.list().find((x) => x.rows.some((row) => row.id === ref.rowId)) ?? null;
    confirm(
      client,
      tenantId,
      channel,
      user,
      voteConfirmationFor(rubric, ref.rowId, r.vote.choice, r.vote.round),
      respond,
    );
  });

  // ---------- evidence ----------
  app.action<BlockAction<ButtonAction>>(ACTION.evidence, async ({ ack, body, action, client }) => {
    await ack();
    const channel = body.channel?.id;
    const ref = parsePollRef(typeof action.value === 'string' ? action.value : '');
    if (!ref || !body.trigger_id) {
      await ephemeral(client, channel, body.user.id, 'That button does not belong to a MICIP poll.');
      return;
    }
    // Open the modal at once (the trigger expires in 3 s); no database work before it.
    const header = (
      body.message?.blocks as Array<{ type?: string; text?: { text?: string } }> | undefined
    )?.find((b) => b.type === 'header');
    const title = typeof header?.text?.text === 'string' ? header.text.text : 'this rubric row';
    const meta = JSON.stringify({ r: ref.reviewId, w: ref.rowId, c: channel ?? '' });
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: evidenceModal(action.value ?? '', meta, title, null),
      });
    } catch (e) {
      await ephemeral(client, channel, body.user.id, errorReply(e, 'evidence', log));
    }
  });

  app.view<SlackViewAction>(ACTION.evidenceModal, async ({ ack, body, view, client }) => {
    const value = view.state.values.evidence?.text?.value;
    const text = typeof value === 'string' ? value.trim() : '';
    if (!text) {
      await ack({ response_action: 'errors', errors: { evidence: 'Write the evidence, or cancel.' } });
      return;
    }
    if (text.length > 2000) {
      await ack({ response_action: 'errors', errors: { evidence: 'Keep it to 2,000 characters.' } });
      return;
    }
    let meta: { r?: unknown; w?: unknown; c?: unknown } = {};
    try {
      meta = JSON.parse(view.private_metadata || '{}') as typeof meta;
    } catch {
      meta = {};
    }
    if (typeof meta.r !== 'string' || typeof meta.w !== 'string') {
      await ack({
        response_action: 'errors',
        errors: { evidence: 'This form is out of date: open it again from the poll.' },
      });
      return;
    }
    await ack();
    const tenantId = tenantOf(body);
    const channel = typeof meta.c === 'string' && meta.c ? meta.c : undefined;
    // The channel comes from the modal's private_metadata, which only this app writes (from the poll's message).
    const actor = asker.actor(client, {
      teamId: tenantId,
      userId: body.user.id,
      displayName: body.user.name ?? '',
      ...(channel ? { channelId: channel } : {}),
    });
    try {
      const r = await service.addEvidence(actor, { reviewId: meta.r, rowId: meta.w, evidence: text });
      await ephemeral(client, channel, body.user.id, `Your evidence on row ${r.poll.rowNumber} is saved.`);
      scheduleUpdate(client, tenantId, meta.r, meta.w);
    } catch (e) {
      await ephemeral(client, channel, body.user.id, errorReply(e, 'evidence', log));
    }
  });

  // ---------- App Home ----------
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home') return;
    const tenantId = (body as { team_id?: string }).team_id ?? '';
    try {
      const view = homeView(await homeFor(tenantId, event.user));
      await client.views.publish({ user_id: event.user, view });
    } catch (e) {
      log.error('App Home failed', e);
      await client.views
        .publish({
          user_id: event.user,
          view: {
            type: 'home',
            blocks: [{ type: 'section', text: { type: 'mrkdwn', text: errorReply(e, 'home', log) } }],
          },
        })
        .catch((err: unknown) => log.error('views.publish failed', err));
    }
  });

  async function homeFor(tenantId: string, userId: string): Promise<HomeDistrict[]> {
    const actor: Actor = { tenantId, userId, displayName: '' };
    const channels = (
      await kv.list<{ tenantId: string; channelId: string }>(`${CHANNELS_NS}:${tenantId}`)
    ).filter((c) => c.value.tenantId === tenantId);
    const out: HomeDistrict[] = [];
    for (const { value } of channels.slice(0, 20)) {
      let district: Awaited<ReturnType<ReviewService['districtForChannel']>>;
      try {
        district = await service.districtForChannel(actor, value.channelId);
      } catch (e) {
        if (isDomainError(e) && e.code === 'unknown-district') continue;
        throw e;
      }
      const me = await service.getMember(actor, district.id);
      if (!me) continue;
      const reviews = (await service.listReviews(actor, value.channelId)).filter(
        (r) => r.status === 'active',
      );
      const views = await Promise.all(
        reviews.slice(0, 5).map((r) => service.getReviewState(actor, { reviewId: r.id })),
      );
      out.push({
        name: district.name,
        channelId: district.channelId,
        coordinator: me.roles.includes('coordinator'),
        reviews: views.map((v) => ({
          view: v,
          notVoted: v.polls.filter((p) => p.votingOpen && p.myChoice === null),
        })),
      });
    }
    return out;
  }

  // An uninstalled app (or one whose bot token was revoked) forgets its installation (in the store and the cache).
  const forget = async ({
    body,
    event,
  }: {
    body: unknown;
    event: { type: string; tokens?: { bot?: string[] } };
  }) => {
    const b = body as { team_id?: string; enterprise_id?: string; is_enterprise_install?: boolean };
    if (event.type === 'tokens_revoked' && !(event.tokens?.bot && event.tokens.bot.length > 0)) return;
    if (installations && b.team_id) {
      await installations
        .deleteInstallation({
          teamId: b.team_id,
          enterpriseId: b.enterprise_id,
          isEnterpriseInstall: b.is_enterprise_install === true,
        })
        .catch((e: unknown) => log.error('Deleting the installation failed', e));
    }
  };
  app.event('app_uninstalled', forget);
  app.event('tokens_revoked', forget);

  // Install pages: a refused or failed install is the visitor's problem to retry (4xx) unless Slack itself failed.
  const page = (res: ServerResponse, status: number, title: string, text: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`,
    );
  };
  const installFailure = (
    error: { code?: string; message?: string },
    _o: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const visitor = ['slack_oauth_missing_state', 'slack_oauth_invalid_state', 'slack_oauth_missing_code'];
    const slackDown = !visitor.includes(error.code ?? '');
    log.warn(`Slack install failed: ${error.code ?? ''} ${error.message ?? ''}`);
    page(
      res,
      slackDown ? 502 : 400,
      'The MICIP app was not installed',
      slackDown
        ? 'Slack did not confirm the installation. Please start again from the install page.'
        : 'This install link has expired or was opened in another browser. Please start again from the install page.',
    );
  };
  const installSuccess = (
    inst: { team?: { name?: string } },
    _o: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const name = (inst.team?.name ?? 'your workspace').replace(/[<>&"]/g, '');
    page(
      res,
      200,
      'The MICIP app is installed',
      `Installed in ${name}. In your district team channel, run <code>/micip setup "District name"</code>.`,
    );
  };

  const redirectUri = o.publicUrl ? `${o.publicUrl.replace(/\/$/, '')}/slack/oauth_redirect` : undefined;
  const notFound = (res: ServerResponse) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Slack OAuth is not configured on this server.');
  };

  return {
    app,
    receiver,
    updater,
    work,
    installer,
    handleEvents: receiver.handle,
    async handleInstall(req, res) {
      if (!installer) return notFound(res);
      await installer.handleInstallPath(req, res, undefined, {
        scopes: [...BOT_SCOPES],
        ...(redirectUri ? { redirectUri } : {}),
      });
    },
    async handleOAuthRedirect(req, res) {
      if (!installer) return notFound(res);
      await installer.handleCallback(
        req,
        res,
        { failure: installFailure, success: installSuccess },
        {
          scopes: [...BOT_SCOPES],
          ...(redirectUri ? { redirectUri } : {}),
        },
      );
    },
    async start() {
      await receiver.start();
    },
    async stop() {
      // Votes are stored before they are acknowledged; confirmations still queued are sent before the process goes
      // (most orchestrators allow 30 s).
      const left = await work.drain(25_000);
      if (left > 0) log.error(`Stopping with ${left} Slack vote confirmations not sent (drain timed out)`);
      work.stop();
      updater.stop();
      await receiver.stop();
    },
  };
}

export { silentLogger } from '../observability/logger';

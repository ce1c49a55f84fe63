import {
  type Activity,
  CallerIdConstants,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  TeamsInfo,
  TurnContext,
} from 'botbuilder';
import { z } from 'zod';
import { type CommandResult, CommandService, type People } from '../../app/commands';
import type { Clock, Store } from '../../app/ports';
import type { ReviewService } from '../../app/reviewService';
import type { Actor } from '../../app/schemas';
import { link, plain, rich } from '../../app/text';
import type { PollView, ReviewView } from '../../app/views';
import { isDomainError } from '../../domain/errors';
import {
  type AdaptiveCard,
  MAX_REFRESH_USER_IDS,
  renderPollCard,
  renderResultsCard,
  renderStatusCard,
} from '../cards/render';
import { teamsUserText, toTeamsMarkdown } from '../cards/teamsText';
import { defaultLogger, type Logger } from '../observability/logger';
import { countVote, type Metrics, noMetrics } from '../observability/metrics';
import {
  BadActivity,
  commandLine,
  type IncomingActivity,
  identityOf,
  mentionsIn,
  type ServiceUrlAllowlist,
  type TeamsIdentity,
} from './activity';
import {
  DEFAULT_TEAMS_LIMITS,
  KV,
  type Roster,
  type StoredConversation,
  TeamsDirectory,
  type TeamsLimits,
} from './directory';
import { SendQueue, type SendQueueOptions } from './sendQueue';

export { KV, type StoredConversation } from './directory';

interface StoredPollCard {
  tenantId: string;
  channelId: string;
  activityId: string;
}

export interface TeamsBotOptions {
  appId: string | undefined;
  /** ADMIN_USER_IDS (AAD object ids): people who may set up district teams in any team of the tenant. */
  adminUserIds?: readonly string[];
  appPassword?: string | undefined;
  appTenantId?: string | undefined;
  appType?: string | undefined;
  /** Overrides where Microsoft's token signing keys are fetched from (tests point it at 127.0.0.1). */
  openIdMetadataUrl?: string | undefined;
  allowlist: ServiceUrlAllowlist;
  service: ReviewService;
  commands?: CommandService;
  store: Store;
  /** What `updatedAt` on stored conversations reads (default: the system clock). */
  clock?: Clock;
  queue?: SendQueueOptions;
  /**
   * Other card verbs handled outside the review core (e.g. building-team nudges: `nudge.open`, …). The returned
   * card replaces the clicked one; DomainErrors thrown are answered like the poll's own.
   */
  actions?: readonly TeamsActionHandler[];
  /** Minimum time between two updates of the same shared poll card. */
  cardUpdateIntervalMs?: number;
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Caps on what one tenant can make the bot remember (default DEFAULT_TEAMS_LIMITS). */
  limits?: TeamsLimits;
  /** Votes are counted here. */
  metrics?: Metrics;
}

const BOT_ACTOR_ID = 'teams-bot';

/** Refusals answered with the up-to-date card plus the reason (the rest get an error response). */
const NOTICE_CODES = new Set(['round-closed', 'deadline-passed', 'not-member', 'invalid-state']);

export interface TeamsActionHandler {
  verbs: readonly string[];
  handle(
    actor: { tenantId: string; userId: string; displayName: string },
    verb: string,
    data: unknown,
  ): Promise<Record<string, unknown>>;
}

const anyAction = z.object({
  action: z.object({ verb: z.string().min(1).max(100), data: z.unknown().optional() }),
});

/** A send to the Bot Connector failed for good (after the queue's retries). */
export class SendError extends Error {
  constructor(override readonly cause: unknown) {
    super(`Teams send failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SendError';
  }
}

/** CloudAdapter with its activity entry point exposed (the HTTP side is our own guard in index.ts). */
class TeamsCloudAdapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (ctx: TurnContext) => Promise<void>) {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** An error raised by our own turn logic (as opposed to botbuilder's token verification). */
export class TurnError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'TurnError';
  }
}

const actionData = z.object({
  reviewId: z.string().min(1).max(200),
  rowId: z.string().min(1).max(200),
  choice: z.union([z.number(), z.string().max(20)]).optional(),
  // Not capped here: the core refuses too-long evidence with a message that says so (the body is ≤ 1 MB).
  evidence: z.string().optional(),
});
const invokeValue = z.object({
  action: z.object({
    type: z.string().max(64).optional(),
    verb: z.enum(['vote', 'evidence', 'refresh']),
    data: actionData.loose(),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});
/** Action.Submit fallback: the data object arrives as the message `value`. */
const submitValue = actionData.extend({ verb: z.enum(['vote', 'evidence', 'refresh']) }).loose();

type ActionInput = z.output<typeof actionData> & { verb: 'vote' | 'evidence' | 'refresh' };

const adaptiveCardResponse = (card: AdaptiveCard): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
});
const errorResponse = (code: number, message: string): InvokeResponse => ({
  status: 200,
  body: {
    statusCode: code,
    type: 'application/vnd.microsoft.error',
    value: { code: code === 400 ? 'BadRequest' : 'InternalServerError', message },
  },
});

const GENERIC_FAILURE =
  'Something went wrong on our side and nothing was changed. Please try again in a minute.';

/**
 * The Teams bot: one CloudAdapter; every turn is handled here. All outgoing messages go through the
 * per-conversation SendQueue (7/s, 1,800/h, retries) and only to allowlisted service URLs.
 */
export class TeamsBot {
  readonly adapter: TeamsCloudAdapter;
  readonly queue: SendQueue;
  private readonly commands: CommandService;
  private readonly appId: string;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly directory: TeamsDirectory;
  private readonly cardTimers = new Map<
    string,
    { timer: NodeJS.Timeout | null; dirty: boolean; last: number }
  >();
  private readonly pendingCardUpdates = new Set<Promise<unknown>>();
  private readonly updateInterval: number;

  constructor(private readonly o: TeamsBotOptions) {
    this.appId = o.appId ?? '';
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: o.appId ?? '',
      MicrosoftAppPassword: o.appPassword ?? '',
      MicrosoftAppTenantId: o.appTenantId ?? '',
      MicrosoftAppType: o.appType ?? 'MultiTenant',
      // Setting one endpoint switches botbuilder to fully parameterised mode: give the public-cloud defaults too.
      ...(o.openIdMetadataUrl
        ? {
            ToBotFromChannelOpenIdMetadataUrl: o.openIdMetadataUrl,
            ToBotFromEmulatorOpenIdMetadataUrl: o.openIdMetadataUrl,
            ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
            ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
            ToChannelFromBotOAuthScope: 'https://api.botframework.com',
            OAuthUrl: 'https://api.botframework.com',
            CallerId: CallerIdConstants.PublicAzureChannel,
          }
        : {}),
    });
    this.adapter = new TeamsCloudAdapter(auth);
    this.queue = new SendQueue(o.queue);
    this.commands = o.commands ?? new CommandService(o.service);
    this.updateInterval = o.cardUpdateIntervalMs ?? 1000;
    const logger = o.logger ?? defaultLogger('teams');
    this.log = (m, e) => logger.error(m, e);
    this.directory = new TeamsDirectory(o.store.kv, o.limits ?? DEFAULT_TEAMS_LIMITS, (m) => logger.warn(m));
  }

  get authEnabled(): boolean {
    return !!this.o.appId;
  }

  /** Runs one checked activity through botbuilder (which verifies the token when an app id is set). */
  async process(
    authHeader: string,
    activity: IncomingActivity,
    onAuthenticated: () => void = () => undefined,
  ): Promise<InvokeResponse | undefined> {
    return this.adapter.run(authHeader, activity as unknown as Activity, async (ctx) => {
      onAuthenticated();
      try {
        await this.onTurn(ctx);
      } catch (e) {
        throw new TurnError(e);
      }
    });
  }

  /** Resolves when every queued send and pending card update has finished. */
  async idle(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const timers = [...this.cardTimers.values()].filter((t) => t.timer);
      if (!timers.length && !this.pendingCardUpdates.size) {
        await this.queue.idle();
        if (!this.pendingCardUpdates.size && ![...this.cardTimers.values()].some((t) => t.timer)) return;
      }
      await Promise.all([...this.pendingCardUpdates]);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): void {
    for (const t of this.cardTimers.values()) if (t.timer) clearTimeout(t.timer);
    this.cardTimers.clear();
  }

  // ---------- turns ----------

  private async onTurn(ctx: TurnContext): Promise<void> {
    try {
      await this.dispatch(ctx);
    } catch (e) {
      // The work is done and stored; only a reply could not be delivered. Answering 5xx would make Teams
      // resend the activity and run the command twice, so log it instead.
      if (e instanceof SendError) this.log('a reply could not be delivered', e.cause);
      else throw e;
    }
  }

  private async dispatch(ctx: TurnContext): Promise<void> {
    const a = ctx.activity as unknown as IncomingActivity;
    const localTenant = this.authEnabled ? null : 'emulator';
    switch (a.type) {
      case 'message':
        return this.onMessage(ctx, a, identityOf(a, localTenant));
      case 'invoke':
        return this.onInvoke(ctx, a, identityOf(a, localTenant));
      case 'conversationUpdate':
      case 'installationUpdate':
        return this.onConversationUpdate(ctx, a, identityOf(a, localTenant));
      default:
        return; // typing, messageReaction, … : nothing to do
    }
  }

  private async onConversationUpdate(ctx: TurnContext, a: IncomingActivity, who: TeamsIdentity) {
    const removed =
      (a.type === 'installationUpdate' && a.action?.startsWith('remove')) ||
      (a.membersRemoved ?? []).some((m) => m.id === a.recipient?.id);
    if (removed) {
      await this.directory.forgetConversation(who.tenantId, who.channelId);
      return;
    }
    const reference = this.channelReference(ctx, who);
    const now = this.o.clock?.now() ?? new Date();
    const saved = await this.directory.saveConversation(who.tenantId, who.channelId, reference, now);
    const humans = (a.membersAdded ?? []).filter((m) => m.id !== a.recipient?.id).slice(0, 2000);
    if (humans.length)
      await this.remember(
        who.tenantId,
        who.channelId,
        humans.map((m) => [m.aadObjectId ?? m.id, m.id]),
        false,
      );
    const botAdded =
      (a.type === 'installationUpdate' && (a.action ?? 'add').startsWith('add')) ||
      (a.membersAdded ?? []).some((m) => m.id === a.recipient?.id);
    // Whoever adds the app to a team (or chat) is its installer there: they may set up district teams in it.
    if (botAdded) {
      await this.o.store.kv.put(KV.installer, `${who.tenantId}|${who.teamId ?? who.channelId}`, {
        userId: who.userId,
      });
    }
    if (botAdded && saved.added) {
      await this.send(reference, {
        type: 'message',
        text: 'Hello! I run MICIP collaboration reviews here. Mention me with **help** to see what you can do.',
      });
    }
  }

  private async onMessage(ctx: TurnContext, a: IncomingActivity, who: TeamsIdentity): Promise<void> {
    await this.remember(who.tenantId, who.channelId, [[who.userId, who.channelUserId]], true);
    // A channel where the bot was mentioned but whose install event we missed still becomes reachable.
    const now = this.o.clock?.now() ?? new Date();
    await this.directory.saveConversation(
      who.tenantId,
      who.channelId,
      this.channelReference(ctx, who),
      now,
      'ifAbsent',
    );
    const reply = this.replyReference(ctx);
    if (a.value !== undefined && a.value !== null && !a.text) {
      // Action.Submit fallback from a client without Universal Actions.
      const parsed = submitValue.safeParse(a.value);
      if (!parsed.success) {
        await this.send(reply, {
          type: 'message',
          text: 'That card action is not valid: nothing was recorded.',
        });
        return;
      }
      try {
        await this.runAction(who, parsed.data);
      } catch (e) {
        await this.send(reply, { type: 'message', text: teamsUserText(this.userMessage(e)) });
      }
      return;
    }
    let known: Map<string, string>;
    try {
      known = await this.resolveMentions(ctx, a, who);
    } catch (e) {
      await this.send(reply, { type: 'message', text: teamsUserText(this.userMessage(e)) });
      return;
    }
    const line = commandLine(a, known);
    let result: CommandResult;
    try {
      result = await this.commands.run(
        { actor: this.actorOf(who), channelId: who.channelId, people: this.people(a, known) },
        line || 'help',
      );
    } catch (e) {
      await this.send(reply, { type: 'message', text: teamsUserText(this.userMessage(e)) });
      return;
    }
    await this.render(ctx, who, result);
  }

  private async onInvoke(ctx: TurnContext, a: IncomingActivity, who: TeamsIdentity): Promise<void> {
    let response: InvokeResponse;
    if (a.name !== 'adaptiveCard/action') {
      response = { status: 200, body: {} };
    } else {
      const parsed = invokeValue.safeParse(a.value);
      const other = anyAction.safeParse(a.value);
      const handler = other.success
        ? this.o.actions?.find((h) => h.verbs.includes(other.data.action.verb))
        : undefined;
      if (handler && other.success) {
        try {
          const actor = { tenantId: who.tenantId, userId: who.userId, displayName: who.displayName };
          const card = await handler.handle(actor, other.data.action.verb, other.data.action.data ?? {});
          response = adaptiveCardResponse(card as AdaptiveCard);
        } catch (e) {
          response = errorResponse(isDomainError(e) ? 400 : 500, this.userMessage(e));
        }
      } else if (!parsed.success) {
        response = errorResponse(400, 'That card action is not valid: nothing was recorded.');
      } else {
        const { verb, data } = parsed.data.action;
        try {
          await this.remember(who.tenantId, who.channelId, [[who.userId, who.channelUserId]], true);
          const view = await this.runAction(who, { ...data, verb });
          const refreshIds = await this.refreshIds(who.tenantId, who.channelId);
          response = adaptiveCardResponse(
            renderPollCard(view, { personal: true, refreshUserIds: refreshIds }),
          );
        } catch (e) {
          response =
            (await this.cardWithNotice(who, data, e)) ??
            errorResponse(isDomainError(e) ? 400 : 500, this.userMessage(e));
        }
      }
    }
    await ctx.sendActivity({ type: 'invokeResponse', value: response });
  }

  /**
   * A click the core refused for a reason about the poll's state (round closed, deadline passed, not a member):
   * answer with the current card and the reason on it, so the stale card the person clicked is replaced.
   */
  private async cardWithNotice(
    who: TeamsIdentity,
    data: { reviewId: string; rowId: string },
    e: unknown,
  ): Promise<InvokeResponse | null> {
    if (!isDomainError(e) || !NOTICE_CODES.has(e.code)) return null;
    try {
      const actor = this.actorOf(who);
      const view = await this.o.service.getPollState(actor, { reviewId: data.reviewId, rowId: data.rowId });
      const refreshIds = await this.refreshIds(who.tenantId, who.channelId);
      return adaptiveCardResponse(
        renderPollCard(view, { personal: true, refreshUserIds: refreshIds, notice: e.message }),
      );
    } catch (e2) {
      // The poll itself cannot be shown: the plain error answer follows (and a non-domain failure is logged).
      if (!isDomainError(e2)) this.log('could not draw the card for a refused click', e2);
      return null;
    }
  }

  /** Votes, evidence and refreshes; returns the viewer's poll view. Writes nothing when the input is refused. */
  private async runAction(who: TeamsIdentity, input: ActionInput): Promise<PollView> {
    const actor = this.actorOf(who);
    const ref = { reviewId: input.reviewId, rowId: input.rowId };
    const evidence = input.evidence?.trim() ? input.evidence : null;
    if (input.verb === 'refresh') return this.o.service.getPollState(actor, ref);
    const r =
      input.verb === 'vote'
        ? await countVote(this.o.metrics ?? noMetrics, 'teams', () =>
            this.o.service.castVote(actor, { ...ref, choice: input.choice, evidence }),
          )
        : await this.o.service.addEvidence(actor, { ...ref, evidence: input.evidence ?? '' });
    this.scheduleCardUpdate(who.tenantId, input.reviewId, input.rowId);
    return r.poll;
  }

  /** DomainErrors carry their own user-facing text; anything else is logged and answered generically. */
  private userMessage(e: unknown): string {
    if (isDomainError(e)) return e.message;
    if (e instanceof BadActivity) return e.message;
    this.log('turn failed', e);
    return GENERIC_FAILURE;
  }

  // ---------- rendering command results ----------

  private async render(ctx: TurnContext, who: TeamsIdentity, r: CommandResult): Promise<void> {
    const reply = this.replyReference(ctx);
    switch (r.kind) {
      case 'help':
      case 'text':
      case 'reviews':
        await this.send(reply, { type: 'message', text: toTeamsMarkdown(r.text) });
        return;
      case 'file': {
        // Teams bots cannot upload files into a channel: post a signed download link, and the content inline
        // when it is small enough to read there.
        const download = r.url
          ? toTeamsMarkdown(rich`\n\n${link(r.url, `Download ${r.filename}`)} (private link)`)
          : '';
        // The file's text stays inside its code block: no fence in it can close the block early.
        const body =
          r.content.length <= 20_000
            ? `${download}\n\n\`\`\`\n${r.content.replace(/```/g, '`\u200b``')}\n\`\`\``
            : download || '\n\nThe file is too large to post in Teams: use the web dashboard to download it.';
        await this.send(reply, {
          type: 'message',
          text: `${toTeamsMarkdown(rich`${r.message} (${plain(r.filename)})`)}${body}`,
        });
        return;
      }
      case 'review':
        break;
    }
    const view = r.review;
    await this.send(reply, { type: 'message', text: toTeamsMarkdown(r.message) });
    switch (r.action) {
      case 'started':
        await this.postPolls(who.tenantId, this.channelReference(ctx, who), view);
        return;
      case 'status':
        await this.send(reply, cardActivity(renderStatusCard(view)));
        return;
      case 'results':
        await this.send(reply, cardActivity(renderResultsCard(view)));
        return;
      case 'closed':
      case 'decided':
      case 'next-round':
        for (const p of view.polls) this.scheduleCardUpdate(who.tenantId, view.reviewId, p.rowId, true);
        if (r.action !== 'next-round') await this.send(reply, cardActivity(renderResultsCard(view)));
        return;
    }
  }

  /** Posts one poll card per rubric row and remembers each card's activity id for later updates. */
  async postPolls(
    tenantId: string,
    reference: Partial<ConversationReference>,
    view: ReviewView,
  ): Promise<void> {
    const channelId = view.channelId;
    const refreshIds = await this.refreshIds(tenantId, channelId);
    for (const poll of view.polls) {
      const res = await this.send(
        reference,
        cardActivity(renderPollCard(poll, { refreshUserIds: refreshIds })),
      );
      if (res?.id) {
        await this.o.store.kv.put(KV.pollCard, `${view.reviewId}|${poll.rowId}`, {
          tenantId,
          channelId,
          activityId: res.id,
        } satisfies StoredPollCard);
      }
    }
  }

  // ---------- proactive messages ----------

  /** Posts an activity in a channel or chat where the bot was added (e.g. nudges, scheduled reviews). */
  async postToChannel(
    tenantId: string,
    channelId: string,
    activity: Partial<Activity>,
  ): Promise<ResourceResponse | undefined> {
    const stored = await this.o.store.kv.get<StoredConversation>(KV.conversation, `${tenantId}|${channelId}`);
    if (!stored) {
      throw new Error(
        `The bot has no conversation reference for ${channelId}: it must be added to that channel first.`,
      );
    }
    return this.send(stored.reference, activity);
  }

  /** Posts a review's poll cards proactively in its channel. */
  async postReview(view: ReviewView): Promise<void> {
    const stored = await this.o.store.kv.get<StoredConversation>(
      KV.conversation,
      `${view.tenantId}|${view.channelId}`,
    );
    if (!stored) throw new Error(`The bot has no conversation reference for ${view.channelId}.`);
    await this.postPolls(view.tenantId, stored.reference, view);
  }

  /** Every send goes through the per-conversation queue and only to an allowlisted connector. */
  private send(
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    opts: { replaceId?: string } = {},
  ): Promise<ResourceResponse | undefined> {
    const serviceUrl = reference.serviceUrl ?? '';
    if (!this.o.allowlist.allows(serviceUrl)) {
      return Promise.reject(new Error('refusing to send to a service URL that is not on the allowlist'));
    }
    const conv = reference.conversation?.id ?? '';
    return this.queue
      .enqueue(conv, async () => {
        let out: ResourceResponse | undefined;
        await this.adapter.continueConversationAsync(this.appId, reference, async (ctx) => {
          this.withoutSdkRetries(ctx);
          if (opts.replaceId) {
            out = (await ctx.updateActivity({ ...activity, id: opts.replaceId })) ?? undefined;
            return;
          }
          // Addressed from the stored reference itself: a reference without activityId makes a new post in the
          // channel (not a reply to the synthetic continuation activity).
          const a = TurnContext.applyConversationReference({ ...activity }, reference);
          if (!reference.activityId) delete a.replyToId;
          [out] = await ctx.adapter.sendActivities(ctx, [a]);
        });
        return out;
      })
      .catch((e: unknown) => {
        throw new SendError(e);
      });
  }

  /**
   * The connector client's own pipeline retries 429/5xx up to 3 times, invisible to our rate limits: remove
   * that phase so that every attempt goes through the SendQueue (which also retries 412).
   */
  private withoutSdkRetries(ctx: TurnContext): void {
    const client = ctx.turnState.get(this.adapter.ConnectorClientKey) as
      | { client?: { pipeline?: { removePolicy(o: { phase: 'Retry' }): unknown } } }
      | undefined;
    client?.client?.pipeline?.removePolicy({ phase: 'Retry' });
  }

  /** Redraws the shared (non-personal) card of one poll: at most once per interval, always the latest state. */
  private scheduleCardUpdate(tenantId: string, reviewId: string, rowId: string, immediate = false) {
    const key = `${reviewId}|${rowId}`;
    let t = this.cardTimers.get(key);
    if (!t) {
      t = { timer: null, dirty: false, last: 0 };
      this.cardTimers.set(key, t);
    }
    const state = t;
    state.dirty = true;
    if (state.timer) return;
    const delay = immediate ? 0 : Math.max(0, state.last + this.updateInterval - Date.now());
    state.timer = setTimeout(() => {
      state.timer = null;
      state.dirty = false;
      state.last = Date.now();
      const p = this.updateCard(tenantId, reviewId, rowId)
        .catch((e) => this.log(`updating the card of ${key} failed`, e))
        .finally(() => {
          this.pendingCardUpdates.delete(p);
          if (state.dirty) this.scheduleCardUpdate(tenantId, reviewId, rowId);
          else if (!state.timer) this.cardTimers.delete(key);
        });
      this.pendingCardUpdates.add(p);
    }, delay);
  }

  private async updateCard(tenantId: string, reviewId: string, rowId: string): Promise<void> {
    const posted = await this.o.store.kv.get<StoredPollCard>(KV.pollCard, `${reviewId}|${rowId}`);
    if (!posted || posted.tenantId !== tenantId) return; // posted elsewhere (e.g. Slack) or not at all
    const stored = await this.o.store.kv.get<StoredConversation>(
      KV.conversation,
      `${tenantId}|${posted.channelId}`,
    );
    if (!stored) return;
    // The bot redraws the card it posted in that channel.
    const view = await this.o.service.getPollState(
      { tenantId, userId: BOT_ACTOR_ID, channelId: posted.channelId, conversation: 'channel' },
      { reviewId, rowId },
    );
    const refreshIds = await this.refreshIds(tenantId, posted.channelId);
    const card = renderPollCard(view, { refreshUserIds: refreshIds });
    await this.send(stored.reference, cardActivity(card), { replaceId: posted.activityId });
  }

  // ---------- who is asking ----------

  /**
   * The actor of a turn: who (AAD object id), from which channel and kind of conversation, and — asked only when
   * a rule needs it — whether they may set the app up here (ADMIN_USER_IDS, or the person who added the app to this
   * team or chat).
   */
  private actorOf(who: TeamsIdentity): Actor {
    return {
      tenantId: who.tenantId,
      userId: who.userId,
      displayName: who.displayName,
      channelId: who.channelId,
      conversation: who.conversation,
      isAdmin: async () => {
        if (this.o.adminUserIds?.includes(who.userId)) return true;
        const installer = await this.o.store.kv.get<{ userId: string }>(
          KV.installer,
          `${who.tenantId}|${who.teamId ?? who.channelId}`,
        );
        return installer?.userId === who.userId;
      },
    };
  }

  /**
   * The people Teams vouches for in this turn: those its mention entities name, by the AAD id the entity carries or
   * that resolveMentions found in the channel's roster or the team's (the Emulator has none: its Teams id stands).
   * Text that merely looks like a mention confirms nobody.
   */
  private people(a: IncomingActivity, known: ReadonlyMap<string, string>): People {
    const confirmed = new Map<string, string>();
    for (const m of mentionsIn(a)) {
      const id = m.aadObjectId ?? known.get(m.mri) ?? (a.channelId === 'emulator' ? m.mri : null);
      if (id) confirmed.set(id, m.name ?? '');
    }
    return {
      confirm: async (userId) =>
        confirmed.has(userId) ? { displayName: confirmed.get(userId) ?? '' } : null,
    };
  }

  // ---------- references and rosters ----------

  /** Where to reply to this turn (the thread or chat the message came from). */
  private replyReference(ctx: TurnContext): Partial<ConversationReference> {
    return TurnContext.getConversationReference(ctx.activity);
  }

  /** The channel itself (new top-level posts) rather than the thread of this turn. */
  private channelReference(ctx: TurnContext, who: TeamsIdentity): Partial<ConversationReference> {
    const { activityId: _thread, ...ref } = TurnContext.getConversationReference(ctx.activity);
    return {
      ...ref,
      conversation: { ...(ref.conversation as ConversationReference['conversation']), id: who.channelId },
    };
  }

  /** Adds users (core id → Teams MRI) to the channel's roster, within the caps (TeamsDirectory). */
  private remember(
    tenantId: string,
    channelId: string,
    users: Array<[string, string]>,
    active: boolean,
  ): Promise<void> {
    return this.directory.remember(tenantId, channelId, users, active);
  }

  /**
   * Mentions carry Teams ids (MRIs) but the core knows people by AAD object id. Ids not yet seen in this channel
   * (e.g. members who were there before the bot) are looked up in the team roster through the connector. Without
   * that lookup a mention would create a second member record, so a failed lookup refuses the command (except in
   * the Bot Framework Emulator, which has no roster: there the Teams id is used).
   */
  private async resolveMentions(
    ctx: TurnContext,
    a: IncomingActivity,
    who: TeamsIdentity,
  ): Promise<Map<string, string>> {
    const known = await this.aadIds(who.tenantId, who.channelId);
    const unknown = new Map<string, string>();
    for (const m of mentionsIn(a)) {
      if (m.aadObjectId || known.has(m.mri)) continue;
      unknown.set(m.mri, m.name ?? m.mri);
    }
    if (unknown.size === 0) return known;
    if (unknown.size > 20) throw new BadActivity('Mention at most 20 people in one command.');
    const found: Array<[string, string]> = [];
    for (const [mri, name] of unknown) {
      try {
        const m = await TeamsInfo.getMember(ctx, mri);
        const aad = m.aadObjectId;
        if (!aad) throw new Error('no aadObjectId');
        known.set(mri, aad);
        found.push([aad, mri]);
      } catch (e) {
        if (a.channelId === 'emulator') continue; // the Emulator has no roster: the Teams id stands in
        this.log(`looking up ${mri} failed`, e);
        throw new BadActivity(`I could not find ${name.slice(0, 80)} in this team, so nothing was changed.`);
      }
    }
    if (found.length) await this.remember(who.tenantId, who.channelId, found, false);
    return known;
  }

  /** Teams MRI → core user id (AAD object id) for the people seen in this channel, to resolve mentions. */
  private async aadIds(tenantId: string, channelId: string): Promise<Map<string, string>> {
    const roster = await this.o.store.kv.get<Roster>(KV.roster, `${tenantId}|${channelId}`);
    return new Map(Object.entries(roster?.users ?? {}).map(([userId, mri]) => [mri, userId]));
  }

  /**
   * Users whose clients refresh the card automatically (people who used the bot in this channel, not everyone in
   * the team); more than 60 → none listed (manual refresh). Cards of anonymous reviews list nobody (renderPollCard).
   */
  private async refreshIds(tenantId: string, channelId: string): Promise<string[]> {
    const roster = await this.o.store.kv.get<Roster>(KV.roster, `${tenantId}|${channelId}`);
    const ids = Object.values(roster?.active ?? {});
    return ids.length <= MAX_REFRESH_USER_IDS ? ids : [];
  }
}

export function cardActivity(card: AdaptiveCard): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(card)] };
}

import {
  type Activity,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  type InvokeResponse,
  type ResourceResponse,
  type TurnContext,
} from 'botbuilder';
import type { Activity1Service } from '../../app/activity1/activity1Service';
import { CommandService } from '../../app/commands';
import type { Clock, ReminderMessenger, Store } from '../../app/ports';
import type { ReviewService } from '../../app/reviews/reviewService';
import type { ReviewView } from '../../app/reviews/views';
import { defaultLogger, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { OwedRedraws } from '../owedRedraws';
import { type IncomingActivity, identityOf, type ServiceUrlAllowlist } from './activity';
import { PollCards } from './cards';
import type { TeamsActionHandler, TurnDeps } from './context';
import { DEFAULT_TEAMS_LIMITS, TeamsDirectory, type TeamsLimits } from './directory';
import { onInvoke } from './invokes';
import { SendError, TeamsOutbox } from './outbox';
import { teamsReminders } from './reminders';
import { TeamsRoster } from './roster';
import type { SendQueue, SendQueueOptions } from './sendQueue';
import { onConversationUpdate, onMessage } from './turns';

export { cardActivity } from './cards';
export type { TeamsActionHandler } from './context';
export { KV, type StoredConversation } from './directory';
export { SendError } from './outbox';

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
  /** Activity 1 (card verbs `activity1`, `activity1-view`). */
  activity1?: Activity1Service;
  /** Minimum time between two updates of the same shared poll card. */
  cardUpdateIntervalMs?: number;
  /** Durable marks of the cards this process owes a redraw (../owedRedraws.ts); started by `start()`. */
  owed?: OwedRedraws;
  /**
   * How long a card action invoke may take before it is answered as slow, or for a vote or evidence as not
   * confirmed (default 4 s: Teams gives an invoke about 5 s before it shows the person an error, and Microsoft's
   * documented limit for invokes is five seconds).
   */
  invokeDeadlineMs?: number;
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Caps on what one tenant can make the bot remember (default DEFAULT_TEAMS_LIMITS). */
  limits?: TeamsLimits;
  /** Votes are counted here. */
  metrics?: Metrics;
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

/**
 * The Teams bot: one CloudAdapter; every turn is routed from here to ./turns.ts (messages, installs) or
 * ./invokes.ts (card actions). All outgoing messages go through one TeamsOutbox (./outbox.ts: the
 * per-conversation SendQueue, 7/s, 1,800/h, retries) and only to allowlisted service URLs.
 */
export class TeamsBot {
  readonly adapter: TeamsCloudAdapter;
  readonly outbox: TeamsOutbox;
  private readonly turn: TurnDeps;

  constructor(private readonly o: TeamsBotOptions) {
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
    const logger = o.logger ?? defaultLogger('teams');
    const log = (m: string, e?: unknown) => logger.error(m, e);
    const kv = o.store.kv;
    const directory = new TeamsDirectory(kv, o.limits ?? DEFAULT_TEAMS_LIMITS, (m) => logger.warn(m));
    const roster = new TeamsRoster(kv, directory, o.adminUserIds, log);
    this.outbox = new TeamsOutbox(this.adapter, o.appId ?? '', o.allowlist, kv, o.queue);
    const cards = new PollCards({
      kv,
      service: o.service,
      outbox: this.outbox,
      roster,
      updateInterval: o.cardUpdateIntervalMs ?? 1000,
      log,
      ...(o.owed ? { owed: o.owed } : {}),
    });
    this.turn = {
      service: o.service,
      commands: o.commands ?? new CommandService(o.service),
      clock: o.clock,
      metrics: o.metrics,
      actions: o.actions,
      activity1: o.activity1,
      directory,
      roster,
      outbox: this.outbox,
      cards,
      invokeDeadlineMs: o.invokeDeadlineMs ?? 4000,
      log,
    };
  }

  /** `remind`'s delivery outside a turn (the district's reminder schedule): the same channel message. */
  reminders(): ReminderMessenger {
    return teamsReminders(this.outbox, this.turn.roster);
  }

  get authEnabled(): boolean {
    return !!this.o.appId;
  }

  /** The per-conversation send queue every message goes through. */
  get queue(): SendQueue {
    return this.outbox.queue;
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
  idle(): Promise<void> {
    return this.turn.cards.idle();
  }

  /** Redraws the cards a process that died owed a redraw, now and whenever another one dies (with `owed`). */
  async start(): Promise<void> {
    await this.o.owed?.start((tenantId, key) => this.turn.cards.adopt(tenantId, key));
  }

  /**
   * Redraws the shared cards still owed an update (at most `timeoutMs`), then stops their timers; what is still
   * owed stays marked for another process (with `owed`).
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!(await this.turn.cards.flush(timeoutMs)))
      this.turn.log('stopping with poll cards not redrawn (their votes are stored and counted)');
    this.turn.cards.stop();
    await this.o.owed?.stop();
  }

  private async onTurn(ctx: TurnContext): Promise<void> {
    try {
      await this.dispatch(ctx);
    } catch (e) {
      // The work is done and stored; only a reply could not be delivered. Answering 5xx would make Teams
      // resend the activity and run the command twice, so log it instead.
      if (e instanceof SendError) this.turn.log('a reply could not be delivered', e.cause);
      else throw e;
    }
  }

  private async dispatch(ctx: TurnContext): Promise<void> {
    const a = ctx.activity as unknown as IncomingActivity;
    const localTenant = this.authEnabled ? null : 'emulator';
    switch (a.type) {
      case 'message':
        return onMessage(this.turn, ctx, a, identityOf(a, localTenant));
      case 'invoke':
        return onInvoke(this.turn, ctx, a, identityOf(a, localTenant));
      case 'conversationUpdate':
      case 'installationUpdate':
        return onConversationUpdate(this.turn, ctx, a, identityOf(a, localTenant));
      default:
        return; // typing, messageReaction, … : nothing to do
    }
  }

  /** Posts one poll card per rubric row and remembers each card's activity id for later updates. */
  postPolls(tenantId: string, reference: Partial<ConversationReference>, view: ReviewView): Promise<void> {
    return this.turn.cards.postPolls(tenantId, reference, view);
  }

  /** Posts an activity in a channel or chat where the bot was added (e.g. nudges, scheduled reviews). */
  postToChannel(
    tenantId: string,
    channelId: string,
    activity: Partial<Activity>,
  ): Promise<ResourceResponse | undefined> {
    return this.outbox.postToChannel(tenantId, channelId, activity);
  }

  /** Replaces an activity the bot posted in a channel (e.g. a nudge once it was answered). */
  updateInChannel(
    tenantId: string,
    channelId: string,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<void> {
    return this.outbox.updateInChannel(tenantId, channelId, activityId, activity);
  }

  /** Posts a review's poll cards proactively in its channel. */
  async postReview(view: ReviewView): Promise<void> {
    const stored = await this.outbox.conversation(view.tenantId, view.channelId);
    if (!stored) throw new Error(`The bot has no conversation reference for ${view.channelId}.`);
    await this.postPolls(view.tenantId, stored.reference, view);
  }
}

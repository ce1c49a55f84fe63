import {
  type Activity,
  type CloudAdapter,
  type ConversationReference,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder';
import type { KeyValueRepo } from '../../app/ports';
import { retryAfterMsOf, statusOf } from '../scheduler/retryPolicy';
import type { ServiceUrlAllowlist } from './activity';
import { KV, type StoredConversation } from './directory';
import { SendQueue, type SendQueueOptions } from './sendQueue';

/**
 * A send to the Bot Connector failed for good (after the queue's retries, or at once when not worth retrying). It
 * keeps the connector's HTTP status and Retry-After, so that callers (the nudge runner's claim, logs) see why.
 */
export class SendError extends Error {
  readonly status: number | null;
  readonly retryAfterMs: number | null;

  constructor(override readonly cause: unknown) {
    super(`Teams send failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SendError';
    this.status = statusOf(cause);
    this.retryAfterMs = retryAfterMsOf(cause);
  }
}

/**
 * Every message the bot sends — replies, poll cards, card updates, confirmations, nudges — goes out here: only to an
 * allowlisted connector, through the per-conversation SendQueue (7/s, 1,800/h, the shared retry policy), without
 * botbuilder's own retries. A failure comes back as a SendError carrying the status.
 */
export class TeamsOutbox {
  readonly queue: SendQueue;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly allowlist: ServiceUrlAllowlist,
    private readonly kv: KeyValueRepo,
    queue?: SendQueueOptions,
  ) {
    this.queue = new SendQueue(queue);
  }

  send(
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    opts: { replaceId?: string } = {},
  ): Promise<ResourceResponse | undefined> {
    const serviceUrl = reference.serviceUrl ?? '';
    if (!this.allowlist.allows(serviceUrl)) {
      return Promise.reject(new Error('refusing to send to a service URL that is not on the allowlist'));
    }
    const conv = reference.conversation?.id ?? '';
    const tenant = reference.conversation?.tenantId;
    return this.queue
      .enqueue(
        conv,
        async () => {
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
        },
        tenant,
      )
      .catch((e: unknown) => {
        throw new SendError(e);
      });
  }

  /** The stored reference of a channel or chat where the bot was added, or null. */
  async conversation(tenantId: string, channelId: string): Promise<StoredConversation | null> {
    return (await this.kv.get<StoredConversation>(KV.conversation, `${tenantId}|${channelId}`)) ?? null;
  }

  /** Posts an activity in a channel or chat where the bot was added (e.g. nudges, scheduled reviews). */
  async postToChannel(
    tenantId: string,
    channelId: string,
    activity: Partial<Activity>,
  ): Promise<ResourceResponse | undefined> {
    const stored = await this.conversation(tenantId, channelId);
    if (!stored) {
      throw new Error(
        `The bot has no conversation reference for ${channelId}: it must be added to that channel first.`,
      );
    }
    return this.send(stored.reference, activity);
  }

  /** Replaces an activity the bot posted in a channel or chat (e.g. a nudge redrawn once it was answered). */
  async updateInChannel(
    tenantId: string,
    channelId: string,
    activityId: string,
    activity: Partial<Activity>,
  ): Promise<void> {
    const stored = await this.conversation(tenantId, channelId);
    if (!stored) throw new Error(`The bot has no conversation reference for ${channelId}.`);
    await this.send(stored.reference, activity, { replaceId: activityId });
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * The connector client's own pipeline retries 429/5xx up to 3 times, invisible to our rate limits: remove
   * that phase so that every attempt goes through the SendQueue.
   */
  private withoutSdkRetries(ctx: TurnContext): void {
    const client = ctx.turnState.get(this.adapter.ConnectorClientKey) as
      | { client?: { pipeline?: { removePolicy(o: { phase: 'Retry' }): unknown } } }
      | undefined;
    client?.client?.pipeline?.removePolicy({ phase: 'Retry' });
  }
}

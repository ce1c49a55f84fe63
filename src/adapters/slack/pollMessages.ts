import type { RespondFn, types, webApi } from '@slack/bolt';
import type { KeyValueRepo } from '../../app/ports';
import { PollDraws } from '../../app/reviews/pollDraws';
import type { ReviewService } from '../../app/reviews/reviewService';
import type { PollView, ReviewView } from '../../app/reviews/views';
import type { Actor } from '../../app/schemas';
import { appActor } from './asker';
import { pollBlocks, pollFallbackText, pollRef } from './blocks';
import { POLL_MESSAGES_NS } from './constants';
import { GroupThreads } from './groupThreads';
import type { SlackOutbound } from './outbound';
import type { PollUpdater } from './pollUpdater';
import { type Ephemeral, slackError } from './replies';

/** Where a poll's message is: stored under `reviewId|rowId` in POLL_MESSAGES_NS. */
interface PollMessageRef {
  channel: string;
  ts: string;
  tenantId: string;
}

/** The answer when the app may not post in a channel (it is not a member of it). */
export const cannotPost = (e: unknown) =>
  `:warning: I could not post the polls in this channel (${slackError(e)}). Add the app to the channel (channel name → Integrations → Add apps), then run \`/micip status\` to post them.`;

/**
 * The poll messages of a workspace: posting them (through the outbound layer, at chat.postMessage's pace per
 * channel, sharing the channel's and the workspace's budget with announcements and nudges), remembering where each
 * is, and redrawing them through the PollUpdater (always from the latest stored state).
 */
export class PollMessages {
  /** The small groups' own threads of polls (./groupThreads.ts), redrawn with the team's poll of each row. */
  readonly groups: GroupThreads;
  /** The polls of a review redrawn together share their reads (../../app/reviews/pollDraws.ts). */
  private readonly draws: PollDraws;

  constructor(
    private readonly o: {
      kv: KeyValueRepo;
      service: ReviewService;
      updater: PollUpdater;
      ephemeral: Ephemeral;
      outbound: SlackOutbound;
    },
  ) {
    this.groups = new GroupThreads({ ...o, post: (c, t, m) => this.postMessage(c, t, m) });
    this.draws = new PollDraws(o.service);
  }

  /** Posts a message in `channel` within the channel's and the workspace's chat.postMessage budget. */
  postMessage(
    client: webApi.WebClient,
    tenantId: string,
    message: { channel: string; text: string; blocks?: types.KnownBlock[] | undefined; thread_ts?: string },
  ) {
    return this.o.outbound.call(
      { workspace: tenantId, method: 'chat.postMessage', channel: message.channel },
      () =>
        client.chat.postMessage({
          channel: message.channel,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        }),
    );
  }

  /**
   * Schedules a redraw of the poll's message (if it has one in this workspace), and of the row's small-group
   * messages unless the caller knows the review was never split (`groups: false`: a vote's path, no lookup).
   */
  redraw(
    client: webApi.WebClient,
    tenantId: string,
    reviewId: string,
    rowId: string,
    o: { groups?: boolean } = {},
  ): void {
    const key = pollRef(reviewId, rowId);
    const { kv } = this.o;
    this.o.updater.schedule(
      key,
      client,
      async () => {
        const where = await kv.get<PollMessageRef>(POLL_MESSAGES_NS, key);
        if (!where || where.tenantId !== tenantId) return null;
        const poll = await this.draws.draw(appActor(tenantId, where.channel), reviewId, rowId);
        return {
          channel: where.channel,
          ts: where.ts,
          blocks: pollBlocks(poll),
          text: pollFallbackText(poll),
        };
      },
      // The workspace whose chat.update budget the redraw spends.
      tenantId,
    );
    // A split review's groups have their own message of the row (a failed lookup only skips their redraw).
    if (o.groups !== false) this.groups.redraw(client, tenantId, reviewId, rowId).catch(() => undefined);
  }

  /** Posts the poll messages of an active review that have none yet (first start, or after a failed post). */
  async ensure(client: webApi.WebClient, actor: Actor, v: ReviewView, respond: RespondFn): Promise<void> {
    for (const p of v.polls) {
      if (await this.o.kv.get(POLL_MESSAGES_NS, pollRef(v.reviewId, p.rowId))) continue;
      try {
        await this.post(client, actor.tenantId, v.channelId, p);
      } catch (e) {
        await this.o.ephemeral(client, actor.tenantId, v.channelId, actor.userId, cannotPost(e), respond);
        return;
      }
    }
  }

  private async post(client: webApi.WebClient, tenantId: string, channel: string, p: PollView) {
    const res = await this.postMessage(client, tenantId, {
      channel,
      blocks: pollBlocks(p),
      text: pollFallbackText(p),
    });
    if (!res.ts) throw new Error('chat.postMessage returned no ts');
    await this.o.kv.put(POLL_MESSAGES_NS, pollRef(p.reviewId, p.rowId), {
      tenantId,
      channel: res.channel ?? channel,
      ts: res.ts,
    } satisfies PollMessageRef);
  }
}

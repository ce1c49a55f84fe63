import type { RespondFn, webApi } from '@slack/bolt';
import type { KeyValueRepo } from '../../app/ports';
import type { ReviewService } from '../../app/reviews/reviewService';
import type { PollView, ReviewView } from '../../app/reviews/views';
import type { Actor } from '../../app/schemas';
import { pollBlocks, pollFallbackText, pollRef } from './blocks';
import { POLL_MESSAGES_NS } from './constants';
import type { PollUpdater } from './pollUpdater';
import { type Ephemeral, slackError } from './replies';
import { KeyedBudgets, POST_MESSAGE_PER_CHANNEL } from './tiers';

/** Where a poll's message is: stored under `reviewId|rowId` in POLL_MESSAGES_NS. */
interface PollMessageRef {
  channel: string;
  ts: string;
  tenantId: string;
}

/** The app itself, drawing the poll message it posted in `channelId`. */
const appActor = (tenantId: string, channelId: string): Actor => ({
  tenantId,
  userId: 'micip-slack-app',
  displayName: '',
  channelId,
  conversation: 'channel',
});

/** The answer when the app may not post in a channel (it is not a member of it). */
export const cannotPost = (e: unknown) =>
  `:warning: I could not post the polls in this channel (${slackError(e)}). Add the app to the channel (channel name → Integrations → Add apps), then run \`/micip status\` to post them.`;

/**
 * The poll messages of a workspace: posting them (at chat.postMessage's pace per channel), remembering where each
 * is, and redrawing them through the PollUpdater (always from the latest stored state).
 */
export class PollMessages {
  /** chat.postMessage: about one a second per channel (a review's polls go out at that pace). */
  private readonly channelPosts = new KeyedBudgets(
    POST_MESSAGE_PER_CHANNEL.perSecond * 60,
    POST_MESSAGE_PER_CHANNEL.burst - 1,
  );

  constructor(
    private readonly o: {
      kv: KeyValueRepo;
      service: ReviewService;
      updater: PollUpdater;
      ephemeral: Ephemeral;
    },
  ) {}

  /** Waits for the channel's chat.postMessage budget. */
  pace(tenantId: string, channel: string): Promise<void> {
    return this.channelPosts.for(`${tenantId}|${channel}`).acquire();
  }

  /** Schedules a redraw of the poll's message (if it has one in this workspace). */
  redraw(client: webApi.WebClient, tenantId: string, reviewId: string, rowId: string): void {
    const key = pollRef(reviewId, rowId);
    const { kv, service } = this.o;
    this.o.updater.schedule(key, client, async () => {
      const where = await kv.get<PollMessageRef>(POLL_MESSAGES_NS, key);
      if (!where || where.tenantId !== tenantId) return null;
      const poll = await service.getPollState(appActor(tenantId, where.channel), { reviewId, rowId });
      return {
        channel: where.channel,
        ts: where.ts,
        blocks: pollBlocks(poll),
        text: pollFallbackText(poll),
      };
    });
  }

  /** Posts the poll messages of an active review that have none yet (first start, or after a failed post). */
  async ensure(client: webApi.WebClient, actor: Actor, v: ReviewView, respond: RespondFn): Promise<void> {
    for (const p of v.polls) {
      if (await this.o.kv.get(POLL_MESSAGES_NS, pollRef(v.reviewId, p.rowId))) continue;
      try {
        await this.post(client, actor.tenantId, v.channelId, p);
      } catch (e) {
        await this.o.ephemeral(client, v.channelId, actor.userId, cannotPost(e), respond);
        return;
      }
    }
  }

  private async post(client: webApi.WebClient, tenantId: string, channel: string, p: PollView) {
    await this.pace(tenantId, channel);
    const res = await client.chat.postMessage({
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

import type { types, webApi } from '@slack/bolt';
import type { KeyValueRepo } from '../../app/ports';
import type { GroupThreadsView } from '../../app/reviews/groupPolls';
import type { ReviewService } from '../../app/reviews/reviewService';
import { isDomainError } from '../../domain/errors';
import { appActor } from './asker';
import {
  groupHeaderBlocks,
  groupHeaderFallback,
  groupPollBlocks,
  groupPollFallback,
  groupPollRef,
} from './groupBlocks';
import type { PollUpdater } from './pollUpdater';

/** The key-value namespace of the groups' poll messages: `reviewId|rowId` → each group's message of that row. */
export const GROUP_POLLS_NS = 'slack-group-polls';

export interface GroupPollMessages {
  tenantId: string;
  messages: Array<{ group: string; channel: string; ts: string }>;
}

type Post = (
  client: webApi.WebClient,
  tenantId: string,
  message: { channel: string; text: string; blocks?: types.KnownBlock[]; thread_ts?: string },
) => Promise<{ ts?: string | undefined; channel?: string | undefined }>;

/**
 * Each small group's own thread in the review's channel: a "Group A: Alex, Blair, …" message, then that group's
 * polls in its thread (`thread_ts`), posted through the outbound layer like every poll (the channel's and the
 * workspace's chat.postMessage budget). Where each is, is kept per row, so a vote on the row redraws the groups'
 * messages of it too (through the PollUpdater, always from the latest stored state).
 */
export class GroupThreads {
  constructor(
    private readonly o: { kv: KeyValueRepo; service: ReviewService; updater: PollUpdater; post: Post },
  ) {}

  /** Posts each group's header and, in its thread, the group's polls; remembers where each poll is. */
  async post(client: webApi.WebClient, tenantId: string, t: GroupThreadsView): Promise<void> {
    const byRow = new Map<string, GroupPollMessages['messages']>();
    for (const g of t.groups) {
      const header = await this.o.post(client, tenantId, {
        channel: t.channelId,
        text: groupHeaderFallback(g),
        blocks: groupHeaderBlocks(t, g),
      });
      if (!header.ts) throw new Error('chat.postMessage returned no ts');
      const channel = header.channel ?? t.channelId;
      for (const p of g.polls) {
        const res = await this.o.post(client, tenantId, {
          channel,
          thread_ts: header.ts,
          text: groupPollFallback(p),
          blocks: groupPollBlocks(p),
        });
        if (!res.ts) throw new Error('chat.postMessage returned no ts');
        const list = byRow.get(p.rowId) ?? [];
        list.push({ group: g.name, channel, ts: res.ts });
        byRow.set(p.rowId, list);
      }
    }
    for (const [rowId, messages] of byRow) {
      await this.o.kv.put(GROUP_POLLS_NS, `${t.reviewId}|${rowId}`, {
        tenantId,
        messages,
      } satisfies GroupPollMessages);
    }
  }

  /** Schedules a redraw of every group's message of the row (if the review was split in this workspace). */
  async redraw(client: webApi.WebClient, tenantId: string, reviewId: string, rowId: string): Promise<void> {
    const where = await this.o.kv.get<GroupPollMessages>(GROUP_POLLS_NS, `${reviewId}|${rowId}`);
    if (!where || where.tenantId !== tenantId) return;
    for (const m of where.messages) {
      this.o.updater.schedule(
        groupPollRef(reviewId, rowId, m.group),
        client,
        async () => {
          const poll = await this.o.service.groups
            .pollState(appActor(tenantId, m.channel), { reviewId, rowId, group: m.group })
            // A group a later split no longer has: its old thread is left as it was.
            .catch((e: unknown) => {
              if (isDomainError(e) && e.code === 'invalid-state') return null;
              throw e;
            });
          if (!poll) return null;
          return {
            channel: m.channel,
            ts: m.ts,
            blocks: groupPollBlocks(poll),
            text: groupPollFallback(poll),
          };
        },
        tenantId,
      );
    }
  }
}

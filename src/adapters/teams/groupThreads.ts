import type { ConversationReference } from 'botbuilder';
import type { KeyValueRepo } from '../../app/ports';
import type { GroupThreadsView } from '../../app/reviews/groupPolls';
import type { ReviewService } from '../../app/reviews/reviewService';
import { isDomainError } from '../../domain/errors';
import { renderGroupHeaderCard, renderGroupPollCard } from '../cards/groupCards';
import { cardActivity } from './cards';
import type { TeamsOutbox } from './outbox';
import type { TeamsRoster } from './roster';

/** `${reviewId}|${rowId}` → each group's poll card of that row (its activity and its thread's conversation id). */
export const GROUP_CARDS_KV = 'teams.groupPollCards';

export interface StoredGroupCards {
  tenantId: string;
  channelId: string;
  cards: Array<{ group: string; conversationId: string; headerId: string; activityId: string }>;
}

/** A channel's reference addressed to the thread under `headerId` (`;messageid=`, replyToId). */
export function threadReference(
  channel: Partial<ConversationReference>,
  channelId: string,
  headerId: string,
): Partial<ConversationReference> {
  return {
    ...channel,
    activityId: headerId,
    conversation: {
      ...(channel.conversation as ConversationReference['conversation']),
      id: `${channelId};messageid=${headerId}`,
    },
  };
}

/**
 * Each small group's own conversation in the review's channel (Teams): a card "Group A: Alex, Blair, …" posted in
 * the channel, and the group's poll cards as replies to it (the conversation id with `;messageid=`). Where each card
 * is, is kept per row, so a vote on the row redraws the groups' cards of it too (always from the stored state).
 */
export class TeamsGroupThreads {
  constructor(
    private readonly o: {
      kv: KeyValueRepo;
      service: ReviewService;
      outbox: TeamsOutbox;
      roster: TeamsRoster;
    },
  ) {}

  async post(tenantId: string, channel: Partial<ConversationReference>, t: GroupThreadsView): Promise<void> {
    const refreshIds = await this.o.roster.refreshIds(tenantId, t.channelId);
    const byRow = new Map<string, StoredGroupCards['cards']>();
    for (const g of t.groups) {
      const header = await this.o.outbox.send(channel, cardActivity(renderGroupHeaderCard(t, g)));
      if (!header?.id) throw new Error('Teams returned no activity id for the group card');
      const thread = threadReference(channel, t.channelId, header.id);
      for (const p of g.polls) {
        const res = await this.o.outbox.send(
          thread,
          cardActivity(renderGroupPollCard(p, { refreshUserIds: refreshIds })),
        );
        if (!res?.id) continue;
        const list = byRow.get(p.rowId) ?? [];
        list.push({
          group: g.name,
          conversationId: thread.conversation?.id ?? '',
          headerId: header.id,
          activityId: res.id,
        });
        byRow.set(p.rowId, list);
      }
    }
    for (const [rowId, cards] of byRow) {
      await this.o.kv.put(GROUP_CARDS_KV, `${t.reviewId}|${rowId}`, {
        tenantId,
        channelId: t.channelId,
        cards,
      } satisfies StoredGroupCards);
    }
  }

  /** Redraws every group's shared card of the row (where the review was split in this tenant). */
  async update(tenantId: string, reviewId: string, rowId: string): Promise<void> {
    const posted = await this.o.kv.get<StoredGroupCards>(GROUP_CARDS_KV, `${reviewId}|${rowId}`);
    if (!posted || posted.tenantId !== tenantId) return;
    const stored = await this.o.outbox.conversation(tenantId, posted.channelId);
    if (!stored) return;
    const refreshIds = await this.o.roster.refreshIds(tenantId, posted.channelId);
    for (const c of posted.cards) {
      const view = await this.o.service.groups
        .pollState(
          { tenantId, userId: 'teams-bot', channelId: posted.channelId, conversation: 'channel' },
          { reviewId, rowId, group: c.group },
        )
        // A group a later split no longer has: its old card is left as it was.
        .catch((e: unknown) => {
          if (isDomainError(e) && e.code === 'invalid-state') return null;
          throw e;
        });
      if (!view) continue;
      await this.o.outbox.send(
        threadReference(stored.reference, posted.channelId, c.headerId),
        cardActivity(renderGroupPollCard(view, { refreshUserIds: refreshIds })),
        { replaceId: c.activityId },
      );
    }
  }
}

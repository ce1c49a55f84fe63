import type { App, BlockAction, ButtonAction, RespondFn, types, webApi } from '@slack/bolt';
import type { PerspectiveQuestion } from '../../../../app/reviews/perspectiveAsk';
import type { RecordedVote } from '../../../../app/reviews/reviewService';
import { clip } from '../../../../app/text';
import { LIMITS } from '../../blocks';
import { escapeMrkdwn } from '../../mrkdwn';
import { errorReply } from '../../replies';
import { type ListenerContext, tenantOf } from '../context';

/** The answer buttons of the first vote's perspective question: `micip_perspective_<n>`, value `reviewId|answer`. */
const PREFIX = 'micip_perspective_';
const PERSPECTIVE_ACTION = new RegExp(`^${PREFIX}\\d+$`);
/** Slack's limit of elements in one actions block. */
const MAX_BUTTONS = 25;

/** The vote's confirmation (mrkdwn, as sent) followed by the question and one button per answer. */
export function perspectiveBlocks(confirmation: string, q: PerspectiveQuestion): types.KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: clip(confirmation, 3000) } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(q.question)}*` } },
    {
      type: 'actions',
      elements: q.options.slice(0, MAX_BUTTONS).map((o, i) => ({
        type: 'button' as const,
        text: { type: 'plain_text' as const, text: clip(o.label, LIMITS.buttonText), emoji: true },
        action_id: `${PREFIX}${i}`,
        value: clip(`${q.reviewId}|${o.value}`, LIMITS.buttonValue),
      })),
    },
  ];
}

/**
 * Sends a vote's confirmation, after the ack and off the vote's path: with the perspective question when this is
 * the member's first vote in the review and their perspective is unknown (asked once, ReviewService.perspectives).
 * A failure to look that up still confirms the vote.
 */
export function confirmVote(
  ctx: Pick<ListenerContext, 'service' | 'confirmations' | 'log'>,
  client: webApi.WebClient,
  to: { tenantId: string; channel: string | undefined; user: string },
  r: Pick<RecordedVote, 'vote' | 'review' | 'member'>,
  text: string,
  respond?: RespondFn,
): void {
  // Looked up inside the confirmation's job of the work queue, which a burst of clicks holds back: the question's
  // reads never compete with the votes themselves (and a known perspective costs none).
  const blocks = async () => {
    const q = await ctx.service.perspectives
      .afterVote(to.tenantId, r.vote, { review: r.review, member: r.member })
      .catch((e: unknown) => {
        ctx.log.warn('The perspective question could not be prepared', e);
        return null;
      });
    return q ? perspectiveBlocks(text, q) : undefined;
  };
  ctx.confirmations.send(client, to.tenantId, to.channel, to.user, text, respond, blocks);
}

/** An answer button: stored on the member (their perspective, their building); the answer is confirmed privately. */
export function registerPerspective(app: App, ctx: ListenerContext): void {
  const { asker, service, ephemeral, log } = ctx;
  app.action<BlockAction<ButtonAction>>(
    PERSPECTIVE_ACTION,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const tenantId = tenantOf(body);
      const channel = body.channel?.id;
      const raw = typeof action.value === 'string' ? action.value : '';
      const bar = raw.indexOf('|');
      const actor = asker.actor(client, {
        teamId: tenantId,
        userId: body.user.id,
        displayName: body.user.name ?? '',
        ...(channel ? { channelId: channel } : {}),
      });
      try {
        const r = await service.perspectives.answer(actor, {
          reviewId: bar > 0 ? raw.slice(0, bar) : raw,
          value: bar > 0 ? raw.slice(bar + 1) : '',
        });
        await ephemeral(client, tenantId, channel, body.user.id, escapeMrkdwn(r.text), respond);
      } catch (e) {
        await ephemeral(client, tenantId, channel, body.user.id, errorReply(e, 'command', log), respond);
      }
    },
  );
}

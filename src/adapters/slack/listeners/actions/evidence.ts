import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION, evidenceModal, parsePollRef } from '../../blocks';
import { errorReply } from '../../replies';
import { type ListenerContext, tenantOf } from '../context';

/** A poll's "Add evidence" button: opens the evidence modal (listeners/views/evidenceModal.ts saves it). */
export function registerEvidence(app: App, ctx: ListenerContext): void {
  const { ephemeral, log, outbound } = ctx;
  app.action<BlockAction<ButtonAction>>(ACTION.evidence, async ({ ack, body, action, client }) => {
    await ack();
    const channel = body.channel?.id;
    const ref = parsePollRef(typeof action.value === 'string' ? action.value : '');
    if (!ref || !body.trigger_id) {
      await ephemeral(
        client,
        tenantOf(body),
        channel,
        body.user.id,
        'That button does not belong to a MICIP poll.',
      );
      return;
    }
    // Open the modal at once (the trigger expires in 3 s); no database work before it.
    const header = (
      body.message?.blocks as Array<{ type?: string; text?: { text?: string } }> | undefined
    )?.find((b) => b.type === 'header');
    const title = typeof header?.text?.text === 'string' ? header.text.text : 'this rubric row';
    const meta = JSON.stringify({ r: ref.reviewId, w: ref.rowId, c: channel ?? '' });
    try {
      const trigger = body.trigger_id;
      await outbound.call({ workspace: tenantOf(body), method: 'views.open' }, () =>
        client.views.open({
          trigger_id: trigger,
          view: evidenceModal(action.value ?? '', meta, title, null),
        }),
      );
    } catch (e) {
      await ephemeral(client, tenantOf(body), channel, body.user.id, errorReply(e, 'evidence', log));
    }
  });
}

import type { App, SlackViewAction } from '@slack/bolt';
import { ACTION } from '../../blocks';
import { errorReply } from '../../replies';
import { type ListenerContext, tenantOf } from '../context';

/** The evidence modal submitted: the evidence is saved on the poll's row and the poll redrawn. */
export function registerEvidenceModal(app: App, ctx: ListenerContext): void {
  const { asker, service, ephemeral, polls, log } = ctx;
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
      await ephemeral(
        client,
        tenantId,
        channel,
        body.user.id,
        `Your evidence on row ${r.poll.rowNumber} is saved.`,
      );
      polls.redraw(client, tenantId, meta.r, meta.w);
    } catch (e) {
      await ephemeral(client, tenantId, channel, body.user.id, errorReply(e, 'evidence', log));
    }
  });
}

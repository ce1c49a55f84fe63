import type { App, BlockAction, ButtonAction, SlackViewAction } from '@slack/bolt';
import type { Activity1Service } from '../../app/activity1/activity1Service';
import { isDomainError } from '../../domain/errors';
import { defaultLogger, type Logger } from '../observability/logger';
import { ACTIVITY1_ACTION, activity1Modal, activity1SavedModal, parsePickValue } from './activity1Blocks';
import type { SlackOutbound } from './outbound';

export interface SlackActivity1Deps {
  activity1: Activity1Service;
  logger?: Logger;
  /** The adapter's one outbound layer (views.open spends the workspace's budget there). */
  outbound?: SlackOutbound;
}

const PICK = new RegExp(`^${ACTIVITY1_ACTION.pick}_\\d{1,2}$`);
const GENERIC = 'Something went wrong on our side and nothing was saved. Please try again.';

/**
 * Slack side of Activity 1: an outcome button opens the "why" modal at once (no database work before it: the trigger
 * expires in 3 s); the modal's submission is saved before it is acknowledged, and a refusal comes back as the
 * field's error, so nothing typed is lost.
 */
export function registerSlackActivity1(app: App, d: SlackActivity1Deps): void {
  const log = d.logger ?? defaultLogger('slack');
  app.action<BlockAction<ButtonAction>>(PICK, async ({ ack, body, action, client }) => {
    await ack();
    const ref = parsePickValue(typeof action.value === 'string' ? action.value : '');
    if (!ref || !body.trigger_id) return;
    const text =
      (
        body.message?.blocks as
          | Array<{ accessory?: { value?: string }; text?: { text?: string } }>
          | undefined
      )
        ?.find((b) => b.accessory?.value === action.value)
        ?.text?.text?.replace(/^\*\d+\.\*\s*/, '') ?? '';
    const meta = JSON.stringify({ a: ref.activityId, o: ref.outcome, c: body.channel?.id ?? '' });
    try {
      const open = () =>
        client.views.open({
          trigger_id: body.trigger_id as string,
          view: activity1Modal(meta, ref.outcome, text, 1000),
        });
      const workspace = body.team?.id ?? '';
      await (d.outbound ? d.outbound.call({ workspace, method: 'views.open' }, open) : open());
    } catch (e) {
      log.warn('Activity 1: could not open the modal', { error: String(e) });
    }
  });

  app.view<SlackViewAction>(ACTIVITY1_ACTION.modal, async ({ ack, body, view }) => {
    const value = view.state.values.reason?.text?.value;
    let meta: { a?: unknown; o?: unknown; c?: unknown } = {};
    try {
      meta = JSON.parse(view.private_metadata || '{}') as typeof meta;
    } catch {
      meta = {};
    }
    if (typeof meta.a !== 'string' || typeof meta.o !== 'number' || typeof meta.c !== 'string' || !meta.c) {
      await ack({
        response_action: 'errors',
        errors: { reason: 'This form is out of date: pick again on the card.' },
      });
      return;
    }
    // The channel comes from the modal's private_metadata, which only this app writes (from the card's message).
    const actor = {
      tenantId: body.team?.id ?? body.user.team_id ?? '',
      userId: body.user.id,
      displayName: body.user.name ?? '',
      channelId: meta.c,
      conversation: 'channel' as const,
    };
    try {
      const saved = await d.activity1.answer(actor, {
        activityId: meta.a,
        outcome: meta.o,
        reason: typeof value === 'string' ? value : '',
      });
      await ack({ response_action: 'update', view: activity1SavedModal(saved) });
    } catch (e) {
      if (!isDomainError(e)) log.error('Activity 1 answer failed', e);
      await ack({ response_action: 'errors', errors: { reason: isDomainError(e) ? e.message : GENERIC } });
    }
  });
}

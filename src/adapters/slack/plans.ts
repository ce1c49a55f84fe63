import type { App, BlockAction, ButtonAction, SlackViewAction } from '@slack/bolt';
import { z } from 'zod';
import type { PlanService } from '../../app/plans/planService';
import { actionsField, statusField } from '../../app/plans/planViews';
import type { Actor } from '../../app/schemas';
import { clip, plain, type RichText, rich, strong } from '../../app/text';
import { functionsOf } from '../../domain/balance';
import { isDomainError } from '../../domain/errors';
import { defaultLogger, type Logger } from '../observability/logger';
import type { SlackOutbound } from './outbound';
import { PLAN_ACTION, planDoneModal, planModal } from './planBlocks';

export interface SlackPlanDeps {
  plans: PlanService;
  logger?: Pick<Logger, 'error'>;
  /** The adapter's one outbound layer (views.open spends the workspace's budget there). */
  outbound?: SlackOutbound;
}

const ref = z.object({ d: z.string().min(1).max(200), b: z.string().min(1).max(200).nullable() });
const metadata = ref.extend({ c: z.string().max(200), v: z.number().int().min(0) });

const parse = <T>(schema: z.ZodType<T>, raw: string | undefined): T | null => {
  try {
    const r = schema.safeParse(JSON.parse(raw ?? ''));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
};

/** Who clicked, from the channel the click came from (the plan's rules ask for the team's own channel). */
const actorOf = (
  body: { team?: { id?: string } | null; user: { id: string; team_id?: string; name?: string } },
  channelId: string,
): Actor => ({
  tenantId: body.team?.id ?? body.user.team_id ?? '',
  userId: body.user.id,
  displayName: body.user.name ?? '',
  ...(channelId ? { channelId, conversation: 'channel' as const } : {}),
});

/**
 * Slack side of the action plans: "Open the form" (on the `plan` reply) opens the plan modal for the channel it was
 * clicked in; the modal's submission is saved before it is acknowledged. Field errors come back next to their
 * fields (`response_action: "errors"`); a concurrent save redraws the form on the newer version, keeping what this
 * person typed, so nothing is lost.
 */
export function registerSlackPlans(app: App, d: SlackPlanDeps): void {
  const log = d.logger ?? defaultLogger('slack');
  const failText = (e: unknown): RichText => {
    if (isDomainError(e)) return rich`${e.message}`;
    log.error('Slack plan action failed', e);
    return plain(':warning: Something went wrong on our side and nothing was saved. Please try again.');
  };

  app.action<BlockAction<ButtonAction>>(PLAN_ACTION.open, async ({ ack, body, action, client }) => {
    await ack();
    const r = parse(ref, action.value);
    const channelId = body.channel?.id ?? '';
    let view: ReturnType<typeof planModal>;
    try {
      if (!r) throw new Error('bad button value');
      view = planModal(
        await d.plans.form(actorOf(body, channelId), { districtId: r.d, buildingId: r.b }),
        channelId,
      );
    } catch (e) {
      view = planDoneModal(r ? failText(e) : plain('This button is out of date: run "plan" again.'));
    }
    const open = () => client.views.open({ trigger_id: body.trigger_id, view });
    const workspace = body.team?.id ?? '';
    await (d.outbound ? d.outbound.call({ workspace, method: 'views.open' }, open) : open());
  });

  app.view<SlackViewAction>(PLAN_ACTION.modal, async ({ ack, body, view }) => {
    const meta = parse(metadata, view.private_metadata);
    if (!meta) {
      await ack({
        response_action: 'update',
        view: planDoneModal(plain('This form is out of date: run "plan" again.')),
      });
      return;
    }
    const actor = actorOf(body, meta.c);
    const values: Record<string, string> = {};
    const side = meta.b === null ? 'district' : 'building';
    for (const f of functionsOf(d.plans.content(), side)) {
      const s = view.state.values[statusField(f.id)]?.value;
      const a = view.state.values[actionsField(f.id)]?.value;
      values[statusField(f.id)] = s?.selected_option?.value ?? '';
      values[actionsField(f.id)] = a?.value ?? '';
    }
    try {
      const saved = await d.plans.save(actor, {
        districtId: meta.d,
        buildingId: meta.b,
        version: meta.v,
        values,
      });
      await ack({
        response_action: 'update',
        view: planDoneModal(
          rich`:white_check_mark: Saved ${strong(saved.buildingName ?? saved.districtName)}'s action plan (version ${saved.version}).`,
        ),
      });
    } catch (e) {
      if (isDomainError(e) && Object.keys(e.fields).length) {
        const errors: Record<string, string> = {};
        for (const [k, msg] of Object.entries(e.fields)) if (k in values) errors[k] = clip(msg, 150);
        if (Object.keys(errors).length) {
          await ack({ response_action: 'errors', errors });
          return;
        }
      }
      if (isDomainError(e) && e.code === 'conflict') {
        try {
          const fresh = await d.plans.form(actor, { districtId: meta.d, buildingId: meta.b });
          await ack({
            response_action: 'update',
            view: planModal(fresh, meta.c, values, rich`:warning: ${e.message}`),
          });
        } catch (e2) {
          await ack({ response_action: 'update', view: planDoneModal(failText(e2)) });
        }
        return;
      }
      await ack({ response_action: 'update', view: planDoneModal(failText(e)) });
    }
  });
}

import type { App, BlockAction, ButtonAction, SlackViewAction, types } from '@slack/bolt';
import { z } from 'zod';
import type { BuildingService } from '../../app/nudges/buildingService';
import type { Destination, NudgeMessenger } from '../../app/nudges/nudgePorts';
import { digestSubject, NUDGE_TEXT, nudgeDue } from '../../app/nudges/nudgeTexts';
import { type NudgeView, SUBMISSION_FIELDS } from '../../app/nudges/nudgeViews';
import type { ScheduleService } from '../../app/nudges/scheduleService';
import type { NoticeMessenger } from '../../app/ports';
import type { Actor } from '../../app/schemas';
import { clip, plain, type RichText, rich, strong } from '../../app/text';
import { isDomainError } from '../../domain/errors';
import { defaultLogger, type Logger } from '../observability/logger';
import { stringField } from '../platformResult';
import { toMrkdwn } from './mrkdwn';
import {
  confirmationModal,
  digestBlocks,
  escalationBlocks,
  md,
  NUDGE_ACTION,
  nudgeBlocks,
  submissionModal,
} from './nudgeBlocks';
import { SlackOutbound } from './outbound';
import { planNudgeBlocks } from './planNudgeBlocks';

export {
  confirmationModal,
  digestBlocks,
  escalationBlocks,
  NUDGE_ACTION,
  nudgeBlocks,
  submissionModal,
} from './nudgeBlocks';

import { slackDeliveryFailure } from './deliveryErrors';

type KnownBlock = types.KnownBlock;
type View = types.View;

/** A nudge's blocks: the monitoring-data nudge's, or the action plan's (a plan schedule's). */
const blocksOf = (v: NudgeView): KnownBlock[] => (v.subject === 'plan' ? planNudgeBlocks(v) : nudgeBlocks(v));

/**
 * Slack side of building-team nudges: a NudgeMessenger that posts through the Slack outbound layer and the Bolt handlers of the nudge buttons and
 * the monitoring-data modal (field-level errors via `response_action: "errors"`). The blocks are drawn in
 * ./nudgeBlocks.ts.
 */
const ref = z.object({ d: z.string().max(200), b: z.string().max(200), p: z.string().max(20) });

/** Posts a message with the bot token of the tenant's workspace (the Slack adapter knows the installations). */
export type SlackPoster = (
  tenantId: string,
  message: { channel: string; text: string; blocks: KnownBlock[] },
) => Promise<unknown>;

/** Replaces a posted message (chat.update) with the bot token of the tenant's workspace. */
export type SlackUpdater = (
  tenantId: string,
  message: { channel: string; ts: string; text: string; blocks: KnownBlock[] },
) => Promise<unknown>;

export interface SlackNudgeMessengerOptions {
  post: SlackPoster;
  /** chat.update, for redrawing a nudge once the team has submitted or snoozed (without it, nudges stay as posted). */
  update?: SlackUpdater;
  /**
   * The Slack adapter's outbound layer (`SlackAdapter.outbound`): nudges spend the same chat.postMessage budgets
   * (per channel, per workspace) as poll posts and announcements. A messenger without one gets its own.
   */
  outbound?: SlackOutbound;
}

/**
 * NudgeMessenger for Slack: every post goes through the outbound layer (≤ 1/s per channel, the workspace's
 * ceiling, a 429 waited out for that channel and workspace only, then sent again). It also posts the co-op
 * network's plain notices (NoticeMessenger) the same way.
 */
export function createSlackNudgeMessenger(
  o: SlackNudgeMessengerOptions,
): NudgeMessenger & NoticeMessenger & { outbound: SlackOutbound } {
  const outbound = o.outbound ?? new SlackOutbound();
  // A refusal reaches the coordinator as a DeliveryFailure (plain words, Slack's code kept).
  const post = (to: Destination, text: string, blocks: KnownBlock[]) =>
    outbound
      .call({ workspace: to.tenantId, method: 'chat.postMessage', channel: to.channelId }, () =>
        o.post(to.tenantId, { channel: to.channelId, text, blocks }),
      )
      .catch((e: unknown) => {
        throw slackDeliveryFailure(e);
      });
  const send = (to: Destination, text: string, blocks: KnownBlock[]) => post(to, text, blocks).then(() => {});
  return {
    outbound,
    sendNudge: async (to, v) => {
      const ts = stringField(await post(to, md(nudgeDue(v)), blocksOf(v)), 'ts');
      return ts ? { messageId: ts } : undefined;
    },
    updateNudge: async (to, ts, v) => {
      const update = o.update;
      if (!update) throw new Error('This Slack messenger cannot redraw messages (no chat.update)');
      await outbound.call({ workspace: to.tenantId, method: 'chat.update' }, () =>
        update(to.tenantId, { channel: to.channelId, ts, text: md(nudgeDue(v)), blocks: blocksOf(v) }),
      );
    },
    sendNotice: (to, t) => send(to, md(t), [{ type: 'section', text: { type: 'mrkdwn', text: md(t) } }]),
    sendDigest: (to, v) =>
      send(
        to,
        md(
          rich`${plain(digestSubject(v))}, ${v.periodLabel}: ${v.submitted.length} submitted, ${v.missing.length} not yet`,
        ),
        digestBlocks(v),
      ),
    sendEscalation: (to, v) =>
      send(
        to,
        `Escalation: ${v.buildings.length} building team(s) missed ${v.escalateAfter} nudges`,
        escalationBlocks(v),
      ),
  };
}

export interface SlackNudgeDeps {
  buildings: BuildingService;
  schedules: ScheduleService;
  /** The Slack adapter's outbound layer: the form's views.open spends the workspace's budget there. */
  outbound?: SlackOutbound;
  logger?: Pick<Logger, 'error'>;
}

const actorOf = (body: {
  team?: { id?: string } | null;
  user: { id: string; team_id?: string; name?: string };
}): Actor => ({
  tenantId: body.team?.id ?? body.user.team_id ?? '',
  userId: body.user.id,
  displayName: body.user.name ?? '',
});

const metadata = z.object({
  d: z.string().max(200),
  b: z.string().max(200),
  p: z.string().max(20),
  v: z.number().int().min(0),
});

/** Registers the nudge buttons and the monitoring-data modal on the Bolt app (call once from createSlackAdapter). */
export function registerSlackNudgeHandlers(app: App, d: SlackNudgeDeps): void {
  const log = d.logger ?? defaultLogger('slack');
  const parseRef = (value: string | undefined) => {
    try {
      const r = ref.safeParse(JSON.parse(value ?? ''));
      return r.success ? r.data : null;
    } catch {
      return null;
    }
  };
  /** Refusals may quote what was typed: the message is a user value as a whole. */
  const failText = (e: unknown): RichText => {
    if (isDomainError(e)) return rich`${e.message}`;
    log.error('Slack nudge action failed', e);
    return plain(':warning: Something went wrong on our side and nothing was changed. Please try again.');
  };

  app.action<BlockAction<ButtonAction>>(NUDGE_ACTION.open, async ({ ack, body, action, client }) => {
    await ack();
    const r = parseRef(action.value);
    const actor = actorOf(body);
    let view: View;
    try {
      if (!r) throw new Error('bad button value');
      view = submissionModal(
        await d.buildings.form(actor, { districtId: r.d, buildingId: r.b, periodId: r.p }),
      );
    } catch (e) {
      view = confirmationModal(r ? failText(e) : plain(NUDGE_TEXT.staleNudge));
    }
    const open = () => client.views.open({ trigger_id: body.trigger_id, view });
    await (d.outbound ? d.outbound.call({ workspace: actor.tenantId, method: 'views.open' }, open) : open());
  });

  for (const [actionId, length] of [
    [NUDGE_ACTION.snooze1d, '1d'],
    [NUDGE_ACTION.snooze1w, '1w'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const r = parseRef(action.value);
      let text: string;
      try {
        if (!r) throw new Error('bad button value');
        text = toMrkdwn(
          (await d.schedules.snooze(actorOf(body), { districtId: r.d, buildingId: r.b, length })).text,
        );
      } catch (e) {
        text = toMrkdwn(r ? failText(e) : plain('This button is out of date.'));
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    });
  }

  app.view<SlackViewAction>(NUDGE_ACTION.modal, async ({ ack, body, view }) => {
    let meta: z.output<typeof metadata>;
    try {
      meta = metadata.parse(JSON.parse(view.private_metadata));
    } catch {
      await ack({
        response_action: 'update',
        view: confirmationModal(plain(NUDGE_TEXT.staleForm)),
      });
      return;
    }
    const values: Record<string, string> = {};
    for (const f of SUBMISSION_FIELDS) values[f] = view.state.values[f]?.value?.value ?? '';
    try {
      const saved = await d.buildings.submit(actorOf(body), {
        districtId: meta.d,
        buildingId: meta.b,
        periodId: meta.p,
        version: meta.v,
        values,
      });
      await ack({
        response_action: 'update',
        view: confirmationModal(
          rich`:white_check_mark: Saved ${strong(saved.buildingName)}'s monitoring data for ${saved.periodLabel} (version ${saved.version}). Thank you!`,
        ),
      });
    } catch (e) {
      if (isDomainError(e) && Object.keys(e.fields).length) {
        const errors: Record<string, string> = {};
        for (const [k, msg] of Object.entries(e.fields))
          errors[(SUBMISSION_FIELDS as readonly string[]).includes(k) ? k : 'strategy'] = clip(msg, 150);
        await ack({ response_action: 'errors', errors });
        return;
      }
      if (isDomainError(e) && e.code === 'conflict') {
        // A teammate saved meanwhile: redraw the form on their version, keeping what this person typed.
        try {
          const fresh = await d.buildings.form(actorOf(body), {
            districtId: meta.d,
            buildingId: meta.b,
            periodId: meta.p,
          });
          await ack({
            response_action: 'update',
            view: submissionModal(fresh, values, rich`:warning: ${e.message}`),
          });
        } catch (e2) {
          await ack({ response_action: 'update', view: confirmationModal(failText(e2)) });
        }
        return;
      }
      await ack({ response_action: 'update', view: confirmationModal(failText(e)) });
    }
  });
}

/** What the poster and updater need of the Slack adapter: its Bolt app and, with OAuth, its installer. */
export interface SlackAdapterLike {
  app: App;
  installer: {
    authorize(source: {
      teamId: string;
      enterpriseId: undefined;
      isEnterpriseInstall: boolean;
    }): Promise<{ botToken?: string }>;
  } | null;
}

/**
 * A SlackPoster on the Slack adapter's Bolt app: the single-workspace bot token when configured, else the
 * workspace's installation (OAuth) looked up by team id.
 */
export function slackAdapterPoster(adapter: SlackAdapterLike, botToken?: string): SlackPoster {
  const token = slackToken(adapter, botToken);
  return async (tenantId, msg) =>
    adapter.app.client.chat.postMessage({ token: await token(tenantId), ...msg });
}

/** A SlackUpdater (chat.update) on the Slack adapter's Bolt app, with the same tokens as slackAdapterPoster. */
export function slackAdapterUpdater(adapter: SlackAdapterLike, botToken?: string): SlackUpdater {
  const token = slackToken(adapter, botToken);
  return async (tenantId, msg) => adapter.app.client.chat.update({ token: await token(tenantId), ...msg });
}

/** The bot token of a workspace: the configured one, else the installation's (OAuth). */
export function slackToken(adapter: SlackAdapterLike, botToken?: string) {
  return async (tenantId: string): Promise<string> => {
    let token = botToken;
    if (!token && adapter.installer)
      token = (
        await adapter.installer.authorize({
          teamId: tenantId,
          enterpriseId: undefined,
          isEnterpriseInstall: false,
        })
      ).botToken;
    if (!token) throw new Error(`No Slack bot token for workspace ${tenantId}: install the app there first.`);
    return token;
  };
}

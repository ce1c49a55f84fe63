import type { App, BlockAction, ButtonAction, SlackViewAction, types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;
type View = types.View;

import { z } from 'zod';
import type { BuildingService } from '../../app/buildingService';
import type { Destination, NudgeMessenger } from '../../app/nudgePorts';
import {
  type DigestEntry,
  type DigestView,
  type EscalationView,
  type NudgeView,
  SUBMISSION_FIELDS,
  SUBMISSION_LABELS,
  type SubmissionFormView,
} from '../../app/nudgeViews';
import type { ScheduleService } from '../../app/scheduleService';
import type { Actor } from '../../app/schemas';
import { channel, em, link, plain, type RichText, rich, strong } from '../../app/text';
import { isDomainError } from '../../domain/errors';
import { defaultLogger, type Logger } from '../observability/logger';
import { type Limit, RateLimiter } from '../scheduler/rateLimiter';
import { toMrkdwn } from './mrkdwn';

/**
 * Slack side of building-team nudges: Block Kit for nudges, digests and escalations, the monitoring-data modal
 * (field-level errors via `response_action: "errors"`), a rate-limited NudgeMessenger and the Bolt handlers.
 */
export const NUDGE_ACTION = {
  open: 'micip_nudge_open',
  snooze1d: 'micip_nudge_snooze_1d',
  snooze1w: 'micip_nudge_snooze_1w',
  modal: 'micip_submission',
} as const;

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
/** Text of sections and contexts: RichText through the one mrkdwn renderer (./mrkdwn.ts), cut to Slack's limit. */
const md = (t: RichText, max = 3000) => clip(toMrkdwn(t), max);

const ref = z.object({ d: z.string().max(200), b: z.string().max(200), p: z.string().max(20) });
const refValue = (v: { districtId: string; buildingId: string; periodId: string }) =>
  JSON.stringify({ d: v.districtId, b: v.buildingId, p: v.periodId });

export function nudgeBlocks(v: NudgeView): KnownBlock[] {
  const title = v.reminder
    ? rich`:alarm_clock: Reminder: ${strong(v.buildingName)}'s monitoring data for ${strong(v.periodLabel)}`
    : rich`:clipboard: ${strong(v.buildingName)}: monitoring data for ${strong(v.periodLabel)} is due`;
  const value = refValue(v);
  return [
    { type: 'section', text: { type: 'mrkdwn', text: md(title) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: md(
          rich`Share your strategy implementation and impact data, what your team makes of it and your recommendations with the ${v.districtName} district team. Open until ${v.closesAt}.${v.attempt > 1 ? rich` ${em(plain(`(Nudge ${v.attempt} this period.)`))}` : ''}`,
        ),
      },
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          style: 'primary',
          action_id: NUDGE_ACTION.open,
          text: { type: 'plain_text', text: 'Open the form' },
          value,
        },
        {
          type: 'button',
          action_id: NUDGE_ACTION.snooze1d,
          text: { type: 'plain_text', text: 'Snooze 1 day' },
          value,
        },
        {
          type: 'button',
          action_id: NUDGE_ACTION.snooze1w,
          text: { type: 'plain_text', text: 'Snooze 1 week' },
          value,
        },
      ],
    },
  ];
}

const entry = (e: DigestEntry) =>
  toMrkdwn(
    rich`• ${e.name} ${channel(e.channelId)}${plain(e.submittedAt ? ` — submitted ${e.submittedAt.slice(0, 10)}` : ` — ${e.nudges} nudge(s)${e.snoozedUntil ? `, snoozed until ${e.snoozedUntil.slice(0, 16).replace('T', ' ')} UTC` : ''}`)}${e.link ? rich` ${link(e.link, 'open')}` : ''}`,
  );

/** A list as section blocks of ≤3000 characters each, at most `maxBlocks` blocks. */
function listBlocks(heading: string, list: DigestEntry[], maxBlocks: number): KnownBlock[] {
  const out: KnownBlock[] = [];
  let cur = toMrkdwn(strong(plain(heading)));
  let shown = 0;
  for (const e of list) {
    const line = entry(e);
    if (cur.length + line.length + 1 > 2900) {
      if (out.length + 1 >= maxBlocks) break;
      out.push({ type: 'section', text: { type: 'mrkdwn', text: cur } });
      cur = '';
    }
    cur += `\n${line}`;
    shown++;
  }
  if (shown < list.length) cur += `\n… and ${list.length - shown} more`;
  if (!list.length) cur += '\nNone';
  out.push({ type: 'section', text: { type: 'mrkdwn', text: clip(cur, 3000) } });
  return out;
}

export function digestBlocks(v: DigestView): KnownBlock[] {
  const total = v.submitted.length + v.missing.length;
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`Monitoring data, ${v.periodLabel}: ${v.submitted.length} of ${total} submitted`, 150),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: md(
            rich`Nudges (${v.schedule}) went to the teams that have not submitted. Next runs: ${plain(v.nextRuns.join('; ') || 'none')}`,
          ),
        },
      ],
    },
    ...(v.dashboardUrl
      ? [
          {
            type: 'section' as const,
            text: { type: 'mrkdwn' as const, text: md(link(v.dashboardUrl, 'Open the district dashboard')) },
          },
        ]
      : []),
    ...listBlocks(`Submitted (${v.submitted.length})`, v.submitted, 15),
    ...listBlocks(`Not yet submitted (${v.missing.length})`, v.missing, 15),
    ...(v.escalated.length ? listBlocks(`Escalated (${v.escalated.length})`, v.escalated, 10) : []),
  ];
  return blocks.slice(0, 50);
}

export function escalationBlocks(v: EscalationView): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: md(
          rich`:rotating_light: ${strong(plain(`${v.buildings.length} building team(s) have missed ${v.escalateAfter} nudges`))} for ${v.periodLabel}. The ${v.districtName} district team may want to check in with them directly.`,
        ),
      },
    },
    ...listBlocks('Building teams', v.buildings, 40),
  ];
  return blocks.slice(0, 50);
}

const MULTILINE = new Set(['meaning', 'recommendations', 'implementationMeasure', 'impactMeasure']);

/** The monitoring-data modal; block ids are the field names, so zod's field errors map straight onto them. */
export function submissionModal(
  f: SubmissionFormView,
  values: Record<string, string> = {},
  notice: RichText | null = null,
): View {
  const history = f.history.length
    ? `History: ${f.history.map((h) => `v${h.version} ${h.submittedAt.slice(0, 16).replace('T', ' ')} UTC`).join(' · ')}`
    : 'Nothing submitted yet for this period.';
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: md(
            f.editable
              ? rich`${strong(f.buildingName)}, ${f.periodLabel}. Editable until the period closes (${plain(f.closesAt.slice(0, 10))}); every save keeps the earlier versions. ${plain(history)}`
              : rich`${strong(f.buildingName)}, ${f.periodLabel}: this period has closed. ${plain(history)}`,
          ),
        },
      ],
    },
  ];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: md(notice) } });
  for (const id of SUBMISSION_FIELDS) {
    const initial = values[id] ?? f.values[id];
    blocks.push({
      type: 'input',
      block_id: id,
      label: { type: 'plain_text', text: clip(SUBMISSION_LABELS[id], 2000) },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: MULTILINE.has(id),
        max_length: id === 'meaning' || id === 'recommendations' ? 3000 : 500,
        ...(initial ? { initial_value: clip(initial, 3000) } : {}),
      },
    });
  }
  return {
    type: 'modal',
    callback_id: NUDGE_ACTION.modal,
    private_metadata: JSON.stringify({ d: f.districtId, b: f.buildingId, p: f.periodId, v: f.version }),
    title: { type: 'plain_text', text: 'Monitoring data' },
    ...(f.editable ? { submit: { type: 'plain_text', text: 'Save' } } : {}),
    close: { type: 'plain_text', text: 'Close' },
    blocks,
  } as View;
}

export function confirmationModal(text: RichText): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Monitoring data' },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: md(text) } }],
  };
}

/** Posts a message with the bot token of the tenant's workspace (the Slack adapter knows the installations). */
export type SlackPoster = (
  tenantId: string,
  message: { channel: string; text: string; blocks: KnownBlock[] },
) => Promise<unknown>;

export interface SlackNudgeMessengerOptions {
  post: SlackPoster;
  limiter?: RateLimiter;
  /** chat.postMessage: about one message per second per channel. */
  perChannelPerSecond?: number;
  /** Workspace-wide ceiling for the app's posts (Slack's "several hundred per minute"; configurable). */
  perWorkspacePerSecond?: number;
}

/** NudgeMessenger for Slack: ≤1/s per channel and a workspace-wide ceiling, retries after 429's Retry-After. */
export function createSlackNudgeMessenger(
  o: SlackNudgeMessengerOptions,
): NudgeMessenger & { limiter: RateLimiter } {
  const limiter = o.limiter ?? new RateLimiter();
  const limits = (to: Destination): Limit[] => [
    { key: `slack:ch:${to.tenantId}|${to.channelId}`, perSecond: o.perChannelPerSecond ?? 1 },
    { key: `slack:ws:${to.tenantId}`, perSecond: o.perWorkspacePerSecond ?? 20 },
  ];
  const send = (to: Destination, text: string, blocks: KnownBlock[]) =>
    limiter
      .run(limits(to), () => o.post(to.tenantId, { channel: to.channelId, text, blocks }))
      .then(() => {});
  return {
    limiter,
    sendNudge: (to, v) =>
      send(to, md(rich`${v.buildingName}: monitoring data for ${v.periodLabel} is due`), nudgeBlocks(v)),
    sendDigest: (to, v) =>
      send(
        to,
        md(
          rich`Monitoring data, ${v.periodLabel}: ${v.submitted.length} submitted, ${v.missing.length} not yet`,
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
      view = confirmationModal(
        r ? failText(e) : plain('This button is out of date. Ask your coordinator for a new nudge.'),
      );
    }
    await client.views.open({ trigger_id: body.trigger_id, view });
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
        view: confirmationModal(plain('This form is out of date. Open it again from the nudge.')),
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

/**
 * A SlackPoster on the Slack adapter's Bolt app: the single-workspace bot token when configured, else the
 * workspace's installation (OAuth) looked up by team id.
 */
export function slackAdapterPoster(
  adapter: {
    app: App;
    installer: {
      authorize(source: {
        teamId: string;
        enterpriseId: undefined;
        isEnterpriseInstall: boolean;
      }): Promise<{ botToken?: string }>;
    } | null;
  },
  botToken?: string,
): SlackPoster {
  return async (tenantId, msg) => {
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
    return adapter.app.client.chat.postMessage({ token, ...msg });
  };
}

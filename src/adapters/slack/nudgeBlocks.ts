import type { types } from '@slack/bolt';
import {
  checkIn,
  dashboardLink,
  digestSections,
  digestSubject,
  ESCALATION_HEADING,
  entryLink,
  entryStatus,
  formCloses,
  missedNudges,
  nextRunsText,
  nudgeAsk,
  nudgeCount,
  nudgeOpenUntil,
  nudgeOutcome,
  nudgeTitle,
  submissionHistory,
} from '../../app/nudges/nudgeTexts';
import {
  type DigestEntry,
  type DigestView,
  type EscalationView,
  type NudgeView,
  SUBMISSION_FORM,
  type SubmissionFormView,
} from '../../app/nudges/nudgeViews';
import { channel, clip, em, person, plain, type RichText, rich, strong } from '../../app/text';
import { toMrkdwn } from './mrkdwn';

type KnownBlock = types.KnownBlock;
type View = types.View;

/**
 * Block Kit for building-team nudges: the nudge with its buttons, digests and escalations, and the monitoring-data
 * modal. The words come from src/app/nudges/nudgeTexts.ts (shared with the Teams cards); this file only lays them out.
 */
export const NUDGE_ACTION = {
  open: 'micip_nudge_open',
  snooze1d: 'micip_nudge_snooze_1d',
  snooze1w: 'micip_nudge_snooze_1w',
  modal: 'micip_submission',
} as const;

/** Text of sections and contexts: RichText through the one mrkdwn renderer (./mrkdwn.ts), cut to Slack's limit. */
export const md = (t: RichText, max = 3000) => clip(toMrkdwn(t), max);

const refValue = (v: { districtId: string; buildingId: string; periodId: string }) =>
  JSON.stringify({ d: v.districtId, b: v.buildingId, p: v.periodId });

export function nudgeBlocks(v: NudgeView): KnownBlock[] {
  const title = rich`${plain(v.reminder ? ':alarm_clock: ' : ':clipboard: ')}${nudgeTitle(v, strong)}`;
  const count = nudgeCount(v);
  const value = refValue(v);
  const outcome = nudgeOutcome(v, (by) => person(by));
  if (outcome)
    // Answered: the outcome instead of the ask, and only the form (to read or edit it) instead of the snoozes.
    return [
      { type: 'section', text: { type: 'mrkdwn', text: md(title) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: md(
            rich`${plain(v.outcome?.kind === 'submitted' ? ':white_check_mark: ' : ':zzz: ')}${outcome}`,
          ),
        },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: NUDGE_ACTION.open,
            text: {
              type: 'plain_text',
              text: v.outcome?.kind === 'submitted' ? 'View or edit' : 'Open the form',
            },
            value,
          },
        ],
      },
    ];
  return [
    { type: 'section', text: { type: 'mrkdwn', text: md(title) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: md(rich`${nudgeAsk(v)}${plain(nudgeOpenUntil(v))}${count ? rich` ${em(count)}` : ''}`),
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

const entry = (e: DigestEntry, tz: string) =>
  toMrkdwn(rich`• ${e.name} ${channel(e.channelId)}${plain(` — ${entryStatus(e, tz)}`)}${entryLink(e)}`);

/** A list as section blocks of ≤3000 characters each, at most `maxBlocks` blocks. */
function listBlocks(heading: string, list: DigestEntry[], maxBlocks: number, tz: string): KnownBlock[] {
  const out: KnownBlock[] = [];
  let cur = toMrkdwn(strong(plain(heading)));
  let shown = 0;
  for (const e of list) {
    const line = entry(e, tz);
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
        text: clip(`${digestSubject(v)}, ${v.periodLabel}: ${v.submitted.length} of ${total} submitted`, 150),
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: md(
            rich`Nudges (${v.schedule}) went to the teams that have not submitted. Next runs: ${nextRunsText(v)}`,
          ),
        },
      ],
    },
    ...(v.dashboardUrl
      ? [
          {
            type: 'section' as const,
            text: { type: 'mrkdwn' as const, text: md(dashboardLink(v.dashboardUrl)) },
          },
        ]
      : []),
    ...digestSections(v).flatMap((s) =>
      listBlocks(s.heading, s.entries, s.kind === 'escalated' ? 10 : 15, v.timezone),
    ),
  ];
  return blocks.slice(0, 50);
}

export function escalationBlocks(v: EscalationView): KnownBlock[] {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: md(rich`:rotating_light: ${strong(missedNudges(v))} for ${v.periodLabel}. ${checkIn(v)}`),
      },
    },
    ...listBlocks(ESCALATION_HEADING, v.buildings, 40, v.timezone),
  ];
  return blocks.slice(0, 50);
}

/** The monitoring-data modal; block ids are the field names, so zod's field errors map straight onto them. */
export function submissionModal(
  f: SubmissionFormView,
  values: Record<string, string> = {},
  notice: RichText | null = null,
): View {
  const history = submissionHistory(f);
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: md(
            f.editable
              ? rich`${strong(f.buildingName)}, ${f.periodLabel}. Editable until the period closes (${plain(formCloses(f))}); every save keeps the earlier versions. ${plain(history)}`
              : rich`${strong(f.buildingName)}, ${f.periodLabel}: this period has closed. ${plain(history)}`,
          ),
        },
      ],
    },
  ];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: md(notice) } });
  for (const { id, label, multiline, maxLength } of SUBMISSION_FORM) {
    const initial = values[id] ?? f.values[id];
    blocks.push({
      type: 'input',
      block_id: id,
      label: { type: 'plain_text', text: clip(label, 2000) },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline,
        max_length: maxLength,
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

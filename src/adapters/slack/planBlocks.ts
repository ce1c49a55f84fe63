import type { types } from '@slack/bolt';
import {
  actionsField,
  countsLine,
  PLAN_FORM_HINT,
  type PlanFormView,
  type PlanFunctionView,
  STATUS_CHOICES,
  statusField,
} from '../../app/plans/planViews';
import { clip, em, join, plain, type RichText, rich, strong } from '../../app/text';
import { STATUS_LABEL } from '../../domain/balance';
import { md } from './nudgeBlocks';

type KnownBlock = types.KnownBlock;
type View = types.View;

/** Block Kit for Activity 3's action plans: the `plan` reply (one section per function) and the plan modal. */
export const PLAN_ACTION = { open: 'micip_plan_open', modal: 'micip_plan' } as const;

/** The button's value: which plan (the channel is taken from the click, never from the value). */
export const planRef = (v: PlanFormView) => JSON.stringify({ d: v.districtId, b: v.buildingId });

const fnText = (f: PlanFunctionView, withActions: boolean): RichText => {
  const status = f.status ? plain(STATUS_LABEL[f.status]) : em('not answered');
  const actions = withActions
    ? join(
        f.actions.map((a) => rich`\n• ${a}`),
        '',
      )
    : plain('');
  const from = f.buildings
    ? rich`\n${em(`Buildings: ${countsLine(f.buildings.counts)}`)}${join(
        f.buildings.actions.map(
          (a) => rich`\n– ${a.building} (${plain(STATUS_LABEL[a.status])}): ${a.action}`,
        ),
        '',
      )}`
    : plain('');
  return rich`${strong(`${f.n}. ${f.topic}`)} — ${status}${actions}${from}`;
};

/** The `plan` reply: the plan's head, each function, and the form's button for whoever may save it. */
export function planBlocks(v: PlanFormView, saved = false): KnownBlock[] {
  const blocks: KnownBlock[] = [
    ...(saved
      ? [
          {
            type: 'section',
            text: { type: 'mrkdwn', text: `:white_check_mark: Saved version ${v.version}.` },
          } as KnownBlock,
        ]
      : []),
    { type: 'section', text: { type: 'mrkdwn', text: md(firstLine(v)) } },
    ...v.functions.map(
      (f): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: md(fnText(f, true)) } }),
    ),
  ];
  if (v.canSave)
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          style: 'primary',
          action_id: PLAN_ACTION.open,
          text: { type: 'plain_text', text: 'Open the form' },
          value: planRef(v),
        },
      ],
    });
  return blocks.slice(0, 50);
}

const firstLine = (v: PlanFormView): RichText =>
  rich`${strong(v.title)} — ${strong(v.buildingName ?? v.districtName)}${plain(
    v.version ? ` (version ${v.version}, saved ${v.savedOn ?? ''})` : ' (not submitted yet)',
  )}\n${em(v.step)}`;

/** The plan modal: per function its words, a status select and an actions box; block ids are the field names. */
export function planModal(
  v: PlanFormView,
  channelId: string,
  typed: Record<string, string> = {},
  notice: RichText | null = null,
): View {
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: md(rich`${em(v.step)} ${plain(PLAN_FORM_HINT)}`) }],
    },
  ];
  if (notice) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: md(notice) } });
  for (const f of v.functions) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: md(rich`${strong(`${f.n}. ${f.topic}`)}: ${f.text}`) },
    });
    if (f.buildings)
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: md(fnText({ ...f, status: null }, false), 2000) }],
      });
    const chosen = typed[statusField(f.id)] ?? f.status ?? '';
    const option = (c: (typeof STATUS_CHOICES)[number]) => ({
      text: { type: 'plain_text' as const, text: c.label },
      value: c.value,
    });
    const initial = STATUS_CHOICES.find((c) => c.value === chosen);
    blocks.push({
      type: 'input',
      block_id: statusField(f.id),
      optional: true,
      label: { type: 'plain_text', text: 'Status' },
      element: {
        type: 'static_select',
        action_id: 'value',
        placeholder: { type: 'plain_text', text: 'In place, create or strengthen' },
        options: STATUS_CHOICES.map(option),
        ...(initial ? { initial_option: option(initial) } : {}),
      },
    });
    const actions = typed[actionsField(f.id)] ?? f.actions.join('\n');
    blocks.push({
      type: 'input',
      block_id: actionsField(f.id),
      optional: true,
      label: { type: 'plain_text', text: 'Actions (one a line)' },
      element: {
        type: 'plain_text_input',
        action_id: 'value',
        multiline: true,
        max_length: 3000,
        ...(actions ? { initial_value: clip(actions, 3000) } : {}),
      },
    });
  }
  return {
    type: 'modal',
    callback_id: PLAN_ACTION.modal,
    private_metadata: JSON.stringify({ d: v.districtId, b: v.buildingId, c: channelId, v: v.version }),
    title: {
      type: 'plain_text',
      text: v.side === 'building' ? 'Building action plan' : 'District action plan',
    },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: blocks.slice(0, 100),
  } as View;
}

export function planDoneModal(text: RichText): View {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Action plan' },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: md(text) } }],
  };
}

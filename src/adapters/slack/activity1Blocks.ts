import type { types } from '@slack/bolt';
import { type Activity1View, activity1Summary, spreadLine } from '../../app/activity1/activity1View';
import { clip, join, type RichText, rich, strong } from '../../app/text';
import { toMrkdwn } from './mrkdwn';

type KnownBlock = types.KnownBlock;
type View = types.View;

/** Action ids of the Activity 1 message and its "why" modal; a button's value is `activityId|outcome`. */
export const ACTIVITY1_ACTION = {
  pick: 'micip_a1_pick',
  modal: 'micip_a1_modal',
} as const;

const SECTION_MAX = 3000;
const section = (t: RichText): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(toMrkdwn(t), SECTION_MAX) },
});
const context = (t: RichText): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(toMrkdwn(t), SECTION_MAX) }],
});

export const pickValue = (activityId: string, outcome: number) => `${activityId}|${outcome}`;
export function parsePickValue(value: string): { activityId: string; outcome: number } | null {
  const m = /^([A-Za-z0-9:_.@\-/]{1,200})\|(\d{1,2})$/.exec(value);
  return m ? { activityId: m[1] as string, outcome: Number(m[2]) } : null;
}

/**
 * The Activity 1 message in the district's channel: Section One's unintended consequences, the steps, and one
 * button per learner outcome (the click asks why in a modal). The toolkit's text is rendered like user text.
 */
export function activity1Blocks(v: Activity1View): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Activity 1: the learner outcomes' } },
    section(
      rich`${strong(v.sectionTitle)} — a decentralized approach can lead to unintended consequences:\n${join(
        v.consequences.map((c) => rich`• ${c}`),
        '\n',
      )}`,
    ),
    section(
      join(
        v.steps.map((s, i) => rich`${i + 1}. ${s}`),
        '\n',
      ),
    ),
    context(rich`${v.duration}`),
  ];
  for (const o of v.outcomes) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(toMrkdwn(rich`${strong(`${o.number}.`)} ${o.text}`), SECTION_MAX) },
      accessory: {
        type: 'button',
        text: { type: 'plain_text', text: `Pick ${o.number}` },
        action_id: `${ACTIVITY1_ACTION.pick}_${o.number}`,
        value: pickValue(v.activityId, o.number),
      },
    });
  }
  blocks.push(
    context(
      rich`Pick the outcome that most resonates with you; you are asked why. Picking again replaces your pick. When this was posted: ${spreadLine(v)}.`,
    ),
  );
  return blocks;
}

/** `activity1 results`: the spread, then each outcome with its reasons (one section each, within Slack's limits). */
export function activity1ResultBlocks(v: Activity1View): KnownBlock[] {
  if (v.total === 0) return [section(activity1Summary(v))];
  return [
    section(rich`${strong('Activity 1')} — ${spreadLine(v)}`),
    ...v.outcomes.map((o) =>
      section(
        join(
          [
            rich`${strong(`${o.number}.`)} ${o.text} — ${strong(o.count)}`,
            ...o.reasons.map((r) =>
              r.name === null ? rich`– ${r.reason}` : rich`– ${strong(r.name)}: ${r.reason}`,
            ),
          ],
          '\n',
        ),
      ),
    ),
  ];
}

/** The modal asking why (the outcome is the clicked button's). */
export function activity1Modal(meta: string, outcome: number, outcomeText: string, reasonMax: number): View {
  return {
    type: 'modal',
    callback_id: ACTIVITY1_ACTION.modal,
    private_metadata: meta,
    title: { type: 'plain_text', text: 'Activity 1' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(rich`You picked ${strong(`learner outcome ${outcome}`)}: ${clip(outcomeText, 1000)}`),
      {
        type: 'input',
        block_id: 'reason',
        label: { type: 'plain_text', text: 'Why does it resonate with you?' },
        element: { type: 'plain_text_input', action_id: 'text', multiline: true, max_length: reasonMax },
      },
    ],
  };
}

/** After saving: what the person picked and the team's spread and reasons so far. */
export function activity1SavedModal(v: Activity1View): View {
  const mine = v.mine ? v.outcomes[v.mine.outcome - 1] : undefined;
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Activity 1' },
    close: { type: 'plain_text', text: 'Done' },
    blocks: [
      section(
        rich`Saved: you picked ${strong(`learner outcome ${mine?.number ?? '?'}`)}. Picking again replaces it.`,
      ),
      ...activity1ResultBlocks(v),
    ].slice(0, 100),
  };
}

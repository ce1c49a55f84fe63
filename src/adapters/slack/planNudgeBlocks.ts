import type { types } from '@slack/bolt';
import { nudgeAsk, nudgeCount, nudgeOutcome, nudgeTitle } from '../../app/nudges/nudgeTexts';
import type { NudgeView } from '../../app/nudges/nudgeViews';
import { em, person, plain, rich, strong } from '../../app/text';
import { md } from './nudgeBlocks';
import { PLAN_ACTION } from './planBlocks';

/**
 * Block Kit for a nudge that asks for the Building Action Planning template (a plan schedule's): its one button is
 * the `plan` reply's "Open the form" (the plan modal, for the channel it is clicked in); no snoozes. Once the team
 * has saved its plan the nudge is redrawn with "Submitted vN on … by @…" and "View or edit".
 */
export function planNudgeBlocks(v: NudgeView): types.KnownBlock[] {
  const title = rich`${plain(v.reminder ? ':alarm_clock: ' : ':memo: ')}${nudgeTitle(v, strong)}`;
  const outcome = nudgeOutcome(v, (by) => person(by));
  const count = nudgeCount(v);
  const body = outcome
    ? rich`:white_check_mark: ${outcome}`
    : rich`${nudgeAsk(v)}${count ? rich` ${em(count)}` : ''}`;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: md(title) } },
    { type: 'section', text: { type: 'mrkdwn', text: md(body) } },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          ...(outcome ? {} : { style: 'primary' as const }),
          action_id: PLAN_ACTION.open,
          text: { type: 'plain_text', text: outcome ? 'View or edit' : 'Open the form' },
          // The plan's ref, as the `plan` reply's button carries it (the channel comes from the click).
          value: JSON.stringify({ d: v.districtId, b: v.buildingId }),
        },
      ],
    },
  ];
}

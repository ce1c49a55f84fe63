import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Activity1View, spreadLine } from '../../app/activity1/activity1View';
import { clip, rich, strong } from '../../app/text';
import { type AdaptiveCard, CARDS_DIR, cardFallback, expandTemplate } from './render';
import { toRuns } from './teamsText';

/** The Activity 1 card's template (cards/activity1.json), read once. */
export const ACTIVITY1_TEMPLATE = path.join(CARDS_DIR, 'activity1.json');
let template: object | null = null;

/**
 * Activity 1 as an Adaptive Card (Teams and the console): the toolkit's Section One and steps (TextBlocks: the
 * product's own text), a ChoiceSet of the learner outcomes and a text input for why, with Action.Execute verb
 * "activity1" (`{activityId, outcome, reason}`), and the team's spread with each reason and its author as TextRuns,
 * never parsed as markdown. `typed` keeps what a refused person typed on the card they get back.
 */
export function renderActivity1Card(
  v: Activity1View,
  o: { notice?: string; typed?: { outcome?: string; reason?: string } } = {},
): AdaptiveCard {
  template ??= JSON.parse(fs.readFileSync(ACTIVITY1_TEMPLATE, 'utf8')) as object;
  const shownReasons = 20;
  return expandTemplate(template, {
    activityId: v.activityId,
    header: toRuns(rich`${v.districtName} · Activity 1`, { size: 'Small', isSubtle: true }),
    showNotice: !!o.notice,
    notice: toRuns(rich`${o.notice ?? ''}`, { color: 'Attention', weight: 'Bolder' }),
    sectionTitle: v.sectionTitle,
    consequences: v.consequences.map((text) => ({ text })),
    steps: v.steps.map((s, i) => ({ text: `${i + 1}. ${s}` })),
    duration: v.duration,
    choices: v.outcomes.map((x) => ({ title: `${x.number}. ${x.text}`, value: String(x.number) })),
    mineOutcome: o.typed?.outcome ?? (v.mine ? String(v.mine.outcome) : ''),
    mineReason: o.typed?.reason ?? v.mine?.reason ?? '',
    reasonMax: v.reasonMax,
    spread: toRuns(rich`${strong("The team's picks")}: ${spreadLine(v)}`),
    outcomes: v.outcomes.map((x) => ({
      title: `${x.number}. ${clip(x.text, 200)} — ${x.count}`,
      reasons: x.reasons.slice(-shownReasons).map((r) => ({
        runs: toRuns(
          r.name === null
            ? rich`• ${clip(r.reason, 500)}`
            : rich`${strong(clip(r.name, 60))}: ${clip(r.reason, 500)}`,
          { isSubtle: true },
        ),
      })),
    })),
    fallbackText: cardFallback(rich`Activity 1 for ${v.districtName}: ${spreadLine(v)}`),
  });
}

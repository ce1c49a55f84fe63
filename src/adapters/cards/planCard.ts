import {
  actionsField,
  countsLine,
  PLAN_FORM_HINT,
  type PlanFormView,
  STATUS_CHOICES,
  statusField,
} from '../../app/plans/planViews';
import { clip, em, join, plain, rich, strong } from '../../app/text';
import { STATUS_LABEL } from '../../domain/balance';
import { type AdaptiveCard, cardFallback } from './render';
import { toRuns } from './teamsText';

/** The card's save verb; its data names the plan (the conversation is the one the click comes from). */
export const PLAN_VERB = 'plan-save';
/** A plan nudge's button (cards/nudge.json): answered with the building's plan card; data `{districtId, buildingId}`. */
export const PLAN_OPEN_VERB = 'plan-open';

const runs = (t: Parameters<typeof toRuns>[0], style: Parameters<typeof toRuns>[1] = {}) => ({
  type: 'RichTextBlock',
  inlines: toRuns(t, style),
});

/**
 * An action plan as an Adaptive Card with inputs (Teams): per function the toolkit's words and, on the district's
 * form, what the buildings said (RichTextBlocks of TextRuns, never markdown), a status ChoiceSet and an actions box
 * (`<id>.status`, `<id>.actions`); Action.Execute verb "plan-save" with `{districtId, buildingId, version}`.
 * `typed` keeps what a refused person typed; `notice` says why it was refused (or that it was saved).
 */
export function renderPlanCard(
  v: PlanFormView,
  o: { notice?: string; typed?: Record<string, string> } = {},
): AdaptiveCard {
  const body: unknown[] = [
    runs(rich`${v.buildingName ?? v.districtName} · ${plain(v.title)}`, { size: 'Small', isSubtle: true }),
    runs(rich`${em(v.step)} ${plain(PLAN_FORM_HINT)}`),
  ];
  if (o.notice) body.push(runs(rich`${o.notice}`, { color: 'Attention', weight: 'Bolder' }));
  for (const f of v.functions) {
    body.push(runs(rich`${strong(`${f.n}. ${f.topic}`)}: ${f.text}`));
    if (f.buildings)
      body.push(
        runs(
          rich`${em(`Buildings: ${countsLine(f.buildings.counts)}`)}${join(
            f.buildings.actions
              .slice(0, 30)
              .map((a) => rich`\n– ${clip(a.building, 80)} (${plain(STATUS_LABEL[a.status])}): ${a.action}`),
            '',
          )}`,
          { isSubtle: true },
        ),
      );
    body.push(
      {
        type: 'Input.ChoiceSet',
        id: statusField(f.id),
        label: 'Status',
        style: 'compact',
        value: o.typed?.[statusField(f.id)] ?? f.status ?? '',
        choices: STATUS_CHOICES.map((c) => ({ title: c.label, value: c.value })),
      },
      {
        type: 'Input.Text',
        id: actionsField(f.id),
        label: 'Actions (one a line)',
        isMultiline: true,
        maxLength: 3000,
        value: o.typed?.[actionsField(f.id)] ?? f.actions.join('\n'),
      },
    );
  }
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
    fallbackText: cardFallback(rich`${v.title} for ${v.buildingName ?? v.districtName}`),
    body,
    actions: [
      {
        type: 'Action.Execute',
        title: 'Save',
        verb: PLAN_VERB,
        associatedInputs: 'auto',
        data: { districtId: v.districtId, buildingId: v.buildingId, version: v.version },
      },
    ],
  };
}

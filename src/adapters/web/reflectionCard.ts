import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReviewResults, RowResult } from '../../app/reviews/resultsModel';
import { clip, plain, rich } from '../../app/text';
import { type AdaptiveCard, cardFallback, expandTemplate } from '../cards/render';
import { toRuns } from '../cards/teamsText';

/**
 * The reflection prompt for a rated row: the toolkit's questions, the team's answers so far (names only in
 * named reviews) and one input per question for the viewer. Action.Execute verb "reflect" with
 * `{reviewId, rowId, q1…qN}`. Usable by any channel that draws Adaptive Cards (console, Teams).
 */
export const REFLECTION_TEMPLATE = path.join(__dirname, '..', '..', '..', 'web', 'cards', 'reflection.json');
let template: object | null = null;

export function renderReflectionCard(
  r: Pick<ReviewResults, 'reviewId' | 'cycle' | 'reflectionQuestions' | 'anonymous'>,
  row: RowResult,
  viewer: { displayName?: string | undefined } | null,
): AdaptiveCard {
  template ??= JSON.parse(fs.readFileSync(REFLECTION_TEMPLATE, 'utf8')) as object;
  return expandTemplate(template, {
    reviewId: r.reviewId,
    rowId: row.rowId,
    header: toRuns(rich`${r.cycle} · Row ${row.rowNumber} · Reflection`, { size: 'Small', isSubtle: true }),
    title: row.title,
    // howText quotes a decision's note and who decided.
    rating: toRuns(rich`Rated ${plain(row.ratingLabel)} — ${clip(row.howText, 300)}`, {
      color: 'Good',
      weight: 'Bolder',
    }),
    intro: 'Your answers are kept with the results and appear in the exports.',
    fallbackText: cardFallback(rich`Reflect on "${plain(row.title)}" (rated ${plain(row.ratingLabel)}).`),
    questions: r.reflectionQuestions.map((text, i) => {
      const answers = row.reflection.filter((a) => a.question === i + 1);
      // In named reviews the viewer's own earlier answer is prefilled; in anonymous ones nobody's name is known.
      const mine =
        viewer && !r.anonymous ? answers.filter((a) => a.by === viewer.displayName).pop() : undefined;
      return {
        id: `q${i + 1}`,
        text: `${i + 1}. ${text}`,
        answers: answers.slice(-10).map((a) => ({
          runs: toRuns(a.by ? rich`${clip(a.by, 60)}: ${clip(a.text, 500)}` : rich`• ${clip(a.text, 500)}`, {
            isSubtle: true,
          }),
        })),
        mine: mine?.text ?? '',
      };
    }),
  });
}

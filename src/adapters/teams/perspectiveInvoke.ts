import { z } from 'zod';
import type { PerspectiveQuestion } from '../../app/reviews/perspectiveAsk';
import { clip } from '../../app/text';
import { type AdaptiveCard, renderPollCard } from '../cards/render';
import type { TeamsIdentity } from './activity';
import type { TurnDeps } from './context';

/** The verb of the first vote's perspective answers (Action.Execute on the voter's own poll card). */
export const PERSPECTIVE_VERB = 'perspective';

const answerData = z.object({
  reviewId: z.string().min(1).max(200),
  rowId: z.string().min(1).max(200),
  value: z.string().min(1).max(300),
});

/**
 * The voter's poll card with the perspective question under it: "Are you rating as the district team or for a
 * building?" and one Action.Execute per answer (the district, each building). Only in the card answered to the
 * voter's own click (personal), never in the shared one.
 */
export function withPerspectiveQuestion(
  card: AdaptiveCard,
  q: PerspectiveQuestion,
  rowId: string,
): AdaptiveCard {
  return {
    ...card,
    body: [
      ...card.body,
      {
        type: 'Container',
        separator: true,
        items: [
          { type: 'TextBlock', text: q.question, weight: 'Bolder', wrap: true },
          {
            type: 'ActionSet',
            actions: q.options.map((o) => ({
              type: 'Action.Execute',
              verb: PERSPECTIVE_VERB,
              title: clip(o.label, 80),
              data: { reviewId: q.reviewId, rowId, value: o.value },
            })),
          },
        ],
      },
    ],
  };
}

/** The voter's question, if their vote on this poll was their first in the review and their perspective unknown. */
export async function perspectiveQuestionFor(
  d: TurnDeps,
  who: TeamsIdentity,
  reviewId: string,
): Promise<PerspectiveQuestion | null> {
  const actor = d.roster.actorOf(who);
  try {
    return await d.service.perspectives.afterVote(actor.tenantId, { reviewId, memberId: actor.userId });
  } catch (e) {
    d.log('the perspective question could not be prepared', e);
    return null;
  }
}

/** An answer: stored on the member; the voter's poll card comes back with "Noted: …" on it. Throws DomainError. */
export async function answerPerspective(
  d: TurnDeps,
  who: TeamsIdentity,
  data: unknown,
): Promise<AdaptiveCard> {
  const parsed = answerData.safeParse(data);
  const actor = d.roster.actorOf(who);
  const i = parsed.success ? parsed.data : { reviewId: '-', rowId: '-', value: '-' };
  const answered = await d.service.perspectives.answer(actor, { reviewId: i.reviewId, value: i.value });
  const view = await d.service.getPollState(actor, { reviewId: i.reviewId, rowId: i.rowId });
  const refreshIds = await d.roster.refreshIds(who.tenantId, who.channelId);
  return renderPollCard(view, { personal: true, refreshUserIds: refreshIds, notice: answered.text });
}

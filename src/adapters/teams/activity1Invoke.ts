import { z } from 'zod';
import { isDomainError } from '../../domain/errors';
import { renderActivity1Card } from '../cards/activity1Card';
import type { AdaptiveCard } from '../cards/render';
import type { TeamsIdentity } from './activity';
import { type TurnDeps, userMessage } from './context';

/** The Activity 1 card's verbs: save a pick (with the card's inputs) and show the team's picks. */
export const ACTIVITY1_VERBS = ['activity1', 'activity1-view'] as const;

/** `context.activity.value.action.data`: the card's data with its inputs (`associatedInputs: auto`). */
const data = z
  .object({
    activityId: z.string().min(1).max(200),
    outcome: z.union([z.string().max(10), z.number()]).optional(),
    // Not capped here: the core refuses a too-long reason with a message that says so (the body is ≤ 256 KB).
    reason: z.string().optional(),
  })
  .loose();

export type Activity1Answer = { card: AdaptiveCard } | { error: string; domain: boolean };

/**
 * Runs one Activity 1 verb for the person who clicked, from the conversation they clicked in; answers with their
 * refreshed card. A refusal about the input (no outcome, no reason, too long) comes back on the card with what
 * they typed still in it, so nothing is lost.
 */
export async function runActivity1(
  d: TurnDeps,
  who: TeamsIdentity,
  verb: string,
  raw: unknown,
): Promise<Activity1Answer> {
  const service = d.activity1;
  const parsed = data.safeParse(raw);
  if (!service || !parsed.success) {
    return { error: 'That card action is not valid: nothing was recorded.', domain: true };
  }
  const actor = d.roster.actorOf(who);
  const { activityId, outcome, reason } = parsed.data;
  try {
    if (verb === 'activity1-view')
      return { card: renderActivity1Card(await service.view(actor, { activityId })) };
    const view = await service.answer(actor, { activityId, outcome: outcome ?? '', reason: reason ?? '' });
    return { card: renderActivity1Card(view, { notice: 'Saved. Picking again replaces your pick.' }) };
  } catch (e) {
    if (isDomainError(e) && e.code === 'invalid-input') {
      try {
        const view = await service.view(actor, { activityId });
        const typed = {
          ...(outcome !== undefined ? { outcome: String(outcome) } : {}),
          ...(reason !== undefined ? { reason } : {}),
        };
        return { card: renderActivity1Card(view, { notice: e.message, typed }) };
      } catch {
        // The card cannot be drawn for them: the plain refusal follows.
      }
    }
    return { error: userMessage(d, e), domain: isDomainError(e) };
  }
}

import type { InvokeResponse, TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { PollView } from '../../app/reviews/views';
import { isDomainError } from '../../domain/errors';
import { renderGroupPollCard } from '../cards/groupCards';
import { type AdaptiveCard, type PollCardOptions, renderPollCard } from '../cards/render';
import { DeadlineError, withDeadline } from '../deadline';
import { countVote, noMetrics } from '../observability/metrics';
import type { IncomingActivity, TeamsIdentity } from './activity';
import { ACTIVITY1_VERBS, runActivity1 } from './activity1Invoke';
import { type TurnDeps, userMessage } from './context';
import {
  answerPerspective,
  PERSPECTIVE_VERB,
  perspectiveQuestionFor,
  withPerspectiveQuestion,
} from './perspectiveInvoke';
import { postQuorumNotice } from './reminders';

/** Refusals answered with the up-to-date card plus the reason (the rest get an error response). */
const NOTICE_CODES = new Set(['round-closed', 'deadline-passed', 'not-member', 'invalid-state']);

/** The answer to a vote or evidence invoke not done within `invokeDeadlineMs` (its write may still land). */
const notConfirmed = (verb: 'vote' | 'evidence') =>
  verb === 'vote'
    ? 'Saving your vote is taking longer than it should, so I cannot confirm it yet. If it gets saved, the poll will count it and show it. Voting again is safe: your vote replaces your earlier one, never adds to it.'
    : 'Saving your evidence is taking longer than it should, so I cannot confirm it yet. If it gets saved, it will show on the poll; look there before adding it again.';

const anyAction = z.object({
  action: z.object({ verb: z.string().min(1).max(100), data: z.unknown().optional() }),
});

const actionData = z.object({
  reviewId: z.string().min(1).max(200),
  rowId: z.string().min(1).max(200),
  choice: z.union([z.number(), z.string().max(20)]).optional(),
  // Not capped here: the core refuses too-long evidence with a message that says so (the body is ≤ 1 MB).
  evidence: z.string().optional(),
  /** On a small group's own poll card (./groupThreads.ts): only that group's people may vote on it. */
  group: z.string().min(1).max(200).optional(),
});
const invokeValue = z.object({
  action: z.object({
    type: z.string().max(64).optional(),
    verb: z.enum(['vote', 'evidence', 'refresh']),
    data: actionData.loose(),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});
/** Action.Submit fallback: the data object arrives as the message `value`. */
export const submitValue = actionData.extend({ verb: z.enum(['vote', 'evidence', 'refresh']) }).loose();

type ActionInput = z.output<typeof actionData> & { verb: 'vote' | 'evidence' | 'refresh' };

const adaptiveCardResponse = (card: AdaptiveCard): InvokeResponse => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
});
const errorResponse = (code: number, message: string): InvokeResponse => ({
  status: 200,
  body: {
    statusCode: code,
    type: 'application/vnd.microsoft.error',
    value: {
      code: code === 400 ? 'BadRequest' : code === 503 ? 'ServiceUnavailable' : 'InternalServerError',
      message,
    },
  },
});

/**
 * An invoke: an Adaptive Card's Action.Execute (`adaptiveCard/action`). The poll's own verbs (vote, evidence,
 * refresh) answer with the voter's refreshed card; other verbs go to the handler that claims them (`actions`);
 * other invokes are acknowledged with an empty body.
 */
export async function onInvoke(
  d: TurnDeps,
  ctx: TurnContext,
  a: IncomingActivity,
  who: TeamsIdentity,
): Promise<void> {
  const action = a.name === 'adaptiveCard/action' ? anyAction.safeParse(a.value) : null;
  const answer: Promise<InvokeResponse> = action
    ? answerAction(d, a, who, action)
    : Promise.resolve({ status: 200, body: {} });
  let response: InvokeResponse;
  try {
    // Acknowledged means stored: a vote is answered only once written. But Teams shows the person an error when an
    // invoke is not answered within about 5 s, so whatever the action they are told in time that it is taking
    // long. Its work goes on: a vote that lands counts, and the shared card's update that runAction schedules
    // after every write shows it.
    response = await withDeadline(answer, d.invokeDeadlineMs);
  } catch (e) {
    if (!(e instanceof DeadlineError)) throw e;
    answer.catch((late) => d.log('a card action answered as slow failed after its answer', late));
    const verb = action?.success ? action.data.action.verb : '';
    response = errorResponse(503, verb === 'vote' || verb === 'evidence' ? notConfirmed(verb) : SLOW_ACTION);
  }
  await ctx.sendActivity({ type: 'invokeResponse', value: response });
}

/** The answer to any other card action not done within `invokeDeadlineMs`. */
const SLOW_ACTION =
  'This is taking longer than it should, so I cannot show you the result yet. Look again in a moment before trying it again.';

/** The answer to an `adaptiveCard/action` invoke. */
async function answerAction(
  d: TurnDeps,
  a: IncomingActivity,
  who: TeamsIdentity,
  other: ReturnType<typeof anyAction.safeParse>,
): Promise<InvokeResponse> {
  const parsed = invokeValue.safeParse(a.value);
  const handler = other.success
    ? d.actions?.find((h) => h.verbs.includes(other.data.action.verb))
    : undefined;
  if (other.success && other.data.action.verb === PERSPECTIVE_VERB) {
    try {
      return adaptiveCardResponse(await answerPerspective(d, who, other.data.action.data));
    } catch (e) {
      return errorResponse(isDomainError(e) ? 400 : 500, userMessage(d, e));
    }
  } else if (other.success && (ACTIVITY1_VERBS as readonly string[]).includes(other.data.action.verb)) {
    const r = await runActivity1(d, who, other.data.action.verb, other.data.action.data ?? {});
    return 'card' in r ? adaptiveCardResponse(r.card) : errorResponse(r.domain ? 400 : 500, r.error);
  } else if (handler && other.success) {
    try {
      const actor = {
        tenantId: who.tenantId,
        userId: who.userId,
        displayName: who.displayName,
        channelId: who.channelId,
        conversation: who.conversation,
      };
      const card = await handler.handle(actor, other.data.action.verb, other.data.action.data ?? {});
      return adaptiveCardResponse(card as AdaptiveCard);
    } catch (e) {
      return errorResponse(isDomainError(e) ? 400 : 500, userMessage(d, e));
    }
  } else if (!parsed.success) {
    return errorResponse(400, 'That card action is not valid: nothing was recorded.');
  } else {
    const { verb, data } = parsed.data.action;
    try {
      await d.roster.remember(who.tenantId, who.channelId, [[who.userId, who.channelUserId]], true);
      const view = await runAction(d, who, { ...data, verb });
      const refreshIds = await d.roster.refreshIds(who.tenantId, who.channelId);
      const card = await personalCard(d, who, data, view, { personal: true, refreshUserIds: refreshIds });
      // A first vote in the review by someone whose perspective is unknown: the question under their card.
      const q = verb === 'vote' ? await perspectiveQuestionFor(d, who, data.reviewId) : null;
      return adaptiveCardResponse(q ? withPerspectiveQuestion(card, q, data.rowId) : card);
    } catch (e) {
      return (
        (await cardWithNotice(d, who, data, e)) ??
        errorResponse(isDomainError(e) ? 400 : 500, userMessage(d, e))
      );
    }
  }
}

/**
 * A click the core refused for a reason about the poll's state (round closed, deadline passed, not a member):
 * answer with the current card and the reason on it, so the stale card the person clicked is replaced.
 */
async function cardWithNotice(
  d: TurnDeps,
  who: TeamsIdentity,
  data: { reviewId: string; rowId: string; group?: string | undefined },
  e: unknown,
): Promise<InvokeResponse | null> {
  if (!isDomainError(e) || !NOTICE_CODES.has(e.code)) return null;
  try {
    const actor = d.roster.actorOf(who);
    const view = await d.service.getPollState(actor, { reviewId: data.reviewId, rowId: data.rowId });
    const refreshIds = await d.roster.refreshIds(who.tenantId, who.channelId);
    return adaptiveCardResponse(
      await personalCard(d, who, data, view, {
        personal: true,
        refreshUserIds: refreshIds,
        notice: e.message,
      }),
    );
  } catch (e2) {
    // The poll itself cannot be shown: the plain error answer follows (and a non-domain failure is logged).
    if (!isDomainError(e2)) d.log('could not draw the card for a refused click', e2);
    return null;
  }
}

/** Votes, evidence and refreshes; returns the viewer's poll view. Writes nothing when the input is refused. */
export async function runAction(d: TurnDeps, who: TeamsIdentity, input: ActionInput): Promise<PollView> {
  const actor = d.roster.actorOf(who);
  const ref = { reviewId: input.reviewId, rowId: input.rowId };
  const evidence = input.evidence?.trim() ? input.evidence : null;
  if (input.verb === 'refresh') return d.service.getPollState(actor, ref);
  const r =
    input.verb === 'vote'
      ? await countVote(d.metrics ?? noMetrics, 'teams', () =>
          d.service.castVote(actor, {
            ...ref,
            choice: input.choice,
            evidence,
            ...(input.group !== undefined ? { group: input.group } : {}),
          }),
        )
      : await d.service.addEvidence(actor, { ...ref, evidence: input.evidence ?? '' });
  d.cards.scheduleUpdate(who.tenantId, input.reviewId, input.rowId);
  // "Row 3 has reached its quorum", once per row and round: checked off the vote's path, after the write.
  if (r.write === 'written') postQuorumNotice(d, r.vote);
  return r.poll;
}

/** The card answering a click: the team's poll, or on a small group's card that group's own poll. */
async function personalCard(
  d: TurnDeps,
  who: TeamsIdentity,
  data: { reviewId: string; rowId: string; group?: string | undefined },
  view: PollView,
  opts: PollCardOptions,
): Promise<AdaptiveCard> {
  if (data.group === undefined) return renderPollCard(view, opts);
  const group = await d.service.groups.pollState(d.roster.actorOf(who), {
    reviewId: data.reviewId,
    rowId: data.rowId,
    group: data.group,
  });
  return renderGroupPollCard(group, opts);
}

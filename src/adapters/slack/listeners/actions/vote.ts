import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import type { ReviewService } from '../../../../app/reviews/reviewService';
import { isDomainError } from '../../../../domain/errors';
import { DeadlineError, withDeadline } from '../../../deadline';
import { countVote } from '../../../observability/metrics';
import { ACTION, parsePollRef, voteConfirmationFor } from '../../blocks';
import { NOT_RECORDED } from '../../receiver';
import { postQuorumNotice } from '../../reminders';
import { errorReply } from '../../replies';
import { type ListenerContext, tenantOf } from '../context';
import { confirmVote } from './perspective';

const VOTE_ACTION = new RegExp(`^${ACTION.vote}_(1|2|3|4|unsure)$`);

/**
 * A Slack timestamp ("1732361234.567890": seconds and microseconds) as microseconds since the epoch; undefined when
 * it is not one (the vote is then ordered by the server's clock).
 */
export function slackTsToMicros(ts: unknown): number | undefined {
  if (typeof ts !== 'string') return undefined;
  const m = /^(\d{9,11})\.(\d{1,6})$/.exec(ts);
  if (!m) return undefined;
  return Number(m[1]) * 1_000_000 + Number((m[2] as string).padEnd(6, '0'));
}

type VoteArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type Recorded = Awaited<ReturnType<ReviewService['recordVote']>>;

/** Whether a request is a block action whose action_id is a vote's (what `app.action(VOTE_ACTION)` matched). */
function isVoteClick(body: { type?: unknown }, action: unknown): boolean {
  if (body.type !== 'block_actions' || typeof action !== 'object' || action === null) return false;
  const id = (action as { action_id?: unknown }).action_id;
  return typeof id === 'string' && VOTE_ACTION.test(id);
}

/**
 * A vote button of a poll (value `reviewId|rowId`, action `vote_<choice>`): stored before it is acknowledged.
 *
 * Registered as a global middleware that answers vote clicks itself and hands every other request on, not as an
 * `app.action` listener: votes are the hot path, and Bolt runs every request through every listener's middleware
 * chain, copying its arguments at each step. In a storm of clicks (bench:slack, 200 in flight) that fan-out over
 * the app's 18 listeners was over a third of all the memory the process allocated (its sampling heap profile).
 */
export function registerVote(app: App, ctx: ListenerContext): void {
  const { asker, service, metrics, confirmations, polls, doubleClicks, log } = ctx;
  const onVote = async ({ ack, body, action, client, respond }: VoteArgs) => {
    const tenantId = tenantOf(body);
    const channel = body.channel?.id;
    const user = body.user.id;
    const ref = parsePollRef(typeof action.value === 'string' ? action.value : '');
    if (!ref) {
      await ack();
      confirmations.send(
        client,
        tenantId,
        channel,
        user,
        'That button does not belong to a MICIP poll. Nothing was recorded.',
      );
      return;
    }
    const raw = action.action_id.slice(ACTION.vote.length + 1);
    const choice = raw === 'unsure' ? 'unsure' : Number(raw);
    // A double click (the same member, poll message and choice again within a few seconds) is one vote and one
    // confirmation: the second click is acknowledged and dropped. A vote that failed is forgotten at once, so
    // clicking again retries it. The message is part of the key: each round posts its polls anew, so the same
    // choice on the next round's poll right after a quick close and `next` is a vote, not a double click.
    const message = body.container?.message_ts ?? body.message?.ts ?? '';
    const clickKey = `${tenantId}|${user}|${ref.reviewId}|${ref.rowId}|${message}|${raw}|${ref.group ?? ''}`;
    if (!doubleClicks.add(clickKey, Date.now())) {
      await ack();
      return;
    }
    const actor = asker.actor(client, {
      teamId: tenantId,
      userId: user,
      displayName: body.user.name ?? '',
      ...(channel ? { channelId: channel } : {}),
    });
    const clickedAtUs = slackTsToMicros(action.action_ts);
    /** After the vote's write: its poll's redraw, the quorum check and the member's confirmation. */
    const afterWrite = (r: Recorded, late: boolean) => {
      // This very click was already recorded (a retry that reached another replica first), or a later click of the
      // same member already was (it has its own confirmation): nothing to redraw or say.
      if (r.write !== 'written') return;
      if (late)
        log.info('A Slack vote answered as not recorded was stored after its deadline; telling its member');
      // The small groups' own messages of the row only when the review was ever split (no lookup otherwise).
      polls.redraw(client, tenantId, ref.reviewId, ref.rowId, { groups: !!r.review.groups });
      // "Row 3 has reached its quorum", once per row and round: checked after the ack, off the vote's path, and
      // after a burst of clicks (it reads the row's votes and the district's members).
      const vote = r.vote;
      ctx.later(async () => postQuorumNotice(ctx, client, vote));
      const rubric = service.rubrics.list().find((x) => x.rows.some((row) => row.id === ref.rowId)) ?? null;
      // The first vote in a review of someone whose perspective is unknown also asks it (./perspective.ts).
      confirmVote(
        ctx,
        client,
        { tenantId, channel, user },
        r,
        voteConfirmationFor(rubric, ref.rowId, r.vote.choice, r.vote.round, late),
        respond,
      );
    };
    // Acknowledged means stored: the vote is written (and past the close barrier) before the click is
    // acknowledged. Nothing on this path waits for Slack. A write that fails or takes longer than the deadline is
    // answered as not done (HTTP 503 / no Socket Mode ack): Slack shows the member it failed, and they click again.
    const work = countVote(metrics, 'slack', () =>
      service.recordVote(actor, {
        reviewId: ref.reviewId,
        rowId: ref.rowId,
        choice,
        ...(clickedAtUs ? { clickedAtUs } : {}),
        // A small group's own poll: only its people may vote on it (refused with a private message).
        ...(ref.group !== undefined ? { group: ref.group } : {}),
      }),
    );
    let r: Recorded;
    try {
      r = await withDeadline(work, ctx.voteWriteTimeoutMs);
    } catch (e) {
      doubleClicks.forget(clickKey);
      if (isDomainError(e) && e.code !== 'store-unavailable') {
        // Refused with a reason (round closed, not a member, deadline passed): the click worked, the answer is no.
        await ack();
        confirmations.send(client, tenantId, channel, user, errorReply(e, 'vote', log), respond);
        return;
      }
      log.warn(`Slack vote not recorded (${e instanceof Error ? e.message : 'error'}); answering 503`);
      await ack(NOT_RECORDED as never);
      // The write was too slow, not refused, and may still land: if it does, the vote counts, so its poll is
      // redrawn and its member, who saw the click fail, is told it was saved after all.
      if (e instanceof DeadlineError) {
        work.then(
          (late) => afterWrite(late, true),
          () => undefined,
        );
      }
      return;
    }
    await ack();
    afterWrite(r, false);
  };
  app.use(async (args) => {
    const { body } = args as { body: { type?: unknown } };
    if (!isVoteClick(body, (args as { action?: unknown }).action)) {
      await args.next();
      return;
    }
    await onVote(args as unknown as VoteArgs);
  });
}

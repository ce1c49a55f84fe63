import { ACTION } from '../../src/adapters/slack/blocks';
import { POLL_MESSAGES_NS } from '../../src/adapters/slack/slackApp';
import { type SlackHarness, waitFor } from './harness';
import { voteClick } from './signedClient';

/**
 * The room's side of the Slack scenarios (meeting.e2e, drain.e2e) against the fake Web API: a district with a
 * review of six polls, members' clicks on them, and what a poll message last showed.
 */

/** Sets up a district and starts a review (quorum 2); its id and the six poll messages (row, ts). */
export async function openReview(h: SlackHarness, name: string) {
  await h.slack.command({ text: `setup "${name} Schools"` });
  await waitFor(() => h.fake.of('chat.postEphemeral').length === 1);
  await h.slack.command({ text: `review start "${name}" quorum=2` });
  await waitFor(async () => (await h.app.store.kv.list(POLL_MESSAGES_NS)).length === 6, 15_000);
  const polls = await h.app.store.kv.list<{ ts: string }>(POLL_MESSAGES_NS);
  const reviewId = polls[0]?.key.split('|')[0] ?? '';
  return { reviewId, polls: polls.map((p) => ({ rowId: p.key.split('|')[1] ?? '', ts: p.value.ts })) };
}

export interface Click {
  user: string;
  rowId: string;
  choice: number;
}

/** A member's click on a poll button as Slack sends it, with its own response_url. */
export const clickPayload = (h: SlackHarness, reviewId: string, c: Click) =>
  voteClick({
    user: c.user,
    actionId: `${ACTION.vote}_${c.choice}`,
    value: `${reviewId}|${c.rowId}`,
    responseUrl: h.fake.responseUrl(c.user),
  });

/** Sends every click at its time (ms from now), each with its own response_url as Slack does; the answers. */
export const clickAll = (h: SlackHarness, reviewId: string, clicks: ReadonlyArray<Click & { at: number }>) =>
  Promise.all(
    clicks.map((c) =>
      new Promise((r) => setTimeout(r, c.at)).then(() => h.slack.payload(clickPayload(h, reviewId, c))),
    ),
  );

/** The blocks of the last chat.update of the poll message `ts`, as JSON ("null" when there was none). */
export const blocksOf = (h: SlackHarness, ts: string) =>
  JSON.stringify(
    h.fake
      .of('chat.update')
      .filter((c) => c.args.ts === ts)
      .at(-1)?.args.blocks ?? null,
  );

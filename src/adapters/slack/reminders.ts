import type { webApi } from '@slack/bolt';
import type { ReminderMessenger } from '../../app/ports';
import { personalReminder } from '../../app/reviews/reminderText';
import type { ReviewService } from '../../app/reviews/reviewService';
import type { Vote } from '../../domain/district';
import type { Logger } from '../observability/logger';
import { messageText } from './blocks';
import { type SlackAdapterLike, slackToken } from './nudges';
import type { SlackOutbound } from './outbound';
import type { PollMessages } from './pollMessages';
import { slackError } from './replies';

/** Reminders sent at once (chat.postEphemeral: the workspace's Tier 4 budget in the outbound layer, which waits out a 429). */
const AT_ONCE = 4;

/**
 * `remind` in Slack: each person gets their own reminder as an ephemeral message in the district's channel
 * (chat.postEphemeral, user = their id): only they see it, nothing is stored in the channel, and the product has
 * no DM path to reuse. Someone Slack will not show it to (not in the channel: `user_not_in_channel`, a deactivated
 * account) is reported as unreachable.
 */
export function slackReminders(
  client: webApi.WebClient,
  log: Logger,
  outbound: SlackOutbound,
): ReminderMessenger {
  return {
    private: true,
    async remind(place, view) {
      const unreachable: string[] = [];
      for (let i = 0; i < view.reminders.length; i += AT_ONCE) {
        await Promise.all(
          view.reminders.slice(i, i + AT_ONCE).map(async (r) => {
            try {
              await outbound.call({ workspace: place.tenantId, method: 'chat.postEphemeral' }, () =>
                client.chat.postEphemeral({
                  channel: place.channelId,
                  user: r.userId,
                  text: messageText(personalReminder(view, r)),
                }),
              );
            } catch (e) {
              unreachable.push(r.userId);
              log.warn(`A reminder could not be shown (${slackError(e)})`);
            }
          }),
        );
      }
      return { unreachable };
    },
  };
}

/**
 * The same reminders outside a command (the district's reminder schedule, ticked with the nudges): the
 * workspace's bot token is looked up per reminder round, as for nudges.
 */
export function slackScheduledReminders(
  adapter: SlackAdapterLike,
  botToken: string | undefined,
  log: Logger,
  outbound: SlackOutbound,
): ReminderMessenger {
  const token = slackToken(adapter, botToken);
  return {
    private: true,
    async remind(place, view) {
      const t = await token(place.tenantId);
      const client = {
        chat: {
          postEphemeral: (a: webApi.ChatPostEphemeralArguments) =>
            adapter.app.client.chat.postEphemeral({ ...a, token: t }),
        },
      } as unknown as webApi.WebClient;
      return slackReminders(client, log, outbound).remind(place, view);
    },
  };
}

/**
 * After a vote was stored and acknowledged: if it brought its row to the quorum and this process claimed the
 * notice (QuorumNotices, once per row and round across replicas), posts it in the review's channel at the channel's
 * chat.postMessage pace. Nothing waits for it; a failed post gives the claim back for the next vote.
 */
export function postQuorumNotice(
  d: { service: Pick<ReviewService, 'quorum'>; polls: PollMessages; log: Logger },
  client: webApi.WebClient,
  vote: Vote,
): void {
  void d.service.quorum.afterVote(vote).then(async (n) => {
    if (!n) return;
    try {
      await d.polls.postMessage(client, n.tenantId, { channel: n.channelId, text: messageText(n.text) });
    } catch (e) {
      d.log.warn(`The quorum notice could not be posted (${slackError(e)})`);
      await n.release().catch(() => undefined);
    }
  });
}

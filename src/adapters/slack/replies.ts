import type { RespondFn, types, webApi } from '@slack/bolt';
import { clip } from '../../app/text';
import { isDomainError } from '../../domain/errors';
import type { Logger } from '../observability/logger';
import { LIMITS } from './blocks';
import { userMrkdwn } from './mrkdwn';
import type { SlackOutbound } from './outbound';

export type ErrorContext = 'vote' | 'command' | 'evidence' | 'home';

/**
 * The one place where errors become Slack replies (mrkdwn). Domain errors carry their own message, which may quote
 * what was typed: it is escaped as a whole. Other errors are logged.
 */
export function errorReply(e: unknown, ctx: ErrorContext, log: Logger): string {
  if (isDomainError(e)) {
    if (e.code === 'store-unavailable') {
      return ctx === 'vote'
        ? ':warning: Your vote was *not* recorded: the database is not reachable right now. Please vote again in a minute.'
        : ':warning: Nothing was changed: the database is not reachable right now. Please try again in a minute.';
    }
    return userMrkdwn(e.message);
  }
  log.error(`Slack ${ctx} failed`, e);
  return ctx === 'vote'
    ? ':warning: Your vote was *not* recorded because of an error on our side. Please vote again.'
    : ':warning: Something went wrong on our side and nothing was changed. Please try again.';
}

/** The error code of a failed Web API call (`missing_scope`, `not_in_channel` …), else the error's message. */
export function slackError(e: unknown): string {
  const code = (e as { data?: { error?: unknown } }).data?.error;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : 'unknown error';
}

/** A private reply to `user` in `channel` of the workspace `tenantId`. */
export type Ephemeral = (
  client: webApi.WebClient,
  tenantId: string,
  channel: string | undefined,
  user: string,
  text: string,
  respond?: RespondFn,
  blocks?: types.KnownBlock[],
) => Promise<void>;

/**
 * Private replies: chat.postEphemeral within the workspace's Tier 4 budget (the outbound layer: a 429 is waited
 * out and sent again); where the bot may not post (not in a private channel), the command's response_url. A reply
 * that cannot be sent is logged.
 */
export function ephemeralReplies(log: Logger, outbound: SlackOutbound): Ephemeral {
  return async (client, tenantId, channel, user, text, respond, blocks) => {
    const t = clip(text, LIMITS.messageText);
    try {
      if (!channel) throw new Error('no channel to answer in');
      await outbound.call({ workspace: tenantId, method: 'chat.postEphemeral' }, () =>
        client.chat.postEphemeral({ channel, user, text: t, ...(blocks ? { blocks } : {}) }),
      );
    } catch (e) {
      if (respond) {
        await respond({ response_type: 'ephemeral', text: t, ...(blocks ? { blocks } : {}) }).catch(
          (err: unknown) => log.error('Reply through response_url failed', err),
        );
      } else log.error('chat.postEphemeral failed', e);
    }
  };
}

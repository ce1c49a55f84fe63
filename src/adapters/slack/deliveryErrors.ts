import { DeliveryFailure, type DeliveryProblem } from '../../app/nudges/deliveryFailure';

/** Slack Web API error codes (https://api.slack.com/methods/chat.postMessage#errors) by what they mean for a post. */
const PROBLEMS: Record<string, DeliveryProblem> = {
  not_in_channel: 'not-in-channel',
  channel_not_found: 'channel-not-found',
  is_archived: 'archived',
  restricted_action: 'no-permission',
  restricted_action_read_only_channel: 'no-permission',
  restricted_action_thread_only_channel: 'no-permission',
  restricted_action_non_threadable_channel: 'no-permission',
  missing_scope: 'no-permission',
  not_allowed_token_type: 'no-permission',
  ekm_access_denied: 'no-permission',
  invalid_auth: 'not-installed',
  account_inactive: 'not-installed',
  token_revoked: 'not-installed',
  token_expired: 'not-installed',
  not_authed: 'not-installed',
  team_access_not_granted: 'not-installed',
  ratelimited: 'rate-limited',
};

/** A failed Slack post as a DeliveryFailure (the platform's code kept as its detail). */
export function slackDeliveryFailure(e: unknown): DeliveryFailure {
  if (e instanceof DeliveryFailure) return e;
  const o = e as { code?: unknown; data?: { error?: unknown } } | null;
  if (o?.code === 'slack_webapi_rate_limited_error')
    return new DeliveryFailure('rate-limited', 'ratelimited', e);
  const code =
    typeof o?.data?.error === 'string'
      ? o.data.error
      : // Errors thrown by hand (tests, other clients) carry the bare code as their message.
        e instanceof Error && /^[a-z_]+$/.test(e.message)
        ? e.message
        : '';
  const problem = PROBLEMS[code];
  if (problem) return new DeliveryFailure(problem, code, e);
  const detail = code || (e instanceof Error ? e.message : String(e));
  return new DeliveryFailure('other', detail, e);
}

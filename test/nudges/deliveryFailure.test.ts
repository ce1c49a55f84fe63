import { slackDeliveryFailure } from '../../src/adapters/slack/deliveryErrors';
import { teamsDeliveryFailure } from '../../src/adapters/teams/deliveryErrors';
import { SendError } from '../../src/adapters/teams/outbox';
import { failureReason } from '../../src/app/nudges/buildingChannels';

/**
 * A message that did not reach a building channel is explained in the same plain words in Slack and Teams, with the
 * platform's own code in brackets: what `building list`, `nudge now` and the digest show the coordinator.
 */
const slackError = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });
const connectorError = (statusCode: number, code?: string) =>
  Object.assign(new Error('fake refusal'), { statusCode, ...(code ? { code } : {}) });

test.each([
  [slackError('not_in_channel'), 'the MICIP app is not a member of that channel (not_in_channel)'],
  [
    slackError('channel_not_found'),
    'that channel no longer exists, or the app cannot see it (channel_not_found)',
  ],
  [slackError('is_archived'), 'that channel is archived (is_archived)'],
  [slackError('token_revoked'), 'the app is no longer installed for that workspace or team (token_revoked)'],
  [
    Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 3 }),
    'the chat platform asked the app to slow down (it will try again) (ratelimited)',
  ],
  [new Error('not_in_channel'), 'the MICIP app is not a member of that channel (not_in_channel)'],
  [slackError('fatal_error'), 'the chat platform refused the message (fatal_error)'],
])('Slack: %p reads "%s"', (e, says) => {
  expect(failureReason(slackDeliveryFailure(e))).toBe(says);
});

test.each([
  [
    connectorError(403, 'BotNotInConversationRoster'),
    'the MICIP app is not a member of that channel (403 BotNotInConversationRoster)',
  ],
  [
    new SendError(connectorError(404, 'ConversationNotFound')),
    'that channel no longer exists, or the app cannot see it (404 ConversationNotFound)',
  ],
  [connectorError(403), 'the app is not allowed to post in that channel (403)'],
  [connectorError(401), 'the app is no longer installed for that workspace or team (401)'],
  [connectorError(500), 'the chat platform refused the message (500)'],
  [new Error('socket hang up'), 'the chat platform refused the message (socket hang up)'],
])('Teams: %p reads "%s"', (e, says) => {
  expect(failureReason(teamsDeliveryFailure(e))).toBe(says);
});

test('the status and Retry-After stay readable for the outbound retry policy', () => {
  const f = teamsDeliveryFailure(Object.assign(connectorError(429), { retryAfterMs: 2000 }));
  expect(f).toMatchObject({ problem: 'rate-limited', statusCode: 429, retryAfterMs: 2000 });
});

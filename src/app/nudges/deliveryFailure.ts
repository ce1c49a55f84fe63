/**
 * Why a message to a channel did not arrive, in words a coordinator can act on. Each chat adapter turns its
 * platform's error (Slack's `not_in_channel`, the Bot Connector's 403 `BotNotInConversationRoster`, …) into one of
 * these problems and keeps the platform's own code as the detail, so the digest, `nudge now` and `building list`
 * read the same in Slack and Teams.
 */
export type DeliveryProblem =
  | 'not-in-channel'
  | 'channel-not-found'
  | 'archived'
  | 'no-permission'
  | 'not-installed'
  | 'rate-limited'
  | 'other';

const SAYS: Record<DeliveryProblem, string> = {
  'not-in-channel': 'the MICIP app is not a member of that channel',
  'channel-not-found': 'that channel no longer exists, or the app cannot see it',
  archived: 'that channel is archived',
  'no-permission': 'the app is not allowed to post in that channel',
  'not-installed': 'the app is no longer installed for that workspace or team',
  'rate-limited': 'the chat platform asked the app to slow down (it will try again)',
  other: 'the chat platform refused the message',
};

export class DeliveryFailure extends Error {
  constructor(
    readonly problem: DeliveryProblem,
    /** The platform's own code or status, shown in brackets for whoever looks it up. */
    readonly detail: string,
    cause?: unknown,
  ) {
    super(`${SAYS[problem]}${detail ? ` (${detail})` : ''}`, cause === undefined ? undefined : { cause });
    this.name = 'DeliveryFailure';
    // Kept for the outbound layers' retry policy, which reads them from whatever error reaches it.
    const c = cause as { status?: unknown; statusCode?: unknown; retryAfterMs?: unknown } | undefined;
    if (c && typeof c === 'object') {
      if (c.status !== undefined) Object.assign(this, { status: c.status });
      if (c.statusCode !== undefined) Object.assign(this, { statusCode: c.statusCode });
      if (c.retryAfterMs !== undefined) Object.assign(this, { retryAfterMs: c.retryAfterMs });
    }
  }
}

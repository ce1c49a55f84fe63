/**
 * A building team of a district (Activity 3, "Maintaining Balance"): registered by a coordinator with its own
 * channel and members; it collects monitoring data and is nudged until it submits. Dates are ISO strings.
 */
export interface Building {
  id: string;
  tenantId: string;
  districtId: string;
  name: string;
  channelId: string;
  /** Who may submit; empty = anyone in the building's channel. */
  members: string[];
  createdAt: string;
  createdBy: string;
  /**
   * Set when a message to its channel failed (the app is not in that channel or team): why, and since when.
   * Cleared by the next message that reaches the channel.
   */
  unreachable?: { reason: string; since: string } | null;
}

/**
 * Whether `channelId` has the shape of a channel id the chat platform gives out: Teams (`teams:` tenants)
 * `19:…@thread.tacv2` (or `@thread.skype`), Slack `C…`/`G…`. A typed `#oak-team` is neither: Teams has no
 * channel mentions, and Slack hands the app `#C123` only for a real channel link.
 */
export function isChannelId(tenantId: string, channelId: string): boolean {
  return tenantId.startsWith('teams:')
    ? /^19:[A-Za-z0-9_.-]+@thread\.[a-z0-9]+$/i.test(channelId)
    : /^[CG][A-Z0-9]{1,30}$/.test(channelId);
}

/** Which building owns a channel (a channel is the channel of at most one building team per tenant). */
export interface BuildingChannel {
  districtId: string;
  buildingId: string;
}

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
}

/** Which building owns a channel (a channel is the channel of at most one building team per tenant). */
export interface BuildingChannel {
  districtId: string;
  buildingId: string;
}

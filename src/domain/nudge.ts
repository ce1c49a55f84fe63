/**
 * Nudge bookkeeping: who owns sending each nudge (claims), snoozes, and the once-per-round jobs (a round's digest,
 * an escalation of one building in one period). Dates are ISO strings.
 */

/** One nudge to one building: claimed (exactly once) before it is sent, then marked sent or failed. */
export interface NudgeClaim {
  buildingId: string;
  scheduleId: string;
  /**
   * Nominal occurrence (ISO), `<occurrence>|takeover` for a takeover, `reminder:<until>` for a snooze reminder, or
   * `now:<minute>` for a coordinator's `nudge now`.
   */
  occurrence: string;
  claimedAt: string;
  instance: string;
  status: 'claimed' | 'sent' | 'failed';
  error?: string;
  /** Where the sent nudge is (its channel then, and the platform's message id: Slack ts, Teams activity id). */
  message?: { channelId: string; id: string };
}

/** A building's snooze: rounds until `until` skip it; one reminder goes out when it ends. */
export interface Snooze {
  tenantId: string;
  districtId: string;
  buildingId: string;
  /** The schedule it was set from ('' when the district had none). */
  scheduleId: string;
  periodId: string;
  until: string;
  setBy: string;
  setAt: string;
}

/** The claim on a round's digest (one replica posts it); `empty` marks a round that had nobody to nudge. */
export interface DigestClaim {
  instance: string;
  at: string;
  empty?: true;
}

/** The claim on escalating one building in one period (once). */
export interface EscalationClaim {
  at: string;
  scheduleId: string;
}

/**
 * Why a round's nudge did not reach a building, or null when it did (or none was sent): the round's claims for the
 * building (`occurrence`, and its takeover if a replica died before sending) with none sent and one failed.
 */
export function undeliveredReason(
  claims: readonly NudgeClaim[],
  buildingId: string,
  occurrence: string,
): string | null {
  const round = claims.filter(
    (c) =>
      c.buildingId === buildingId &&
      (c.occurrence === occurrence || c.occurrence === `${occurrence}|takeover`),
  );
  if (round.some((c) => c.status === 'sent')) return null;
  const failed =
    round.find((c) => c.status === 'failed' && c.occurrence.endsWith('|takeover')) ??
    round.find((c) => c.status === 'failed');
  return failed ? failed.error || 'the chat platform refused it' : null;
}

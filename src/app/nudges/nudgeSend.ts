import type { Building } from '../../domain/building';
import type { District } from '../../domain/district';
import type { NudgeClaim } from '../../domain/nudge';
import type { Period } from '../../domain/schedule';
import { showTime } from '../when';
import { failureReason, noteDelivery } from './buildingChannels';
import type { NudgeMessenger, NudgeRepos } from './nudgePorts';
import type { NudgeOutcome, NudgeView } from './nudgeViews';

/**
 * Sending one claimed nudge, and redrawing the nudges of a period once the team has answered them. Shared by the
 * scheduled rounds (NudgeRunner) and a coordinator's `nudge now`.
 */

/** A building's nudge for a period, as people see it (times in `timezone`: the schedule's, else the district's). */
export function nudgeViewOf(
  district: District,
  b: Building,
  period: Period,
  timezone: string,
  attempt: number,
  reminder: boolean,
  subject?: 'monitoring' | 'plan',
): NudgeView {
  return {
    ...(subject === 'plan' ? { subject } : {}),
    tenantId: district.tenantId,
    districtId: district.id,
    districtName: district.name,
    buildingId: b.id,
    buildingName: b.name,
    periodId: period.id,
    periodLabel: period.label,
    attempt,
    closesAt: showTime(period.endsAt, timezone),
    timezone,
    reminder,
  };
}

export interface SendDeps {
  nudges: Pick<NudgeRepos, 'claims' | 'buildings'>;
  messenger: NudgeMessenger;
}

/**
 * Sends a nudge whose claim the caller owns; records the outcome on the claim (with where the message is, so that
 * it can be redrawn) and on the building (a failure marks it unreachable, a success clears that). Never throws
 * for a failed send: the error is returned, and the nudge is not sent again.
 */
export async function sendClaimed(
  d: SendDeps,
  district: District,
  b: Building,
  periodId: string,
  claim: NudgeClaim,
  view: NudgeView,
): Promise<{ sent: true } | { sent: false; error: unknown }> {
  const { tenantId, id: districtId } = district;
  let sent: Awaited<ReturnType<NudgeMessenger['sendNudge']>>;
  try {
    sent = await d.messenger.sendNudge({ tenantId, channelId: b.channelId }, view);
  } catch (e) {
    const error = e ?? new Error('the chat platform refused it');
    await d.nudges.claims.update(tenantId, districtId, periodId, {
      ...claim,
      status: 'failed',
      error: failureReason(error),
    });
    await noteDelivery(d.nudges, b, error, new Date(claim.claimedAt));
    return { sent: false, error };
  }
  await d.nudges.claims.update(tenantId, districtId, periodId, {
    ...claim,
    status: 'sent',
    ...(sent?.messageId ? { message: { channelId: b.channelId, id: sent.messageId } } : {}),
  });
  if (b.unreachable) await noteDelivery(d.nudges, b, null, new Date(claim.claimedAt));
  return { sent: true };
}

/**
 * Redraws every nudge of the period that was posted to the building (with the submission or snooze noted and
 * its buttons changed). Best effort: a nudge that cannot be redrawn stays as it was; failures go to `onError`.
 */
export async function redrawNudges(
  d: { nudges: Pick<NudgeRepos, 'claims'>; messenger?: NudgeMessenger | undefined },
  district: District,
  b: Building,
  period: Period,
  outcome: NudgeOutcome,
  onError: (e: unknown) => void = () => {},
  subject?: 'plan',
): Promise<number> {
  const update = d.messenger?.updateNudge?.bind(d.messenger);
  if (!update) return 0;
  const claims = await d.nudges.claims.list(district.tenantId, district.id, period.id);
  const posted = claims.filter((c) => c.buildingId === b.id && c.status === 'sent' && c.message);
  let redrawn = 0;
  for (const c of posted) {
    const m = c.message as NonNullable<NudgeClaim['message']>;
    try {
      await update({ tenantId: district.tenantId, channelId: m.channelId }, m.id, {
        ...nudgeViewOf(
          district,
          b,
          period,
          district.timezone,
          1,
          c.occurrence.startsWith('reminder:'),
          subject,
        ),
        outcome,
      });
      redrawn++;
    } catch (e) {
      onError(e);
    }
  }
  return redrawn;
}

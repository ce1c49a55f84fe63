import type { Building } from '../../domain/building';
import { DomainError, notSetUp } from '../../domain/errors';
import type { NudgeClaim } from '../../domain/nudge';
import { periodAt } from '../../domain/schedule';
import { currentByBuilding } from '../../domain/submission';
import type { Access } from '../policy';
import type { Clock, Store } from '../ports';
import type { Actor } from '../schemas';
import { failureReason } from './buildingChannels';
import { countNudges } from './nudgeDigest';
import type { NudgeMessenger, NudgeRepos } from './nudgePorts';
import { nudgeViewOf, sendClaimed } from './nudgeSend';

/**
 * `nudge now ["Building"]`: a coordinator sends the current period's nudge at once, from the district channel, to
 * the building teams that have not submitted (or to the one named). Each building is claimed with the key
 * `now:<minute>` before it is sent (insert-if-absent, like a round's occurrence keys), so a press, even delivered
 * twice or handled by two replicas, nudges each building once; a press within a minute of the last one finds the
 * building "just nudged". The nudge counts among the period's nudges (and towards escalation).
 */

export interface NudgeNowDeps {
  store: Store;
  nudges: NudgeRepos;
  clock: Clock;
  messenger?: NudgeMessenger | undefined;
  /** Names this replica on the claims (diagnostics only). */
  instanceId?: string;
}

export interface NudgeNowReport {
  periodLabel: string;
  /** Sent now. */
  nudged: string[];
  /** Could not be reached, with the platform's reason. */
  unreachable: Array<{ name: string; reason: string }>;
  /** Already submitted for the period (skipped). */
  submitted: string[];
  /** Nudged by a press within the last minute (skipped). */
  justNudged: string[];
}

const minuteOf = (d: Date) => d.toISOString().slice(0, 16);

export async function nudgeNow(
  d: NudgeNowDeps,
  access: Access,
  findBuilding: (tenantId: string, districtId: string, ref: string) => Promise<Building>,
  actor: Actor,
  channelId: string,
  buildingRef: string | undefined,
): Promise<NudgeNowReport> {
  const district = await d.store.districts.findByChannel(actor.tenantId, channelId);
  if (!district) throw notSetUp();
  await access.enforce(actor, 'nudge.now', district);
  const messenger = d.messenger;
  if (!messenger)
    throw new DomainError('invalid-state', 'This server has no chat connection to send nudges through.');
  const { tenantId, id: districtId } = district;
  // The monitoring-data schedules only: a plan schedule's nudges ask for something else (see ./planNudges.ts).
  const schedule = (await d.nudges.schedules.list(tenantId, districtId))
    .filter((s) => s.subject !== 'plan')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  const tz = schedule?.timezone ?? district.timezone;
  const now = d.clock.now();
  const period = periodAt(now, tz, schedule?.periodKind ?? 'month');
  const targets = buildingRef
    ? [await findBuilding(tenantId, districtId, buildingRef)]
    : (await d.nudges.buildings.list(tenantId, districtId)).sort((a, b) => a.name.localeCompare(b.name));
  if (!targets.length)
    throw new DomainError('invalid-state', 'There are no building teams to nudge yet: register one first.');
  const current = currentByBuilding(await d.nudges.submissions.list(tenantId, districtId, period.id));
  const claims = await d.nudges.claims.list(tenantId, districtId, period.id);
  const prior = countNudges(claims);
  const minute = minuteOf(now);
  const previous = `now:${minuteOf(new Date(now.getTime() - 60_000))}`;
  const report: NudgeNowReport = {
    periodLabel: period.label,
    nudged: [],
    unreachable: [],
    submitted: [],
    justNudged: [],
  };
  const one = async (b: Building) => {
    if (current.has(b.id)) return report.submitted.push(b.name);
    const claim: NudgeClaim = {
      buildingId: b.id,
      scheduleId: schedule?.id ?? '',
      occurrence: `now:${minute}`,
      claimedAt: now.toISOString(),
      instance: d.instanceId ?? 'command',
      status: 'claimed',
    };
    // A press in the minute before (its key is the previous minute's) already nudged this building.
    const recent = claims.some((c) => c.buildingId === b.id && c.occurrence === previous);
    if (recent || !(await d.nudges.claims.claim(tenantId, districtId, period.id, claim)))
      return report.justNudged.push(b.name);
    const attempt = (prior.get(b.id) ?? 0) + 1;
    const view = nudgeViewOf(district, b, period, tz, attempt, false);
    const r = await sendClaimed({ nudges: d.nudges, messenger }, district, b, period.id, claim, view);
    if (r.sent) report.nudged.push(b.name);
    else report.unreachable.push({ name: b.name, reason: failureReason(r.error) });
  };
  // Ten at a time: the messenger queues and rate-limits per channel and workspace anyway.
  for (let i = 0; i < targets.length; i += 10) await Promise.all(targets.slice(i, i + 10).map(one));
  for (const list of [report.nudged, report.submitted, report.justNudged]) list.sort();
  report.unreachable.sort((a, b) => a.name.localeCompare(b.name));
  return report;
}

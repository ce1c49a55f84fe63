import { latestPlans, type PlanVersion } from '../../domain/balance';
import type { Building } from '../../domain/building';
import type { District } from '../../domain/district';
import { type Period, periodAt } from '../../domain/schedule';
import type { PlanRepo } from '../plans/planPorts';
import type { NudgeMessenger, NudgeRepos } from './nudgePorts';
import { redrawNudges } from './nudgeSend';

/**
 * Nudges for the Building Action Planning template (Activity 3): a schedule with `subject: 'plan'` runs through the
 * same NudgeRunner as monitoring-data nudges (occurrences, claims, once across replicas, digest, escalation), with
 * three differences kept here: a building has "submitted" once it has saved any version of its plan (as `plans`
 * lists it); the round's claims live under their own period id (`plan:<period>`), apart from the monitoring
 * nudges' count and escalation; and a saved plan redraws the plan nudges (not the monitoring ones).
 */

/** A plan schedule's period: the same weeks or months, under an id of its own for the claims and escalations. */
export const planPeriod = (p: Period): Period => ({ ...p, id: `plan:${p.id}` });

/** Each building's latest plan version (what makes it "submitted" for plan nudges), by building id. */
export async function plansByBuilding(
  plans: Pick<PlanRepo, 'listDistrict'>,
  tenantId: string,
  districtId: string,
): Promise<Map<string, PlanVersion>> {
  const latest = latestPlans(await plans.listDistrict(tenantId, districtId));
  latest.delete(''); // the district's own plan
  return latest;
}

/**
 * After a building team saved its plan: redraws this period's plan nudges posted to it (every plan schedule that
 * targets it) as "Submitted vN on … by …", buttons reduced to the plan's. Best effort; failures go to `onError`.
 */
export async function redrawPlanNudges(
  d: { nudges: Pick<NudgeRepos, 'claims' | 'schedules'>; messenger?: NudgeMessenger | undefined },
  district: District,
  b: Building,
  v: PlanVersion,
  byName: string,
  now: Date,
  onError: (e: unknown) => void = () => {},
): Promise<number> {
  const schedules = (await d.nudges.schedules.list(district.tenantId, district.id)).filter(
    (s) => s.subject === 'plan' && (!s.buildingIds || s.buildingIds.includes(b.id)),
  );
  const periods = new Map<string, Period>();
  for (const s of schedules) {
    const p = planPeriod(periodAt(now, s.timezone, s.periodKind));
    periods.set(p.id, p);
  }
  const outcome = {
    kind: 'submitted' as const,
    version: v.version,
    at: v.submittedAt,
    by: v.submittedBy,
    byName,
  };
  let redrawn = 0;
  for (const p of periods.values())
    redrawn += await redrawNudges(d, district, b, p, outcome, onError, 'plan');
  return redrawn;
}

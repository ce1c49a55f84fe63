import type { PlanVersion } from '../../domain/balance';

/** Versioned Activity 3 action plans: each building team's and the district team's (`Store.plans`). */
export interface PlanRepo {
  /** Adds version `v.version` of its plan; false when that version already exists (a concurrent save won). */
  add(v: PlanVersion): Promise<boolean>;
  /** Every version of one plan (a building's, or the district's with `buildingId` null), oldest first. */
  list(tenantId: string, districtId: string, buildingId: string | null): Promise<PlanVersion[]>;
  /** Every version of every plan of the district (buildings' and the district's). */
  listDistrict(tenantId: string, districtId: string): Promise<PlanVersion[]>;
}

import type { PlanRepo } from '../../app/plans/planPorts';
import type { KeyValueRepo } from '../../app/ports';
import type { PlanVersion } from '../../domain/balance';

/**
 * Action plans as records in the Store's key-value repo (stored layout; records live under it):
 *
 *   plan|<tenant>|<district>   building|<buildingId>|<version, 6 digits>   PlanVersion (a building team's plan)
 *   plan|<tenant>|<district>   district|<version, 6 digits>                PlanVersion (the district team's plan)
 *
 * Each <part> is URI-encoded. A version is inserted with `putIfAbsent`, so of two saves of the same version only one
 * is stored (the unique `_id`); the other is told to reopen the form.
 */
const seg = encodeURIComponent;
export const PLAN_NS = (tenantId: string, districtId: string) => `plan|${seg(tenantId)}|${seg(districtId)}`;
const prefix = (buildingId: string | null) =>
  buildingId === null ? 'district|' : `building|${seg(buildingId)}|`;
const byVersion = (a: PlanVersion, b: PlanVersion) =>
  (a.buildingId ?? '').localeCompare(b.buildingId ?? '') || a.version - b.version;

export class KvPlanRepo implements PlanRepo {
  constructor(private readonly kv: KeyValueRepo) {}

  add(v: PlanVersion) {
    return this.kv.putIfAbsent(
      PLAN_NS(v.tenantId, v.districtId),
      `${prefix(v.buildingId)}${String(v.version).padStart(6, '0')}`,
      v,
    );
  }

  async list(tenantId: string, districtId: string, buildingId: string | null) {
    const p = prefix(buildingId);
    const all = await this.kv.list<PlanVersion>(PLAN_NS(tenantId, districtId));
    return all
      .filter((r) => r.key.startsWith(p))
      .map((r) => r.value)
      .sort(byVersion);
  }

  async listDistrict(tenantId: string, districtId: string) {
    return (await this.kv.list<PlanVersion>(PLAN_NS(tenantId, districtId)))
      .map((r) => r.value)
      .sort(byVersion);
  }
}

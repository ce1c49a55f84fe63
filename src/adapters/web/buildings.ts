import type { BuildingService } from '../../app/nudges/buildingService';
import type { Store } from '../../app/ports';
import { showTime } from '../../app/when';
import type { BuildingStatus } from './pages';

/**
 * Building-team submission status for the dashboard, from the nudges feature's BuildingService: the current
 * period's submitted and missing buildings of one district (the caller already holds a link to that district).
 */
export function buildingStatusSource(buildings: BuildingService, store: Store) {
  return async (tenantId: string, districtId: string): Promise<BuildingStatus[]> => {
    const district = await store.districts.get(tenantId, districtId);
    if (!district) return [];
    const s = await buildings.statusOf(district);
    return [
      ...s.submitted.map((b) => ({
        building: b.name,
        status: 'submitted',
        detail: `${s.period.label}${b.submission ? `, ${showTime(b.submission.submittedAt, s.timezone)}` : ''}`,
      })),
      ...s.missing.map((b) => ({ building: b.name, status: 'missing', detail: s.period.label })),
    ].sort((a, b) => a.building.localeCompare(b.building));
  };
}

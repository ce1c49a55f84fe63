/** A building team's monitoring data for one period, as entered on the form. */
export interface SubmissionData {
  strategy: string;
  implementationMeasure: string;
  fidelityPercent: number;
  impactMeasure: string;
  impactValue: number;
  interimTarget: number;
  meaning: string;
  recommendations: string;
}

/**
 * One version of a building's submission for a period; every edit adds a version (the history). Versions count
 * from 1 per building and period; dates are ISO strings.
 */
export interface SubmissionVersion {
  tenantId: string;
  districtId: string;
  buildingId: string;
  periodId: string;
  version: number;
  data: SubmissionData;
  submittedAt: string;
  submittedBy: string;
}

/** The latest version per building (a building with a version has submitted for the period). */
export function currentByBuilding(versions: Iterable<SubmissionVersion>): Map<string, SubmissionVersion> {
  const out = new Map<string, SubmissionVersion>();
  for (const v of versions) {
    const cur = out.get(v.buildingId);
    if (!cur || v.version > cur.version) out.set(v.buildingId, v);
  }
  return out;
}

import {
  type BalanceContent,
  type FunctionStatus,
  functionsOf,
  latestPlans,
  type PlanBuilding,
  type PlanSide,
  type PlanVersion,
  sideBySide,
} from '../../domain/balance';

/** One function of a plan as it stands: the toolkit's words, the status (null: not answered) and the actions. */
export interface PlanReportFunction {
  /** 1-based, the number people type (`plan 2 …`). */
  n: number;
  id: string;
  topic: string;
  text: string;
  status: FunctionStatus | null;
  actions: string[];
}

/** The latest version of one plan: a building team's, or the district team's. */
export interface PlanReportPlan {
  side: PlanSide;
  /** The building's id, null for the district's plan. */
  buildingId: string | null;
  /** The building's name, or the district's. */
  name: string;
  version: number;
  /** ISO date-time of the save. Who saved it is not reported (a plan is the team's). */
  submittedAt: string;
  functions: PlanReportFunction[];
}

/**
 * The district's Activity 3 action plans as they stand (for the review's exports and the dashboard): every
 * building's latest Building Action Planning template, by building name (each with every building-team function, so
 * `buildings[j].functions[i]` is the side-by-side cell), the buildings that have not submitted one, and the latest
 * District Action Planning template (null while the district has not saved one).
 */
export interface PlansReport {
  title: string;
  /** The building-team functions: the rows of the side-by-side table. */
  functions: Array<{ n: number; id: string; topic: string }>;
  buildings: PlanReportPlan[];
  notSubmitted: PlanBuilding[];
  district: PlanReportPlan | null;
}

function planOf(content: BalanceContent, side: PlanSide, name: string, v: PlanVersion): PlanReportPlan {
  return {
    side,
    buildingId: v.buildingId,
    name,
    version: v.version,
    submittedAt: v.submittedAt,
    functions: functionsOf(content, side).map((f, i) => {
      const e = v.entries.find((x) => x.functionId === f.id);
      return {
        n: i + 1,
        id: f.id,
        topic: f.topic,
        text: f.text,
        status: e?.status ?? null,
        actions: [...(e?.actions ?? [])],
      };
    }),
  };
}

/** Pure: the report from the table, the district's buildings and every stored version of its plans. */
export function buildPlansReport(
  content: BalanceContent,
  district: { name: string },
  buildings: readonly PlanBuilding[],
  versions: Iterable<PlanVersion>,
): PlansReport {
  const latest = latestPlans(versions);
  const known = new Set(buildings.map((b) => b.id));
  const buildingLatest = new Map([...latest].filter(([k]) => k !== '' && known.has(k)));
  const sbs = sideBySide(content, buildings, buildingLatest);
  const districtPlan = latest.get('');
  return {
    title: content.title,
    functions: sbs.functions.map((f, i) => ({ n: i + 1, id: f.id, topic: f.topic })),
    buildings: sbs.buildings.map((b) =>
      planOf(content, 'building', b.name, buildingLatest.get(b.id) as PlanVersion),
    ),
    notSubmitted: sbs.notSubmitted,
    district: districtPlan ? planOf(content, 'district', district.name, districtPlan) : null,
  };
}

import { DomainError } from './errors';

/**
 * The toolkit's Section 3 table, "Maintaining Balance in the Continuous Improvement Process" (Handout 3), as data
 * (rubrics/*.json, object `balance`), and the Activity 3 action plans made from it: each building team says, for
 * every building-team function, whether it is in place or must be created or strengthened, and with what actions;
 * the district team does the same for the district-team functions, after reading the buildings' plans.
 */
export interface BalanceRow {
  /** A stable id of ours (stored in plans), e.g. "team". */
  id: string;
  /** A short label of ours for narrow tables (the toolkit's table has no row headings). */
  topic: string;
  building?: string | undefined;
  collaborative?: string | undefined;
  collaborativeBullets?: readonly string[] | undefined;
  district?: string | undefined;
  /** One text across the three columns (a function of both teams). */
  spanning?: string | undefined;
}

export interface BalanceContent {
  source: string;
  title: string;
  /** Activity 3, step 2, the building teams' part and the district team's part, quoted. */
  buildingStep: string;
  districtStep: string;
  rows: readonly BalanceRow[];
  /** The statement under the table. */
  closing: string;
}

export type PlanSide = 'building' | 'district';

/** One function a template asks about: its row and its text for that side. */
export interface BalanceFunction {
  id: string;
  topic: string;
  text: string;
}

/** The functions of one side's template, in the table's order: a row's own column, or its spanning text. */
export function functionsOf(content: BalanceContent, side: PlanSide): BalanceFunction[] {
  return content.rows.flatMap((r) => {
    const text = r[side] ?? r.spanning;
    return text ? [{ id: r.id, topic: r.topic, text }] : [];
  });
}

export const STATUSES = ['in-place', 'create', 'strengthen'] as const;
export type FunctionStatus = (typeof STATUSES)[number];
export const STATUS_LABEL: Record<FunctionStatus, string> = {
  'in-place': 'in place',
  create: 'create',
  strengthen: 'strengthen',
};

/** Limits of a plan: actions per function and characters per action. */
export const PLAN_LIMITS = { actions: 10, actionLength: 300 } as const;

export interface PlanEntry {
  functionId: string;
  status: FunctionStatus;
  actions: string[];
}

/**
 * One version of a plan: a building team's (buildingId) or the district team's (buildingId null). Every save adds a
 * version counted from 1 per plan; earlier versions stay as the history. Dates are ISO strings.
 */
export interface PlanVersion {
  tenantId: string;
  districtId: string;
  buildingId: string | null;
  version: number;
  entries: PlanEntry[];
  submittedAt: string;
  submittedBy: string;
}

/**
 * Checks a plan's entries against its side's functions: known functions, each once, a status, at most
 * PLAN_LIMITS actions of at most PLAN_LIMITS characters (trimmed, blanks dropped), and at least one action for a
 * function to create or strengthen. Returns the entries in the table's order; errors are keyed `<function>.status`
 * or `<function>.actions` (the form's fields).
 */
export function checkEntries(content: BalanceContent, side: PlanSide, entries: PlanEntry[]): PlanEntry[] {
  const fns = functionsOf(content, side);
  const errors: Record<string, string> = {};
  const byId = new Map<string, PlanEntry>();
  for (const e of entries) {
    if (!fns.some((f) => f.id === e.functionId)) {
      errors[`${e.functionId.slice(0, 40)}.status`] = 'is not a function of this template';
      continue;
    }
    const at = (field: 'status' | 'actions', message: string) => {
      errors[`${e.functionId}.${field}`] = message;
    };
    const actions = e.actions.map((a) => a.trim()).filter((a) => a !== '');
    if (byId.has(e.functionId)) at('status', 'is given twice');
    else if (!STATUSES.includes(e.status)) at('status', 'needs a status: in place, create or strengthen');
    else if (actions.length > PLAN_LIMITS.actions)
      at('actions', `has ${actions.length} actions; at most ${PLAN_LIMITS.actions}`);
    else if (actions.some((a) => a.length > PLAN_LIMITS.actionLength))
      at('actions', `has an action longer than ${PLAN_LIMITS.actionLength} characters`);
    else if (e.status !== 'in-place' && actions.length === 0)
      at('actions', `is to ${STATUS_LABEL[e.status]}: say at least one action`);
    byId.set(e.functionId, { functionId: e.functionId, status: e.status, actions });
  }
  const fields = Object.keys(errors);
  if (fields.length) {
    const first = fields[0] as string;
    const id = first.slice(0, first.lastIndexOf('.'));
    const fn = fns.find((f) => f.id === id);
    throw new DomainError(
      'invalid-input',
      `${fn ? `"${fn.topic}"` : `Function "${id}"`} ${errors[first]}.${fields.length > 1 ? ` (${fields.length - 1} more to fix.)` : ''} Nothing was saved.`,
      errors,
    );
  }
  return fns.flatMap((f) => {
    const e = byId.get(f.id);
    return e ? [e] : [];
  });
}

/** Replaces (or adds) one function's entry in a plan's entries, keeping the others. */
export const withEntry = (entries: readonly PlanEntry[], entry: PlanEntry): PlanEntry[] => [
  ...entries.filter((e) => e.functionId !== entry.functionId),
  entry,
];

/** The latest version of each plan, keyed by building id ("" for the district's plan). */
export function latestPlans(versions: Iterable<PlanVersion>): Map<string, PlanVersion> {
  const out = new Map<string, PlanVersion>();
  for (const v of versions) {
    const key = v.buildingId ?? '';
    const cur = out.get(key);
    if (!cur || v.version > cur.version) out.set(key, v);
  }
  return out;
}

/** A building as the plan views name it. */
export interface PlanBuilding {
  id: string;
  name: string;
}

/** Functions × buildings: each building's status per building-team function, and who has not submitted. */
export interface SideBySide {
  functions: BalanceFunction[];
  buildings: Array<PlanBuilding & { version: number; submittedAt: string }>;
  /** statuses[function index][building index]; null where that building has not answered. */
  statuses: Array<Array<FunctionStatus | null>>;
  notSubmitted: PlanBuilding[];
}

export function sideBySide(
  content: BalanceContent,
  buildings: readonly PlanBuilding[],
  latest: ReadonlyMap<string, PlanVersion>,
): SideBySide {
  const functions = functionsOf(content, 'building');
  const sorted = [...buildings].sort((a, b) => a.name.localeCompare(b.name));
  const submitted = sorted.filter((b) => latest.has(b.id));
  const statusOf = (b: PlanBuilding, fnId: string) =>
    latest.get(b.id)?.entries.find((e) => e.functionId === fnId)?.status ?? null;
  return {
    functions,
    buildings: submitted.map((b) => {
      const v = latest.get(b.id) as PlanVersion;
      return { ...b, version: v.version, submittedAt: v.submittedAt };
    }),
    statuses: functions.map((f) => submitted.map((b) => statusOf(b, f.id))),
    notSubmitted: sorted.filter((b) => !latest.has(b.id)),
  };
}

/** What the buildings said about one row, shown beside the district-team function of that row. */
export interface DistrictPrefill {
  fn: BalanceFunction;
  /** The building-team function of the same row, when the row has one. */
  buildingFunction: BalanceFunction | null;
  counts: Record<FunctionStatus, number>;
  actions: Array<{ building: string; status: FunctionStatus; action: string }>;
}

/**
 * The District Action Planning template prefilled from the buildings' latest plans: for each district-team function,
 * how many buildings said the same row's building function is in place, to create or to strengthen, and their actions.
 */
export function districtPrefill(
  content: BalanceContent,
  buildings: readonly PlanBuilding[],
  latest: ReadonlyMap<string, PlanVersion>,
): DistrictPrefill[] {
  const bFns = functionsOf(content, 'building');
  const sorted = [...buildings].sort((a, b) => a.name.localeCompare(b.name));
  return functionsOf(content, 'district').map((fn) => {
    const counts: Record<FunctionStatus, number> = { 'in-place': 0, create: 0, strengthen: 0 };
    const actions: DistrictPrefill['actions'] = [];
    for (const b of sorted) {
      const e = latest.get(b.id)?.entries.find((x) => x.functionId === fn.id);
      if (!e) continue;
      counts[e.status] += 1;
      for (const a of e.actions) actions.push({ building: b.name, status: e.status, action: a });
    }
    return { fn, buildingFunction: bFns.find((f) => f.id === fn.id) ?? null, counts, actions };
  });
}

import {
  type DistrictPrefill,
  type FunctionStatus,
  PLAN_LIMITS,
  type PlanSide,
  type SideBySide,
  STATUS_LABEL,
} from '../../domain/balance';
import { code, em, join, plain, type RichText, rich, strong } from '../text';

/** One function on a plan form: the toolkit's words, the saved answer, and (district form) what buildings said. */
export interface PlanFunctionView {
  /** 1-based, the number people type (`plan 2 strengthen "…"`). */
  n: number;
  id: string;
  topic: string;
  text: string;
  status: FunctionStatus | null;
  actions: string[];
  /** District form only: the buildings' answers about the same row. */
  buildings?: Omit<DistrictPrefill, 'fn' | 'buildingFunction'> & { buildingFunction: string | null };
}

/**
 * A Building or District Action Planning template as a form (channel-neutral): the latest version's answers, or
 * empty ones; `version` is the version the form was drawn from (0: none yet), so a save from a stale form is refused.
 */
export interface PlanFormView {
  side: PlanSide;
  tenantId: string;
  districtId: string;
  districtName: string;
  /** The building's id and name (building plans), null for the district's plan. */
  buildingId: string | null;
  buildingName: string | null;
  /** The channel the plan is saved from: the building team's channel, or the district's. */
  channelId: string;
  title: string;
  step: string;
  functions: PlanFunctionView[];
  version: number;
  history: Array<{ version: number; submittedAt: string; submittedBy: string }>;
  /** The day of the last save in the district's time zone ("2026-11-24"); null before the first. */
  savedOn: string | null;
  /** Whether the asker may save it (else it is shown read-only). */
  canSave: boolean;
}

/** Every building's plan side by side, for the district team. */
export interface PlansOverview extends SideBySide {
  districtId: string;
  districtName: string;
  districtPlanVersion: number;
}

/** Form field names: `<function id>.status` (in-place|create|strengthen) and `<function id>.actions` (one a line). */
export const statusField = (id: string) => `${id}.status`;
export const actionsField = (id: string) => `${id}.actions`;

export const STATUS_CHOICES: ReadonlyArray<{ value: FunctionStatus; label: string }> = [
  { value: 'in-place', label: 'In place' },
  { value: 'create', label: 'Create' },
  { value: 'strengthen', label: 'Strengthen' },
];

export const PLAN_FORM_HINT = `One action a line, at most ${PLAN_LIMITS.actions} of ${PLAN_LIMITS.actionLength} characters; to create or strengthen a function, name at least one.`;

/** "Oak ES: 2 create, 1 strengthen"-like count line of the buildings' answers. */
export function countsLine(c: Record<FunctionStatus, number>): string {
  const parts = (['create', 'strengthen', 'in-place'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${STATUS_LABEL[s]}`);
  return parts.length ? parts.join(', ') : 'no building has answered';
}

const statusText = (s: FunctionStatus | null) => (s ? STATUS_LABEL[s] : 'not answered');

/** The plan as text: every function with its status and actions (command replies, the web console, fallbacks). */
export function planText(v: PlanFormView): RichText {
  const whose = v.buildingName ?? v.districtName;
  const head = rich`${strong(v.title)} — ${strong(whose)}${plain(
    v.version ? ` (version ${v.version})` : ' (not submitted yet)',
  )}`;
  const lines = v.functions.map((f) => {
    const actions = f.actions.map((a) => rich`\n   • ${a}`);
    const from = f.buildings
      ? rich`\n   ${em(`Buildings: ${countsLine(f.buildings.counts)}`)}${join(
          f.buildings.actions.map(
            (a) => rich`\n   – ${a.building} (${plain(STATUS_LABEL[a.status])}): ${a.action}`,
          ),
          '',
        )}`
      : plain('');
    return rich`${plain(`${f.n}. `)}${strong(f.topic)}: ${plain(statusText(f.status))}${join(actions, '')}${from}`;
  });
  const how =
    v.side === 'building'
      ? rich`Change one function with ${code('plan <number> in-place|create|strengthen "action" "action"')}.`
      : rich`A coordinator changes one function with ${code('plan district <number> in-place|create|strengthen "action"')}.`;
  return join([head, ...lines, v.canSave ? how : plain('')], '\n');
}

/** Functions × buildings as text, and who has not submitted. */
export function overviewText(o: PlansOverview): RichText {
  const head = rich`${strong('Maintaining Balance — building action plans')} for ${strong(o.districtName)}`;
  if (o.buildings.length === 0 && o.notSubmitted.length === 0)
    return rich`${head}\nNo building teams are registered yet (${code('building add')}).`;
  const rows = o.functions.map((f, i) => {
    const cells = o.buildings.map(
      (b, j) => rich`${b.name}: ${plain(statusText(o.statuses[i]?.[j] ?? null))}`,
    );
    return rich`${plain(`${i + 1}. `)}${strong(f.topic)} — ${cells.length ? join(cells, ' · ') : plain('—')}`;
  });
  const missing = o.notSubmitted.length
    ? rich`Not submitted yet: ${join(
        o.notSubmitted.map((b) => b.name),
        ', ',
      )}`
    : plain('Every building team has submitted its plan.');
  const district = o.districtPlanVersion
    ? plain(`District plan: version ${o.districtPlanVersion} (plan district).`)
    : rich`District plan: not saved yet (${code('plan district')}).`;
  return join([head, ...rows, missing, district], '\n');
}

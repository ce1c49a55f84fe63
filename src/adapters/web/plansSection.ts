import type { PlanReportPlan, PlansReport } from '../../app/plans/planReport';
import { type FunctionStatus, STATUS_LABEL } from '../../domain/balance';
import { esc } from './pages';

/**
 * The dashboard's Action plans section (Activity 3, as the plans stand): functions × buildings with each building's
 * status, the buildings that have not submitted, and the district template's statuses and actions. Every typed
 * value is escaped (`esc`); the tables scroll inside their own box on a narrow screen.
 */
const cell = (s: FunctionStatus | null): string =>
  s
    ? `<td class="plan-${s}" data-status="${s}">${esc(STATUS_LABEL[s])}</td>`
    : '<td class="muted" data-status="">not answered</td>';

const scroll = (label: string, table: string): string =>
  `<div class="table-scroll" role="region" tabindex="0" aria-label="${esc(label)}">${table}</div>`;

function sideBySide(p: PlansReport): string {
  if (!p.buildings.length) return '';
  const head = p.buildings.map((b) => `<th scope="col">${esc(b.name)}</th>`).join('');
  const rows = p.functions
    .map(
      (f, i) =>
        `<tr data-function="${esc(f.id)}"><th scope="row">${f.n}. ${esc(f.topic)}</th>${p.buildings
          .map((b) => cell(b.functions[i]?.status ?? null))
          .join('')}</tr>`,
    )
    .join('');
  return scroll(
    'Building action plans side by side',
    `<table class="plain" data-testid="plans"><thead><tr><th scope="col">Function</th>${head}</tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function districtTable(x: PlanReportPlan | null): string {
  if (!x)
    return '<p class="muted" data-testid="district-plan">Not saved yet. A coordinator fills it in the chat with <code>plan district</code>.</p>';
  const rows = x.functions
    .map(
      (f) =>
        `<tr data-function="${esc(f.id)}"><th scope="row">${f.n}. ${esc(f.topic)}</th>${cell(f.status)}<td>${
          f.actions.length ? `<ul>${f.actions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` : ''
        }</td></tr>`,
    )
    .join('');
  return `<p class="muted">Version ${x.version}, saved ${esc(x.submittedAt.slice(0, 10))}</p>${scroll(
    'District action plan',
    `<table class="plain" data-testid="district-plan"><thead><tr><th scope="col">Function</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>${rows}</tbody></table>`,
  )}`;
}

export function plansSection(p: PlansReport | null | undefined): string {
  if (!p) return '';
  const missing = p.notSubmitted.length
    ? `<p data-testid="plans-missing">Not submitted yet: ${p.notSubmitted.map((b) => esc(b.name)).join(', ')}</p>`
    : p.buildings.length
      ? '<p class="muted">Every building team has submitted its plan.</p>'
      : '<p class="muted">No building teams yet (<code>building add</code>).</p>';
  return `<section><h2>Action plans</h2><p class="muted">${esc(p.title)}: each building team's latest template (<code>plans</code> in the chat).</p>${sideBySide(p)}${missing}<h3>District template</h3>${districtTable(p.district)}</section>`;
}

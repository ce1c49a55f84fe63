import type { ActionsView, ActionView } from '../../app/actions/actionViews';
import { esc } from './pages';

/** The dashboard's Actions section: open and done actions by rubric row, every typed value escaped (`esc`). */
export function actionsSection(v: ActionsView | undefined): string {
  if (!v) return '';
  if (v.rows.length === 0) {
    return '<section><h2>Actions</h2><p class="muted">No actions yet. A coordinator adds one in the chat with <code>action add &lt;row&gt; "text" owner=@person due=2027-02-01 target=3</code>.</p></section>';
  }
  const line = (a: ActionView) =>
    `<tr data-testid="action"><td>${esc(a.text)}</td><td>${esc(a.ownerName)}</td><td>${esc(a.due)}</td><td>${esc(a.targetLabel)}</td><td class="status-${a.status}">${
      a.status === 'done'
        ? `done${a.doneOn ? ` ${esc(a.doneOn)}` : ''}${a.doneByName ? ` by ${esc(a.doneByName)}` : ''}`
        : 'open'
    }</td><td class="muted">${esc(a.cycle)}</td></tr>`;
  const rows = v.rows
    .map(
      (g) =>
        `<h3>${g.rowNumber ? `Row ${g.rowNumber}: ` : ''}${esc(g.rowTitle)}</h3><div class="table-scroll" role="region" tabindex="0" aria-label="Actions of ${esc(g.rowTitle)}"><table class="plain"><thead><tr>${['Action', 'Owner', 'Due', 'Target', 'Status', 'Cycle'].map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${[...g.open, ...g.done].map(line).join('')}</tbody></table></div>`,
    )
    .join('\n');
  return `<section><h2>Actions</h2><p class="muted">${v.open} open · ${v.done} done</p>${rows}</section>`;
}

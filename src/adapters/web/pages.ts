import type { Dashboard, DashboardRubric } from '../../app/reviews/dashboardView';
import { type ReviewResults, type RowResult, statusText } from '../../app/reviews/resultsModel';
import { neutralizeBidi } from '../../app/text';
import { showTime } from '../../app/when';
import type { Distribution } from '../../domain/consensus';
import { actionsSection } from './actionsSection';
import { plansSection } from './plansSection';

/**
 * Server-rendered HTML for the dashboard and results pages. Every dynamic value goes through `esc`, the one HTML
 * escaper (text and attribute values alike); bidi overrides are dropped so a name cannot reorder the page's text.
 */
export const esc = (v: unknown): string =>
  neutralizeBidi(String(v ?? '')).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** Building-team submission status, when the deployment records it (issue 6). */
export interface BuildingStatus {
  building: string;
  status: string;
  detail?: string;
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="stylesheet" href="/web/style.css"></head>
<body>${body}</body></html>`;
}

const num = (n: number | null): string => (n === null ? '–' : String(Math.round(n * 100) / 100));
const signed = (n: number | null): string => (n === null ? '–' : n > 0 ? `+${num(n)}` : num(n));

export function distributionBar(d: Distribution, levelNames: readonly string[]): string {
  if (d.total === 0) return '<span class="muted">no votes</span>';
  const segs = d.levels
    .map((n, i) =>
      n > 0
        ? `<span class="seg lvl-${i + 1}" style="width:${(100 * n) / d.total}%" title="${esc(levelNames[i])}: ${n}"></span>`
        : '',
    )
    .join('');
  const unsure = d.unsure
    ? `<span class="seg unsure" style="width:${(100 * d.unsure) / d.total}%" title="Not sure: ${d.unsure}"></span>`
    : '';
  const counts = d.levels.map((n, i) => `${esc(levelNames[i]?.[0] ?? i + 1)}${n}`).join(' ');
  // The bar and the abbreviated counts are for the eye; a screen reader hears the level names instead.
  const spoken = [
    ...d.levels.map((n, i) => `${esc(levelNames[i] ?? i + 1)} ${n}`),
    ...(d.unsure ? [`Not sure ${d.unsure}`] : []),
  ];
  return `<span class="bar" aria-hidden="true">${segs}${unsure}</span> <span class="counts" aria-hidden="true">${counts}${d.unsure ? ` ?${d.unsure}` : ''}</span><span class="visually-hidden">Votes: ${spoken.join(', ')}</span>`;
}

function heatMap(r: DashboardRubric, link: (path: string) => string): string {
  const head = r.cycles
    .map(
      (c) =>
        `<th scope="col"><a href="${esc(link(`/dashboard/reviews/${encodeURIComponent(c.reviewId)}`))}">${esc(c.cycle)}</a><div class="muted">${c.status === 'active' ? `round ${c.round}` : c.status}</div></th>`,
    )
    .join('');
  const rows = r.rows
    .map((row) => {
      const cells = row.cells
        .map((c) => {
          if (!c) return '<td class="cell none">–</td>';
          if (c.rating === null) {
            const what = c.status === 'voting' ? 'voting' : 'not settled';
            return `<td class="cell ns" data-rating="">${what}</td>`;
          }
          return `<td class="cell lvl-${c.rating}" data-rating="${c.rating}">${esc(r.levelNames[c.rating - 1])}</td>`;
        })
        .join('');
      const latest = !row.latest
        ? '<span class="muted">no closed round yet</span>'
        : row.latest.distribution.total === 0
          ? `<span class="muted">no votes in round ${row.latest.round}</span>`
          : `${distributionBar(row.latest.distribution, r.levelNames)} <span class="muted">round ${row.latest.round}</span>`;
      return `<tr data-row="${esc(row.rowId)}"><th scope="row">${row.rowNumber}. ${esc(row.title)}</th>${cells}<td class="latest">${latest}</td><td class="gap">${signed(row.latest?.gap ?? null)}</td></tr>`;
    })
    .join('\n');
  return `<section><h2>${esc(r.rubricTitle)}</h2>
<div class="table-scroll" role="region" tabindex="0" aria-label="${esc(r.rubricTitle)}: ratings by cycle">
<table class="heat" data-testid="heatmap"><thead><tr><th scope="col">Row</th>${head}<th scope="col">Latest round distribution</th><th scope="col" title="district median − building median">District − building gap</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<p class="legend">${r.levelNames.map((n, i) => `<span class="key lvl-${i + 1}">${esc(n)}</span>`).join(' ')} <span class="key unsure">Not sure</span> · gap &gt; 0: the district rates itself higher than its buildings do.</p>
</section>`;
}

export function dashboardPage(
  d: Dashboard,
  link: (path: string) => string,
  buildings: BuildingStatus[] | null,
  expiresAt: Date,
  /** The co-op network the district is in (a link to its network page), if any. */
  network: { name: string } | null = null,
): string {
  const net = network
    ? `\n<section><h2>Co-op network</h2><p><a data-testid="network-link" href="${esc(link('/dashboard/network'))}">${esc(network.name)}: your district vs. the network</a></p></section>`
    : '';
  const rubrics = d.rubrics.length
    ? d.rubrics.map((r) => heatMap(r, link)).join('\n')
    : '<p>No reviews yet. A coordinator can start one in the chat with <code>review start "2026-27 Fall"</code>.</p>';
  const exportsList = d.rubrics
    .flatMap((r) => r.cycles)
    .map(
      (c) =>
        `<li>${esc(c.cycle)}: <a href="${esc(link(`/dashboard/reviews/${encodeURIComponent(c.reviewId)}`))}">results</a> · ${(['csv', 'json', 'md'] as const).map((f) => `<a href="${esc(link(`/dashboard/reviews/${encodeURIComponent(c.reviewId)}/export.${f}`))}">${f.toUpperCase()}</a>`).join(' · ')}</li>`,
    )
    .join('');
  const bld =
    buildings === null
      ? '<p class="muted">Building-team submissions are not tracked on this server.</p>'
      : buildings.length === 0
        ? '<p class="muted">No building teams yet.</p>'
        : `<div class="table-scroll" role="region" tabindex="0" aria-label="Building teams"><table class="plain"><thead><tr><th scope="col">Building</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Detail</span></th></tr></thead><tbody>${buildings
            .map(
              (b) =>
                `<tr><td>${esc(b.building)}</td><td class="status-${esc(b.status.replace(/[^a-z-]/gi, ''))}">${esc(b.status)}</td><td class="muted">${esc(b.detail ?? '')}</td></tr>`,
            )
            .join('')}</tbody></table></div>`;
  return page(
    `${d.districtName} — MICIP dashboard`,
    `<header><h1 data-testid="district">${esc(d.districtName)}</h1><p class="muted">MICIP collaboration dashboard · private link valid until ${esc(showTime(expiresAt, d.timezone))}</p></header>
<main>${rubrics}
${actionsSection(d.actions)}
${plansSection(d.plans)}
<section><h2>Exports</h2><ul>${exportsList || '<li class="muted">nothing to export yet</li>'}</ul></section>
<section><h2>Building teams</h2>${bld}</section>${net}</main>`,
  );
}

function rowDetail(r: ReviewResults, row: RowResult, levelNames: readonly string[]): string {
  const rounds = row.rounds.length
    ? `<div class="table-scroll" role="region" tabindex="0" aria-label="Rounds of row ${row.rowNumber}"><table class="plain"><thead><tr>${['Round', 'Distribution', 'Median', 'Gap', 'Settled'].map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${row.rounds
        .map(
          (f) =>
            `<tr><td>${f.round}</td><td>${distributionBar(f.distribution, levelNames)}</td><td>${num(f.median)}</td><td>${signed(f.gap)}</td><td>${f.settled ? 'yes' : f.reason === 'no-quorum' ? 'no (too few votes)' : 'no'}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p class="muted">No closed round yet.</p>';
  const evidence = row.evidence.length
    ? `<h3>Evidence</h3><ul>${row.evidence.map((e) => `<li>(round ${e.round}) ${esc(e.text)}${e.by ? ` <span class="muted">— ${esc(e.by)}</span>` : ''}</li>`).join('')}</ul>`
    : '';
  const reflection = row.reflection.length
    ? `<h3>Reflection</h3>${r.reflectionQuestions
        .map((q, qi) => {
          const answers = row.reflection.filter((a) => a.question === qi + 1);
          return answers.length
            ? `<p><em>${esc(q)}</em></p><ul>${answers.map((a) => `<li>${esc(a.text)}${a.by ? ` <span class="muted">— ${esc(a.by)}</span>` : ''}</li>`).join('')}</ul>`
            : '';
        })
        .join('')}`
    : row.rating !== null
      ? `<p class="muted">Reflect on this rating in the chat: <code>reflect ${row.rowNumber} 1 "…"</code></p>`
      : '';
  const prev = row.previous
    ? `<p>${esc(row.previous.cycle)}: ${esc(row.previous.ratingLabel)} (change ${signed(row.change)})</p>`
    : '';
  return `<section class="row" data-row="${esc(row.rowId)}"><h2>${row.rowNumber}. ${esc(row.title)} — <span class="${row.rating ? `pill lvl-${row.rating}` : 'pill ns'}" data-testid="rating">${esc(row.ratingLabel)}</span></h2>
<p>How reached: ${esc(row.howText)}</p>${prev}${rounds}${evidence}${reflection}</section>`;
}

export function resultsPage(r: ReviewResults, levelNames: readonly string[], back: string): string {
  const exportLinks = (['csv', 'json', 'md'] as const)
    .map(
      (f) =>
        `<a href="${esc(back.replace('/dashboard?', `/dashboard/reviews/${encodeURIComponent(r.reviewId)}/export.${f}?`))}">${f.toUpperCase()}</a>`,
    )
    .join(' · ');
  return page(
    `${r.districtName} — ${r.cycle}`,
    `<header><p><a href="${esc(back)}">← dashboard</a></p><h1>${esc(r.cycle)}</h1><p class="muted">${esc(r.districtName)} · ${esc(r.rubricTitle)} · ${r.rated} of ${r.rows.length} rows rated${r.cancelled ? ` · ${esc(statusText(r))}` : ''}${r.anonymous ? ' · anonymous' : ''}${r.previousCycle ? ` · compared with ${esc(r.previousCycle)}` : ''}</p><p>Export: ${exportLinks}</p></header>
<main>${r.rows.map((row) => rowDetail(r, row, levelNames)).join('\n')}</main>`,
  );
}

export function errorPage(status: number, message: string): string {
  return page(
    'MICIP dashboard',
    `<main><h1>${status === 403 ? 'Link not valid' : 'Not available'}</h1><p>${esc(message)}</p></main>`,
  );
}

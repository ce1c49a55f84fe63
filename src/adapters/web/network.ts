import { randomBytes } from 'node:crypto';
import type express from 'express';
import type { NetworkReading, NetworkService } from '../../app/network/networkService';
import type { RubricCatalog } from '../../app/ports';
import { showTime, zoneOf } from '../../app/when';
import { type NetworkDistribution, NOT_ENOUGH, SHARED } from '../../domain/network';
import { notesSection } from './networkNotes';
import { esc, page } from './pages';

/**
 * The co-op network page of a district's signed dashboard (`/dashboard/network?k=…`): the district vs. its network,
 * per rubric, cycle and row. Only what the view model holds — counts of districts per level where at least k
 * districts contributed, "not enough districts yet" below that, the district's own ratings, and the names of
 * districts that opted in. Every value goes through `esc`.
 */

/** A fresh invitation code: 12 characters of an unambiguous base32 alphabet (60 bits), from the CSPRNG. */
export function newNetworkCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let s = '';
  for (const b of randomBytes(12)) s += alphabet[b % 32];
  return s;
}

function distributionCells(d: NetworkDistribution | null, levels: number): string {
  if (!d) return `<td colspan="${levels + 1}" class="muted">${esc(NOT_ENOUGH)}</td>`;
  return [...d.levels, d.notSettled].map((n) => `<td class="count">${n}</td>`).join('');
}

export function networkPage(
  r: NetworkReading | null,
  rubrics: RubricCatalog,
  backLink: string,
  expiresAt: Date,
): string {
  const back = `<p><a href="${esc(backLink)}">← back to the dashboard</a></p>`;
  if (!r) {
    return page(
      'Co-op network — MICIP',
      `<main><h1>Co-op network</h1><p>This district is not in a co-op network. A coordinator joins one with <code>network join &lt;code&gt;</code> in the district's channel.</p>${back}</main>`,
    );
  }
  const v = r.view;
  const unnamed = v.memberCount - v.namedDistricts.length;
  const named = v.namedDistricts.length
    ? ` Named: ${v.namedDistricts.map(esc).join(', ')}${unnamed > 0 ? `; ${unnamed} not named` : ''}.`
    : '';
  const sections = v.rubrics.map((rubric) => {
    const cat = rubrics.get(rubric.rubricId);
    const levelNames = cat?.levels.map((l) => l.name) ?? ['1', '2', '3', '4'];
    const head = `<tr><th scope="col">Row</th>${levelNames.map((n) => `<th scope="col">${esc(n)}</th>`).join('')}<th scope="col">Not settled</th><th scope="col">Your district</th></tr>`;
    const cycles = rubric.cycles.map((c) => {
      const rows = c.rows
        .map((row) => {
          const title = cat?.rows.find((x) => x.id === row.rowId)?.title ?? row.rowId;
          const yours =
            row.yours === undefined
              ? '–'
              : row.yours === null
                ? 'not settled'
                : esc(levelNames[row.yours - 1]);
          return `<tr><th scope="row">${esc(title)}</th>${distributionCells(row.distribution, levelNames.length)}<td>${yours}</td></tr>`;
        })
        .join('');
      const caption = c.enough
        ? `${esc(c.cycle ?? '')} — ${c.contributors} districts`
        : `${esc(c.cycle ?? '')} — ${esc(NOT_ENOUGH)} (fewer than ${v.k})`;
      // Scrolls inside its own focusable region (as the dashboard's tables do): the page never scrolls sideways.
      return `<div class="table-scroll" role="region" tabindex="0" aria-label="${esc(cat?.title ?? rubric.rubricId)}, ${esc(c.cycle ?? '')}"><table class="plain network"><caption>${caption}</caption><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
    });
    const hidden = rubric.hiddenCycles
      ? `<p class="muted">${rubric.hiddenCycles} other cycle${rubric.hiddenCycles === 1 ? '' : 's'}: ${esc(NOT_ENOUGH)}.</p>`
      : '';
    return `<section><h2>${esc(cat?.title ?? rubric.rubricId)}</h2>${cycles.join('\n')}${hidden}</section>`;
  });
  const body = `${sections.length ? sections.join('\n') : `<p>No ratings yet: ${esc(NOT_ENOUGH)}.</p>`}${r.notes ? notesSection(r.notes, rubrics) : ''}`;
  return page(
    `${v.name} — MICIP co-op network`,
    `<header><h1 data-testid="network">${esc(v.name)}</h1><p class="muted">Co-op network · ${r.district ? `${esc(r.district.name)} vs. the network · ` : ''}private link valid until ${esc(showTime(expiresAt, zoneOf(r.district)))}</p></header>
<main><p>${v.memberCount} member district${v.memberCount === 1 ? '' : 's'}.${named} Each count is a number of districts; a count appears only when at least ${v.k} districts contributed. Shared: ${esc(SHARED)}.</p>
${body}
${back}</main>`,
  );
}

/** GET /dashboard/network: the signed link's district and its network (the dashboard router checked the link). */
export function networkRoute(network: NetworkService): express.RequestHandler {
  return async (_req, res) => {
    const c = res.locals.claims as { t: string; d: string; e: number; n?: 1 };
    const k = encodeURIComponent(String(res.locals.token));
    const reading = await network.readForDistrict(c.t, c.d, { notes: c.n === 1 });
    res.type('html').send(networkPage(reading, network.rubrics, `/dashboard?k=${k}`, new Date(c.e * 1000)));
  };
}

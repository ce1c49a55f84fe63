import type { Counts, Participation } from '../../domain/networkReport';
import { join, plain, type RichText, rich, strong } from '../text';
import type { StatusReading } from './networkReports';

/** The facilitator's participation report as rich text: counts, and names only of districts that chose to be named. */

const STATE: Record<Participation, string> = {
  complete: 'complete',
  settled: 'ratings settled (a round closed)',
  open: 'review under way',
  none: 'no review',
};

const countsText = (c: Counts) =>
  (['complete', 'settled', 'open', 'none'] as const)
    .filter((s) => c[s] > 0)
    .map((s) => `${c[s]} ${STATE[s]}`)
    .join(', ') || 'none';

function one(r: StatusReading): RichText {
  const lines: RichText[] = [
    rich`Co-op network ${strong(r.networkName)}: ${String(r.memberCount)} member district${plain(r.memberCount === 1 ? '' : 's')}. Participation only; ratings are in the network view (at least ${String(r.k)} districts each).`,
  ];
  if (r.cycle) {
    const c = r.cycle;
    const counted = c.counts.complete + c.counts.settled;
    lines.push(
      rich`${strong(c.cycle)}: ${String(counted)} of ${String(c.memberCount)} districts have settled ratings (${plain(countsText(c.counts))}).`,
    );
    for (const d of c.named) lines.push(rich`• ${d.name}: ${plain(STATE[d.state])}`);
    const unnamed = Object.values(c.unnamed).reduce((a, b) => a + b, 0);
    if (unnamed > 0) lines.push(rich`• ${String(unnamed)} not named: ${plain(countsText(c.unnamed))}`);
  } else if (r.overview) {
    for (const c of r.overview.cycles) {
      lines.push(
        rich`• ${c.cycle}: ${String(c.withReview)} districts with a review, ${String(c.counted)} with settled ratings, ${String(c.complete)} complete`,
      );
    }
    if (r.overview.hidden > 0) {
      lines.push(
        plain(
          `${r.overview.hidden} other cycle${r.overview.hidden === 1 ? '' : 's'} with fewer than ${r.k} districts (not named).`,
        ),
      );
    }
    if (r.overview.cycles.length + r.overview.hidden === 0) lines.push(plain('No reviews yet.'));
    lines.push(plain('Name a cycle to see each district: network status "2026-27 Fall".'));
  }
  return join(lines, '\n');
}

export const statusText = (rs: readonly StatusReading[]): RichText =>
  join(
    rs.map((r) => one(r)),
    '\n\n',
  );

import type { Counts, Participation } from '../../domain/networkReport';
import { join, plain, type RichText, rich, strong } from '../text';
import type { RemindResult } from './networkReminders';
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

/** To a member district's channel: the network and the cycle, nothing about other districts. */
export function remindNotice(networkName: string, cycle: string, state: 'none' | 'open'): RichText {
  const where =
    state === 'none'
      ? rich`your district has no review of ${strong(cycle)} yet`
      : rich`your district's review of ${strong(cycle)} is not finished yet`;
  return rich`${strong('Coordinators:')} a reminder from the co-op network ${strong(networkName)}: ${where}. The facilitators see only whether a district finished it; the network's view shows settled ratings only as counts of districts.`;
}

const names = (label: string, list: readonly string[]): RichText[] =>
  list.length > 0 ? [rich`${plain(label)} ${join(list, ', ')}`] : [];

/** The facilitator's reply: counts, and names only of the districts that chose to be named. */
export const remindText = (rs: readonly RemindResult[]): RichText =>
  join(
    rs.map((r) =>
      join(
        [
          rich`Co-op network ${strong(r.networkName)}, ${strong(r.cycle)}: ${String(r.reminded)} reminded now, ${String(r.alreadyToday)} already reminded today, ${String(r.unreachable)} unreachable (try again later), ${String(r.finished)} already finished.`,
          ...names('Reminded (named):', r.named.reminded),
          ...names('Already reminded today (named):', r.named.alreadyToday),
          ...names('Unreachable (named):', r.named.unreachable),
        ],
        '\n',
      ),
    ),
    '\n\n',
  );

import { type ComparisonCardView, NOT_SETTLED } from '../../app/reviews/comparisonCard';
import type { GroupPollView, GroupThreadsView } from '../../app/reviews/groupPolls';
import { join, plain, rich, strong } from '../../app/text';
import { type AdaptiveCard, cardFallback, type PollCardOptions, renderPollCard } from './render';
import { type RunStyle, toRuns } from './teamsText';

/**
 * Small groups in Teams: the card each group's conversation hangs from ("Group A: Alex, Blair, …"), a group's own
 * poll (the team's poll card whose actions carry the group), and `groups compare` as an Adaptive Card (per row a
 * ColumnSet with a column per group: its rating or "not settled"). User values are TextRuns (never markdown).
 */

const runs = (t: Parameters<typeof toRuns>[0], style: RunStyle = {}) => ({
  type: 'RichTextBlock',
  inlines: toRuns(t, style),
});

const card = (fallback: string, body: unknown[]): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  msteams: { width: 'Full' },
  fallbackText: fallback,
  body,
});

/** The card a group's conversation hangs from: its name and people, and what the replies are for. */
export function renderGroupHeaderCard(
  t: GroupThreadsView,
  g: GroupThreadsView['groups'][number],
): AdaptiveCard {
  return card(cardFallback(rich`${g.name}: ${join(g.people, ', ')}`), [
    runs(rich`${strong(g.name)}: ${g.people.length ? join(g.people, ', ') : rich`nobody`}`, {
      size: 'Medium',
    }),
    runs(
      rich`Small group of “${t.cycle}”, round ${t.round}: this group rates each row in the replies below, on its own. Only its people can vote on these polls; every vote still counts for the whole team.`,
      { isSubtle: true },
    ),
  ]);
}

/** Adds `group` to the data of every poll action (vote, evidence, refresh) of a rendered poll card. */
function withGroup(node: unknown, group: string): unknown {
  if (Array.isArray(node)) return node.map((n) => withGroup(n, group));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const isPollData =
      k === 'data' && v && typeof v === 'object' && 'reviewId' in v && 'rowId' in (v as object);
    out[k] = isPollData ? { ...(v as object), group } : withGroup(v, group);
  }
  return out;
}

/** A group's own poll card: the poll, a line naming the group, and actions that carry the group. */
export function renderGroupPollCard(view: GroupPollView, opts: PollCardOptions = {}): AdaptiveCard {
  const base = withGroup(renderPollCard(view, opts), view.group) as AdaptiveCard;
  const who = runs(
    rich`${strong(view.group)}'s poll: only ${view.group} votes here${view.votingOpen ? rich`` : rich` (no more votes here)`}.`,
    { weight: 'Bolder' },
  );
  return { ...base, body: [who, ...base.body] };
}

/** `groups compare` as an Adaptive Card: the groups side by side, one ColumnSet per row. */
export function renderComparisonCard(c: ComparisonCardView): AdaptiveCard {
  const body: unknown[] = [
    runs(rich`${strong(rich`Small groups of “${c.cycle}”`)}, ${c.state}`, { size: 'Medium' }),
    runs(
      rich`Each group's rating by the review's consensus rule applied to that group's votes, or “${plain(NOT_SETTLED)}”. ${join(
        c.groups.map((g) => rich`${g.name} (${g.size})`),
        ' · ',
      )}`,
      { isSubtle: true },
    ),
  ];
  if (!c.rows.length) body.push(runs(rich`Nobody has voted in this round yet.`));
  for (const r of c.rows) {
    const notes = [
      ...(r.differ ? [rich`the groups differ by a level or more`] : []),
      ...(r.outside ? [rich`${r.outside} vote(s) in no group`] : []),
    ];
    body.push({
      ...runs(
        rich`${strong(rich`${r.rowNumber}. ${r.title}`)}${notes.length ? rich` — ${join(notes, '; ')}` : rich``}`,
      ),
      separator: true,
      spacing: 'Medium',
    });
    body.push({
      type: 'ColumnSet',
      columns: r.cells.map((cell) => ({
        type: 'Column',
        width: 'stretch',
        items: [
          runs(rich`${cell.group}`, { weight: 'Bolder' }),
          runs(rich`${cell.rating ?? NOT_SETTLED}`, { color: cell.rating ? 'Good' : 'Warning' }),
          runs(rich`${cell.detail}`, { isSubtle: true, size: 'Small' }),
        ],
      })),
    });
  }
  if (c.differOn.length)
    body.push(
      runs(rich`The groups differ on row(s) ${c.differOn.join(', ')}: talk these through as a whole team.`),
    );
  return card(cardFallback(rich`Small groups of “${c.cycle}”, ${c.state}`), body);
}

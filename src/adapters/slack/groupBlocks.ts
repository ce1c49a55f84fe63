import type { types } from '@slack/bolt';
import type { ComparisonCardView } from '../../app/reviews/comparisonCard';
import { NOT_SETTLED } from '../../app/reviews/comparisonCard';
import type { GroupPollView, GroupThreadsView } from '../../app/reviews/groupPolls';
import { clip, em, join, type RichText, rich, strong } from '../../app/text';
import { LIMITS, pollBlocks, pollRef } from './blocks';
import { toMrkdwn } from './mrkdwn';

type KnownBlock = types.KnownBlock;

/**
 * Small groups in Slack: the header message of a group's thread, its own polls (the team's poll blocks, with a
 * line saying whose poll it is and buttons that carry the group), and `groups compare` as Block Kit: one section
 * per row with a field per group (rating or "not settled"). Every user value goes through RichText (escaped).
 */

const section = (t: RichText): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(toMrkdwn(t), LIMITS.sectionText) },
});
const context = (t: RichText): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(toMrkdwn(t), LIMITS.sectionText) }],
});

/** The value of a group poll's buttons: `reviewId|rowId|g:<group>` (parsePollRef reads it back). */
export const groupPollRef = (reviewId: string, rowId: string, group: string): string =>
  `${pollRef(reviewId, rowId)}|g:${encodeURIComponent(group)}`;

/** "Group A: Alex, Blair, …" — the message each group's thread hangs from. */
export function groupHeaderText(g: GroupThreadsView['groups'][number]): RichText {
  return rich`${strong(g.name)}: ${g.people.length ? join(g.people, ', ') : rich`nobody`}`;
}

export function groupHeaderBlocks(t: GroupThreadsView, g: GroupThreadsView['groups'][number]): KnownBlock[] {
  return [
    section(groupHeaderText(g)),
    context(
      rich`Small group of “${t.cycle}”, round ${t.round}: this group rates each row in this thread, on its own. Only its people can vote on these polls; every vote still counts for the whole team.`,
    ),
  ];
}

export const groupHeaderFallback = (g: GroupThreadsView['groups'][number]): string =>
  clip(`${g.name}: ${g.people.join(', ') || 'nobody'}`, LIMITS.messageText);

/** A group's own poll: the poll's blocks, whose buttons carry the group, under a line naming the group. */
export function groupPollBlocks(p: GroupPollView): KnownBlock[] {
  const team = pollRef(p.reviewId, p.rowId);
  const own = groupPollRef(p.reviewId, p.rowId, p.group);
  const blocks = pollBlocks(p).map((b) => {
    if (b.type === 'section' && b.accessory?.type === 'button' && b.accessory.value === team)
      return { ...b, accessory: { ...b.accessory, value: clip(own, LIMITS.buttonValue) } };
    if (b.type === 'actions')
      return {
        ...b,
        elements: b.elements.map((e) =>
          e.type === 'button' && e.value === team ? { ...e, value: clip(own, LIMITS.buttonValue) } : e,
        ),
      };
    return b;
  });
  const [head, ...rest] = blocks;
  const who = context(
    rich`${strong(p.group)}'s poll: only ${p.group} votes here${p.votingOpen ? rich`` : rich` (no more votes here)`}.`,
  );
  return (head ? [head, who, ...rest] : [who]).slice(0, LIMITS.blocksPerMessage);
}

export const groupPollFallback = (p: GroupPollView): string =>
  clip(`${p.group}'s poll, row ${p.rowNumber}: ${p.title}`, LIMITS.messageText);

/** Slack allows 10 fields a section, 2000 characters each. */
const FIELDS_PER_SECTION = 10;

/** `groups compare` as Block Kit: a header, then per row a section with one field per group. */
export function comparisonBlocks(c: ComparisonCardView): KnownBlock[] {
  const blocks: KnownBlock[] = [
    section(rich`${strong(rich`Small groups of “${c.cycle}”`)}, ${c.state}`),
    context(
      rich`Each group's rating by the review's consensus rule applied to that group's votes, or “${NOT_SETTLED}”. ${join(
        c.groups.map((g) => rich`${g.name} (${g.size})`),
        ' · ',
      )}`,
    ),
  ];
  if (!c.rows.length) blocks.push(section(rich`Nobody has voted in this round yet.`));
  for (const r of c.rows) {
    const fields = r.cells.slice(0, FIELDS_PER_SECTION).map((cell) => ({
      type: 'mrkdwn' as const,
      text: clip(
        toMrkdwn(rich`${strong(cell.group)}\n${cell.rating ?? NOT_SETTLED}\n${em(cell.detail)}`),
        2000,
      ),
    }));
    const notes = [
      ...(r.differ ? [rich`the groups differ by a level or more`] : []),
      ...(r.outside ? [rich`${r.outside} vote(s) in no group`] : []),
    ];
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          toMrkdwn(
            rich`${strong(rich`${r.rowNumber}. ${r.title}`)}${notes.length ? rich` — ${join(notes, '; ')}` : rich``}`,
          ),
          LIMITS.sectionText,
        ),
      },
      fields,
    });
  }
  if (c.differOn.length)
    blocks.push(
      context(
        rich`The groups differ on row(s) ${c.differOn.join(', ')}: talk these through as a whole team.`,
      ),
    );
  return blocks.slice(0, LIMITS.blocksPerMessage);
}

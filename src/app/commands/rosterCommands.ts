import { DomainError } from '../../domain/errors';
import type { ImportReport, RosterEntry, RosterView } from '../reviews/rosterService';
import { code, join, type RichText, rich, strong } from '../text';
import { confirmed, parseMention } from './parse';
import { type CommandEntry, command } from './types';

/** `roster`, `roster import|add|remove`: who is on the district team and who each open review's quorum counts. */

/** Names listed in one reply at most (a channel of thousands would not fit a chat message). */
const MAX_LISTED = 100;

type RosterArgs =
  | { op: 'show' }
  | { op: 'import' }
  | { op: 'add' | 'remove'; who: { id: string; name: string } };

const names = (entries: readonly RosterEntry[]): RichText => {
  const shown = entries
    .slice(0, MAX_LISTED)
    .map((e) => (e.coordinator ? rich`${e.displayName} (coordinator)` : rich`${e.displayName}`));
  const more = entries.length - shown.length;
  return more > 0 ? rich`${join(shown, ', ')} and ${more} more` : join(shown, ', ');
};

function showText(v: RosterView): RichText {
  const lines: RichText[] = [
    rich`${strong(v.districtName)}: ${v.members.length} member(s): ${v.members.length ? names(v.members) : rich`nobody yet`}.`,
  ];
  if (v.removed) lines.push(rich`${v.removed} taken off the roster (their past votes keep their names).`);
  for (const r of v.openReviews) {
    lines.push(
      r.roster
        ? rich`Quorum of “${r.cycle}” counts ${r.roster.length}: ${r.roster.length ? names(r.roster) : rich`nobody yet`}.`
        : rich`“${r.cycle}” started before rosters existed: its quorum counts every member above.`,
    );
  }
  if (!v.openReviews.length)
    lines.push(rich`No review is open: the next ${code('review start')} takes this roster.`);
  return join(lines, '\n');
}

function importText(r: ImportReport): RichText {
  const parts: RichText[] = [
    rich`Imported the channel's members: ${r.added} added, ${r.alreadyThere} already on the roster, ${r.skipped} bot(s) or deactivated account(s) skipped.`,
  ];
  if (r.keptOff)
    parts.push(
      rich`${r.keptOff} taken off the roster earlier stayed off (put them back with ${code('roster add @person')}).`,
    );
  if (r.overLimit) parts.push(rich`${r.overLimit} beyond the first 5,000 were not imported.`);
  if (r.reviews.length)
    parts.push(
      rich`They count for the quorum of ${join(
        r.reviews.map((c) => rich`“${c}”`),
        ', ',
      )}.`,
    );
  return join(parts, '\n');
}

export const ROSTER_COMMANDS = {
  roster: command<RosterArgs>({
    name: 'roster',
    role: 'coordinator',
    usage: 'roster [import | add @person | remove @person]',
    summary: "who is on the district team and who the open review's quorum counts",
    help: [
      {
        usage: 'roster',
        summary: "the district's members and who the open review's quorum counts",
        role: 'coordinator',
      },
      {
        usage: 'roster import',
        summary: "put this channel's members on the roster in one go",
        role: 'coordinator',
      },
      {
        usage: 'roster add @person',
        summary: 'put someone on the roster (and the open review)',
        role: 'coordinator',
      },
      {
        usage: 'roster remove @person',
        summary:
          'take someone off: they stop counting for the quorum, their open-round votes no longer count',
        role: 'coordinator',
      },
    ],
    parse(tokens, usage) {
      const op = (tokens[0] ?? 'show').toLowerCase();
      if (op === 'show' || op === 'list') return { op: 'show' };
      if (op === 'import') {
        if (tokens.length > 1) throw usage('"roster import" takes no more words: it imports this channel.');
        return { op: 'import' };
      }
      if (op !== 'add' && op !== 'remove')
        throw usage(`Say import, add or remove (not "${op.slice(0, 40)}").`);
      const who = parseMention(tokens[1]);
      if (!who || tokens.length > 2) throw usage('Mention one person with @.');
      return { op, who };
    },
    async handle(args, ctx, env) {
      const rosters = env.reviews.rosters;
      if (args.op === 'show')
        return { kind: 'text', text: showText(await rosters.show(ctx.actor, ctx.channelId)) };
      if (args.op === 'import') {
        if (!ctx.channelMembers) {
          throw new DomainError(
            'invalid-state',
            "This chat platform cannot list the channel's members here: add people with roster add @person.",
          );
        }
        const report = await rosters.importChannel(ctx.actor, ctx.channelId, ctx.channelMembers);
        return { kind: 'text', text: importText(report) };
      }
      if (args.op === 'add') {
        const person = await confirmed(ctx, args.who);
        const r = await rosters.add(ctx.actor, {
          channelId: ctx.channelId,
          memberId: args.who.id,
          displayName: person.displayName,
        });
        const name = r.member.displayName || args.who.id;
        const review = r.reviews.length
          ? rich` and counts for the quorum of ${join(
              r.reviews.map((c) => rich`“${c}”`),
              ', ',
            )}`
          : rich``;
        return {
          kind: 'text',
          text: r.back
            ? rich`${name} is back on the roster${review}.`
            : rich`${name} is on the roster${review}.`,
        };
      }
      // Taking someone off needs no word from the platform: they may have left the workspace already.
      const r = await rosters.remove(ctx.actor, { channelId: ctx.channelId, memberId: args.who.id });
      const name = r.member.displayName || args.who.id;
      const votes = r.openVotes.map(
        (o) =>
          rich` Their ${o.votes} vote(s) in the open round of “${o.cycle}” are kept but no longer count (add them back before the close and they count again).`,
      );
      return {
        kind: 'text',
        text: rich`${name} is off the roster: they no longer count for any open or future review's quorum; closed rounds keep what they counted.${join(votes, '')}`,
      };
    },
  }),
} satisfies Record<string, CommandEntry>;

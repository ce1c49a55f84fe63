import type { ComparisonView, GroupsView } from '../reviews/groupService';
import { code, join, type RichText, rich, strong } from '../text';
import { parseMention } from './parse';
import { currentReviewId } from './reviewCommands';
import { type CommandEntry, command } from './types';

/**
 * `groups split N | "Name" @a @b … | compare | clear`: the toolkit's small groups on the open review (coordinators
 * split and clear; anyone who reads the review compares). See src/app/reviews/groupService.ts.
 */
type GroupArgs =
  | { op: 'split'; count: number }
  | { op: 'define'; groups: Array<{ name: string; memberIds: string[] }> }
  | { op: 'compare' }
  | { op: 'clear' };

const DEFINE_USAGE = 'groups "Name" @person … "Name" @person …';

function parseGroups(tokens: string[], usage: (problem: string) => Error): GroupArgs {
  const groups: Array<{ name: string; memberIds: string[] }> = [];
  for (const t of tokens) {
    const who = parseMention(t);
    if (who) {
      const current = groups[groups.length - 1];
      if (!current) throw usage('Name a group first, in quotes, then mention its people with @.');
      current.memberIds.push(who.id);
    } else groups.push({ name: t, memberIds: [] });
  }
  return { op: 'define', groups };
}

const groupLine = (g: { name: string; people: string[] }): RichText =>
  rich`${strong(g.name)} (${g.people.length}): ${g.people.length ? join(g.people, ', ') : rich`nobody`}`;

function splitText(v: GroupsView): RichText {
  const lines: RichText[] = [
    rich`“${v.cycle}” is split into ${v.groups.length} small groups (round ${v.round}):`,
    ...v.groups.map((g) => rich`• ${groupLine(g)}`),
  ];
  if (v.outside.length)
    lines.push(rich`In no group (their votes still count, shown apart): ${join(v.outside, ', ')}.`);
  lines.push(
    rich`Each group rates the rows on its own: every vote records its voter's group. Then ${code('groups compare')} shows the groups side by side, and ${code('groups clear')} ends the split for the whole-team round.`,
  );
  return join(lines, '\n');
}

/** Counts per level 1·2·3·4, then "not sure". */
const counts = (d: ComparisonView['rows'][number]['groups'][number]['distribution']): RichText =>
  rich`${d.levels.join('·')}${d.unsure ? rich`, ${d.unsure} not sure` : rich``}`;

export function compareText(v: ComparisonView): RichText {
  const state = v.roundOpen ? 'still open' : 'closed';
  const lines: RichText[] = [
    rich`${strong(rich`Small groups of “${v.cycle}”, round ${v.round}`)} (${state}${v.active ? '' : '; the split has ended'}). Counts are for levels 1·2·3·4.`,
    ...v.groups.map((g) => rich`• ${groupLine(g)}`),
  ];
  if (!v.rows.length) lines.push(rich`Nobody has voted in this round yet.`);
  for (const r of v.rows) {
    const cells = r.groups.map((g) =>
      g.distribution.total
        ? rich`${g.name}: median ${g.median ?? '—'} (${counts(g.distribution)})`
        : rich`${g.name}: no votes`,
    );
    const outside = r.outside ? rich`; ${r.outside} vote(s) in no group` : rich``;
    const verdict =
      r.gap === null
        ? rich``
        : r.differ
          ? rich` → the groups differ by ${r.gap} level(s): talk it through as a whole team`
          : rich` → the groups agree (medians within half a level)`;
    lines.push(rich`${strong(rich`${r.rowNumber}. ${r.title}`)} — ${join(cells, ' · ')}${outside}${verdict}`);
  }
  const differ = v.rows.filter((r) => r.differ).map((r) => r.rowNumber);
  if (differ.length) lines.push(rich`The groups differ on row(s) ${differ.join(', ')}.`);
  return join(lines, '\n');
}

export const GROUP_COMMANDS = {
  groups: command<GroupArgs>({
    name: 'groups',
    // One short line of help (its overview must stay under 3000 characters): `help groups` has every form. Members
    // see it too, for `groups compare`; the policy refuses them the rest.
    role: 'anyone',
    usage: `groups split N | ${DEFINE_USAGE} | compare | clear`,
    summary: 'small groups',
    parse(tokens, usage) {
      const op = (tokens[0] ?? '').toLowerCase();
      if (tokens.length === 0 || (op === 'compare' && tokens.length === 1)) return { op: 'compare' };
      if (op === 'clear' && tokens.length === 1) return { op: 'clear' };
      if (op === 'split') {
        const count = Number(tokens[1]);
        if (tokens.length !== 2 || !/^\d{1,3}$/.test(tokens[1] ?? ''))
          throw usage('Say how many groups: groups split 2.');
        return { op: 'split', count };
      }
      return parseGroups(tokens, usage);
    },
    async handle(args, ctx, env) {
      const reviewId = await currentReviewId(ctx, env, undefined);
      const groups = env.reviews.groups;
      if (args.op === 'compare') {
        const compared = await groups.compare(ctx.actor, { reviewId });
        return { kind: 'text', text: compareText(compared), comparison: compared.card };
      }
      if (args.op === 'clear') {
        const r = await groups.clear(ctx.actor, { reviewId });
        return {
          kind: 'text',
          text: rich`The ${r.groups} small groups of “${r.cycle}” are cleared: votes from now on record no group, and the whole team goes on. ${code('groups compare')} still shows what the groups rated.`,
          redraw: { reviewId: r.reviewId, rowIds: r.rowIds },
        };
      }
      const view =
        args.op === 'split'
          ? await groups.split(ctx.actor, { reviewId, count: args.count })
          : await groups.define(ctx.actor, { reviewId, groups: args.groups });
      return { kind: 'text', text: splitText(view), groupThreads: view.threads };
    },
  }),
} satisfies Record<string, CommandEntry>;

import { DomainError } from '../../domain/errors';
import { actionLine, actionsText } from '../actions/actionViews';
import { code, plain, rich, strong } from '../text';
import { parseArgs, parseMention } from './parse';
import { currentReviewId } from './reviewCommands';
import { type CommandEntry, type CommandEnv, command, present } from './types';

/** Actions that come back (`action add|done`, `actions`): typed commands, not in the Teams menu (it is full). */

const needsActions = (env: CommandEnv) => {
  if (!env.actions) {
    throw new DomainError('invalid-state', 'The "action" commands are not available on this server.');
  }
};

/**
 * `owner=<@ID|Display Name>`: a Teams display name may hold spaces, which split the option over several words;
 * joins them back up to the closing `>`.
 */
export function joinOptionMentions(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let t = tokens[i] as string;
    if (/^[a-z-]+=<[^>]*$/i.test(t)) {
      let j = i + 1;
      while (j < tokens.length && !t.endsWith('>')) t = `${t} ${tokens[j++]}`;
      if (t.endsWith('>')) i = j - 1;
      else t = tokens[i] as string;
    }
    out.push(t);
  }
  return out;
}

const ADD_USAGE = 'action add <row> "text" [from=@person] owner=@person due=2027-02-01 target=1-4';

export const ACTION_COMMANDS = {
  action: command({
    name: 'action',
    role: 'anyone',
    usage: `${ADD_USAGE} | action done <id>`,
    summary: 'add an action to a row, or mark one done',
    help: [
      {
        usage: ADD_USAGE,
        summary: 'add an action to a row: its owner, due date and target level (owners get reminders)',
        role: 'coordinator',
      },
      {
        usage: 'action done <id>',
        summary: 'mark it done (its owner or a coordinator)',
        role: 'anyone',
      },
    ],
    requires: needsActions,
    parse(tokens, usage) {
      const sub = tokens[0]?.toLowerCase();
      if (sub === 'done') {
        if (tokens.length !== 2) throw usage('Say which action: action done <id> (its id is in "actions").');
        return { kind: 'done' as const, id: tokens[1] as string };
      }
      if (sub !== 'add') throw usage('Say "action add …" or "action done <id>".');
      const a = parseArgs(joinOptionMentions(tokens.slice(1)), []);
      const [row, ...textWords] = a.words;
      if (!row) throw usage('Name the row by number.');
      const owner = parseMention(a.options.get('owner'));
      if (!owner) throw usage('Say who owns it: owner=@person.');
      const due = a.options.get('due');
      if (!due) throw usage('Say when it is due: due=2027-02-01.');
      const target = a.options.get('target');
      if (!target) throw usage('Say which level it aims the row at: target=1 to 4.');
      const fromRaw = a.options.get('from');
      const from = fromRaw === undefined ? undefined : parseMention(fromRaw);
      if (from === null) throw usage('from= takes a person: from=@person.');
      const text = textWords.join(' ').trim();
      if (!text && !from)
        throw usage('Add the action in quotes, or from=@person for their reflection answer.');
      return {
        kind: 'add' as const,
        row,
        text,
        ownerId: owner.id,
        due,
        target,
        fromMemberId: from?.id,
        review: a.options.get('review'),
      };
    },
    async handle(args, ctx, env, usage) {
      const service = present(env.actions);
      if (args.kind === 'done') {
        const v = await service.complete(ctx.actor, { channelId: ctx.channelId, actionId: args.id });
        return { kind: 'text', text: rich`Marked done: ${actionLine(v)}` };
      }
      const reviewId = await currentReviewId(ctx, env, args.review);
      const n = Number(args.row);
      if (!Number.isInteger(n)) throw usage(`"${args.row.slice(0, 20)}" is not a row number.`);
      const v = await service.add(ctx.actor, {
        reviewId,
        row: n,
        text: args.text,
        ownerId: args.ownerId,
        due: args.due,
        target: args.target,
        ...(args.fromMemberId ? { fromMemberId: args.fromMemberId } : {}),
      });
      return {
        kind: 'text',
        text: rich`${strong('Action added')} to row ${plain(String(v.rowNumber ?? ''))} “${v.rowTitle}”: ${actionLine(v)}\nMark it done with ${code(`action done ${v.id}`)}.`,
      };
    },
  }),

  actions: command({
    name: 'actions',
    role: 'anyone',
    usage: 'actions',
    summary: 'actions by row, open and done',
    requires: needsActions,
    parse(tokens, usage) {
      if (tokens.length > 0) throw usage('"actions" takes no words.');
      return {};
    },
    async handle(_args, ctx, env) {
      const view = await present(env.actions).list(ctx.actor, { channelId: ctx.channelId });
      return { kind: 'text', text: actionsText(view) };
    },
  }),
} satisfies Record<string, CommandEntry>;

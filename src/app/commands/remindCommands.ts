import { DomainError } from '../../domain/errors';
import { remindReply } from '../reviews/reminderText';
import { currentReviewId } from './reviewCommands';
import { type CommandEntry, command } from './types';

/** `remind [cycle]`: the open round's non-voters on the roster, reminded privately (coordinators). */
export const REMIND_COMMANDS = {
  remind: command<string | undefined>({
    name: 'remind',
    role: 'coordinator',
    usage: 'remind [cycle]',
    summary: 'remind non-voters privately',
    // Not in the Teams menu (it holds 10 commands, all taken): typed, like roster.
    parse(tokens, usage) {
      if (tokens.length > 1) throw usage('Name at most one review (its cycle, in quotes).');
      return tokens[0];
    },
    async handle(cycle, ctx, env) {
      const reviewId = await currentReviewId(ctx, env, cycle);
      if (!ctx.reminders) {
        throw new DomainError(
          'invalid-state',
          'This chat cannot send reminders here: nobody was reminded. Use remind in the district channel in Slack or Teams.',
        );
      }
      const report = await env.reviews.reminders.remind(ctx.actor, { reviewId }, ctx.reminders);
      return { kind: 'text', text: remindReply(report) };
    },
  }),
} satisfies Record<string, CommandEntry>;

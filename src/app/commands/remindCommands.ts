import { DomainError } from '../../domain/errors';
import type { ReminderScheduleView } from '../reviews/reminderSchedules';
import { remindReply } from '../reviews/reminderText';
import { code, plain, type RichText, rich } from '../text';
import { currentReviewId } from './reviewCommands';
import { type CommandEntry, type CommandEnv, command } from './types';

/** `remind`'s forms: now (a review), on a schedule ("every Monday 9:00"), the schedule off, or shown. */
type RemindArgs =
  | { form: 'now'; cycle: string | undefined }
  | { form: 'every'; expression: string }
  | { form: 'off' }
  | { form: 'schedule' };

const scheduleText = (v: ReminderScheduleView): RichText =>
  rich`Scheduled reminders: ${plain(v.description)} (${plain(v.timezone)}) while a review is open, to the roster's non-voters${plain(v.next ? `; next: ${v.next}` : '')}. ${code('remind off')} stops them.`;

function schedulesOf(env: CommandEnv) {
  if (!env.reminderSchedules) {
    throw new DomainError('invalid-state', 'Scheduled reminders are not available on this server.');
  }
  return env.reminderSchedules;
}

/**
 * `remind [cycle]`: the open round's non-voters on the roster, reminded privately (coordinators);
 * `remind every Monday 9:00` / `remind off` / `remind schedule`: the same reminder on a schedule (issue 15).
 */
export const REMIND_COMMANDS = {
  remind: command<RemindArgs>({
    name: 'remind',
    role: 'coordinator',
    usage: 'remind [cycle] | remind every <day> <HH:MM> | remind off | remind schedule',
    summary:
      "remind non-voters privately, now or on a schedule while a review is open (the district's time zone)",
    // Not in the Teams menu (it holds 10 commands, all taken): typed, like roster.
    parse(tokens, usage) {
      const first = tokens[0]?.toLowerCase();
      if (first === 'every' || first === 'daily') {
        if (tokens.length < 2) throw usage('Say when, e.g. remind every Monday 9:00.');
        return { form: 'every', expression: tokens.join(' ') };
      }
      if ((first === 'off' || first === 'schedule') && tokens.length === 1) return { form: first };
      if (tokens.length > 1) throw usage('Name at most one review (its cycle, in quotes).');
      return { form: 'now', cycle: tokens[0] };
    },
    async handle(args, ctx, env) {
      if (args.form === 'every') {
        const view = await schedulesOf(env).set(ctx.actor, {
          channelId: ctx.channelId,
          expression: args.expression,
        });
        return { kind: 'text', text: scheduleText(view) };
      }
      if (args.form === 'off') {
        const had = await schedulesOf(env).off(ctx.actor, { channelId: ctx.channelId });
        return {
          kind: 'text',
          text: plain(had ? 'Scheduled reminders are off.' : 'There were no scheduled reminders.'),
        };
      }
      if (args.form === 'schedule') {
        const view = await schedulesOf(env).show(ctx.actor, { channelId: ctx.channelId });
        return {
          kind: 'text',
          text: view
            ? scheduleText(view)
            : rich`No scheduled reminders. Set them with ${code('remind every Monday 9:00')}.`,
        };
      }
      const reviewId = await currentReviewId(ctx, env, args.cycle);
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

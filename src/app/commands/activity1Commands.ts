import { DomainError } from '../../domain/errors';
import { activity1Summary, spreadLine } from '../activity1/activity1View';
import { rich, strong } from '../text';
import { type CommandEntry, type CommandEnv, command, present } from './types';

/** The Activity 1 service, or the answer of a server that has none. */
const needsActivity1 = (env: CommandEnv) => {
  if (!env.activity1) {
    throw new DomainError('invalid-state', 'The "activity1" command is not available on this server.');
  }
};

export const ACTIVITY1_COMMANDS = {
  activity1: command({
    name: 'activity1',
    role: 'anyone',
    usage: 'activity1 [results]',
    summary:
      "the toolkit's Activity 1: each person picks the learner outcome that resonates most and says why",
    help: [
      {
        usage: 'activity1',
        summary: 'post Activity 1 here: each person picks the learner outcome that resonates and says why',
        role: 'coordinator',
      },
      {
        usage: 'activity1 results',
        summary: "the team's spread over the learner outcomes, and everyone's reasons",
        role: 'anyone',
      },
    ],
    requires: needsActivity1,
    parse(tokens, usage) {
      const sub = tokens[0]?.toLowerCase();
      if (tokens.length > 1 || (sub !== undefined && sub !== 'results')) {
        throw usage('Say "activity1" to post it, or "activity1 results".');
      }
      return { results: sub === 'results' };
    },
    async handle(args, ctx, env) {
      const service = present(env.activity1);
      if (args.results) {
        const view = await service.results(ctx.actor, { channelId: ctx.channelId });
        return { kind: 'activity1', action: 'results', activity: view, message: activity1Summary(view) };
      }
      const view = await service.start(ctx.actor, { channelId: ctx.channelId });
      return {
        kind: 'activity1',
        action: 'posted',
        activity: view,
        message: rich`${strong('Activity 1')} for ${strong(view.districtName)}: read Section One, then each of you picks the learner outcome that most resonates with you and says why. So far: ${spreadLine(view)}.`,
      };
    },
  }),
} satisfies Record<string, CommandEntry>;

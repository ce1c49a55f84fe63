import { DomainError } from '../../domain/errors';
import { exportResults } from '../reviews/resultsExport';
import { plain, rich } from '../text';
import { parseArgs } from './parse';
import { currentReviewId } from './reviewCommands';
import { type CommandEntry, type CommandEnv, command, present } from './types';

/** A review's results outside the chat: export (a file and its download link) and reflect (answers kept with them). */

/** The results service, or the answer of a server that has none. */
const needsResults = (cmd: string) => (env: CommandEnv) => {
  if (!env.results) {
    throw new DomainError('invalid-state', `The "${cmd}" command is not available on this server.`);
  }
};

export const RESULTS_COMMANDS = {
  export: command({
    name: 'export',
    role: 'anyone',
    usage: 'export csv|json|md [cycle]',
    summary: "the review's results as a file for the district's MICIP plan",
    requires: needsResults('export'),
    parse(tokens, usage) {
      const format = tokens[0]?.toLowerCase();
      if (format !== 'csv' && format !== 'json' && format !== 'md') {
        throw usage('Say which format: csv, json or md.');
      }
      return { format, cycle: tokens[1] } as const;
    },
    async handle({ format, cycle }, ctx, env) {
      const reviewId = await currentReviewId(ctx, env, cycle);
      // One results computation serves both the file and the district its download link is signed for.
      const r = await present(env.results).results(ctx.actor, { reviewId });
      const file = exportResults(r, format);
      const url = env.links?.exportUrl(r.tenantId, r.districtId, reviewId, format);
      return {
        kind: 'file',
        message: rich`Results export (${plain(format.toUpperCase())}): ${plain(file.filename)}`,
        ...file,
        ...(url ? { url } : {}),
      };
    },
  }),

  reflect: command({
    name: 'reflect',
    role: 'anyone',
    usage: 'reflect <row 1-6> <question 1-3> "answer"',
    summary: 'answer a reflection question on a rated row (kept with the results)',
    requires: needsResults('reflect'),
    parse(tokens) {
      const a = parseArgs(tokens, []);
      const [row, question, ...answerWords] = a.words;
      return { row, question, answer: answerWords.join(' ').trim(), review: a.options.get('review') };
    },
    async handle(args, ctx, env, usage) {
      const reviewId = await currentReviewId(ctx, env, args.review);
      const state = await env.reviews.getReviewState(ctx.actor, { reviewId });
      const poll = state.polls.find((p) => p.rowNumber === Number(args.row));
      if (!poll) throw usage(`Name a row by number (1-${state.polls.length}).`);
      const question = Number(args.question);
      const count = state.reflectionQuestions.length;
      if (!Number.isInteger(question) || question < 1 || question > count) {
        throw usage(`Name a question by number (1-${count}).`);
      }
      if (!args.answer) throw usage('Add your answer in quotes.');
      await present(env.results).answerReflection(ctx.actor, {
        reviewId,
        rowId: poll.rowId,
        question,
        answer: args.answer,
      });
      return {
        kind: 'text',
        text: rich`Kept with the results of row ${poll.rowNumber} "${plain(poll.title)}": ${plain(state.reflectionQuestions[question - 1] ?? '')}`,
      };
    },
  }),
} satisfies Record<string, CommandEntry>;

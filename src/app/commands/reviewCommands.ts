import { CONSENSUS_DEFAULTS } from '../../domain/consensus';
import { DomainError } from '../../domain/errors';
import { everyday, isArchived } from '../../domain/reviewArchive';
import { beforeFirstRound } from '../activity1/activity1View';
import { refusal } from '../policy';
import { resultsSummary } from '../reviews/resultsModel';
import type { ReviewView } from '../reviews/views';
import { actions, bullets, button, code, join, plain, type RichText, rich, strong } from '../text';
import {
  type LifecycleArgs,
  parseArchive,
  parseCancel,
  parseDeadline,
  runLifecycle,
} from './lifecycleCommands';
import { parseArgs, parseDate, parseLevel, parseNumber } from './parse';
import { type CommandContext, type CommandEntry, type CommandEnv, command } from './types';

const DEFAULTS = CONSENSUS_DEFAULTS.rule;
const START_USAGE = `review start "2026-27 Fall" [blind] [anonymous] [rule=single|adjacent] [threshold=${DEFAULTS.threshold}] [quorum=${DEFAULTS.minVoters}] [rounds=${CONSENSUS_DEFAULTS.maxRounds}] [deadline=2026-12-15T17:00Z] [rubric=culture-of-collaboration]`;

/** `review start`'s arguments (as startReview takes them, less the channel). */
interface StartArgs {
  sub: 'start';
  cycle: string;
  blind: boolean;
  anonymous: boolean;
  rule: { kind: string; threshold: number; minVoters: number; minShareOfMembers: number };
  maxRounds?: number | undefined;
  deadline?: Date | undefined;
  rubricId?: string | undefined;
}

/** A review's commands: review start, reviews, status, results, close, next and decide. */

/**
 * The review a command means: the one named (its cycle, e.g. "2026-27 Fall", or its id), else the district's active
 * review, else its latest. A name that matches nothing in this channel's district is passed on as an id, so the
 * policy answers for it (an id of another district reads as "not found").
 */
export async function currentReviewId(
  ctx: CommandContext,
  env: CommandEnv,
  explicit: string | undefined,
): Promise<string> {
  const wanted = explicit?.trim();
  const list = await env.reviews.listReviews(ctx.actor, ctx.channelId).catch((e: unknown) => {
    if (wanted && e instanceof DomainError && e.code === 'unknown-district') return null;
    throw e;
  });
  if (wanted) {
    if (!list) return wanted; // asked outside a district channel: an id, which the policy answers for
    const key = wanted.toLocaleLowerCase();
    const named = list.filter((r) => r.id === wanted || r.cycle.trim().toLocaleLowerCase() === key);
    const found = named.find((r) => r.status === 'active') ?? named.find((r) => !isArchived(r)) ?? named[0];
    if (found) return found.id;
    // The same answer for a name that was never used and for another district's review id.
    throw refusal('review.read');
  }
  // (`list` is null only where a review was named, answered above.) Archived reviews are not "current".
  const open = everyday(list ?? []);
  const current = open.find((r) => r.status === 'active') ?? open[0];
  if (!current) {
    throw new DomainError(
      'unknown-review',
      list?.length
        ? 'Every review of this district is archived: name one (e.g. `status "2025-26 Fall"`; `reviews all` lists them), or a coordinator can start one with `review start`.'
        : 'This district has no review yet. A coordinator can start one with `review start`.',
    );
  }
  return current.id;
}

/** After rows are rated: the toolkit's reflection questions and how to answer them (when reflect is enabled). */
export function reflectionPrompt(env: CommandEnv, view: ReviewView, rated: ReviewView['polls']): RichText {
  if (!env.results || rated.length === 0 || view.reflectionQuestions.length === 0) return plain('');
  const rows = rated.map((p) => p.rowNumber).join(', ');
  const questions = join(
    view.reflectionQuestions.map((q, i) => rich`${i + 1}. ${plain(q)}`),
    '\n',
  );
  return rich`\nReflect on row${plain(rated.length > 1 ? 's' : '')} ${plain(rows)} as a team — answer with ${code('reflect <row> <question> "your answer"')}; the answers are kept with the results:\n${questions}`;
}

/** `status` and `results`: the named (or current) review, its state or its ratings so far. */
const show = (action: 'status' | 'results', summary: string, description: string) =>
  command({
    name: action,
    role: 'anyone',
    usage: `${action} [cycle]`,
    summary,
    teams: { team: description },
    parse: (tokens) => tokens[0],
    async handle(cycle, ctx, env) {
      const reviewId = await currentReviewId(ctx, env, cycle);
      const view = await env.reviews.getReviewState(ctx.actor, { reviewId });
      const rated = view.polls.filter((p) => p.result).length;
      // Results: every row's rating, how it was reached, the gap and the change since the previous cycle.
      const ratings =
        action === 'results' && env.results
          ? resultsSummary(await env.results.results(ctx.actor, { reviewId }))
          : null;
      return {
        kind: 'review',
        action,
        review: view,
        message:
          action === 'status'
            ? rich`${strong(view.cycle)}: round ${view.round} is ${plain(view.roundStatus)}; ${rated} of ${view.polls.length} rows rated.\n${actions(
                button('Show results', 'command', `results ${view.reviewId}`),
              )}`
            : (ratings ??
              rich`Results of ${strong(view.cycle)}: ${rated} of ${view.polls.length} rows rated.`),
      };
    },
  });

export const REVIEW_COMMANDS = {
  status: show(
    'status',
    'participation and state of the current review',
    'Participation and state of the current review',
  ),
  results: show('results', 'ratings so far, row by row', 'Ratings so far, row by row'),

  reviews: command({
    name: 'reviews',
    role: 'anyone',
    usage: 'reviews [all]',
    summary: "list this district's reviews (all: the archived ones too)",
    teams: { team: "List this district's reviews" },
    parse: (tokens, usage) => {
      const word = tokens[0]?.toLowerCase();
      if (word !== undefined && word !== 'all')
        throw usage(`Say "reviews" or "reviews all" (got "${word}").`);
      return word === 'all';
    },
    /**
     * The district's reviews by cycle name, newest first; an id only where two reviews share a name. Archived
     * reviews only with `all` (marked), else counted in a last line.
     */
    async handle(all, ctx, env) {
      const every = await env.reviews.listReviews(ctx.actor, ctx.channelId);
      const list = all ? every : everyday(every);
      const hidden = every.length - list.length;
      const reviews = list.map((r) => ({
        reviewId: r.id,
        cycle: r.cycle,
        status: isArchived(r) ? `${r.status}, archived` : r.status,
        round: r.round,
      }));
      const named = new Map<string, number>();
      for (const r of reviews) {
        const key = r.cycle.trim().toLocaleLowerCase();
        named.set(key, (named.get(key) ?? 0) + 1);
      }
      const text = reviews.length
        ? bullets(
            reviews.map((r) => {
              const twin = (named.get(r.cycle.trim().toLocaleLowerCase()) ?? 0) > 1;
              return rich`${strong(r.cycle)} — ${plain(r.status)}, round ${r.round}${twin ? rich` (${code(r.reviewId)})` : ''}`;
            }),
          )
        : plain(hidden ? 'No reviews outside the archive.' : 'No reviews yet.');
      const more = hidden
        ? rich`\n${hidden} archived review(s) not listed: ${code('reviews all')} lists them.`
        : plain('');
      return { kind: 'reviews', text: rich`${text}${more}`, reviews };
    },
  }),

  review: command({
    name: 'review',
    role: 'coordinator',
    usage: `${START_USAGE} | review cancel ["cycle"] "reason" | review deadline <date|none> ["cycle"] | review archive|unarchive "cycle"`,
    summary: 'start a review: one poll per rubric row in this channel',
    help: [
      {
        usage: START_USAGE,
        summary: 'start a review: one poll per rubric row in this channel',
        role: 'coordinator',
      },
      {
        usage: 'review cancel ["cycle"] "reason" | review archive|unarchive "cycle"',
        summary:
          'cancel a review that is still open (it is kept, marked cancelled); archive a closed or cancelled one out of status, results and reviews (dashboard and exports keep it), or bring it back',
        role: 'coordinator',
      },
      {
        usage: 'review deadline <date|none> ["cycle"]',
        summary: "set or clear the current round's deadline",
        role: 'coordinator',
      },
    ],
    teams: {
      title: 'review start',
      team: 'review start "2026-27 Fall" [blind] [anonymous] [rule=single|adjacent] [rounds=3]: one poll per row',
    },
    parse(tokens, usage): StartArgs | LifecycleArgs {
      const sub = tokens[0]?.toLowerCase();
      if (sub === 'cancel') return parseCancel(tokens.slice(1), usage);
      if (sub === 'deadline') return parseDeadline(tokens.slice(1), usage);
      if (sub === 'archive' || sub === 'unarchive') return parseArchive(sub, tokens.slice(1), usage);
      if (sub !== 'start')
        throw usage(
          'Say "review start" and the cycle (or "review cancel", "review deadline", "review archive", "review unarchive").',
        );
      const a = parseArgs(tokens.slice(1), ['blind', 'anonymous']);
      const cycle = a.words.join(' ').trim();
      if (!cycle) throw usage('Name the cycle, e.g. "2026-27 Fall".');
      const ruleName = a.options.get('rule');
      if (ruleName !== undefined && ruleName !== 'single' && ruleName !== 'adjacent') {
        throw usage(`"rule" is single or adjacent (got "${ruleName}").`);
      }
      const rule = {
        kind: ruleName === 'adjacent' ? 'adjacent-levels' : 'single-level',
        threshold: parseNumber(usage, 'threshold', a.options.get('threshold')) ?? DEFAULTS.threshold,
        minVoters: parseNumber(usage, 'quorum', a.options.get('quorum')) ?? DEFAULTS.minVoters,
        minShareOfMembers:
          parseNumber(usage, 'quorum-share', a.options.get('quorum-share')) ?? DEFAULTS.minShareOfMembers,
      };
      return {
        sub: 'start',
        cycle,
        blind: a.flags.has('blind'),
        anonymous: a.flags.has('anonymous'),
        rule,
        ...(a.options.has('rounds')
          ? { maxRounds: parseNumber(usage, 'rounds', a.options.get('rounds')) }
          : {}),
        ...(a.options.has('deadline') ? { deadline: parseDate(usage, a.options.get('deadline')) } : {}),
        ...(a.options.has('rubric') ? { rubricId: a.options.get('rubric') } : {}),
      };
    },
    async handle(args, ctx, env) {
      if (args.sub !== 'start')
        return runLifecycle(args, await currentReviewId(ctx, env, args.cycle), ctx, env);
      const { sub: _sub, ...input } = args;
      const view = await env.reviews.startReview(ctx.actor, { channelId: ctx.channelId, ...input });
      // The toolkit's order: Activity 1's spread is shown before the first round, and kept with this review.
      const a1 = env.activity1
        ? await env.activity1.beforeReview(ctx.actor, { channelId: ctx.channelId, reviewId: view.reviewId })
        : null;
      const mode = [view.blind ? 'blind' : null, view.anonymous ? 'anonymous' : null]
        .filter(Boolean)
        .join(', ');
      return {
        kind: 'review',
        action: 'started',
        review: view,
        message: rich`Review ${strong(view.cycle)} started${mode ? plain(` (${mode})`) : ''}: ${view.polls.length} polls, one per rubric row. Start each row at Accomplished and move left until the description fits.${a1 ? beforeFirstRound(a1) : ''}`,
      };
    },
  }),

  close: command({
    name: 'close',
    role: 'coordinator',
    usage: 'close [cycle]',
    summary: 'close the current round and compute consensus',
    teams: { team: 'Close the current round and compute consensus (coordinators)' },
    parse: (tokens) => tokens[0],
    async handle(cycle, ctx, env) {
      const reviewId = await currentReviewId(ctx, env, cycle);
      const view = await env.reviews.closeRound(ctx.actor, { reviewId });
      const settled = view.polls.filter((p) => p.result).length;
      const open = view.polls.filter((p) => p.status === 'unsettled').length;
      const decide = view.polls.filter((p) => p.status === 'needs-decision').length;
      const parts = [rich`Round ${view.round} closed: ${settled} of ${view.polls.length} rows rated.`];
      if (open) parts.push(rich`${open} row(s) without consensus can have another round (${code('next')}).`);
      if (decide)
        parts.push(rich`${decide} row(s) reached the round limit: record a rating with ${code('decide')}.`);
      const rated = view.polls.filter((p) => p.result?.round === view.round && p.result.how === 'consensus');
      return {
        kind: 'review',
        action: 'closed',
        review: view,
        message: rich`${join(parts, ' ')}${reflectionPrompt(env, view, rated)}`,
      };
    },
  }),

  next: command({
    name: 'next',
    role: 'coordinator',
    usage: 'next [cycle] [deadline=…|none]',
    summary: 'start another round for the rows without consensus',
    teams: { team: 'Start another round for the rows without consensus (coordinators)' },
    parse(tokens) {
      const a = parseArgs(tokens, []);
      return { cycle: a.words[0], deadline: a.options.get('deadline') };
    },
    async handle(args, ctx, env, usage) {
      const reviewId = await currentReviewId(ctx, env, args.cycle);
      // The deadline is read after the review is found (a channel without a review says so first).
      const raw = args.deadline;
      const deadline = raw?.toLowerCase() === 'none' ? null : parseDate(usage, raw);
      const view = await env.reviews.startNextRound(ctx.actor, {
        reviewId,
        ...(deadline !== undefined ? { deadline } : {}),
      });
      const reopened = view.polls.filter((p) => p.votingOpen).length;
      const until = view.deadlineText
        ? plain(
            `Voting closes at ${view.deadlineText}${deadline === undefined ? " (the review's deadline, kept)" : ' (the new deadline)'}.`,
          )
        : plain('This round has no deadline.');
      return {
        kind: 'review',
        action: 'next-round',
        review: view,
        message: rich`Round ${view.round} is open for ${reopened} row(s). ${until} Each poll shows the last round's distribution and evidence.`,
      };
    },
  }),

  decide: command({
    name: 'decide',
    role: 'coordinator',
    usage: 'decide <row 1-6> <level 1-4 or name> "note" [review=cycle]',
    summary: 'record (or correct) the rating of a row the team could not settle',
    teams: {
      team: 'decide <row 1-6> <level> "note": record or correct the rating of a row the team could not settle',
    },
    parse(tokens) {
      const a = parseArgs(tokens, []);
      const [row, level, ...noteWords] = a.words;
      return { row, level, note: noteWords.join(' ').trim(), review: a.options.get('review') };
    },
    async handle(args, ctx, env, usage) {
      const reviewId = await currentReviewId(ctx, env, args.review);
      const state = await env.reviews.getReviewState(ctx.actor, { reviewId });
      const rubric = env.reviews.rubrics.get(state.rubricId);
      const rowNumber = Number(args.row);
      const poll =
        state.polls.find((p) => p.rowNumber === rowNumber) ??
        state.polls.find(
          (p) => p.rowId === args.row || p.title.toLowerCase().startsWith((args.row ?? '-').toLowerCase()),
        );
      if (!poll) throw usage(`Name a row by number (1-${state.polls.length}).`);
      const level = parseLevel(args.level, rubric);
      if (!level) throw usage(`"${args.level ?? ''}" is not a level: use 1-4 or a level name.`);
      if (!args.note) throw usage('Add a note saying how the team decided.');
      const view = await env.reviews.recordDecision(ctx.actor, {
        reviewId,
        rowId: poll.rowId,
        level,
        note: args.note,
      });
      const decided = view.polls.find((p) => p.rowId === poll.rowId);
      return {
        kind: 'review',
        action: 'decided',
        review: view,
        message: poll.result
          ? rich`Corrected: row ${poll.rowNumber} "${plain(poll.title)}" is now rated ${plain(decided?.result?.label ?? String(level))} (was ${plain(poll.result.label)}; the earlier decision and its note are kept in the results).`
          : rich`Recorded: row ${poll.rowNumber} "${plain(poll.title)}" rated ${plain(decided?.result?.label ?? String(level))}.${reflectionPrompt(env, view, decided ? [decided] : [])}`,
      };
    },
  }),
} satisfies Record<string, CommandEntry>;

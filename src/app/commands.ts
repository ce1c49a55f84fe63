import { isCoordinator } from '../domain/district';
import { DomainError } from '../domain/errors';
import type { Level, Rubric } from '../domain/rubric';
import { NUDGE_COMMANDS, type NudgeCommandDeps, runNudgeCommand } from './nudgeCommands';
import { refusal } from './policy';
import type { ResultsService } from './results';
import { type ExportFormat, exportResults } from './resultsExport';
import { resultsSummary } from './resultsModel';
import type { ReviewService } from './reviewService';
import type { Actor } from './schemas';
import { code, join, plain, type RichText, rich, strong } from './text';
import type { ReviewView } from './views';

/**
 * The coordinator command language shared by Slack (`/micip …`) and Teams (`@bot …`, manifest commands).
 * Adapters normalise user mentions to `<@ID>` or `<@ID|Name>` before calling `run`. Replies are RichText
 * (src/app/text.ts): each channel renders them and escapes the values users typed.
 */
export type CommandResult =
  | { kind: 'help'; text: RichText }
  | { kind: 'text'; text: RichText }
  | {
      kind: 'review';
      action: 'started' | 'closed' | 'next-round' | 'decided' | 'status' | 'results';
      message: RichText;
      review: ReviewView;
    }
  | {
      kind: 'reviews';
      text: RichText;
      reviews: Array<{ reviewId: string; cycle: string; status: string; round: number }>;
    }
  /** A file for the channel (e.g. an export): Slack uploads it; Teams posts a download link or card. */
  | {
      kind: 'file';
      message: RichText;
      filename: string;
      mimeType: string;
      content: string;
      /** A signed download link for the same file (web dashboard), when this server issues dashboard links. */
      url?: string;
    };

interface CommandSpec {
  usage: string;
  summary: string;
  coordinatorOnly: boolean;
}

export const COMMANDS: Record<string, CommandSpec> = {
  help: { usage: 'help', summary: 'show what you can do here', coordinatorOnly: false },
  setup: {
    usage: 'setup "District name" [tz=America/Detroit]',
    summary: 'make this channel the district team (you become its coordinator)',
    coordinatorOnly: false,
  },
  perspective: {
    usage: 'perspective district|building',
    summary: 'say whether you vote from the district or a building perspective',
    coordinatorOnly: false,
  },
  status: {
    usage: 'status [cycle]',
    summary: 'participation and state of the current review',
    coordinatorOnly: false,
  },
  results: { usage: 'results [cycle]', summary: 'ratings so far, row by row', coordinatorOnly: false },
  reviews: { usage: 'reviews', summary: "list this district's reviews", coordinatorOnly: false },
  coordinator: {
    usage: 'coordinator add|remove @person',
    summary: 'grant or remove the coordinator role',
    coordinatorOnly: true,
  },
  member: {
    usage: 'member add @person district|building',
    summary: 'add a member with their perspective',
    coordinatorOnly: true,
  },
  review: {
    usage:
      'review start "2026-27 Fall" [blind] [anonymous] [rule=single|adjacent] [threshold=0.75] [quorum=3] [rounds=3] [deadline=2026-12-15T17:00Z] [rubric=culture-of-collaboration]',
    summary: 'start a review: one poll per rubric row in this channel',
    coordinatorOnly: true,
  },
  close: {
    usage: 'close [cycle]',
    summary: 'close the current round and compute consensus',
    coordinatorOnly: true,
  },
  next: {
    usage: 'next [cycle] [deadline=…|none]',
    summary: 'start another round for the rows without consensus',
    coordinatorOnly: true,
  },
  export: {
    usage: 'export csv|json|md [cycle]',
    summary: "the review's results as a file for the district's MICIP plan",
    coordinatorOnly: false,
  },
  reflect: {
    usage: 'reflect <row 1-6> <question 1-3> "answer"',
    summary: 'answer a reflection question on a rated row (kept with the results)',
    coordinatorOnly: false,
  },
  dashboard: {
    usage: 'dashboard',
    summary: "a private link to this district's dashboard (valid 7 days)",
    coordinatorOnly: false,
  },
  decide: {
    usage: 'decide <row 1-6> <level 1-4 or name> "note" [review=cycle]',
    summary: 'record the rating of a row the team could not settle',
    coordinatorOnly: true,
  },
  ...NUDGE_COMMANDS,
};

/** Splits text into words, keeping "quoted phrases" (straight or curly quotes) and <@mentions> together. */
export function tokenize(input: string): string[] {
  const tokens: string[] = [];
  // <@U123|Display Name> mentions may contain spaces: keep them whole.
  const re = /(<[^<>]*>)|"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g;
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? '');
  }
  return tokens;
}

interface Parsed {
  words: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

function parseArgs(tokens: string[], knownFlags: string[]): Parsed {
  const words: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq > 0 && /^[a-z-]+$/i.test(t.slice(0, eq)))
      options.set(t.slice(0, eq).toLowerCase(), t.slice(eq + 1));
    else if (knownFlags.includes(t.toLowerCase())) flags.add(t.toLowerCase());
    else words.push(t);
  }
  return { words, flags, options };
}

const MENTION = /^<@([A-Za-z0-9._:-]+)(?:\|([^>]*))?>$|^@([A-Za-z0-9._:-]+)$/;

export function parseMention(token: string | undefined): { id: string; name: string } | null {
  if (!token) return null;
  const m = MENTION.exec(token);
  if (!m) return null;
  const id = (m[1] ?? m[3]) as string;
  return { id, name: m[2] ?? '' };
}

/**
 * The mentioned person as the platform knows them. A mention is only text: without the platform's word that the
 * person exists here, nobody is granted anything (a typed "<@anyone|Name>" must not become a coordinator).
 */
async function confirmed(ctx: CommandContext, who: { id: string; name: string }) {
  const found = ctx.people ? await ctx.people.confirm(who.id) : null;
  if (!found) {
    throw new DomainError(
      'invalid-input',
      `I could not find ${who.name ? `"${who.name.slice(0, 80)}"` : 'that person'} in this workspace, so nothing was changed. Mention them with @ so the app can look them up.`,
    );
  }
  return { displayName: found.displayName || who.name };
}

const usageError = (cmd: string, problem: string) =>
  new DomainError('invalid-input', `${problem}\nUsage: ${COMMANDS[cmd]?.usage ?? cmd}`);

function parseLevel(token: string | undefined, rubric: Rubric | null): Level | null {
  if (!token) return null;
  const n = Number(token);
  if (Number.isInteger(n) && n >= 1 && n <= 4) return n as Level;
  const t = token.toLowerCase();
  const names = rubric?.levels ?? [];
  const found = names.find(
    (l) => l.name.toLowerCase().startsWith(t) || l.subtitle?.toLowerCase().startsWith(t),
  );
  return found ? found.level : null;
}

function parseNumber(cmd: string, name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw usageError(cmd, `"${name}" must be a number (got "${raw}").`);
  return n;
}

function parseDate(cmd: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime()))
    throw usageError(cmd, `"deadline" must be a date such as 2026-12-15T17:00Z (got "${raw}").`);
  return d;
}

export interface CommandContext {
  actor: Actor;
  /** The channel or chat the command was typed in, as the platform reported it. */
  channelId: string;
  /** The platform's directory: roles are granted only to people it confirms exist in this workspace/tenant. */
  people?: People;
}

/** Asks the chat platform whether a person exists here (Slack users.info; the Teams roster). */
export interface People {
  confirm(userId: string): Promise<{ displayName: string } | null>;
}

/** Runs one command line. Throws DomainError (with usage text where the input was at fault). */
/** Optional collaborators: results/exports/reflection and the issuer of signed dashboard links. */
export interface CommandExtras {
  results?: ResultsService;
  dashboardLink?: (tenantId: string, districtId: string) => { url: string; expiresAt: Date };
  /** Building teams, nudge schedules and submissions (`building`, `schedule`, `submissions`). */
  nudges?: NudgeCommandDeps;
}

export class CommandService {
  constructor(
    private readonly reviews: ReviewService,
    private readonly extras: CommandExtras = {},
  ) {}

  async run(context: CommandContext, line: string): Promise<CommandResult> {
    // Every command is asked from the channel it was typed in.
    const ctx = {
      ...context,
      actor: { ...context.actor, channelId: context.actor.channelId ?? context.channelId },
    };
    const tokens = tokenize(line.trim());
    const cmd = (tokens.shift() ?? 'help').toLowerCase();
    switch (cmd) {
      case 'help':
      case '?':
        return { kind: 'help', text: await this.help(ctx) };
      case 'setup':
        return this.setup(ctx, tokens);
      case 'perspective':
        return this.perspective(ctx, tokens);
      case 'coordinator':
        return this.coordinator(ctx, tokens);
      case 'member':
        return this.member(ctx, tokens);
      case 'review':
        return this.review(ctx, tokens);
      case 'reviews':
        return this.list(ctx);
      case 'status':
        return this.show(ctx, tokens, 'status');
      case 'results':
        return this.show(ctx, tokens, 'results');
      case 'close':
        return this.close(ctx, tokens);
      case 'next':
        return this.next(ctx, tokens);
      case 'decide':
        return this.decide(ctx, tokens);
      case 'export':
        return this.exportFile(ctx, tokens);
      case 'reflect':
        return this.reflect(ctx, tokens);
      case 'dashboard':
        return this.dashboard(ctx);
      case 'building':
      case 'schedule':
      case 'submissions':
        if (this.extras.nudges) return runNudgeCommand(this.extras.nudges, ctx, cmd, tokens);
        throw new DomainError('invalid-input', 'Building teams and nudges are not enabled on this server.');
      default:
        throw new DomainError(
          'invalid-input',
          `I don't know the command "${cmd.slice(0, 40)}". Try "help" to see what you can do here.`,
        );
    }
  }

  /** Help lists only what the caller may do in this channel. */
  async help(ctx: CommandContext): Promise<RichText> {
    let coordinator = false;
    let districtName: string | null = null;
    try {
      const d = await this.reviews.districtForChannel(ctx.actor, ctx.channelId);
      districtName = d.name;
      coordinator = isCoordinator(await this.reviews.getMember(ctx.actor, d.id));
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'unknown-district')) throw e;
    }
    const lines = Object.values(COMMANDS)
      .filter((c) => coordinator || !c.coordinatorOnly)
      .filter((c) => districtName === null || c.usage !== COMMANDS.setup?.usage || coordinator)
      .map((c) => rich`• ${code(c.usage)} — ${plain(c.summary)}`);
    const head = districtName
      ? rich`This channel is the district team of ${strong(districtName)}${coordinator ? plain(' (you are a coordinator)') : ''}.`
      : rich`This channel is not set up yet: start with ${code('setup "District name"')}.`;
    const tail = coordinator
      ? ''
      : plain('\nCoordinator commands are hidden: a coordinator can grant you the role.');
    return rich`${head}\n${join(lines, '\n')}${tail}`;
  }

  private async setup(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const a = parseArgs(tokens, []);
    const name = a.words.join(' ').trim();
    if (!name) throw usageError('setup', 'Give the district a name.');
    const d = await this.reviews.setupDistrict(ctx.actor, {
      name,
      channelId: ctx.channelId,
      ...(a.options.get('tz') ? { timezone: a.options.get('tz') } : {}),
    });
    return {
      kind: 'text',
      text: rich`This channel is now the district team of ${strong(d.name)} (time zone ${d.timezone}). Start a review with ${code('review start "2026-27 Fall"')}.`,
    };
  }

  private async perspective(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const p = tokens[0]?.toLowerCase();
    if (p !== 'district' && p !== 'building')
      throw usageError('perspective', 'Say "district" or "building".');
    await this.reviews.setMember(ctx.actor, {
      channelId: ctx.channelId,
      memberId: ctx.actor.userId,
      displayName: ctx.actor.displayName ?? '',
      perspective: p,
    });
    return { kind: 'text', text: rich`Noted: you vote from the ${p} perspective.` };
  }

  private async coordinator(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const op = tokens[0]?.toLowerCase();
    const who = parseMention(tokens[1]);
    if ((op !== 'add' && op !== 'remove') || !who)
      throw usageError('coordinator', 'Say add or remove, and mention a person.');
    const person = await confirmed(ctx, who);
    const m = await this.reviews.setCoordinator(
      ctx.actor,
      { channelId: ctx.channelId, memberId: who.id, displayName: person.displayName },
      op === 'add',
    );
    const name = m.displayName || who.id;
    return {
      kind: 'text',
      text: op === 'add' ? rich`${name} is now a coordinator.` : rich`${name} is no longer a coordinator.`,
    };
  }

  private async member(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const who = parseMention(tokens[1]);
    const p = tokens[2]?.toLowerCase();
    if (tokens[0]?.toLowerCase() !== 'add' || !who || (p !== 'district' && p !== 'building')) {
      throw usageError('member', 'Mention a person and give their perspective.');
    }
    const person = await confirmed(ctx, who);
    const m = await this.reviews.setMember(ctx.actor, {
      channelId: ctx.channelId,
      memberId: who.id,
      displayName: person.displayName,
      perspective: p,
    });
    return { kind: 'text', text: rich`${m.displayName || who.id} is a member (${p} perspective).` };
  }

  private async review(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    if (tokens[0]?.toLowerCase() !== 'start') throw usageError('review', 'Say "review start" and the cycle.');
    const a = parseArgs(tokens.slice(1), ['blind', 'anonymous']);
    const cycle = a.words.join(' ').trim();
    if (!cycle) throw usageError('review', 'Name the cycle, e.g. "2026-27 Fall".');
    const ruleName = a.options.get('rule');
    if (ruleName !== undefined && ruleName !== 'single' && ruleName !== 'adjacent') {
      throw usageError('review', `"rule" is single or adjacent (got "${ruleName}").`);
    }
    const rule = {
      kind: ruleName === 'adjacent' ? 'adjacent-levels' : 'single-level',
      threshold: parseNumber('review', 'threshold', a.options.get('threshold')) ?? 0.75,
      minVoters: parseNumber('review', 'quorum', a.options.get('quorum')) ?? 3,
      minShareOfMembers: parseNumber('review', 'quorum-share', a.options.get('quorum-share')) ?? 0.5,
    };
    const view = await this.reviews.startReview(ctx.actor, {
      channelId: ctx.channelId,
      cycle,
      blind: a.flags.has('blind'),
      anonymous: a.flags.has('anonymous'),
      rule,
      ...(a.options.has('rounds')
        ? { maxRounds: parseNumber('review', 'rounds', a.options.get('rounds')) }
        : {}),
      ...(a.options.has('deadline') ? { deadline: parseDate('review', a.options.get('deadline')) } : {}),
      ...(a.options.has('rubric') ? { rubricId: a.options.get('rubric') } : {}),
    });
    const mode = [view.blind ? 'blind' : null, view.anonymous ? 'anonymous' : null]
      .filter(Boolean)
      .join(', ');
    return {
      kind: 'review',
      action: 'started',
      review: view,
      message: rich`Review ${strong(view.cycle)} started${mode ? plain(` (${mode})`) : ''}: ${view.polls.length} polls, one per rubric row. Start each row at Accomplished and move left until the description fits.`,
    };
  }

  /**
   * The review a command means: the one named (its cycle, e.g. "2026-27 Fall", or its id), else the district's active
   * review, else its latest. A name that matches nothing in this channel's district is passed on as an id, so the
   * policy answers for it (an id of another district reads as "not found").
   */
  private async currentReviewId(ctx: CommandContext, explicit: string | undefined): Promise<string> {
    const wanted = explicit?.trim();
    const list = await this.reviews.listReviews(ctx.actor, ctx.channelId).catch((e: unknown) => {
      if (wanted && e instanceof DomainError && e.code === 'unknown-district') return null;
      throw e;
    });
    if (wanted) {
      if (!list) return wanted; // asked outside a district channel: an id, which the policy answers for
      const key = wanted.toLocaleLowerCase();
      const named = list.filter((r) => r.id === wanted || r.cycle.trim().toLocaleLowerCase() === key);
      const found = named.find((r) => r.status === 'active') ?? named[0];
      if (found) return found.id;
      // The same answer for a name that was never used and for another district's review id.
      throw refusal('review.read');
    }
    const current = list.find((r) => r.status === 'active') ?? list[0];
    if (!current) {
      throw new DomainError(
        'unknown-review',
        'This district has no review yet. A coordinator can start one with `review start`.',
      );
    }
    return current.id;
  }

  /** The district's reviews by cycle name, newest first; an id only where two reviews share a name. */
  private async list(ctx: CommandContext): Promise<CommandResult> {
    const list = await this.reviews.listReviews(ctx.actor, ctx.channelId);
    const reviews = list.map((r) => ({ reviewId: r.id, cycle: r.cycle, status: r.status, round: r.round }));
    const named = new Map<string, number>();
    for (const r of reviews) {
      const key = r.cycle.trim().toLocaleLowerCase();
      named.set(key, (named.get(key) ?? 0) + 1);
    }
    const text = reviews.length
      ? join(
          reviews.map((r) => {
            const twin = (named.get(r.cycle.trim().toLocaleLowerCase()) ?? 0) > 1;
            return rich`• ${strong(r.cycle)} — ${plain(r.status)}, round ${r.round}${twin ? rich` (${code(r.reviewId)})` : ''}`;
          }),
          '\n',
        )
      : plain('No reviews yet.');
    return { kind: 'reviews', text, reviews };
  }

  private async show(
    ctx: CommandContext,
    tokens: string[],
    action: 'status' | 'results',
  ): Promise<CommandResult> {
    const reviewId = await this.currentReviewId(ctx, tokens[0]);
    const view = await this.reviews.getReviewState(ctx.actor, { reviewId });
    const rated = view.polls.filter((p) => p.result).length;
    // Results: every row's rating, how it was reached, the gap and the change since the previous cycle.
    const summary =
      action === 'results' && this.extras.results
        ? resultsSummary(await this.extras.results.results(ctx.actor, { reviewId }))
        : null;
    return {
      kind: 'review',
      action,
      review: view,
      message:
        action === 'status'
          ? rich`${strong(view.cycle)}: round ${view.round} is ${plain(view.roundStatus)}; ${rated} of ${view.polls.length} rows rated.`
          : (summary ?? rich`Results of ${strong(view.cycle)}: ${rated} of ${view.polls.length} rows rated.`),
    };
  }

  private async close(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const reviewId = await this.currentReviewId(ctx, tokens[0]);
    const view = await this.reviews.closeRound(ctx.actor, { reviewId });
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
      message: rich`${join(parts, ' ')}${this.reflectionPrompt(view, rated)}`,
    };
  }

  /** After rows are rated: the toolkit's reflection questions and how to answer them (when reflect is enabled). */
  private reflectionPrompt(view: ReviewView, rated: ReviewView['polls']): RichText {
    if (!this.extras.results || rated.length === 0 || view.reflectionQuestions.length === 0) return plain('');
    const rows = rated.map((p) => p.rowNumber).join(', ');
    const questions = join(
      view.reflectionQuestions.map((q, i) => rich`${i + 1}. ${plain(q)}`),
      '\n',
    );
    return rich`\nReflect on row${plain(rated.length > 1 ? 's' : '')} ${plain(rows)} as a team — answer with ${code('reflect <row> <question> "your answer"')}; the answers are kept with the results:\n${questions}`;
  }

  private async next(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const a = parseArgs(tokens, []);
    const reviewId = await this.currentReviewId(ctx, a.words[0]);
    const raw = a.options.get('deadline');
    const deadline = raw?.toLowerCase() === 'none' ? null : parseDate('next', raw);
    const view = await this.reviews.startNextRound(ctx.actor, {
      reviewId,
      ...(deadline !== undefined ? { deadline } : {}),
    });
    const reopened = view.polls.filter((p) => p.votingOpen).length;
    const until = view.deadline
      ? plain(
          `Voting closes at ${view.deadline.toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z')}${deadline === undefined ? " (the review's deadline, kept)" : ' (the new deadline)'}.`,
        )
      : plain('This round has no deadline.');
    return {
      kind: 'review',
      action: 'next-round',
      review: view,
      message: rich`Round ${view.round} is open for ${reopened} row(s). ${until} Each poll shows the last round's distribution and evidence.`,
    };
  }

  private async decide(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const a = parseArgs(tokens, []);
    const [rowToken, levelToken, ...noteWords] = a.words;
    const reviewId = await this.currentReviewId(ctx, a.options.get('review'));
    const state = await this.reviews.getReviewState(ctx.actor, { reviewId });
    const rubric = this.reviews.rubrics.get(state.rubricId);
    const rowNumber = Number(rowToken);
    const poll =
      state.polls.find((p) => p.rowNumber === rowNumber) ??
      state.polls.find(
        (p) => p.rowId === rowToken || p.title.toLowerCase().startsWith((rowToken ?? '-').toLowerCase()),
      );
    if (!poll) throw usageError('decide', `Name a row by number (1-${state.polls.length}).`);
    const level = parseLevel(levelToken, rubric);
    if (!level) throw usageError('decide', `"${levelToken ?? ''}" is not a level: use 1-4 or a level name.`);
    const note = noteWords.join(' ').trim();
    if (!note) throw usageError('decide', 'Add a note saying how the team decided.');
    const view = await this.reviews.recordDecision(ctx.actor, { reviewId, rowId: poll.rowId, level, note });
    const decided = view.polls.find((p) => p.rowId === poll.rowId);
    return {
      kind: 'review',
      action: 'decided',
      review: view,
      message: rich`Recorded: row ${poll.rowNumber} "${plain(poll.title)}" rated ${plain(decided?.result?.label ?? String(level))}.${this.reflectionPrompt(view, decided ? [decided] : [])}`,
    };
  }
  private needResults(cmd: string): ResultsService {
    if (!this.extras.results) {
      throw new DomainError('invalid-state', `The "${cmd}" command is not available on this server.`);
    }
    return this.extras.results;
  }

  private async exportFile(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const results = this.needResults('export');
    const format = tokens[0]?.toLowerCase();
    if (format !== 'csv' && format !== 'json' && format !== 'md') {
      throw usageError('export', 'Say which format: csv, json or md.');
    }
    const reviewId = await this.currentReviewId(ctx, tokens[1]);
    // One results computation serves both the file and the district its download link is signed for.
    const r = await results.results(ctx.actor, { reviewId });
    const file = exportResults(r, format as ExportFormat);
    const link = this.extras.dashboardLink?.(r.tenantId, r.districtId);
    const url = link?.url.includes('/dashboard?')
      ? link.url.replace(
          '/dashboard?',
          `/dashboard/reviews/${encodeURIComponent(reviewId)}/export.${format}?`,
        )
      : undefined;
    return {
      kind: 'file',
      message: rich`Results export (${plain(format.toUpperCase())}): ${plain(file.filename)}`,
      ...file,
      ...(url ? { url } : {}),
    };
  }

  private async reflect(ctx: CommandContext, tokens: string[]): Promise<CommandResult> {
    const results = this.needResults('reflect');
    const a = parseArgs(tokens, []);
    const [rowToken, questionToken, ...answerWords] = a.words;
    const reviewId = await this.currentReviewId(ctx, a.options.get('review'));
    const state = await this.reviews.getReviewState(ctx.actor, { reviewId });
    const poll = state.polls.find((p) => p.rowNumber === Number(rowToken));
    if (!poll) throw usageError('reflect', `Name a row by number (1-${state.polls.length}).`);
    const question = Number(questionToken);
    const count = state.reflectionQuestions.length;
    if (!Number.isInteger(question) || question < 1 || question > count) {
      throw usageError('reflect', `Name a question by number (1-${count}).`);
    }
    const answer = answerWords.join(' ').trim();
    if (!answer) throw usageError('reflect', 'Add your answer in quotes.');
    await results.answerReflection(ctx.actor, { reviewId, rowId: poll.rowId, question, answer });
    return {
      kind: 'text',
      text: rich`Kept with the results of row ${poll.rowNumber} "${plain(poll.title)}": ${plain(state.reflectionQuestions[question - 1] ?? '')}`,
    };
  }

  private async dashboard(ctx: CommandContext): Promise<CommandResult> {
    const issue = this.extras.dashboardLink;
    if (!issue) throw new DomainError('invalid-state', 'The dashboard is not available on this server.');
    const d = await this.reviews.districtForChannel(ctx.actor, ctx.channelId);
    await this.reviews.access.enforce(ctx.actor, 'district.read', d);
    const link = issue(d.tenantId, d.id);
    return {
      kind: 'text',
      text: rich`Dashboard of ${strong(d.name)} (private link, valid until ${plain(link.expiresAt.toISOString().slice(0, 16).replace('T', ' '))} UTC): ${plain(link.url)}`,
    };
  }
}

import type { ReviewService } from '../reviews/reviewService';
import type { RichText } from '../text';
import { helpText } from './help';
import { commandTable, dispatch } from './table';
import type { CommandContext, CommandEntry, CommandEnv, CommandExtras, CommandResult } from './types';

/**
 * The coordinator command language shared by Slack (`/micip …`), Teams (`@bot …`, manifest commands) and the web
 * console: one table of commands (./table.ts), each with its usage, who help shows it to, its parser and its
 * use-case call. Help and dispatch read only that table; the Teams manifest's menu is generated from it.
 */
export class CommandService {
  private readonly env: CommandEnv;

  /** `table`: the commands this service runs (default: the built-in ones; a test may add entries). */
  constructor(
    reviews: ReviewService,
    extras: CommandExtras = {},
    table: readonly CommandEntry[] = commandTable(),
  ) {
    this.env = { ...extras, reviews, table };
  }

  /** Runs one command line. Throws DomainError (with usage text where the input was at fault). */
  run(context: CommandContext, line: string): Promise<CommandResult> {
    return dispatch(this.env, context, line);
  }

  /** Help lists only what the caller may do in this channel. */
  help(ctx: CommandContext): Promise<RichText> {
    return helpText(ctx, this.env);
  }
}

export { renderSchedule } from './nudgeCommands';
export { parseMention, tokenize } from './parse';
export { COMMANDS, commandTable } from './table';
export type {
  CommandContext,
  CommandEntry,
  CommandExtras,
  CommandResult,
  NudgeCommandDeps,
  People,
  Role,
  TeamsMenuEntry,
} from './types';
export { command } from './types';

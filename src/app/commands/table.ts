import { DomainError } from '../../domain/errors';
import { DISTRICT_COMMANDS } from './districtCommands';
import { NETWORK_COMMANDS } from './networkCommands';
import { NUDGE_COMMANDS } from './nudgeCommands';
import { tokenize, usageError } from './parse';
import { RESULTS_COMMANDS } from './resultsCommands';
import { REVIEW_COMMANDS } from './reviewCommands';
import type { CommandContext, CommandEntry, CommandEnv, CommandResult, Role } from './types';

/**
 * The command table: the one list that help (by role), dispatch and the Teams manifest's command menu
 * (src/adapters/teams/manifestCommands.ts) are all made from. Its order is help's order and the menu's.
 */
const BUILT_IN: readonly CommandEntry[] = [
  DISTRICT_COMMANDS.help,
  DISTRICT_COMMANDS.setup,
  DISTRICT_COMMANDS.perspective,
  REVIEW_COMMANDS.status,
  REVIEW_COMMANDS.results,
  REVIEW_COMMANDS.reviews,
  DISTRICT_COMMANDS.coordinator,
  DISTRICT_COMMANDS.member,
  REVIEW_COMMANDS.review,
  REVIEW_COMMANDS.close,
  REVIEW_COMMANDS.next,
  RESULTS_COMMANDS.export,
  RESULTS_COMMANDS.reflect,
  DISTRICT_COMMANDS.dashboard,
  REVIEW_COMMANDS.decide,
  NUDGE_COMMANDS.building,
  NUDGE_COMMANDS.schedule,
  NUDGE_COMMANDS.submissions,
  NETWORK_COMMANDS.network,
];

/** The built-in commands, then `extra` (a test's or a feature's), each name and alias used once. */
export function commandTable(extra: readonly CommandEntry[] = []): readonly CommandEntry[] {
  const table = [...BUILT_IN, ...extra];
  const words = table.flatMap((e) => [e.name, ...(e.aliases ?? [])]);
  const twice = words.find((w, i) => words.indexOf(w) !== i);
  if (twice) throw new Error(`command table: "${twice}" names two commands`);
  return table;
}

/** Usage, summary and role by command name (derived from the table; e.g. for checking the manifest). */
export const COMMANDS: Readonly<Record<string, { usage: string; summary: string; role: Role }>> =
  Object.fromEntries(
    commandTable().map((e) => [e.name, { usage: e.usage, summary: e.summary, role: e.role }]),
  );

/** Runs one command line through `env.table`. Throws DomainError (with usage text where the input was at fault). */
export async function dispatch(
  env: CommandEnv,
  context: CommandContext,
  line: string,
): Promise<CommandResult> {
  // Every command is asked from the channel it was typed in.
  const ctx = {
    ...context,
    actor: { ...context.actor, channelId: context.actor.channelId ?? context.channelId },
  };
  const tokens = tokenize(line.trim());
  const word = (tokens.shift() ?? 'help').toLowerCase();
  const entry = env.table.find((e) => e.name === word || e.aliases?.includes(word));
  if (!entry) {
    throw new DomainError(
      'invalid-input',
      `I don't know the command "${word.slice(0, 40)}". Try "help" to see what you can do here.`,
    );
  }
  entry.requires?.(env);
  const usage = (problem: string) => usageError(entry.usage, problem);
  return entry.handle(entry.parse(tokens, usage), ctx, env, usage);
}

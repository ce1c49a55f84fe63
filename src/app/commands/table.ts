import { ACTION_COMMANDS } from './actionCommands';
import { ACTIVITY1_COMMANDS } from './activity1Commands';
import { DISTRICT_COMMANDS } from './districtCommands';
import { GROUP_COMMANDS } from './groupCommands';
import { unknownCommand } from './help';
import { NETWORK_COMMANDS } from './networkCommands';
import { NUDGE_COMMANDS } from './nudgeCommands';
import { tokenize, usageError } from './parse';
import { PLAN_COMMANDS } from './planCommands';
import { REMIND_COMMANDS } from './remindCommands';
import { RESULTS_COMMANDS } from './resultsCommands';
import { REVIEW_COMMANDS } from './reviewCommands';
import { ROSTER_COMMANDS } from './rosterCommands';
import type { CommandContext, CommandEntry, CommandEnv, CommandResult, Role, Section } from './types';

/** An entry placed in one of help's sections. */
const at = (section: Section, entry: CommandEntry): CommandEntry & { section: Section } => ({
  ...entry,
  section,
});

/**
 * The command table: the one list that help (by role, in sections by purpose), dispatch and the Teams manifest's
 * command menu (src/adapters/teams/manifestCommands.ts) are all made from. Its order is the menu's, and help's
 * within each section; each entry says which section of help lists it.
 */
const BUILT_IN: readonly (CommandEntry & { section: Section })[] = [
  at('setup', DISTRICT_COMMANDS.help),
  at('setup', DISTRICT_COMMANDS.setup),
  at('people', DISTRICT_COMMANDS.perspective),
  at('reviews', REVIEW_COMMANDS.status),
  at('reviews', REVIEW_COMMANDS.results),
  at('reviews', REVIEW_COMMANDS.reviews),
  at('reviews', ACTIVITY1_COMMANDS.activity1),
  at('people', DISTRICT_COMMANDS.coordinator),
  at('people', DISTRICT_COMMANDS.member),
  at('roster', ROSTER_COMMANDS.roster),
  at('running', REVIEW_COMMANDS.review),
  at('running', REVIEW_COMMANDS.close),
  at('running', REVIEW_COMMANDS.next),
  at('reviews', RESULTS_COMMANDS.export),
  at('reviews', RESULTS_COMMANDS.reflect),
  at('reviews', DISTRICT_COMMANDS.dashboard),
  at('running', REVIEW_COMMANDS.decide),
  at('running', REMIND_COMMANDS.remind),
  at('running', GROUP_COMMANDS.groups),
  at('buildings', NUDGE_COMMANDS.building),
  at('buildings', NUDGE_COMMANDS.schedule),
  at('buildings', NUDGE_COMMANDS.submissions),
  at('buildings', NUDGE_COMMANDS.nudge),
  at('buildings', PLAN_COMMANDS.plan),
  at('buildings', PLAN_COMMANDS.plans),
  at('network', NETWORK_COMMANDS.network),
  // Typed only: the Teams menu is full (10 commands).
  at('reviews', ACTION_COMMANDS.action),
  at('reviews', ACTION_COMMANDS.actions),
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
  if (!entry) throw await unknownCommand(word, ctx, env);
  entry.requires?.(env);
  const usage = (problem: string) => usageError(entry.usage, problem);
  return entry.handle(entry.parse(tokens, usage), ctx, env, usage);
}

import { type CommandEntry, commandTable } from '../../app/commands';

/**
 * The Teams app manifest's command menu (bots[0].commandLists), generated from the command table: the entries
 * with a Teams menu description (CommandEntry.teams), in table order — one list for team channels and group chats,
 * one for the personal chat. scripts/package-teams.ts writes it into the package; test/teams/manifest.test.ts
 * checks that manifests/teams/manifest.json carries the same.
 */

/** Teams' limits on a bot's command menu (manifest schema: commandLists[].commands). */
export const TEAMS_MENU_LIMITS = { commands: 10, title: 32, description: 128 } as const;

export interface TeamsCommandList {
  scopes: Array<'team' | 'groupChat' | 'personal'>;
  commands: Array<{ title: string; description: string }>;
}

export class TeamsMenuError extends Error {}

function menu(
  table: readonly CommandEntry[],
  scopes: TeamsCommandList['scopes'],
  description: (e: CommandEntry) => string | undefined,
): TeamsCommandList {
  const commands = table.flatMap((e) => {
    const d = description(e);
    return d === undefined ? [] : [{ title: e.teams?.title ?? e.name, description: d }];
  });
  const where = scopes.join('/');
  if (commands.length > TEAMS_MENU_LIMITS.commands) {
    throw new TeamsMenuError(
      `The Teams ${where} command menu has ${commands.length} commands (${commands.map((c) => c.title).join(', ')}); Teams allows ${TEAMS_MENU_LIMITS.commands}: take one off (CommandEntry.teams).`,
    );
  }
  for (const c of commands) {
    if (c.title.length > TEAMS_MENU_LIMITS.title)
      throw new TeamsMenuError(
        `Teams command title "${c.title}" is over ${TEAMS_MENU_LIMITS.title} characters.`,
      );
    if (c.description.length > TEAMS_MENU_LIMITS.description)
      throw new TeamsMenuError(
        `The Teams ${where} description of "${c.title}" is over ${TEAMS_MENU_LIMITS.description} characters.`,
      );
  }
  const titles = commands.map((c) => c.title);
  const twice = titles.find((t, i) => titles.indexOf(t) !== i);
  if (twice) throw new TeamsMenuError(`The Teams ${where} command menu lists "${twice}" twice.`);
  return { scopes, commands };
}

/** bots[0].commandLists for `table` (default: the built-in commands); a scope with no command has no list. */
export function teamsCommandLists(table: readonly CommandEntry[] = commandTable()): TeamsCommandList[] {
  return [
    menu(table, ['team', 'groupChat'], (e) => e.teams?.team),
    menu(table, ['personal'], (e) => e.teams?.personal),
  ].filter((l) => l.commands.length > 0);
}

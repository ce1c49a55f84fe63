import { toTeamsMarkdown } from '../../src/adapters/cards/teamsText';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { commandResultBlocks } from '../../src/adapters/slack/blocks';
import { teamsCommandLists } from '../../src/adapters/teams/manifestCommands';
import {
  COMMANDS,
  type CommandEntry,
  type CommandResult,
  CommandService,
  command,
  commandTable,
} from '../../src/app/commands';
import type { Actor } from '../../src/app/schemas';
import { plain, rich, strong } from '../../src/app/text';
import { coordinator, makeService, member } from '../support/fixtures';

/**
 * One table entry is all a command needs: help in Slack and in Teams, dispatch and the Teams manifest's command
 * menu all come from the command table, so a command added there shows everywhere, and one taken out goes.
 */
const greet = command({
  name: 'greet',
  role: 'anyone',
  usage: 'greet "name"',
  summary: 'say hello to someone',
  section: 'people',
  teams: { personal: 'greet "name": say hello to someone' },
  parse(tokens, usage) {
    if (!tokens[0]) throw usage('Say whom to greet.');
    return tokens[0];
  },
  handle: async (name) => ({ kind: 'text', text: rich`Hello, ${strong(name)}!` }),
});

const audit = command({
  name: 'audit',
  role: 'coordinator',
  usage: 'audit',
  summary: 'check the district team',
  parse: () => null,
  handle: async () => ({ kind: 'text', text: plain('All good.') }),
});

async function world(table: readonly CommandEntry[]) {
  const store = new NedbStore(null);
  await store.init();
  const commands = new CommandService(makeService(store), {}, table);
  const as = (actor: Actor) => (line: string) => commands.run({ actor, channelId: 'C1' }, line);
  await as(coordinator)('setup "Lakeview Schools"');
  return { coord: as(coordinator), m1: as(member(1)) };
}

/** Help as each channel shows it: Slack (message text and blocks) and Teams (message markdown). */
function shown(r: CommandResult) {
  if (r.kind !== 'help') throw new Error(`expected help, got ${r.kind}`);
  const slack = commandResultBlocks(r);
  return { slack: `${slack.text}\n${JSON.stringify(slack.blocks)}`, teams: toTeamsMarkdown(r.text) };
}

const menuTitles = (table: readonly CommandEntry[]) =>
  teamsCommandLists(table).flatMap((l) => l.commands.map((c) => c.title));

test('a command added in one table entry appears in Slack help, Teams help and the Teams manifest, and runs', async () => {
  const table = commandTable([greet, audit]);
  const { coord, m1 } = await world(table);
  const help = shown(await m1('help'));
  expect(help.slack).toContain('greet "name"');
  expect(help.slack).toContain('say hello to someone');
  expect(help.teams).toContain('greet "name"');
  expect(help.teams).toContain('say hello to someone');
  // Under its section's heading, which each channel shows as emphasis (Slack *…*, Teams **…**), not as raw
  // asterisks; audit has no section: it comes last, under "More".
  expect(help.slack).toMatch(/\*People\*\n(• [^\n]*\n)*• `greet "name"`/);
  expect(help.teams).toMatch(/\*\*People\*\*\n(- [^\n]*\n)*- `greet "name"`/);
  expect(help.teams).not.toMatch(/&#42;|\\\*/);
  expect(help.slack).not.toContain('More');
  expect(menuTitles(table)).toContain('greet');
  expect(teamsCommandLists(table).find((l) => l.scopes.includes('personal'))?.commands).toContainEqual({
    title: 'greet',
    description: 'greet "name": say hello to someone',
  });
  // Dispatch reads the same entry: its parser (with its usage on an error) and its handler.
  expect(await m1('greet Pat')).toEqual({ kind: 'text', text: rich`Hello, ${strong('Pat')}!` });
  await expect(m1('greet')).rejects.toThrow('Say whom to greet.\nUsage: greet "name"');
  // Its role decides whom help shows it to: a coordinator's command is hidden from members.
  expect(help.slack).not.toContain('check the district team');
  const coordHelp = shown(await coord('help'));
  expect(coordHelp.slack).toContain('check the district team');
  expect(coordHelp.teams).toContain('check the district team');
  expect(coordHelp.teams).toMatch(/\*\*More\*\*\n- `audit` — check the district team$/);
  expect(menuTitles(table)).not.toContain('audit'); // no Teams menu entry: not in the manifest
});

test('without the entry it is nowhere: not in help, not in the manifest, not a command', async () => {
  const table = commandTable();
  const { coord, m1 } = await world(table);
  for (const help of [shown(await m1('help')), shown(await coord('help'))]) {
    expect(help.slack).not.toMatch(/greet|say hello/);
    expect(help.teams).not.toMatch(/greet|say hello/);
  }
  expect(menuTitles(table)).not.toContain('greet');
  expect(COMMANDS).not.toHaveProperty('greet');
  await expect(m1('greet Pat')).rejects.toThrow(/I don't know the command "greet"/);
});

test('every built-in command is in the table once, and a name used twice is refused', () => {
  const names = commandTable().map((e) => e.name);
  expect(names).toEqual(Object.keys(COMMANDS));
  expect(new Set(names).size).toBe(names.length);
  expect(commandTable().filter((e) => !e.section)).toEqual([]); // each in a section of help
  expect(() => commandTable([{ ...greet, name: 'help' }])).toThrow(/"help" names two commands/);
  expect(() => commandTable([{ ...greet, aliases: ['?'] }])).toThrow(/"\?" names two commands/);
});

import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { CommandService } from '../../src/app/commands';
import { closest, editDistance } from '../../src/app/commands/suggest';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { coordinator, makeService, member } from '../support/fixtures';

/** Help in short sections by purpose, `help <command>` in full, and "Did you mean …?" for a mistyped command. */

async function setup() {
  const store = new NedbStore(null);
  await store.init();
  const commands = new CommandService(makeService(store));
  const as = (actor: Actor) => async (line: string) => {
    const r = await commands.run({ actor, channelId: 'C1' }, line);
    if (r.kind !== 'help') throw new Error(`expected help, got ${r.kind}`);
    return plainText(r.text);
  };
  await commands.run({ actor: coordinator, channelId: 'C1' }, 'setup "Lakeview Schools"');
  const coord = as(coordinator);
  return { coord, m1: as(member(1)) };
}

/** Help's sections: heading → the commands (first word of each usage) listed under it. */
function sections(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const block of help.split('\n\n').slice(1)) {
    const [heading, ...lines] = block.split('\n');
    const bullets = lines.filter((l) => l.startsWith('• '));
    if (heading && bullets.length)
      out.set(
        heading,
        bullets.map((l) => l.slice(3).split(/[ `]/)[0] ?? ''),
      );
  }
  return out;
}

test('help is in sections by purpose, each listing only what the caller may run; empty sections are left out', async () => {
  const { coord, m1 } = await setup();
  const forCoordinator = sections(await coord('help'));
  expect([...forCoordinator.keys()]).toEqual([
    'Reviews',
    'Running a review',
    'People',
    'Roster',
    'Building teams and nudges',
    'Co-op network',
    'Setup',
  ]);
  // `activity1` has two forms: posting it (coordinators) and its results (anyone).
  expect(forCoordinator.get('Reviews')).toEqual([
    'status',
    'results',
    'reviews',
    'activity1',
    'activity1',
    'export',
    'reflect',
    'dashboard',
    // `action` has two forms: add (coordinators) and done (anyone: its owner); then `actions`.
    'action',
    'action',
    'actions',
  ]);
  // `review` has three forms (start, cancel, deadline), one line each.
  expect(forCoordinator.get('Running a review')).toEqual([
    'review',
    'review',
    'review',
    'close',
    'next',
    'decide',
    'remind',
    // `groups`: one short line (`help groups` has its four forms).
    'groups',
  ]);
  expect(forCoordinator.get('People')).toEqual(['perspective', 'coordinator', 'member']);
  // `roster` has four forms (list, import, add, remove): more than three, so one line; members do not see it.
  expect(forCoordinator.get('Roster')).toEqual(['roster']);
  expect(forCoordinator.get('Building teams and nudges')).toEqual([
    'building',
    'schedule',
    'submissions',
    'nudge',
    'plan',
    'plans',
  ]);
  expect(forCoordinator.get('Setup')).toEqual(['help', 'setup']);
  // A member: no coordinator commands; of "Running a review" only small groups (to compare them); `setup` is done here.
  const memberHelp = await m1('help');
  const forMember = sections(memberHelp);
  expect([...forMember.keys()]).toEqual([
    'Reviews',
    'Running a review',
    'People',
    'Building teams and nudges',
    'Co-op network',
    'Setup',
  ]);
  expect(forMember.get('Running a review')).toEqual(['groups']);
  expect(memberHelp).toContain('• `groups split N …` — small groups');
  expect(forMember.get('People')).toEqual(['perspective']);
  expect(forMember.get('Building teams and nudges')).toEqual(['submissions', 'plan', 'plans']);
  expect(forMember.get('Co-op network')).toEqual(['network']);
  expect(forMember.get('Setup')).toEqual(['help']);
  expect(memberHelp).toMatch(/Coordinator commands are hidden/);
  // Short: long usages are cut at their options in the overview, many forms fold into one line (Slack splits a
  // longer reply between sections, but help should stay a screenful).
  const overview = await coord('help');
  expect(overview).toContain('`review start "2026-27 Fall" …`');
  expect(overview).not.toContain('rubric=');
  expect(overview.length).toBeLessThan(3500);
  // A command of more than three forms (network: 12 for a coordinator) is one line, naming them and `help network`.
  expect(overview.split('\n').filter((l) => l.startsWith('• `network'))).toEqual([
    '• `network …` — co-op networks of districts: network, join, leave, named, contact, peers, connect, accept|decline, requests, share, unshare, create (`help network`)',
  ]);
});

test('help <command> shows that command in full: every form, its summary and whom it is for', async () => {
  const { coord, m1 } = await setup();
  expect(await m1('help status')).toBe(
    'status — Reviews\n`status [cycle]`\nparticipation and state of the current review',
  );
  expect(await m1('help ?')).toMatch(/^help \(also \?\) — Setup\n`help \[command\]`/);
  // A coordinator's command in full, saying it is theirs (the policy refuses it to others all the same).
  const review = await m1('help Review');
  expect(review).toMatch(/^review — Running a review\n`review start "2026-27 Fall" \[blind\]/);
  expect(review).toContain('[rubric=culture-of-collaboration]`');
  expect(review).toContain('start a review: one poll per rubric row in this channel — for coordinators');
  // Several forms, one a line.
  const building = await coord('help building');
  expect(building).toContain('`building list`\n`building members "Name" @member …`');
  const network = await coord('help network');
  expect(network).toContain(
    "`network code`\nyour network's invitation code — for the network's facilitators",
  );
});

test('a mistyped command gets the closest one the caller may run, and none when nothing is close', async () => {
  const { coord, m1 } = await setup();
  const refusal = (line: string, as = coord) =>
    as(line).then(
      () => 'no error',
      (e: Error) => e.message,
    );
  expect(await refusal('stauts')).toBe('I don\'t know the command "stauts". Did you mean status?');
  expect(await refusal('reveiw')).toBe('I don\'t know the command "reveiw". Did you mean review?');
  expect(await refusal('SCHED')).toBe('I don\'t know the command "sched". Did you mean schedule?');
  expect(await refusal('xyz')).toBe(
    'I don\'t know the command "xyz". Try "help" to see what you can do here.',
  );
  // A member cannot run `review`: the closest of theirs is `reviews`.
  expect(await refusal('reveiw', m1)).toMatch(/Did you mean reviews\?$/);
  // The same for `help <x>`.
  expect(await refusal('help stauts')).toBe('I don\'t know the command "stauts". Did you mean status?');
  expect(await refusal('help xyz')).toMatch(/don't know the command "xyz". Try "help"/);
});

test('edit distance counts a swap of neighbours as one edit; short words need a closer match', () => {
  expect(editDistance('stauts', 'status')).toBe(1);
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
  expect(editDistance('same', 'same')).toBe(0);
  expect(closest('stauts', ['results', 'status'])).toBe('status');
  expect(closest('hlep', ['help', '?'])).toBe('help');
  expect(closest('xy', ['help', '?'])).toBeNull(); // "?" is one letter: only itself is close
  expect(closest('nxet', ['next'])).toBe('next');
  expect(closest('nx', ['next'])).toBeNull();
  expect(closest('rev', ['reviews', 'review'])).toBe('review'); // a prefix; the fewest edits wins
  expect(closest('xyz', ['status', 'review', 'next', 'help', '?'])).toBeNull();
});

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import JSZip from 'jszip';
import {
  buildTeamsPackage,
  fillManifest,
  MANIFEST_DIR,
  manifestVars,
  PackageError,
  validateManifest,
} from '../../scripts/package-teams';
import { teamsCommandLists } from '../../src/adapters/teams/manifestCommands';
import { COMMANDS, command, commandTable, type TeamsMenuEntry } from '../../src/app/commands';
import { plain } from '../../src/app/text';

const env = {
  MicrosoftAppId: '0b5c1d34-1111-2222-3333-444455556666',
  PUBLIC_URL: 'https://micip.example.org/',
};
const template = fs.readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8');
const manifest = () => fillManifest(template, manifestVars(env));

/** PNG width and height from the IHDR chunk. */
const pngSize = (b: Buffer) => {
  expect(b.subarray(1, 4).toString()).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
};

test("the filled manifest is valid against Microsoft's Teams manifest schema", () => {
  const m = manifest();
  expect(validateManifest(m)).toEqual([]);
  expect(JSON.stringify(m)).not.toMatch(/\$\{\{/);
  expect(m.id).toBe(env.MicrosoftAppId);
  expect((m.bots as Array<{ botId: string }>)[0]?.botId).toBe(env.MicrosoftAppId);
  expect(m.validDomains).toEqual(['micip.example.org']);
});

test('the manifest has the district dashboard as a configurable channel / group chat tab on the public URL', () => {
  const m = manifest();
  expect(m.configurableTabs).toEqual([
    {
      configurationUrl: 'https://micip.example.org/teams/tab/config',
      canUpdateConfiguration: true,
      scopes: ['team', 'groupChat'],
      context: ['channelTab', 'privateChatTab'],
    },
  ]);
  // The tab's pages are served from a valid domain of the app.
  const tab = (m.configurableTabs as Array<{ configurationUrl: string }>)[0];
  expect(m.validDomains).toContain(new URL(tab?.configurationUrl ?? '').host);
  // The schema checks the tab entry too: an unknown scope is reported.
  const bad = manifest() as Record<string, unknown> & { configurableTabs: Array<{ scopes: string[] }> };
  bad.configurableTabs[0]?.scopes.push('everywhere');
  expect(validateManifest(bad).join('\n')).toMatch(/configurableTabs/);
});

test('the schema check can fail: a too-long command title, a missing field and a bad id are reported', () => {
  const m = manifest() as Record<string, unknown> & {
    bots: Array<{ commandLists: Array<{ commands: object[] }> }>;
  };
  m.bots[0]?.commandLists[0]?.commands.push({ title: 'x'.repeat(40), description: 'too long' });
  delete m.accentColor;
  m.id = 'not-a-guid';
  const errors = validateManifest(m);
  expect(errors.join('\n')).toMatch(/accentColor/);
  expect(errors.join('\n')).toMatch(/\/id/);
  expect(errors.join('\n')).toMatch(/commands/);
});

test('every manifest command is a real command of the shared command language', () => {
  const lists = (manifest().bots as Array<{ commandLists: Array<{ commands: Array<{ title: string }> }> }>)[0]
    ?.commandLists;
  const titles = (lists ?? []).flatMap((l) => l.commands.map((c) => c.title));
  expect(titles.length).toBeGreaterThan(5);
  for (const t of titles) expect(Object.keys(COMMANDS)).toContain(t.split(' ')[0]);
});

test('the checked-in command menu is the one generated from the command table (packaging writes the generated one)', () => {
  const checkedIn = (JSON.parse(template) as { bots: Array<{ commandLists: unknown }> }).bots[0]
    ?.commandLists;
  // On a difference: copy the generated lists into manifests/teams/manifest.json (bots[0].commandLists).
  expect(checkedIn).toEqual(teamsCommandLists());
  expect((manifest().bots as Array<{ commandLists: unknown }>)[0]?.commandLists).toEqual(teamsCommandLists());
});

test("the generated menu keeps Teams' limits: an 11th command or a long title is refused when packaging", () => {
  const extra = (name: string, teams: TeamsMenuEntry) =>
    command({
      name,
      role: 'anyone',
      usage: name,
      summary: name,
      teams,
      parse: () => null,
      handle: async () => ({ kind: 'text', text: plain(name) }),
    });
  // The team menu already has 10 commands.
  const eleven = () => teamsCommandLists(commandTable([extra('eleventh', { team: 'one too many' })]));
  expect(eleven).toThrow(/has 11 commands .* Teams allows 10/);
  expect(() => fillManifest(template, manifestVars(env), eleven)).toThrow(PackageError);
  const long = () =>
    teamsCommandLists(commandTable([extra('long', { title: 'x'.repeat(33), personal: 'p' })]));
  expect(long).toThrow(/over 32 characters/);
  const wordy = () => teamsCommandLists(commandTable([extra('wordy', { personal: 'w'.repeat(129) })]));
  expect(wordy).toThrow(/over 128 characters/);
  // The personal chat's menu has room.
  const personal = teamsCommandLists(commandTable([extra('hello', { personal: 'Say hello' })]));
  expect(personal[1]?.commands.map((c) => c.title)).toEqual(['help', 'hello']);
});

test('placeholders: missing or bad values are refused with a clear message', () => {
  expect(() => manifestVars({ PUBLIC_URL: env.PUBLIC_URL })).toThrow(PackageError);
  expect(() => manifestVars({ ...env, MicrosoftAppId: 'abc' })).toThrow(/GUID/);
  expect(() => manifestVars({ ...env, PUBLIC_URL: 'http://micip.example.org' })).toThrow(/https/);
  const unknown = `{"x":"${'$'}{{NOPE}}"}`;
  expect(() => fillManifest(unknown, manifestVars(env))).toThrow(/unknown placeholder/);
});

test('the package zip holds a valid manifest and both icons at the right sizes', async () => {
  const zip = await JSZip.loadAsync(await buildTeamsPackage(manifestVars(env)));
  expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  const m = JSON.parse(await (zip.file('manifest.json')?.async('string') ?? Promise.resolve('{}')));
  expect(validateManifest(m)).toEqual([]);
  expect(pngSize((await zip.file('color.png')?.async('nodebuffer')) as Buffer)).toEqual([192, 192]);
  expect(pngSize((await zip.file('outline.png')?.async('nodebuffer')) as Buffer)).toEqual([32, 32]);
});

test('npm run package:teams writes the zip', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'micip-pkg-')), 'app.zip');
  execFileSync(
    process.execPath,
    [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'scripts/package-teams.ts', out],
    { cwd: path.join(__dirname, '..', '..'), env: { ...process.env, ...env }, stdio: 'pipe' },
  );
  expect(fs.statSync(out).size).toBeGreaterThan(1000);
});

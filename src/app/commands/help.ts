import { isCoordinator } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { bullets, code, join, plain, type RichText, rich, strong } from '../text';
import { closest } from './suggest';
import {
  type CommandContext,
  type CommandEntry,
  type CommandEnv,
  type HelpLine,
  type Role,
  SECTIONS,
} from './types';

/**
 * Help from the command table: the overview in short sections by purpose (CommandEntry.section), one command in
 * full (`help review`), and "Did you mean …?" for a command word nobody has. All of it lists only what the caller
 * may run here; what they may actually do is still decided by the policy inside each use case.
 */

/** Who is asking, as far as help's roles go. */
interface Caller {
  districtName: string | null;
  coordinator: boolean;
  facilitator: boolean;
  admin: boolean;
}

/** Whether help shows a command of `role` to this caller. */
function shown(role: Role, c: Caller): boolean {
  if (role === 'coordinator') return c.coordinator;
  if (role === 'anyone-until-setup') return c.coordinator || c.districtName === null;
  if (role === 'facilitator') return c.facilitator;
  if (role === 'admin') return c.admin;
  return true;
}

/** Asked only when the table has lines for that role (the platform's answer can cost a Web API call). */
async function networkRoles(
  ctx: CommandContext,
  env: CommandEnv,
): Promise<Pick<Caller, 'facilitator' | 'admin'>> {
  const roles = new Set(env.table.flatMap((e) => formsOf(e).map((h) => h.role)));
  const facilitator =
    roles.has('facilitator') && env.network ? await env.network.facilitates(ctx.actor) : false;
  const admin =
    roles.has('admin') && ctx.actor.isAdmin && ctx.actor.conversation !== 'group'
      ? await ctx.actor.isAdmin().catch(() => false)
      : false;
  return { facilitator, admin };
}

/** The caller's district team (when this channel is one) and roles. */
async function callerOf(ctx: CommandContext, env: CommandEnv): Promise<Caller> {
  let coordinator = false;
  let districtName: string | null = null;
  try {
    const d = await env.reviews.districtForChannel(ctx.actor, ctx.channelId);
    districtName = d.name;
    coordinator = isCoordinator(await env.reviews.getMember(ctx.actor, d.id));
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'unknown-district')) throw e;
  }
  return { districtName, coordinator, ...(await networkRoles(ctx, env)) };
}

/** A command's forms: its own usage, or its help lines (each with its role, e.g. `network …`). */
const formsOf = (e: CommandEntry): readonly HelpLine[] => e.help ?? [e];

/** The heading of the section that lists `e`. */
const headingOf = (e: CommandEntry): string => (e.section ? SECTIONS[e.section] : 'More');

/** Usage for the overview: a long one up to its first option or second form, then "…" (`help <command>` has it all). */
function brief(usage: string): string {
  if (usage.length <= 40) return usage;
  const cut = usage.search(/ \[| \| /);
  return cut > 0 ? `${usage.slice(0, cut)} …` : usage;
}

/** More forms than this and a command takes one line of the overview. */
const MAX_FORMS_IN_OVERVIEW = 3;

/** Help lists only what the caller may do in this channel, from the command table, in sections by purpose. */
export async function helpText(ctx: CommandContext, env: CommandEnv): Promise<RichText> {
  const caller = await callerOf(ctx, env);
  const sections = new Map<string, RichText[]>([...Object.values(SECTIONS), 'More'].map((h) => [h, []]));
  for (const e of env.table) {
    const forms = formsOf(e).filter((f) => shown(f.role, caller));
    // A command of many forms takes one line here (`help <command>` lists them), so the overview stays one message.
    const lines =
      forms.length > MAX_FORMS_IN_OVERVIEW
        ? [
            rich`${code(`${e.name} …`)} — ${plain(e.summary)}: ${plain(
              forms.map((f) => f.usage.split(' ')[1] ?? e.name).join(', '),
            )} (${code(`help ${e.name}`)})`,
          ]
        : forms.map((f) => rich`${code(brief(f.usage))} — ${plain(f.summary)}`);
    sections.get(headingOf(e))?.push(...lines);
  }
  const body = [...sections]
    .filter(([, lines]) => lines.length > 0)
    // Each section a real list (Slack rich_text_list, Teams markdown list, HTML ul).
    .map(([heading, lines]) => rich`${strong(plain(heading))}\n${bullets(lines)}`);
  const head = caller.districtName
    ? rich`This channel is the district team of ${strong(caller.districtName)}${caller.coordinator ? plain(' (you are a coordinator)') : ''}.`
    : rich`This channel is not set up yet: start with ${code('setup "District name"')}.`;
  const tail = caller.coordinator
    ? ''
    : plain('\n\nCoordinator commands are hidden: a coordinator can grant you the role.');
  return rich`${head}\n\n${join(body, '\n\n')}${tail}`;
}

const WHO: Record<Role, string> = {
  anyone: '',
  coordinator: ' — for coordinators',
  'anyone-until-setup': ' — for anyone until the channel is set up, then for coordinators',
  facilitator: " — for the network's facilitators",
  admin: ' — for workspace admins',
};

/** `help <command>`: every form of one command in full, its summary, and whom it is for. */
export async function commandHelp(word: string, ctx: CommandContext, env: CommandEnv): Promise<RichText> {
  const e = env.table.find((c) => c.name === word || c.aliases?.includes(word));
  if (!e) throw await unknownCommand(word, ctx, env);
  const aliases = e.aliases?.length ? plain(` (also ${e.aliases.join(', ')})`) : '';
  const forms = formsOf(e).map(
    (f) => rich`${join(f.usage.split(' | ').map(code), '\n')}\n${plain(f.summary + WHO[f.role])}`,
  );
  return rich`${strong(plain(e.name))}${aliases} — ${plain(headingOf(e))}\n${join(forms, '\n')}`;
}

/** The answer to a command word no entry has, with the closest command the caller may run, if one is close. */
export async function unknownCommand(
  word: string,
  ctx: CommandContext,
  env: CommandEnv,
): Promise<DomainError> {
  const caller = await callerOf(ctx, env).catch(
    (): Caller => ({ districtName: null, coordinator: false, facilitator: false, admin: false }),
  );
  const words = env.table
    .filter((e) => formsOf(e).some((f) => shown(f.role, caller)))
    .flatMap((e) => [e.name, ...(e.aliases ?? [])]);
  const guess = closest(word, words);
  const known = `I don't know the command "${word.slice(0, 40)}".`;
  return new DomainError(
    'invalid-input',
    guess ? `${known} Did you mean ${guess}?` : `${known} Try "help" to see what you can do here.`,
  );
}

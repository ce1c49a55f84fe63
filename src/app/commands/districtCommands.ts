import { isCoordinator } from '../../domain/district';
import { DomainError } from '../../domain/errors';
import { code, join, plain, type RichText, rich, strong } from '../text';
import { confirmed, parseArgs, parseMention } from './parse';
import {
  type CommandContext,
  type CommandEntry,
  type CommandEnv,
  command,
  present,
  type Role,
} from './types';

/** The district team's commands: help, setup, perspective, coordinator, member and dashboard. */

interface Caller {
  coordinator: boolean;
  setUp: boolean;
  facilitator: boolean;
  admin: boolean;
}

/** Whether help shows a command of `role` to this caller. */
function shown(role: Role, c: Caller): boolean {
  if (role === 'coordinator') return c.coordinator;
  if (role === 'anyone-until-setup') return c.coordinator || !c.setUp;
  if (role === 'facilitator') return c.facilitator;
  if (role === 'admin') return c.admin;
  return true;
}

/** Asked only when the table has lines for that role (the platform's answer can cost a Web API call). */
async function networkRoles(
  ctx: CommandContext,
  env: CommandEnv,
): Promise<Pick<Caller, 'facilitator' | 'admin'>> {
  const roles = new Set(env.table.flatMap((e) => (e.help ?? [e]).map((h) => h.role)));
  const facilitator =
    roles.has('facilitator') && env.network ? await env.network.facilitates(ctx.actor) : false;
  const admin =
    roles.has('admin') && ctx.actor.isAdmin && ctx.actor.conversation !== 'group'
      ? await ctx.actor.isAdmin().catch(() => false)
      : false;
  return { facilitator, admin };
}

/** Help lists only what the caller may do in this channel, from the command table. */
export async function helpText(ctx: CommandContext, env: CommandEnv): Promise<RichText> {
  let coordinator = false;
  let districtName: string | null = null;
  try {
    const d = await env.reviews.districtForChannel(ctx.actor, ctx.channelId);
    districtName = d.name;
    coordinator = isCoordinator(await env.reviews.getMember(ctx.actor, d.id));
  } catch (e) {
    if (!(e instanceof DomainError && e.code === 'unknown-district')) throw e;
  }
  const caller: Caller = { coordinator, setUp: districtName !== null, ...(await networkRoles(ctx, env)) };
  const lines = env.table
    .flatMap((c) => c.help ?? [c])
    .filter((c) => shown(c.role, caller))
    .map((c) => rich`• ${code(c.usage)} — ${plain(c.summary)}`);
  const head = districtName
    ? rich`This channel is the district team of ${strong(districtName)}${coordinator ? plain(' (you are a coordinator)') : ''}.`
    : rich`This channel is not set up yet: start with ${code('setup "District name"')}.`;
  const tail = coordinator
    ? ''
    : plain('\nCoordinator commands are hidden: a coordinator can grant you the role.');
  return rich`${head}\n${join(lines, '\n')}${tail}`;
}

export const DISTRICT_COMMANDS = {
  help: command({
    name: 'help',
    aliases: ['?'],
    role: 'anyone',
    usage: 'help',
    summary: 'show what you can do here',
    teams: {
      team: 'Show what you can do here (coordinator commands only for coordinators)',
      personal: 'What this bot does and how to start a review in a channel',
    },
    parse: () => null,
    handle: async (_args, ctx, env) => ({ kind: 'help', text: await helpText(ctx, env) }),
  }),

  setup: command({
    name: 'setup',
    role: 'anyone-until-setup',
    usage: 'setup "District name" [tz=America/Detroit]',
    summary: 'make this channel the district team (you become its coordinator)',
    teams: { team: 'setup "District name" [tz=America/Detroit]: make this channel the district team' },
    parse(tokens, usage) {
      const a = parseArgs(tokens, []);
      const name = a.words.join(' ').trim();
      if (!name) throw usage('Give the district a name.');
      return { name, timezone: a.options.get('tz') };
    },
    async handle({ name, timezone }, ctx, env) {
      const d = await env.reviews.setupDistrict(ctx.actor, {
        name,
        channelId: ctx.channelId,
        ...(timezone ? { timezone } : {}),
      });
      return {
        kind: 'text',
        text: rich`This channel is now the district team of ${strong(d.name)} (time zone ${d.timezone}). Start a review with ${code('review start "2026-27 Fall"')}.`,
      };
    },
  }),

  perspective: command({
    name: 'perspective',
    role: 'anyone',
    usage: 'perspective district|building',
    summary: 'say whether you vote from the district or a building perspective',
    parse(tokens, usage) {
      const p = tokens[0]?.toLowerCase();
      if (p !== 'district' && p !== 'building') throw usage('Say "district" or "building".');
      return p;
    },
    async handle(p, ctx, env) {
      await env.reviews.setMember(ctx.actor, {
        channelId: ctx.channelId,
        memberId: ctx.actor.userId,
        displayName: ctx.actor.displayName ?? '',
        perspective: p,
      });
      return { kind: 'text', text: rich`Noted: you vote from the ${p} perspective.` };
    },
  }),

  coordinator: command({
    name: 'coordinator',
    role: 'coordinator',
    usage: 'coordinator add|remove @person',
    summary: 'grant or remove the coordinator role',
    parse(tokens, usage) {
      const op = tokens[0]?.toLowerCase();
      const who = parseMention(tokens[1]);
      if ((op !== 'add' && op !== 'remove') || !who) throw usage('Say add or remove, and mention a person.');
      return { add: op === 'add', who };
    },
    async handle({ add, who }, ctx, env) {
      const person = await confirmed(ctx, who);
      const m = await env.reviews.setCoordinator(
        ctx.actor,
        { channelId: ctx.channelId, memberId: who.id, displayName: person.displayName },
        add,
      );
      const name = m.displayName || who.id;
      return {
        kind: 'text',
        text: add ? rich`${name} is now a coordinator.` : rich`${name} is no longer a coordinator.`,
      };
    },
  }),

  member: command({
    name: 'member',
    role: 'coordinator',
    usage: 'member add @person district|building',
    summary: 'add a member with their perspective',
    teams: {
      title: 'member add',
      team: 'member add @person district|building: add a member with their perspective',
    },
    parse(tokens, usage) {
      const who = parseMention(tokens[1]);
      const p = tokens[2]?.toLowerCase();
      if (tokens[0]?.toLowerCase() !== 'add' || !who || (p !== 'district' && p !== 'building')) {
        throw usage('Mention a person and give their perspective.');
      }
      return { who, perspective: p };
    },
    async handle({ who, perspective }, ctx, env) {
      const person = await confirmed(ctx, who);
      const m = await env.reviews.setMember(ctx.actor, {
        channelId: ctx.channelId,
        memberId: who.id,
        displayName: person.displayName,
        perspective,
      });
      return {
        kind: 'text',
        text: rich`${m.displayName || who.id} is a member (${perspective} perspective).`,
      };
    },
  }),

  dashboard: command({
    name: 'dashboard',
    role: 'anyone',
    usage: 'dashboard',
    summary: "a private link to this district's dashboard (valid 7 days)",
    requires(env) {
      if (!env.links)
        throw new DomainError('invalid-state', 'The dashboard is not available on this server.');
    },
    parse: () => null,
    async handle(_args, ctx, env) {
      const d = await env.reviews.districtForChannel(ctx.actor, ctx.channelId);
      await env.reviews.access.enforce(ctx.actor, 'district.read', d);
      const link = present(env.links).dashboard(d.tenantId, d.id);
      return {
        kind: 'text',
        text: rich`Dashboard of ${strong(d.name)} (private link, valid until ${plain(link.expiresAt.toISOString().slice(0, 16).replace('T', ' '))} UTC): ${plain(link.url)}`,
      };
    },
  }),
} satisfies Record<string, CommandEntry>;

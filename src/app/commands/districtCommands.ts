import { DomainError } from '../../domain/errors';
import { code, plain, rich, strong } from '../text';
import { showTime } from '../when';
import { commandHelp, helpText } from './help';
import { confirmed, parseArgs, parseMention } from './parse';
import { type CommandEntry, command, present } from './types';

/** The district team's commands: help, setup, perspective, coordinator, member and dashboard. */

export const DISTRICT_COMMANDS = {
  help: command({
    name: 'help',
    aliases: ['?'],
    role: 'anyone',
    usage: 'help [command]',
    summary: 'what you can do here, or one command in full (e.g. help review)',
    teams: {
      team: 'Show what you can do here (coordinator commands only for coordinators)',
      personal: 'What this bot does and how to start a review in a channel',
    },
    parse: (tokens) => tokens[0]?.toLowerCase(),
    handle: async (word, ctx, env) => ({
      kind: 'help',
      text: word ? await commandHelp(word, ctx, env) : await helpText(ctx, env),
    }),
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
        text: rich`Dashboard of ${strong(d.name)} (private link, valid until ${plain(showTime(link.expiresAt, d.timezone))}): ${plain(link.url)}`,
      };
    },
  }),
} satisfies Record<string, CommandEntry>;

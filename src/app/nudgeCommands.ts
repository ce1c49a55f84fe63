import { DomainError } from '../domain/errors';
import { EXAMPLE_SCHEDULES, formatLocal } from '../domain/schedule';
import type { BuildingService } from './buildingService';
import type { ScheduleView } from './nudgeViews';
import type { ScheduleService } from './scheduleService';
import type { Actor } from './schemas';
import { channel as channelRef, code, join, person, plain, type RichText, rich, strong } from './text';

/**
 * The `building`, `schedule` and `submissions` commands (coordinator side of building teams and nudges),
 * plugged into CommandService through CommandExtras.nudges.
 */
export const NUDGE_COMMANDS = {
  building: {
    usage:
      'building add "Name" #channel [@member …] | building list | building members "Name" @member … | building rename "Name" "New name" | building remove "Name"',
    summary: 'register the building teams that submit monitoring data',
    coordinatorOnly: true,
  },
  schedule: {
    usage:
      'schedule add|preview "every Monday 8:00" [for "Building" …] [until=2027-06-15] [tz=America/Detroit] [quiet=20:00-07:00|off] [weekends] [holidays=2026-11-26,2026-12-24] [escalate=3] [period=month|week] | schedule list | schedule remove <id>',
    summary: 'nudge building teams that have not submitted (shows the next three runs)',
    coordinatorOnly: true,
  },
  submissions: {
    usage: 'submissions [2026-11]',
    summary: 'which building teams have submitted monitoring data for a period',
    coordinatorOnly: false,
  },
} as const;

export interface NudgeCommandDeps {
  buildings: BuildingService;
  schedules: ScheduleService;
}

interface Ctx {
  actor: Actor;
  channelId: string;
}

const usage = (cmd: keyof typeof NUDGE_COMMANDS, problem: string) =>
  new DomainError('invalid-input', `${problem}\nUsage: ${NUDGE_COMMANDS[cmd].usage}`);

/** `<#C123|name>` (Slack), `#C123`, or a raw channel id such as a Teams `19:…@thread.tacv2`. */
function parseChannel(token: string | undefined): string | null {
  if (!token) return null;
  const slack = /^<#([A-Za-z0-9_.:@-]+)(?:\|[^>]*)?>$/.exec(token);
  if (slack) return slack[1] ?? null;
  const plain = /^#?([A-Za-z0-9_.:@-]{2,200})$/.exec(token);
  return plain && (token.startsWith('#') || /^(C|G|19:)/.test(token)) ? (plain[1] ?? null) : null;
}
const parseUser = (t: string) => /^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$/.exec(t)?.[1] ?? null;

export function renderSchedule(v: ScheduleView, heading: string): RichText {
  const who = v.buildings === 'all' ? 'every building' : `${v.buildings.length} building(s)`;
  const rules = [
    `quiet hours ${v.quietHours}`,
    v.skipWeekends ? 'no weekends' : 'weekends allowed',
    v.holidays.length ? `${v.holidays.length} holiday(s)` : null,
    v.escalateAfter ? `escalate after ${v.escalateAfter} missed nudges` : 'no escalation',
    `${v.periodKind}ly periods`,
    v.endsOn ? `ends ${v.endsOn.slice(0, 10)}` : 'no end date',
  ].filter(Boolean);
  const runs = v.nextRuns.length ? v.nextRuns.map((r) => `  • ${r}`).join('\n') : '  • (no more runs)';
  return rich`${plain(heading)} ${code(v.scheduleId)}: ${plain(v.description)} (${v.timezone}) for ${plain(who)}; ${plain(rules.join(', '))}.\nNext runs:\n${plain(runs)}`;
}

export async function runNudgeCommand(
  d: NudgeCommandDeps,
  ctx: Ctx,
  cmd: 'building' | 'schedule' | 'submissions',
  tokens: string[],
): Promise<{ kind: 'text'; text: RichText }> {
  const text = (t: RichText) => ({ kind: 'text' as const, text: t });
  const op = tokens[0]?.toLowerCase();
  if (cmd === 'building') {
    if (op === 'list' || op === undefined) {
      const list = await d.buildings.list(ctx.actor, ctx.channelId);
      return text(
        list.length
          ? join(
              list.map(
                (b) =>
                  rich`• ${b.name} — ${channelRef(b.channelId)}, ${b.members.length} member(s) (${code(b.buildingId)})`,
              ),
              '\n',
            )
          : rich`No building teams yet. Register one with ${code('building add "Oak Elementary" #oak-team @lead')}.`,
      );
    }
    if (op === 'add') {
      const [name, channelToken, ...rest] = tokens.slice(1);
      const channel = parseChannel(channelToken);
      if (!name || !channel) throw usage('building', 'Give the building a name and its team channel.');
      const members = rest.map(parseUser);
      if (members.some((m) => m === null)) throw usage('building', 'Members are @mentions.');
      const b = await d.buildings.register(ctx.actor, {
        channelId: ctx.channelId,
        name,
        buildingChannelId: channel,
        members: members as string[],
      });
      return text(
        rich`Registered ${strong(b.name)} (team channel ${channelRef(b.channelId)}, ${b.members.length} member(s)).`,
      );
    }
    if (op === 'rename') {
      const [from, to] = tokens.slice(1);
      if (!from || !to) throw usage('building', 'Name the building and its new name.');
      const b = await d.buildings.rename(ctx.actor, { channelId: ctx.channelId, building: from, name: to });
      return text(rich`Renamed to ${strong(b.name)}.`);
    }
    if (op === 'members') {
      const [name, ...rest] = tokens.slice(1);
      const members = rest.map(parseUser);
      if (!name || members.some((m) => m === null))
        throw usage(
          'building',
          'Name the building, then @mention its members (none = anyone in its channel).',
        );
      const b = await d.buildings.setMembers(ctx.actor, {
        channelId: ctx.channelId,
        building: name,
        members: members as string[],
      });
      return text(
        b.members.length
          ? rich`${strong(b.name)} team: ${join(b.members.map(person), ', ')}.`
          : rich`${strong(b.name)} has no member list now: anyone can submit its monitoring data.`,
      );
    }
    if (op === 'remove') {
      if (!tokens[1]) throw usage('building', 'Name the building to remove.');
      const b = await d.buildings.remove(ctx.actor, { channelId: ctx.channelId, building: tokens[1] });
      return text(rich`Removed ${strong(b.name)}; its submissions stay on record.`);
    }
    throw usage('building', `"${op.slice(0, 20)}" is not a building command.`);
  }
  if (cmd === 'schedule') {
    if (op === 'list' || op === undefined) {
      const list = await d.schedules.list(ctx.actor, ctx.channelId);
      return text(
        list.length
          ? join(
              list.map((s) => renderSchedule(s, '•')),
              '\n',
            )
          : rich`No nudge schedules yet. Add one with ${code('schedule add "every Monday 8:00"')}.`,
      );
    }
    if (op === 'remove') {
      if (!tokens[1]) throw usage('schedule', 'Give the id of the schedule to remove (see `schedule list`).');
      const s = await d.schedules.remove(ctx.actor, ctx.channelId, tokens[1]);
      return text(rich`Removed schedule ${code(s.scheduleId)} (${plain(s.description)}).`);
    }
    if (op === 'add' || op === 'preview') {
      const words: string[] = [];
      const options = new Map<string, string>();
      let weekends = false;
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq > 0 && /^[a-z]+$/i.test(t.slice(0, eq)))
          options.set(t.slice(0, eq).toLowerCase(), t.slice(eq + 1));
        else if (t.toLowerCase() === 'weekends') weekends = true;
        else words.push(t);
      }
      const [expression, forWord, ...buildings] = words;
      if (!expression) throw usage('schedule', `Give the schedule, e.g. ${EXAMPLE_SCHEDULES}.`);
      if (forWord !== undefined && forWord.toLowerCase() !== 'for')
        throw usage('schedule', 'Put the schedule in quotes, then "for" and the buildings.');
      const known = ['until', 'tz', 'quiet', 'holidays', 'escalate', 'period'];
      const unknown = [...options.keys()].find((k) => !known.includes(k));
      if (unknown) throw usage('schedule', `"${unknown}" is not a schedule option.`);
      const escalate = options.get('escalate');
      if (escalate !== undefined && !/^\d{1,2}$/.test(escalate))
        throw usage('schedule', `"escalate" is a number of missed nudges (got "${escalate}").`);
      const input = {
        channelId: ctx.channelId,
        expression,
        buildings,
        weekends,
        ...(options.has('until') ? { endsOn: options.get('until') } : {}),
        ...(options.has('tz') ? { timezone: options.get('tz') } : {}),
        ...(options.has('quiet') ? { quiet: options.get('quiet') } : {}),
        ...(options.has('holidays')
          ? { holidays: (options.get('holidays') ?? '').split(',').filter(Boolean) }
          : {}),
        ...(escalate !== undefined ? { escalateAfter: Number(escalate) } : {}),
        ...(options.has('period') ? { period: options.get('period') } : {}),
      };
      const v =
        op === 'add' ? await d.schedules.add(ctx.actor, input) : await d.schedules.preview(ctx.actor, input);
      return text(renderSchedule(v, op === 'add' ? 'Added schedule' : 'Preview (nothing saved) of schedule'));
    }
    throw usage('schedule', `"${op.slice(0, 20)}" is not a schedule command.`);
  }
  const st = await d.buildings.status(ctx.actor, ctx.channelId, tokens[0]);
  const lines = [
    rich`${strong(plain(st.period.label))} (closes ${plain(formatLocal(st.period.endsAt, 'UTC').slice(4))}): ${st.submitted.length} of ${st.submitted.length + st.missing.length} building teams have submitted.`,
    ...st.submitted.map(
      (b) =>
        rich`✅ ${b.name} — version ${b.submission?.version ?? 0}, ${plain(b.submission?.submittedAt.slice(0, 16).replace('T', ' ') ?? '')} UTC`,
    ),
    ...st.missing.map((b) => rich`⏳ ${b.name} — ${channelRef(b.channelId)}`),
  ];
  return text(join(lines, '\n'));
}

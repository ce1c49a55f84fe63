import { DomainError } from '../../domain/errors';
import { EXAMPLE_SCHEDULES } from '../../domain/schedule';
import { reachFix } from '../nudges/buildingChannels';
import type { BuildingView, ScheduleView } from '../nudges/nudgeViews';
import { channel as channelRef, clip, code, join, person, plain, type RichText, rich, strong } from '../text';
import { showDay, showTime } from '../when';
import { parseChannel, parseUser } from './parse';
import { type CommandEntry, type CommandEnv, type CommandResult, command, present } from './types';

/**
 * The `building`, `schedule` and `submissions` commands (coordinator side of building teams and nudges), run
 * with CommandExtras.nudges.
 */

const needsNudges = (env: CommandEnv) => {
  if (!env.nudges)
    throw new DomainError('invalid-input', 'Building teams and nudges are not enabled on this server.');
};

const text = (t: RichText): CommandResult => ({ kind: 'text', text: t });

export function renderSchedule(v: ScheduleView, heading: string): RichText {
  const who = v.buildings === 'all' ? 'every building' : `${v.buildings.length} building(s)`;
  const rules = [
    `quiet hours ${v.quietHours}`,
    v.skipWeekends ? 'no weekends' : 'weekends allowed',
    v.holidays.length ? `${v.holidays.length} holiday(s)` : null,
    v.escalateAfter ? `escalate after ${v.escalateAfter} missed nudges` : 'no escalation',
    `${v.periodKind}ly periods`,
    // endsOn is the instant after the last local day (ISO): the day shown is that last day, in the schedule's zone.
    v.endsOn ? `ends ${showDay(new Date(Date.parse(v.endsOn) - 1), v.timezone)}` : 'no end date',
  ].filter(Boolean);
  const runs = v.nextRuns.length ? v.nextRuns.map((r) => `  • ${r}`).join('\n') : '  • (no more runs)';
  const asks = v.subject === 'plan' ? ', asking for the Building Action Planning template' : '';
  return rich`${plain(heading)} ${code(v.scheduleId)}: ${plain(v.description)} (${v.timezone}) for ${plain(who)}${plain(asks)}; ${plain(rules.join(', '))}.\nNext runs:\n${plain(runs)}`;
}

/** " — ⚠️ unreachable: <reason>" for a building whose channel the app could not post in. */
const unreachableNote = (b: BuildingView): RichText =>
  b.unreachable ? rich` — ⚠️ unreachable: ${clip(b.unreachable, 160)}` : plain('');

/** The reply to `building add|here|move`: the channel, and at once whether the app can post there. */
const registered = (b: BuildingView, verb: string): RichText =>
  b.unreachable
    ? rich`${plain(verb)} ${strong(b.name)} (team channel ${channelRef(b.channelId)}, ${b.members.length} member(s)), but :warning: I could not post there: ${clip(b.unreachable, 200)}. Until I can, its nudges will not arrive. ${reachFix(b.name)}`
    : rich`${plain(verb)} ${strong(b.name)} (team channel ${channelRef(b.channelId)}, ${b.members.length} member(s)).`;

type BuildingOp =
  | { op: 'list' }
  | { op: 'add'; name: string; channel: string; members: string[] }
  | { op: 'here'; name: string; district: string | undefined; members: string[] }
  | { op: 'move'; name: string; district: string | undefined }
  | { op: 'rename'; from: string; to: string }
  | { op: 'members'; name: string; members: string[] }
  | { op: 'remove'; name: string };

const building = command({
  name: 'building',
  role: 'coordinator',
  usage:
    'building add "Name" #channel [@member …] | building here "Name" ["District"] [@member …] (in the building\'s channel) | building move "Name" ["District"] (in its new channel) | building list | building members "Name" @member … | building rename "Name" "New name" | building remove "Name"',
  summary: 'register the building teams that submit monitoring data',
  requires: needsNudges,
  parse(tokens, usage): BuildingOp {
    const op = tokens[0]?.toLowerCase();
    if (op === 'list' || op === undefined) return { op: 'list' };
    if (op === 'add') {
      const [name, channelToken, ...rest] = tokens.slice(1);
      const channel = parseChannel(channelToken);
      if (!name || !channel)
        throw usage(
          'Give the building a name and its team channel, or run `building here "Name"` in the building team\'s own channel.',
        );
      const members = rest.map(parseUser);
      if (members.some((m) => m === null)) throw usage('Members are @mentions.');
      return { op, name, channel, members: members as string[] };
    }
    if (op === 'here' || op === 'move') {
      const [name, ...rest] = tokens.slice(1);
      if (!name) throw usage('Name the building.');
      const district = rest[0] !== undefined && parseUser(rest[0]) === null ? rest.shift() : undefined;
      const members = rest.map(parseUser);
      if (members.some((m) => m === null)) throw usage('Members are @mentions.');
      if (op === 'move' && members.length) throw usage('`building move` takes no members.');
      return op === 'here' ? { op, name, district, members: members as string[] } : { op, name, district };
    }
    if (op === 'rename') {
      const [from, to] = tokens.slice(1);
      if (!from || !to) throw usage('Name the building and its new name.');
      return { op, from, to };
    }
    if (op === 'members') {
      const [name, ...rest] = tokens.slice(1);
      const members = rest.map(parseUser);
      if (!name || members.some((m) => m === null))
        throw usage('Name the building, then @mention its members (none = anyone in its channel).');
      return { op, name, members: members as string[] };
    }
    if (op === 'remove') {
      if (!tokens[1]) throw usage('Name the building to remove.');
      return { op, name: tokens[1] };
    }
    throw usage(`"${op.slice(0, 20)}" is not a building command.`);
  },
  async handle(a, ctx, env) {
    const buildings = present(env.nudges).buildings;
    const channelId = ctx.channelId;
    switch (a.op) {
      case 'list': {
        const list = await buildings.list(ctx.actor, channelId);
        return text(
          list.length
            ? join(
                list.map(
                  (b) =>
                    rich`• ${b.name} — ${channelRef(b.channelId)}, ${b.members.length} member(s) (${code(b.buildingId)})${unreachableNote(b)}`,
                ),
                '\n',
              )
            : rich`No building teams yet. Register one with ${code('building add "Oak Elementary" #oak-team @lead')}.`,
        );
      }
      case 'add': {
        const b = await buildings.register(ctx.actor, {
          channelId,
          name: a.name,
          buildingChannelId: a.channel,
          members: a.members,
        });
        return text(registered(b, 'Registered'));
      }
      case 'here': {
        const b = await buildings.registerHere(ctx.actor, {
          channelId,
          name: a.name,
          district: a.district,
          members: a.members,
        });
        return text(registered(b, 'Registered'));
      }
      case 'move': {
        const b = await buildings.move(ctx.actor, { channelId, building: a.name, district: a.district });
        return text(registered(b, 'Moved'));
      }
      case 'rename': {
        const b = await buildings.rename(ctx.actor, { channelId, building: a.from, name: a.to });
        return text(rich`Renamed to ${strong(b.name)}.`);
      }
      case 'members': {
        const b = await buildings.setMembers(ctx.actor, { channelId, building: a.name, members: a.members });
        return text(
          b.members.length
            ? rich`${strong(b.name)} team: ${join(b.members.map(person), ', ')}.`
            : rich`${strong(b.name)} has no member list now: anyone can submit its monitoring data.`,
        );
      }
      case 'remove': {
        const b = await buildings.remove(ctx.actor, { channelId, building: a.name });
        return text(rich`Removed ${strong(b.name)}; its submissions stay on record.`);
      }
    }
  },
});

/** `schedule add|preview`'s options, as the schedule service reads them. */
function scheduleInput(tokens: string[], usage: (problem: string) => DomainError) {
  const words: string[] = [];
  const options = new Map<string, string>();
  let weekends = false;
  for (const t of tokens) {
    const eq = t.indexOf('=');
    if (eq > 0 && /^[a-z]+$/i.test(t.slice(0, eq)))
      options.set(t.slice(0, eq).toLowerCase(), t.slice(eq + 1));
    else if (t.toLowerCase() === 'weekends') weekends = true;
    else words.push(t);
  }
  const [expression, forWord, ...buildings] = words;
  if (!expression) throw usage(`Give the schedule, e.g. ${EXAMPLE_SCHEDULES}.`);
  if (forWord !== undefined && forWord.toLowerCase() !== 'for')
    throw usage('Put the schedule in quotes, then "for" and the buildings.');
  const known = ['until', 'tz', 'quiet', 'holidays', 'escalate', 'period', 'kind'];
  const unknown = [...options.keys()].find((k) => !known.includes(k));
  if (unknown) throw usage(`"${unknown}" is not a schedule option.`);
  const kind = options.get('kind')?.toLowerCase();
  if (kind !== undefined && !['plan', 'plans', 'monitoring'].includes(kind))
    throw usage(
      `"kind" is plan (the Building Action Planning template) or monitoring (got "${kind.slice(0, 20)}").`,
    );
  const escalate = options.get('escalate');
  if (escalate !== undefined && !/^\d{1,2}$/.test(escalate))
    throw usage(`"escalate" is a number of missed nudges (got "${escalate}").`);
  return {
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
    ...(kind !== undefined ? { subject: kind === 'monitoring' ? 'monitoring' : 'plan' } : {}),
  };
}

type ScheduleOp =
  | { op: 'list' }
  | { op: 'remove'; id: string }
  | { op: 'add' | 'preview'; input: ReturnType<typeof scheduleInput> };

const schedule = command({
  name: 'schedule',
  role: 'coordinator',
  usage:
    'schedule add|preview "every Monday 8:00" [for "Building" …] [until=2027-06-15] [tz=America/Detroit] [quiet=20:00-07:00|off] [weekends] [holidays=2026-11-26,2026-12-24] [escalate=3] [period=month|week] [kind=plan|monitoring] | schedule list | schedule remove <id>',
  summary: 'nudge building teams that have not submitted (shows the next three runs)',
  requires: needsNudges,
  parse(tokens, usage): ScheduleOp {
    const op = tokens[0]?.toLowerCase();
    if (op === 'list' || op === undefined) return { op: 'list' };
    if (op === 'remove') {
      if (!tokens[1]) throw usage('Give the id of the schedule to remove (see `schedule list`).');
      return { op, id: tokens[1] };
    }
    if (op === 'add' || op === 'preview') return { op, input: scheduleInput(tokens.slice(1), usage) };
    throw usage(`"${op.slice(0, 20)}" is not a schedule command.`);
  },
  async handle(a, ctx, env) {
    const schedules = present(env.nudges).schedules;
    if (a.op === 'list') {
      const list = await schedules.list(ctx.actor, ctx.channelId);
      return text(
        list.length
          ? join(
              list.map((s) => renderSchedule(s, '•')),
              '\n',
            )
          : rich`No nudge schedules yet. Add one with ${code('schedule add "every Monday 8:00"')}.`,
      );
    }
    if (a.op === 'remove') {
      const s = await schedules.remove(ctx.actor, ctx.channelId, a.id);
      return text(rich`Removed schedule ${code(s.scheduleId)} (${plain(s.description)}).`);
    }
    const input = { channelId: ctx.channelId, ...a.input };
    const v =
      a.op === 'add' ? await schedules.add(ctx.actor, input) : await schedules.preview(ctx.actor, input);
    return text(renderSchedule(v, a.op === 'add' ? 'Added schedule' : 'Preview (nothing saved) of schedule'));
  },
});

const submissions = command({
  name: 'submissions',
  role: 'anyone',
  usage: 'submissions [2026-11]',
  summary: 'which building teams have submitted monitoring data for a period',
  requires: needsNudges,
  parse: (tokens) => tokens[0],
  async handle(period, ctx, env) {
    const st = await present(env.nudges).buildings.status(ctx.actor, ctx.channelId, period);
    const lines = [
      rich`${strong(plain(st.period.label))} (closes ${plain(showTime(st.period.endsAt, st.timezone))}): ${st.submitted.length} of ${st.submitted.length + st.missing.length} building teams have submitted.`,
      ...st.submitted.map(
        (b) =>
          rich`✅ ${b.name} — version ${b.submission?.version ?? 0}, ${plain(b.submission ? showTime(b.submission.submittedAt, st.timezone) : '')}`,
      ),
      ...st.missing.map((b) => rich`⏳ ${b.name} — ${channelRef(b.channelId)}${unreachableNote(b)}`),
    ];
    return text(join(lines, '\n'));
  },
});

const nudge = command({
  name: 'nudge',
  role: 'coordinator',
  usage: 'nudge now ["Building"]',
  summary: "send this period's nudge now to the building teams that have not submitted (or to one)",
  requires: needsNudges,
  parse(tokens, usage) {
    if (tokens[0]?.toLowerCase() !== 'now') throw usage('Say `nudge now`, or `nudge now "Building"`.');
    if (tokens.length > 2) throw usage('Name one building (in quotes), or none for every building.');
    return { building: tokens[1] };
  },
  async handle(a, ctx, env) {
    const r = await present(env.nudges).schedules.nudgeNow(ctx.actor, ctx.channelId, a.building);
    const names = (list: string[]) => join(list, ', ');
    const lines: RichText[] = [
      r.nudged.length
        ? rich`Nudged ${r.nudged.length} building team(s) for ${plain(r.periodLabel)}: ${names(r.nudged)}.`
        : rich`Nobody was nudged for ${plain(r.periodLabel)}.`,
    ];
    if (r.unreachable.length)
      lines.push(
        rich`:warning: Could not reach ${r.unreachable.length}: ${join(
          r.unreachable.map((u) => rich`${u.name} (${clip(u.reason, 160)})`),
          '; ',
        )}. Add the MICIP app to their channels (in Teams: to their teams), then run ${code('nudge now')} again.`,
      );
    if (r.submitted.length) lines.push(rich`Already submitted: ${names(r.submitted)}.`);
    if (r.justNudged.length) lines.push(rich`Nudged a moment ago, so not again: ${names(r.justNudged)}.`);
    return text(join(lines, '\n'));
  },
});

export const NUDGE_COMMANDS = { building, schedule, submissions, nudge } satisfies Record<
  string,
  CommandEntry
>;

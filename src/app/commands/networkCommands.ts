import { DomainError } from '../../domain/errors';
import { formatCode, NOT_ENOUGH, SHARED } from '../../domain/network';
import { readingsText } from '../network/networkText';
import { answerText, peersText, requestsText } from '../network/peerText';
import { shareText, unshareText } from '../network/practiceNoteText';
import { remindText, statusText } from '../network/reportText';
import { scheduleOffText, scheduleText } from '../network/scheduleText';
import { code, join, link, plain, rich, strong } from '../text';
import { showTime, zoneOf } from '../when';
import { type CommandEntry, command, present } from './types';

/**
 * Co-op networks (issue 17): `network create|code|join|leave|named` and `network` (the view). Who may do what is
 * the policy's (src/app/policy.ts, `network.*`); the help lines say whom help shows each form to.
 */

type NetworkArgs =
  | { op: 'view' }
  | { op: 'create'; name: string }
  | { op: 'code' }
  | { op: 'join'; code: string; named: boolean }
  | { op: 'leave' }
  | { op: 'named'; named: boolean }
  | { op: 'contact'; contact: boolean }
  | { op: 'peers'; row: string }
  | { op: 'connect'; handle: string; note: string }
  | { op: 'answer'; requestId: string; accept: boolean }
  | { op: 'requests' }
  | { op: 'share' | 'unshare'; row: string; cycle: string | null }
  | { op: 'remind'; cycle: string | null }
  | { op: 'remindSchedule'; expression: string | null; cycle: string | null }
  | { op: 'remindOff' }
  | { op: 'status'; cycle: string | null }
  | { op: 'export'; format: 'csv' | 'json' | 'md' };

export const NETWORK_USAGE =
  'network | network create "Name" | network code | network join <code> [named] | network leave | network named on|off | network contact on|off | network peers <row> | network connect <handle> "note" | network accept|decline <id> | network requests | network share|unshare <row> ["cycle"] | network status ["cycle"] | network remind ["cycle"] | network remind schedule ["every Monday 9:00" ["cycle"]] | network remind off | network export [csv|json|md]';

export function parseNetwork(tokens: string[], usage: (problem: string) => DomainError): NetworkArgs {
  const op = tokens[0]?.toLowerCase();
  const rest = tokens.slice(1);
  switch (op) {
    case undefined:
    case 'view':
      return { op: 'view' };
    case 'create': {
      const name = rest.join(' ').trim();
      if (!name) throw usage('Give the network a name.');
      return { op: 'create', name };
    }
    case 'code':
      return { op: 'code' };
    case 'join': {
      const [c, flag, ...more] = rest;
      if (!c || more.length > 0 || (flag !== undefined && flag.toLowerCase() !== 'named')) {
        throw usage('Give the invitation code, and "named" if the network may list your district by name.');
      }
      return { op: 'join', code: c, named: flag !== undefined };
    }
    case 'leave':
      return { op: 'leave' };
    case 'named': {
      const v = rest[0]?.toLowerCase();
      if (v !== 'on' && v !== 'off') throw usage('Say "network named on" or "network named off".');
      return { op: 'named', named: v === 'on' };
    }
    case 'contact': {
      const v = rest[0]?.toLowerCase();
      if ((v !== 'on' && v !== 'off') || rest.length > 1) {
        throw usage('Say "network contact on" or "network contact off".');
      }
      return { op: 'contact', contact: v === 'on' };
    }
    case 'peers': {
      const row = rest.join(' ').trim();
      if (!row) throw usage('Give the row number, e.g. "network peers 2".');
      return { op: 'peers', row };
    }
    case 'connect': {
      // `connect B "note"`, `connect "District B" "note"` or `connect District B "note"`.
      const split = rest[0]?.toLowerCase() === 'district' && rest.length > 2 ? 2 : 1;
      const handle = rest.slice(0, split).join(' ');
      const note = rest.slice(split).join(' ').trim();
      if (!handle || !note) {
        throw usage(
          'Give the handle from "network peers" and a short note in quotes: network connect "District B" "…".',
        );
      }
      return { op: 'connect', handle, note };
    }
    case 'accept':
    case 'decline': {
      const [id, ...more] = rest;
      if (!id || more.length > 0) throw usage(`Give the request's id: network ${op} <id>.`);
      return { op: 'answer', requestId: id, accept: op === 'accept' };
    }
    case 'requests':
      if (rest.length > 0) throw usage('Say "network requests" (nothing after it).');
      return { op: 'requests' };
    case 'share':
    case 'unshare': {
      const [row, ...cycle] = rest;
      if (!row)
        throw usage(`Give the row number, and the cycle if not the latest: network ${op} 2 "2026-27 Fall".`);
      return { op, row, cycle: cycle.join(' ').trim() || null };
    }
    case 'remind':
      if (rest[0]?.toLowerCase() === 'schedule') return parseRemindSchedule(rest.slice(1));
      if (rest.length === 1 && rest[0]?.toLowerCase() === 'off') return { op: 'remindOff' };
      return { op, cycle: rest.join(' ').trim() || null };
    case 'status': {
      const cycle = rest.join(' ').trim();
      return { op, cycle: cycle || null };
    }
    case 'export': {
      const f = (rest[0] ?? 'csv').toLowerCase();
      if ((f !== 'csv' && f !== 'json' && f !== 'md') || rest.length > 1) {
        throw usage('The export format is csv, json or md.');
      }
      return { op: 'export', format: f };
    }
    default:
      throw usage(`"${String(op).slice(0, 20)}" is not a network command.`);
  }
}

/**
 * `network remind schedule` (show), `… "every Monday 9:00"` or `… "every Monday 9:00" "2026-27 Fall"` (quoted, as
 * for `schedule add`), or unquoted `… every Monday 9:00` (then no cycle).
 */
function parseRemindSchedule(rest: string[]): NetworkArgs {
  if (rest.length === 0) return { op: 'remindSchedule', expression: null, cycle: null };
  const quoted = rest.length <= 2 && /\s/.test(rest[0] ?? '');
  return quoted
    ? { op: 'remindSchedule', expression: rest[0] ?? '', cycle: rest[1]?.trim() || null }
    : { op: 'remindSchedule', expression: rest.join(' '), cycle: null };
}

const namedLine = (named: boolean) =>
  named
    ? plain("The network's member list shows your district's name (never beside a rating).")
    : plain("Your district is not named: the network's member list only counts it.");

export const NETWORK_COMMANDS = {
  network: command({
    name: 'network',
    role: 'anyone',
    usage: NETWORK_USAGE,
    summary: 'co-op networks of districts',
    help: [
      {
        usage: 'network',
        summary: "your co-op network's view: where districts' settled ratings stand",
        role: 'anyone',
      },
      {
        usage: 'network join <code> [named]',
        summary: 'join your district to a co-op network',
        role: 'coordinator',
      },
      { usage: 'network leave', summary: 'take your district out of its co-op network', role: 'coordinator' },
      {
        usage: 'network named on|off',
        summary: 'whether the network may list your district by name',
        role: 'coordinator',
      },
      {
        usage: 'network contact on|off',
        summary: 'whether other member districts may find your district as a peer and ask to connect',
        role: 'coordinator',
      },
      {
        usage: 'network peers <row>',
        summary:
          'districts that can help on a row you rated Beginning or Developing, and those at your level',
        role: 'coordinator',
      },
      {
        usage: 'network connect <handle> "note"',
        summary: 'ask a peer to connect (names are shared only if they accept)',
        role: 'coordinator',
      },
      {
        usage: 'network accept|decline <id>',
        summary: 'answer a connect request sent to your district',
        role: 'coordinator',
      },
      {
        usage: 'network requests',
        summary: 'connect requests waiting for your district and those it sent',
        role: 'coordinator',
      },
      {
        usage: 'network share <row> ["cycle"]',
        summary:
          "share a row's evidence, reflection answers and actions with the network (no names, no votes)",
        role: 'coordinator',
      },
      {
        usage: 'network unshare <row> ["cycle"]',
        summary: 'withdraw that practice note at once',
        role: 'coordinator',
      },
      { usage: 'network code', summary: "your network's invitation code", role: 'facilitator' },
      {
        usage: 'network status ["cycle"]',
        summary: 'which member districts have settled ratings for a cycle',
        role: 'facilitator',
      },
      {
        usage: 'network remind ["cycle"]',
        summary: "remind member districts that have not finished the cycle's review (once a day)",
        role: 'facilitator',
      },
      {
        usage: 'network remind schedule ["every Monday 9:00" ["cycle"]] | network remind off',
        summary: 'run that reminder on a schedule (or show or stop it)',
        role: 'facilitator',
      },
      {
        usage: 'network export [csv|json|md]',
        summary: "the network's figures as a file (at least k districts each)",
        role: 'facilitator',
      },
      {
        usage: 'network create "Name"',
        summary: 'create a co-op network (you facilitate it)',
        role: 'admin',
      },
    ],
    requires(env) {
      if (!env.network)
        throw new DomainError('invalid-state', 'Co-op networks are not available on this server.');
    },
    parse: parseNetwork,
    async handle(a, ctx, env) {
      const network = present(env.network);
      const at = { channelId: ctx.channelId };
      switch (a.op) {
        case 'create': {
          const n = await network.create(ctx.actor, { name: a.name });
          const c = formatCode(n.code);
          return {
            kind: 'text',
            text: rich`You created the co-op network ${strong(n.name)} and facilitate it. Invitation code: ${code(c)} — a district coordinator joins with ${code(`network join ${c}`)} in the district's channel. Shared with the network: ${SHARED}.`,
          };
        }
        case 'code': {
          const ns = await network.codes(ctx.actor);
          const lines = ns.map(
            (n) =>
              rich`${strong(n.name)}: ${code(formatCode(n.code))} (${String(n.members.length)} member districts)`,
          );
          return {
            kind: 'text',
            text: rich`Invitation codes of the co-op networks you facilitate:\n${join(lines, '\n')}`,
          };
        }
        case 'join': {
          const n = await network.join(ctx.actor, { ...at, code: a.code, named: a.named });
          return {
            kind: 'text',
            text: rich`Your district joined the co-op network ${strong(n.name)}. Shared with the network: ${SHARED}. A figure appears only when at least ${String(network.k)} districts contributed (below that: "${NOT_ENOUGH}"). ${namedLine(a.named)} Leave at any time with ${code('network leave')}.`,
          };
        }
        case 'leave': {
          const n = await network.leave(ctx.actor, at);
          return {
            kind: 'text',
            text: rich`Your district left the co-op network ${strong(n.name)}: its ratings no longer count in the network's view.`,
          };
        }
        case 'named': {
          const n = await network.setNamed(ctx.actor, { ...at, named: a.named });
          return { kind: 'text', text: rich`${strong(n.name)}: ${namedLine(a.named)}` };
        }
        case 'contact': {
          const n = await network.peers.setContact(ctx.actor, { ...at, contact: a.contact });
          return {
            kind: 'text',
            text: a.contact
              ? rich`${strong(n.name)}: your district is open to contact. Districts that ask for peers on a row may see your district's settled rating of that row (under a handle such as "District B", or by name if it is named) and send a connect request to this channel; they learn who you are only if a coordinator accepts.`
              : rich`${strong(n.name)}: your district is no longer suggested as a peer and receives no new connect requests.`,
          };
        }
        case 'peers': {
          const r = await network.peers.peers(ctx.actor, { ...at, row: a.row });
          return { kind: 'text', text: peersText(r, network.rubrics) };
        }
        case 'connect': {
          const { rowTitle } = await network.peers.connect(ctx.actor, {
            ...at,
            handle: a.handle,
            note: a.note,
          });
          return {
            kind: 'text',
            text: rich`Sent to the coordinators of ${a.handle} with your note, about ${strong(rowTitle)}. They learn who you are only if they accept; you will hear their answer in this channel.`,
          };
        }
        case 'answer': {
          const r = await network.peers.answer(ctx.actor, {
            ...at,
            requestId: a.requestId,
            accept: a.accept,
          });
          return { kind: 'text', text: answerText(r) };
        }
        case 'requests': {
          const r = await network.peers.requests(ctx.actor, at);
          return { kind: 'text', text: requestsText(r) };
        }
        case 'share': {
          const r = await network.notes.share(ctx.actor, { ...at, row: a.row, cycle: a.cycle });
          return { kind: 'text', text: shareText(r, network.rubrics) };
        }
        case 'unshare': {
          const r = await network.notes.unshare(ctx.actor, { ...at, row: a.row, cycle: a.cycle });
          return { kind: 'text', text: unshareText(r) };
        }
        case 'remind': {
          const r = await network.reminders.remind(ctx.actor, { cycle: a.cycle });
          return { kind: 'text', text: remindText(r) };
        }
        case 'remindSchedule': {
          const r =
            a.expression === null
              ? await network.schedules.show(ctx.actor)
              : await network.schedules.set(ctx.actor, { expression: a.expression, cycle: a.cycle });
          return { kind: 'text', text: scheduleText(r) };
        }
        case 'remindOff':
          return { kind: 'text', text: scheduleOffText(await network.schedules.off(ctx.actor)) };
        case 'status': {
          const r = await network.reports.status(ctx.actor, { cycle: a.cycle });
          return { kind: 'text', text: statusText(r) };
        }
        case 'export': {
          const file = await network.reports.export(ctx.actor, { format: a.format });
          return {
            kind: 'file',
            message: rich`The co-op network's figures (${plain(a.format.toUpperCase())}): counts of districts per level, only where at least ${String(network.k)} districts contributed.`,
            ...file,
          };
        }
        case 'view': {
          const readings = await network.read(ctx.actor, at);
          const text = readingsText(readings, network.rubrics);
          const own = readings.find((r) => r.district !== null);
          const page =
            own && env.links?.network
              ? env.links.network(ctx.actor.tenantId, own.district?.id ?? '', { notes: own.notes !== null })
              : null;
          return {
            kind: 'text',
            text: page
              ? rich`${text}\n${link(page.url, 'The network page')} (private link, valid until ${plain(showTime(page.expiresAt, zoneOf(own?.district)))})`
              : text,
          };
        }
      }
    },
  }),
} satisfies Record<string, CommandEntry>;

import type express from 'express';
import { z } from 'zod';
import type { BuildingService } from '../../app/nudges/buildingService';
import type { NudgeMessenger } from '../../app/nudges/nudgePorts';
import type { ScheduleService } from '../../app/nudges/scheduleService';
import type { NoticeMessenger } from '../../app/ports';
import type { Actor } from '../../app/schemas';
import { DomainError } from '../../domain/errors';
import {
  type Card,
  createTeamsNudgeMessenger,
  handleTeamsNudgeAction,
  isNudgeVerb,
  messageCard,
} from '../teams/nudges';

/**
 * The console's building teams: the demo district's buildings, each in a simulated channel that lives in this
 * process. Nudges, the welcome and notices sent to a `console:` tenant land here as the Adaptive Cards Teams would
 * show, and the page acts on them (open the form, snooze, submit) through the same use cases as the Teams cards.
 */
export const DEMO_BUILDINGS = [
  { name: 'Oak Elementary', channelId: 'console-oak', members: ['demo-blair'] },
  { name: 'Pine Middle', channelId: 'console-pine', members: ['demo-devon'] },
] as const;
const DEMO_BUILDING_CHANNELS = DEMO_BUILDINGS.map((b) => b.channelId) as unknown as [string, ...string[]];
/** The newest messages kept per simulated channel. */
const KEEP = 30;

export interface ConsoleMessage {
  id: string;
  card: Card;
  at: string;
}

export class ConsoleChannels {
  private readonly byChannel = new Map<string, ConsoleMessage[]>();
  private seq = 0;
  readonly messenger: NudgeMessenger & NoticeMessenger;

  constructor(private readonly now: () => Date) {
    const teams = createTeamsNudgeMessenger({
      post: async (_tenant, channelId, activity) => ({ id: this.put(channelId, cardOf(activity)) }),
      update: async (_tenant, channelId, id, activity) => this.replace(channelId, id, cardOf(activity)),
    });
    this.messenger = {
      sendNudge: (to, v) => teams.sendNudge(to, v),
      updateNudge: (to, id, v) => (teams.updateNudge as NonNullable<typeof teams.updateNudge>)(to, id, v),
      sendDigest: (to, v) => teams.sendDigest(to, v),
      sendEscalation: (to, v) => teams.sendEscalation(to, v),
      sendNotice: async (to, text) => {
        this.put(to.channelId, messageCard(text));
      },
    };
  }

  /** The channel's messages, oldest first. */
  messages(channelId: string): ConsoleMessage[] {
    return [...(this.byChannel.get(channelId) ?? [])];
  }

  private put(channelId: string, card: Card): string {
    const id = `m${++this.seq}`;
    const list = this.byChannel.get(channelId) ?? [];
    list.push({ id, card, at: this.now().toISOString() });
    this.byChannel.set(channelId, list.slice(-KEEP));
    return id;
  }

  private replace(channelId: string, id: string, card: Card): void {
    const m = this.byChannel.get(channelId)?.find((x) => x.id === id);
    if (!m) throw new Error('That message is no longer in the console channel.');
    m.card = card;
  }
}

/** The card of a posted activity (a plain markdown message becomes a card with its text). */
function cardOf(activity: Record<string, unknown>): Card {
  const attachments = activity.attachments as Array<{ content?: Card }> | undefined;
  const content = attachments?.[0]?.content;
  return content ?? messageCard(String(activity.text ?? ''));
}

export interface ConsoleBuildingDeps {
  buildings: BuildingService;
  schedules: ScheduleService;
  channels: ConsoleChannels;
}

const ready = new WeakMap<BuildingService, Promise<void>>();

/** Registers the demo buildings in their simulated channels when missing (idempotent, once per process). */
export function ensureDemoBuildings(buildings: BuildingService, coordinator: Actor): Promise<void> {
  let p = ready.get(buildings);
  if (!p) {
    p = (async () => {
      for (const b of DEMO_BUILDINGS) {
        try {
          await buildings.registerHere(
            { ...coordinator, channelId: b.channelId },
            { channelId: b.channelId, name: b.name, members: [...b.members] },
          );
        } catch (e) {
          // Registered before (this store outlives the process).
          if (!(e instanceof DomainError && e.code === 'conflict')) throw e;
        }
      }
    })();
    ready.set(buildings, p);
    p.catch(() => ready.delete(buildings));
  }
  return p;
}

const channelSchema = z.enum(DEMO_BUILDING_CHANNELS, { error: 'must be one of the demo building channels' });

/**
 * Routes of the building channels: GET /channels (each channel's messages) and POST /nudge (a click on a card in
 * one of them, as the chosen demo member standing in that channel).
 */
export function consoleBuildingRoutes(
  r: express.Router,
  d: ConsoleBuildingDeps,
  o: {
    as: z.ZodType<string>;
    actorOf: (id: string) => Actor;
    coordinator: Actor;
    /** The demo district (its coordinator registers the buildings). */
    ready: () => Promise<unknown>;
    parse: <S extends z.ZodType>(schema: S, input: unknown) => z.output<S>;
  },
): void {
  r.get('/channels', async (req, res) => {
    o.parse(z.object({ as: o.as }), { as: req.query.as });
    await o.ready();
    await ensureDemoBuildings(d.buildings, o.coordinator);
    res.json({
      channels: DEMO_BUILDINGS.map((b) => ({
        name: b.name,
        channelId: b.channelId,
        members: b.members,
        messages: d.channels.messages(b.channelId),
      })),
    });
  });

  const body = z.object({
    as: o.as,
    channelId: channelSchema,
    verb: z.string().max(60),
    data: z.record(z.string(), z.unknown()).default({}),
  });
  r.post('/nudge', async (req, res) => {
    const i = o.parse(body, req.body);
    if (!isNudgeVerb(i.verb))
      throw new DomainError('invalid-input', 'That button is not one of a nudge card.');
    const actor = { ...o.actorOf(i.as), channelId: i.channelId };
    res.json({ card: await handleTeamsNudgeAction(d, actor, i.verb, i.data) });
  });
}

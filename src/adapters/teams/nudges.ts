import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { z } from 'zod';
import type { BuildingService } from '../../app/nudges/buildingService';
import type { Destination, NudgeMessenger } from '../../app/nudges/nudgePorts';
import * as say from '../../app/nudges/nudgeTexts';
import {
  type DigestEntry,
  type DigestView,
  type EscalationView,
  type NudgeView,
  SUBMISSION_FIELDS,
  SUBMISSION_FORM,
  type SubmissionFormView,
} from '../../app/nudges/nudgeViews';
import type { ScheduleService } from '../../app/nudges/scheduleService';
import type { NoticeMessenger } from '../../app/ports';
import type { Actor } from '../../app/schemas';
import { plain, type RichText, rich, strong, user } from '../../app/text';
import { isDomainError } from '../../domain/errors';
import { PLAN_OPEN_VERB } from '../cards/planCard';
import { toRuns, toTeamsMarkdown } from '../cards/teamsText';
import { stringField } from '../platformResult';
import type { TeamsActionHandler } from './bot';
import { teamsDeliveryFailure } from './deliveryErrors';
import { SendQueue } from './sendQueue';

/**
 * Teams side of building-team nudges: Adaptive Cards from cards/nudge.json, cards/submission.json and
 * cards/nudgeDigest.json, a NudgeMessenger that posts them proactively (through the bot's outbox), and the
 * handler for the cards' Action.Execute verbs (`nudge.open`, `nudge.snooze`, `submission.save`).
 */
export type Card = Record<string, unknown>;

const CARDS_DIR = process.env.CARDS_DIR ?? path.join(__dirname, '..', '..', '..', 'cards');
const templates = new Map<string, object>();
function template(name: 'nudge' | 'submission' | 'nudgeDigest'): object {
  let t = templates.get(name);
  if (!t) {
    t = JSON.parse(fs.readFileSync(path.join(CARDS_DIR, `${name}.json`), 'utf8')) as object;
    templates.set(name, t);
  }
  return t;
}
const expand = (name: 'nudge' | 'submission' | 'nudgeDigest', data: object): Card =>
  new ACData.Template(template(name)).expand({ $root: data }) as Card;

export const NUDGE_VERBS = ['nudge.open', 'nudge.snooze', 'submission.save'] as const;
export const isNudgeVerb = (verb: unknown): verb is (typeof NUDGE_VERBS)[number] =>
  typeof verb === 'string' && (NUDGE_VERBS as readonly string[]).includes(verb);

// Names, labels and messages go to the card templates only as TextRuns (src/adapters/cards/teamsText.ts).
const fact = (title: string, value: string) => ({ runs: toRuns(rich`${strong(plain(title))}  ${value}`) });

/** `status`: a message for the person who clicked (e.g. "Snoozed: …"), which may quote names. */
export function renderNudgeCard(v: NudgeView, statusIn: RichText | string = ''): Card {
  const count = say.nudgeCount(v);
  // Answered (redrawn after a submit or snooze): the outcome is the status, and the snoozes are gone.
  const status = say.nudgeOutcome(v, (_by, byName) => byName || 'a team member') ?? statusIn;
  return expand('nudge', {
    title: toRuns(say.nudgeTitle(v), { weight: 'Bolder', size: 'Medium' }),
    text: toRuns(rich`${say.nudgeAsk(v)}${count ? rich` ${count}` : ''}`),
    // A plan nudge (a plan schedule's) opens the plan card (./plans.ts) and has no snoozes; a plan never closes.
    facts: [
      fact('Building team', v.buildingName),
      fact('Period', v.periodLabel),
      ...(v.subject === 'plan' ? [] : [fact('Open until', v.closesAt)]),
    ],
    showStatus: status !== '',
    showSnooze: !v.outcome && v.subject !== 'plan',
    openVerb: v.subject === 'plan' ? PLAN_OPEN_VERB : 'nudge.open',
    openTitle: v.outcome?.kind === 'submitted' ? 'View or edit' : 'Open the form',
    status: toRuns(typeof status === 'string' ? user(status) : status, { isSubtle: true }),
    districtId: v.districtId,
    buildingId: v.buildingId,
    periodId: v.periodId,
  });
}

export function renderSubmissionCard(
  f: SubmissionFormView,
  opts: { status?: string; error?: boolean; values?: Record<string, unknown> } = {},
): Card {
  return expand('submission', {
    title: toRuns(rich`${f.buildingName} — monitoring data, ${f.periodLabel}`, {
      weight: 'Bolder',
      size: 'Medium',
    }),
    subtitle: f.editable
      ? `You can edit this until the period closes (${say.formCloses(f)}). Each save keeps the earlier versions.`
      : 'This period has closed: the submission can no longer be changed.',
    showStatus: !!opts.status,
    // A refusal's message may quote what was typed.
    status: toRuns(user(opts.status ?? ''), { color: opts.error ? 'Attention' : 'Good' }),
    fields: SUBMISSION_FORM.map((field) => ({
      ...field,
      value: String(opts.values?.[field.id] ?? f.values[field.id] ?? ''),
      showError: !!f.errors[field.id],
      error: toRuns(user(f.errors[field.id] ?? ''), { color: 'Attention', size: 'Small' }),
    })),
    history: say.submissionHistory(f),
    editable: f.editable,
    districtId: f.districtId,
    buildingId: f.buildingId,
    periodId: f.periodId,
    version: String(f.version),
  });
}

const entryLine = (e: DigestEntry, tz: string): RichText =>
  rich`• ${e.name}${plain(` (${say.entryStatus(e, tz)})`)}${say.entryLink(e)}`;
/** One RichTextBlock per line (a TextRun holds no line structure). */
const lines = (list: DigestEntry[], tz: string, max = 60) =>
  (list.length === 0
    ? [plain('None')]
    : [
        ...list.slice(0, max).map((e) => entryLine(e, tz)),
        ...(list.length > max ? [plain(`• … and ${list.length - max} more`)] : []),
      ]
  ).map((l) => ({ runs: toRuns(l) }));

export function renderDigestCard(v: DigestView): Card {
  const total = v.submitted.length + v.missing.length;
  return expand('nudgeDigest', {
    title: toRuns(
      rich`${plain(say.digestSubject(v))}, ${v.periodLabel}: ${v.submitted.length} of ${total} building teams have submitted`,
      { weight: 'Bolder', size: 'Medium' },
    ),
    summary: toRuns(
      rich`Nudges (${v.schedule}) went to the building teams that have not submitted. Next runs: ${say.nextRunsText(v)}.${v.dashboardUrl ? rich` ${say.dashboardLink(v.dashboardUrl)}` : ''}`,
    ),
    sections: say.digestSections(v).map((s) => ({ heading: s.heading, lines: lines(s.entries, v.timezone) })),
  });
}

export function renderEscalationCard(v: EscalationView): Card {
  return expand('nudgeDigest', {
    title: toRuns(rich`Escalation: ${say.missedNudges(v)} for ${v.periodLabel}`, {
      weight: 'Bolder',
      size: 'Medium',
    }),
    summary: toRuns(say.checkIn(v)),
    sections: [{ heading: say.ESCALATION_HEADING, lines: lines(v.buildings, v.timezone) }],
  });
}

const cardActivity = (card: Card, summary: string) => ({
  type: 'message',
  summary,
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
});

/** Posts an activity proactively into a Teams channel (the Teams adapter's `postToChannel`). */
export type TeamsPoster = (
  tenantId: string,
  channelId: string,
  activity: Record<string, unknown>,
) => Promise<unknown>;

/** Replaces an activity the bot posted in a Teams channel (by its activity id). */
export type TeamsUpdater = (
  tenantId: string,
  channelId: string,
  activityId: string,
  activity: Record<string, unknown>,
) => Promise<unknown>;

export interface TeamsNudgeMessengerOptions {
  post: TeamsPoster;
  /**
   * The queue to send through. By default the messenger has none of its own: `post` is then the bot's
   * postToChannel, which delivers through the bot's one outbox (per-conversation rates, budget and retries) like
   * polls and confirmations. A poster straight to a connector (the benchmark's connectorPoster) needs one: pass
   * it, or the rates below to have one made.
   */
  queue?: SendQueue;
  /** Replaces a posted activity (the bot's `updateInChannel`): redraws a nudge once the team has answered it. */
  update?: TeamsUpdater;
  /** Teams: 7 messages/s per conversation. */
  perConversationPerSecond?: number;
  /** Ceiling across conversations (an assumption: Teams publishes per-thread limits). */
  globalPerSecond?: number;
}

/**
 * NudgeMessenger for Teams: adaptive cards, posted through one queue. `limiter` is the messenger's own queue: a
 * pass-through (no limits, no retries) unless it was given one or rates, so that a nudge is never queued and
 * retried twice.
 */
export function createTeamsNudgeMessenger(
  o: TeamsNudgeMessengerOptions,
): NudgeMessenger & NoticeMessenger & { limiter: SendQueue } {
  const ownRates = o.perConversationPerSecond !== undefined || o.globalPerSecond !== undefined;
  const limiter =
    o.queue ??
    (ownRates
      ? new SendQueue({ perSecond: o.perConversationPerSecond ?? 7, globalPerSecond: o.globalPerSecond })
      : new SendQueue({
          perSecond: Number.POSITIVE_INFINITY,
          perHour: Number.POSITIVE_INFINITY,
          maxAttempts: 1,
        }));
  // A refusal reaches the coordinator as a DeliveryFailure (plain words, the connector's code kept).
  const posted = (to: Destination, activity: Record<string, unknown>) =>
    limiter
      .enqueue(
        `${to.tenantId}|${to.channelId}`,
        () => o.post(to.tenantId, to.channelId, activity),
        to.tenantId,
      )
      .catch((e: unknown) => {
        throw teamsDeliveryFailure(e);
      });
  const post = (to: Destination, activity: Record<string, unknown>) => posted(to, activity).then(() => {});
  const send = (to: Destination, card: Card, summary: string) => post(to, cardActivity(card, summary));
  const nudgeSummary = (v: NudgeView) =>
    v.subject === 'plan'
      ? 'Your Building Action Planning template is due'
      : `Monitoring data for ${v.periodLabel} is due`;
  return {
    limiter,
    sendNudge: async (to, v) => {
      const id = stringField(await posted(to, cardActivity(renderNudgeCard(v), nudgeSummary(v))), 'id');
      return id ? { messageId: id } : undefined;
    },
    updateNudge: async (to, activityId, v) => {
      const update = o.update;
      if (!update) throw new Error('This Teams messenger cannot redraw messages (no update)');
      const activity = cardActivity(renderNudgeCard(v), nudgeSummary(v));
      await limiter.enqueue(
        `${to.tenantId}|${to.channelId}`,
        () => update(to.tenantId, to.channelId, activityId, activity),
        to.tenantId,
      );
    },
    sendDigest: (to, v) => send(to, renderDigestCard(v), `${say.digestSubject(v)} digest, ${v.periodLabel}`),
    sendEscalation: (to, v) => send(to, renderEscalationCard(v), `Escalation, ${v.periodLabel}`),
    // The co-op network's plain notices: a markdown message (every user value escaped by toTeamsMarkdown).
    sendNotice: (to, t) => post(to, { type: 'message', textFormat: 'markdown', text: toTeamsMarkdown(t) }),
  };
}

/**
 * A TeamsPoster straight to a Bot Connector REST endpoint (`POST {serviceUrl}/v3/conversations/{id}/activities`),
 * used by the benchmark against a local fake connector. Errors carry `status` and `retryAfterMs`.
 */
export function connectorPoster(serviceUrl: string, token?: () => Promise<string>): TeamsPoster {
  return async (_tenantId, channelId, activity) => {
    const res = await fetch(
      `${serviceUrl.replace(/\/$/, '')}/v3/conversations/${encodeURIComponent(channelId)}/activities`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${await token()}` } : {}),
        },
        body: JSON.stringify(activity),
      },
    );
    if (!res.ok) {
      const ra = res.headers.get('retry-after');
      throw Object.assign(new Error(`Bot Connector answered ${res.status}`), {
        status: res.status,
        ...(ra && Number.isFinite(Number(ra)) ? { retryAfterMs: Number(ra) * 1000 } : {}),
      });
    }
    return res.json();
  };
}

const openData = z.object({
  districtId: z.string().max(200),
  buildingId: z.string().max(200),
  periodId: z.string().max(20),
});
const snoozeData = z.object({
  districtId: z.string().max(200),
  buildingId: z.string().max(200),
  length: z.enum(['1d', '1w']),
});
const saveData = openData.extend({ version: z.coerce.number().int().min(0) }).loose();

export interface TeamsNudgeDeps {
  buildings: BuildingService;
  schedules: ScheduleService;
}

/**
 * Answers an `adaptiveCard/action` invoke whose verb is one of NUDGE_VERBS with the card to show in place of the
 * one clicked. Bad input and refusals come back as a card with the message; nothing is written then.
 */
export async function handleTeamsNudgeAction(
  d: TeamsNudgeDeps,
  actor: Actor,
  verb: (typeof NUDGE_VERBS)[number],
  data: unknown,
): Promise<Card> {
  if (verb === 'nudge.open') {
    const i = openData.safeParse(data);
    if (!i.success) return messageCard(say.NUDGE_TEXT.staleNudge);
    try {
      return renderSubmissionCard(await d.buildings.form(actor, i.data));
    } catch (e) {
      if (isDomainError(e)) return messageCard(e.message);
      throw e;
    }
  }
  if (verb === 'nudge.snooze') {
    const i = snoozeData.safeParse(data);
    if (!i.success) return messageCard(say.NUDGE_TEXT.staleNudge);
    try {
      const r = await d.schedules.snooze(actor, i.data);
      // The nudge stays on screen (its form button still works), with the snooze noted on it.
      const f = await d.buildings.form(actor, {
        districtId: i.data.districtId,
        buildingId: i.data.buildingId,
      });
      return renderNudgeCard(
        {
          tenantId: f.tenantId,
          districtId: f.districtId,
          districtName: f.districtName ?? 'district',
          buildingId: f.buildingId,
          buildingName: f.buildingName,
          periodId: f.periodId,
          periodLabel: f.periodLabel,
          attempt: 1,
          closesAt: say.formCloses(f),
          timezone: f.timezone,
          reminder: false,
          // The same card the redraw posts for everyone: no snoozes any more.
          outcome: { kind: 'snoozed', until: r.untilLocal },
        },
        r.text,
      );
    } catch (e) {
      if (isDomainError(e)) return messageCard(e.message);
      throw e;
    }
  }
  const i = saveData.safeParse(data);
  if (!i.success) return messageCard(say.NUDGE_TEXT.staleForm);
  const values: Record<string, unknown> = {};
  for (const f of SUBMISSION_FIELDS) values[f] = (i.data as Record<string, unknown>)[f];
  const ref = { districtId: i.data.districtId, buildingId: i.data.buildingId, periodId: i.data.periodId };
  try {
    const saved = await d.buildings.submit(actor, { ...ref, version: i.data.version, values });
    return renderSubmissionCard(saved, { status: `Saved version ${saved.version}. Thank you!` });
  } catch (e) {
    if (!isDomainError(e)) throw e;
    let form: SubmissionFormView;
    try {
      form = await d.buildings.form(actor, ref);
    } catch (e2) {
      if (isDomainError(e2)) return messageCard(e2.message);
      throw e2;
    }
    // Keep what the person typed and show each field's problem next to it. After a conflict the card is drawn
    // on the teammate's newer version, so saving again replaces it knowingly.
    return renderSubmissionCard(
      { ...form, version: e.code === 'conflict' ? form.version : i.data.version, errors: e.fields },
      { status: e.message, error: true, values },
    );
  }
}

/** A card with one message; the message may quote what was typed (a refusal), so it is drawn as text runs. */
export function messageCard(text: string | RichText): Card {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'RichTextBlock', inlines: toRuns(typeof text === 'string' ? user(text) : text) }],
  };
}

/** The nudge verbs as a handler for the Teams bot's `actions` option (see mountTeams). */
export function teamsNudgeActions(d: TeamsNudgeDeps): TeamsActionHandler {
  return {
    verbs: NUDGE_VERBS,
    handle: (actor, verb, data) => {
      if (!isNudgeVerb(verb)) return Promise.resolve(messageCard('This button is not supported.'));
      return handleTeamsNudgeAction(d, actor, verb, data);
    },
  };
}

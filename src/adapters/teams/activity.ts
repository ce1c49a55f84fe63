import { z } from 'zod';

/**
 * Ingress checks for Bot Framework activities, done before botbuilder sees anything: shape (zod), JSON hygiene,
 * and the serviceUrl allowlist. Everything here is pure and synchronous.
 */

export class BadActivity extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 413 = 400,
  ) {
    super(message);
    this.name = 'BadActivity';
  }
}

const shortId = z.string().min(1).max(1024);
const account = z.looseObject({
  id: shortId,
  name: z.string().max(1024).nullish(),
  aadObjectId: z.string().max(256).nullish(),
});

export const activitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(1024).nullish(),
  name: z.string().max(256).nullish(),
  serviceUrl: z.string().min(1).max(2048),
  channelId: z.string().min(1).max(128),
  from: account,
  recipient: account.nullish(),
  conversation: z.looseObject({
    id: shortId,
    tenantId: z.string().max(256).nullish(),
    conversationType: z.string().max(64).nullish(),
    isGroup: z.boolean().nullish(),
  }),
  replyToId: z.string().max(1024).nullish(),
  text: z.string().max(28_000).nullish(),
  value: z.unknown().optional(),
  entities: z
    .array(z.looseObject({ type: z.string().max(128) }))
    .max(500)
    .nullish(),
  channelData: z
    .looseObject({
      tenant: z.looseObject({ id: z.string().min(1).max(256) }).nullish(),
      channel: z.looseObject({ id: shortId }).nullish(),
      team: z.looseObject({ id: shortId }).nullish(),
    })
    .nullish(),
  membersAdded: z.array(account).max(20_000).nullish(),
  membersRemoved: z.array(account).max(20_000).nullish(),
  action: z.string().max(64).nullish(),
});
export type IncomingActivity = z.output<typeof activitySchema>;

const MAX_DEPTH = 32;

/** Rejects prototype-polluting keys and absurd nesting anywhere in a parsed body. */
function checkJson(value: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new BadActivity('The activity is nested too deeply.');
  if (Array.isArray(value)) {
    for (const v of value) checkJson(v, depth + 1);
  } else if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') {
        throw new BadActivity(`The activity has a forbidden key "${k}".`);
      }
      checkJson((value as Record<string, unknown>)[k], depth + 1);
    }
  }
}

/**
 * Microsoft's Bot Connector hosts for Teams, matched exactly (https only, any path: the region paths such as /amer/,
 * /emea/, /apac/ or /teams/ all stay on these hosts). Not a suffix match: any Azure customer can create
 * <name>.trafficmanager.net, and a reply carries the bot's token to that host. The list is the one Microsoft's Teams
 * SDK checks ("Service URL Validation",
 * https://microsoft.github.io/teams-sdk/python/essentials/app-configuration/service-url-validation): public cloud and
 * GCC, GCC High, DoD, China (21Vianet). Other sovereign clouds that page names (France smba.teams.sovcloud-core.fr,
 * …) and anything else go in TEAMS_SERVICE_URLS, which adds to this list.
 */
export const TEAMS_CONNECTOR_HOSTS: readonly string[] = [
  'smba.trafficmanager.net', // public cloud (Microsoft 365 commercial), /amer/, /emea/, /apac/, /teams/, …
  'smba.onyx.prod.teams.trafficmanager.net', // public cloud
  'smba.infra.gcc.teams.microsoft.com', // GCC
  'smba.infra.gov.teams.microsoft.us', // GCC High
  'smba.infra.dod.teams.microsoft.us', // DoD
  'frontend.botapi.msg.infra.teams.microsoftonline.cn', // China, operated by 21Vianet
];

export class ServiceUrlAllowlist {
  private readonly extra: URL[];

  /**
   * `extra` (TEAMS_SERVICE_URLS) adds to TEAMS_CONNECTOR_HOSTS: URLs such as http://127.0.0.1:4000 (exact origin) or
   * http://localhost and https://smba.teams.sovcloud-core.fr (that scheme and host, any port).
   */
  constructor(extra: readonly string[] = []) {
    this.extra = extra.map((u) => new URL(u));
  }

  allows(serviceUrl: string): boolean {
    let u: URL;
    try {
      u = new URL(serviceUrl);
    } catch {
      return false;
    }
    if (u.username || u.password) return false;
    if (u.protocol === 'https:' && TEAMS_CONNECTOR_HOSTS.includes(u.hostname)) return true;
    return this.extra.some(
      (e) => e.protocol === u.protocol && e.hostname === u.hostname && (e.port === '' || e.port === u.port),
    );
  }
}

/** Parses a raw request body into a checked activity, or throws BadActivity with a short, safe message. */
export function parseActivity(raw: Buffer | string, allowlist: ServiceUrlAllowlist): IncomingActivity {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    throw new BadActivity('The body is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new BadActivity('The body must be a JSON object (a Bot Framework activity).');
  }
  checkJson(json);
  const r = activitySchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'activity';
    throw new BadActivity(`The activity is not valid: ${where} ${issue?.message ?? 'is invalid'}.`);
  }
  if (!URL.canParse(r.data.serviceUrl)) throw new BadActivity('The activity serviceUrl is not a URL.');
  if (!allowlist.allows(r.data.serviceUrl)) {
    throw new BadActivity('The activity serviceUrl is not a Bot Connector this bot replies to.', 403);
  }
  return r.data;
}

export interface TeamsIdentity {
  /** Core tenant id: `teams:<AAD tenant id>`. */
  tenantId: string;
  /** Core user id: the AAD object id when known, else the channel user id. */
  userId: string;
  displayName: string;
  /** The Teams user id (MRI, "29:…") used for mentions and card refresh lists. */
  channelUserId: string;
  /** The district channel: the Teams channel (without thread suffix) or the chat id. */
  channelId: string;
  /** A channel of a team, a group chat or a 1:1 chat (Teams' conversationType). */
  conversation: 'channel' | 'group' | 'personal';
  /** The team the channel belongs to (channel conversations only). */
  teamId: string | null;
}

/** Teams' conversationType: "channel", "groupChat" or "personal" (anything unknown counts as a 1:1 chat). */
function conversationKind(
  a: Pick<IncomingActivity, 'conversation' | 'channelData' | 'channelId'>,
): TeamsIdentity['conversation'] {
  const t = a.conversation.conversationType;
  if (t === 'channel' || (!t && a.channelData?.channel?.id)) return 'channel';
  // The Bot Framework Emulator (local testing only: no credentials, loopback) has one conversation: a channel.
  if (a.channelId === 'emulator') return 'channel';
  if (t === 'groupChat') return 'group';
  return 'personal';
}

/** Identity of the sender. `localTenant` is used only when no tenant is given (Bot Framework Emulator). */
export function identityOf(a: IncomingActivity, localTenant: string | null): TeamsIdentity {
  const aad = a.channelData?.tenant?.id ?? a.conversation.tenantId ?? localTenant;
  if (!aad) throw new BadActivity('The activity has no tenant (channelData.tenant.id).');
  return {
    tenantId: `teams:${aad}`,
    userId: a.from.aadObjectId ?? a.from.id,
    displayName: a.from.name ?? '',
    channelUserId: a.from.id,
    channelId: channelIdOf(a),
    conversation: conversationKind(a),
    teamId: a.channelData?.team?.id ?? null,
  };
}

/** A channel conversation id may carry `;messageid=…` for a thread: the district is the channel itself. */
export function channelIdOf(a: Pick<IncomingActivity, 'conversation' | 'channelData'>): string {
  return a.channelData?.channel?.id ?? a.conversation.id.split(';')[0] ?? a.conversation.id;
}

interface MentionEntity {
  type: string;
  text?: unknown;
  mentioned?: { id?: unknown; name?: unknown; aadObjectId?: unknown };
}

/** The people (not the bot) a message mentions, as Teams' mention entities name them. */
export function mentionsIn(
  a: Pick<IncomingActivity, 'entities' | 'recipient'>,
): Array<{ mri: string; name: string | null; aadObjectId: string | null }> {
  const out: Array<{ mri: string; name: string | null; aadObjectId: string | null }> = [];
  for (const e of (a.entities ?? []) as MentionEntity[]) {
    const mri = e.mentioned?.id;
    if (e.type !== 'mention' || typeof mri !== 'string' || mri === a.recipient?.id) continue;
    out.push({
      mri,
      name: typeof e.mentioned?.name === 'string' ? e.mentioned.name : null,
      aadObjectId: typeof e.mentioned?.aadObjectId === 'string' ? e.mentioned.aadObjectId : null,
    });
  }
  return out;
}

/**
 * Turns a Teams message into a command line: removes the mention of the bot itself, replaces every other
 * `<at>Name</at>` by `<@ID|Name>` (the core's mention form; ID = AAD object id when known, from the entity or
 * `knownIds` (MRI → AAD id of people seen in the channel), else the Teams id), strips the
 * remaining HTML and decodes the few entities Teams uses.
 */
export function commandLine(a: IncomingActivity, knownIds: ReadonlyMap<string, string> = new Map()): string {
  // Text that looks like a mention (typed "<@id|Name>", arriving as "&lt;@…") parses as one, but confers nothing:
  // roles go only to people Teams vouched for in this turn (TeamsBot.people: mention entities, the roster).
  let text = a.text ?? '';
  const botId = a.recipient?.id;
  for (const e of (a.entities ?? []) as MentionEntity[]) {
    if (e.type !== 'mention' || typeof e.text !== 'string') continue;
    const id = e.mentioned?.id;
    if (typeof id !== 'string') continue;
    if (id === botId) {
      text = text.split(e.text).join(' ');
      continue;
    }
    // Mentions carry the Teams id (MRI); the core knows people by AAD object id when Teams gave us one.
    const aad =
      typeof e.mentioned?.aadObjectId === 'string' ? e.mentioned.aadObjectId : (knownIds.get(id) ?? null);
    const name = typeof e.mentioned?.name === 'string' ? e.mentioned.name : e.text.replace(/<\/?at>/g, '');
    const safeName = name.replace(/[|>]/g, ' ').trim();
    // Padded with spaces, except right after "=": `owner=<at>Ann</at>` stays one option, `owner=<@…|Ann>`.
    const mention = `<@${aad ?? id}|${safeName}> `;
    text = text
      .split(e.text)
      .reduce(
        (acc, part, i) => (i === 0 ? part : `${acc}${acc.endsWith('=') ? '' : ' '}${mention}${part}`),
        '',
      );
  }
  text = text
    .replace(/<at>[^<]*<\/at>/g, ' ') // a mention without an entity (e.g. of the bot in the Emulator)
    .replace(/<(?!@)[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return text.replace(/\s+/g, ' ').trim();
}

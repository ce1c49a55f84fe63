import type { ChannelAccount, ConversationReference } from 'botbuilder';
import type { KeyValueRepo } from '../../app/ports';

/**
 * What the Teams adapter remembers per tenant (where to post in each channel, who was seen there), with bounds: a
 * tenant cannot grow the store without limit, however large or many its activities are. Every write of a tenant
 * is serialised in this process (replicas may overshoot a cap by a few entries: the caps are a safety net).
 */

/** Key-value namespaces (store.kv) owned by the Teams adapter. */
export const KV = {
  /** `${tenantId}|${channelId}` → where to post proactively in that channel or chat. */
  conversation: 'teams.conversation',
  /** `${reviewId}|${rowId}` → the posted poll card (its activity id and conversation). */
  pollCard: 'teams.pollCard',
  /** `${tenantId}|${channelId}` → Teams user ids (MRIs) seen in that channel, for card refresh lists. */
  roster: 'teams.roster',
  /** `${tenantId}` → how many channels and roster entries that tenant has (for the caps). */
  tenant: 'teams.tenant',
  /** `${tenantId}|${teamId or chat id}` → who added the app there (they may set up district teams in it). */
  installer: 'teams.installer',
} as const;

export interface TeamsLimits {
  /** People remembered per channel (a district's roster). TEAMS_MAX_MEMBERS_PER_CHANNEL. */
  membersPerChannel: number;
  /** People remembered across a tenant's channels. TEAMS_MAX_MEMBERS_PER_TENANT. */
  membersPerTenant: number;
  /** Channels and chats remembered per tenant. TEAMS_MAX_CHANNELS_PER_TENANT. */
  channelsPerTenant: number;
}

export const DEFAULT_TEAMS_LIMITS: TeamsLimits = {
  membersPerChannel: 5000,
  membersPerTenant: 20_000,
  channelsPerTenant: 500,
};

/** Ids longer than this (a real AAD object id has 36 characters, a Teams MRI about 100) are not remembered. */
export const MAX_STORED_ID = 256;
/** Names in stored references are cut to this length. */
export const MAX_STORED_NAME = 256;

export interface StoredConversation {
  tenantId: string;
  channelId: string;
  reference: Partial<ConversationReference>;
  /** When the reference was last written (an unchanged reference is not rewritten). */
  updatedAt: string;
}

export interface Roster {
  /** Everyone seen in the channel (members added, people who wrote or clicked): core user id → Teams MRI. */
  users: Record<string, string>;
  /** Only people who used the bot here (wrote or clicked): they get the automatic card refresh. */
  active?: Record<string, string>;
}

interface TenantUsage {
  channels: number;
  members: number;
}

const text = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' ? v.slice(0, max) : undefined;

/**
 * Only the fields a proactive post needs, each cut to a sane length: an activity's unknown fields (Teams adds
 * some; a forged one may carry megabytes) are never stored.
 */
export function trimReference(ref: Partial<ConversationReference>): Partial<ConversationReference> {
  const account = (a: unknown): ChannelAccount | undefined => {
    if (!a || typeof a !== 'object') return undefined;
    const o = a as Record<string, unknown>;
    const id = text(o.id, 1024);
    if (id === undefined) return undefined;
    const name = text(o.name, MAX_STORED_NAME);
    const aad = text(o.aadObjectId, MAX_STORED_ID);
    // ChannelAccount types `name` as required, but Teams leaves it out at times: keep what came.
    return {
      id,
      ...(name !== undefined ? { name } : {}),
      ...(aad !== undefined ? { aadObjectId: aad } : {}),
    } as ChannelAccount;
  };
  const c = (ref.conversation ?? {}) as unknown as Record<string, unknown>;
  const conversation = {
    id: text(c.id, 1024) ?? '',
    ...(typeof c.isGroup === 'boolean' ? { isGroup: c.isGroup } : {}),
    ...(typeof c.conversationType === 'string' ? { conversationType: c.conversationType.slice(0, 64) } : {}),
    ...(typeof c.tenantId === 'string' ? { tenantId: c.tenantId.slice(0, 256) } : {}),
    ...(typeof c.name === 'string' ? { name: c.name.slice(0, MAX_STORED_NAME) } : {}),
  };
  const user = account(ref.user);
  const bot = account(ref.bot);
  return {
    ...(ref.activityId ? { activityId: ref.activityId.slice(0, 1024) } : {}),
    ...(user ? { user } : {}),
    ...(bot ? { bot } : {}),
    conversation: conversation as ConversationReference['conversation'],
    ...(ref.channelId ? { channelId: ref.channelId.slice(0, 128) } : {}),
    ...(ref.locale ? { locale: ref.locale.slice(0, 32) } : {}),
    ...(ref.serviceUrl ? { serviceUrl: ref.serviceUrl.slice(0, 2048) } : {}),
  };
}

/** At most this many distinct refusal warnings are kept in memory (then they are no longer logged). */
const MAX_WARNED = 10_000;

export class TeamsDirectory {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly kv: KeyValueRepo,
    private readonly limits: TeamsLimits,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * Stores where to post in a channel (`ifAbsent`: only when nothing is stored yet). A new channel counts against
   * the tenant's channel cap; an unchanged reference is not rewritten. Returns whether one is stored now, and
   * whether this call stored a new one.
   */
  saveConversation(
    tenantId: string,
    channelId: string,
    reference: Partial<ConversationReference>,
    now: Date,
    mode: 'replace' | 'ifAbsent' = 'replace',
  ): Promise<{ stored: boolean; added: boolean }> {
    return this.locked(tenantId, async () => {
      const key = `${tenantId}|${channelId}`;
      const existing = await this.kv.get<StoredConversation>(KV.conversation, key);
      const trimmed = trimReference(reference);
      if (
        existing &&
        (mode === 'ifAbsent' || JSON.stringify(existing.reference) === JSON.stringify(trimmed))
      ) {
        return { stored: true, added: false };
      }
      const usage = await this.usage(tenantId);
      if (!existing && usage.channels >= this.limits.channelsPerTenant) {
        this.refuse(
          `channels:${tenantId}`,
          `Teams tenant ${tenantId} has reached TEAMS_MAX_CHANNELS_PER_TENANT (${this.limits.channelsPerTenant}): ` +
            'the bot answers in further channels but does not remember them (no proactive posts there). ' +
            'Logged once per tenant.',
        );
        return { stored: false, added: false };
      }
      await this.kv.put(KV.conversation, key, {
        tenantId,
        channelId,
        reference: trimmed,
        updatedAt: now.toISOString(),
      } satisfies StoredConversation);
      if (!existing) await this.kv.put(KV.tenant, tenantId, { ...usage, channels: usage.channels + 1 });
      return { stored: true, added: !existing };
    });
  }

  /** The bot was removed from the channel: forget where to post there. */
  forgetConversation(tenantId: string, channelId: string): Promise<void> {
    return this.locked(tenantId, async () => {
      const key = `${tenantId}|${channelId}`;
      if (!(await this.kv.get<StoredConversation>(KV.conversation, key))) return;
      await this.kv.delete(KV.conversation, key);
      const usage = await this.usage(tenantId);
      await this.kv.put(KV.tenant, tenantId, { ...usage, channels: Math.max(0, usage.channels - 1) });
    });
  }

  /**
   * Adds people (core user id → Teams MRI) to the channel's roster, within the channel's and the tenant's caps.
   * `active`: they used the bot here (they also get the automatic card refresh).
   */
  remember(
    tenantId: string,
    channelId: string,
    users: ReadonlyArray<readonly [string, string]>,
    active: boolean,
  ): Promise<void> {
    return this.locked(tenantId, async () => {
      const key = `${tenantId}|${channelId}`;
      const roster = (await this.kv.get<Roster>(KV.roster, key)) ?? { users: {} };
      // Read only when someone new comes (a click by a known person costs one read, as before the caps).
      let usage: TenantUsage | null = null;
      let inChannel = Object.keys(roster.users).length;
      let added = 0;
      let changed = false;
      for (const [userId, mri] of users) {
        if (userId.length > MAX_STORED_ID || mri.length > MAX_STORED_ID) continue;
        const known = roster.users[userId];
        if (known === undefined) {
          if (inChannel >= this.limits.membersPerChannel) {
            this.refuse(
              `channel:${key}`,
              `Teams channel ${channelId} of ${tenantId} has reached TEAMS_MAX_MEMBERS_PER_CHANNEL ` +
                `(${this.limits.membersPerChannel}): further people are not remembered there. Logged once per channel.`,
            );
            continue;
          }
          usage ??= await this.usage(tenantId);
          if (usage.members + added >= this.limits.membersPerTenant) {
            this.refuse(
              `members:${tenantId}`,
              `Teams tenant ${tenantId} has reached TEAMS_MAX_MEMBERS_PER_TENANT (${this.limits.membersPerTenant}): ` +
                'further people are not remembered (mentions are looked up in the team roster instead). ' +
                'Logged once per tenant.',
            );
            continue;
          }
          inChannel++;
          added++;
        }
        // A known person's MRI is only changed by their own activity (`active`), not by a membership list.
        if (known === undefined || (known !== mri && active)) {
          roster.users[userId] = mri;
          changed = true;
        }
        if (active && roster.active?.[userId] !== mri) {
          roster.active = { ...roster.active, [userId]: mri };
          changed = true;
        }
      }
      if (changed) await this.kv.put(KV.roster, key, roster);
      if (usage && added)
        await this.kv.put(KV.tenant, tenantId, { ...usage, members: usage.members + added });
    });
  }

  private async usage(tenantId: string): Promise<TenantUsage> {
    const u = await this.kv.get<Partial<TenantUsage>>(KV.tenant, tenantId);
    return { channels: u?.channels ?? 0, members: u?.members ?? 0 };
  }

  private refuse(key: string, message: string): void {
    if (this.warned.has(key) || this.warned.size >= MAX_WARNED) return;
    this.warned.add(key);
    this.warn(message);
  }

  /** Runs `fn` after every earlier call for the same tenant (in this process) has settled. */
  private locked<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(tenantId) ?? Promise.resolve();
    const next = prev.then(fn);
    const settled = next.catch(() => undefined);
    this.locks.set(tenantId, settled);
    void settled.then(() => {
      if (this.locks.get(tenantId) === settled) this.locks.delete(tenantId);
    });
    return next;
  }
}

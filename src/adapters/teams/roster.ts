import { type ConversationReference, TeamsInfo, TurnContext } from 'botbuilder';
import type { People } from '../../app/commands';
import type { ChannelMembers, ChannelPerson, KeyValueRepo } from '../../app/ports';
import type { Actor } from '../../app/schemas';
import { MAX_REFRESH_USER_IDS } from '../cards/render';
import { BadActivity, type IncomingActivity, mentionsIn, type TeamsIdentity } from './activity';
import { KV, type Roster, type TeamsDirectory } from './directory';

/** Members per page of the connector's paged member list (Teams allows at most 500). */
const MEMBERS_PAGE = 500;
/** `roster import` reads at most this many of a conversation's members (the app imports at most 5,000). */
const MAX_LISTED = 5000;

/** Where to reply to this turn (the thread or chat the message came from). */
export function replyReference(ctx: TurnContext): Partial<ConversationReference> {
  return TurnContext.getConversationReference(ctx.activity);
}

/** The channel itself (new top-level posts) rather than the thread of this turn. */
export function channelReference(ctx: TurnContext, who: TeamsIdentity): Partial<ConversationReference> {
  const { activityId: _thread, ...ref } = TurnContext.getConversationReference(ctx.activity);
  return {
    ...ref,
    conversation: { ...(ref.conversation as ConversationReference['conversation']), id: who.channelId },
  };
}

/**
 * Who is who in Teams for the bot: the actor of a turn, the people a message's mentions name (Teams ids → AAD object
 * ids, through the channel's roster or the team's), who installed the app where, and who gets cards refreshed.
 */
export class TeamsRoster {
  constructor(
    private readonly kv: KeyValueRepo,
    private readonly directory: TeamsDirectory,
    private readonly adminUserIds: readonly string[] | undefined,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  /**
   * The actor of a turn: who (AAD object id), from which channel and kind of conversation, and — asked only when
   * a rule needs it — whether they may set the app up here (ADMIN_USER_IDS, or the person who added the app to this
   * team or chat).
   */
  actorOf(who: TeamsIdentity): Actor {
    return {
      tenantId: who.tenantId,
      userId: who.userId,
      displayName: who.displayName,
      channelId: who.channelId,
      conversation: who.conversation,
      isAdmin: async () => {
        if (this.adminUserIds?.includes(who.userId)) return true;
        const installer = await this.kv.get<{ userId: string }>(
          KV.installer,
          `${who.tenantId}|${who.teamId ?? who.channelId}`,
        );
        return installer?.userId === who.userId;
      },
    };
  }

  /** Whoever adds the app to a team (or chat) is its installer there: they may set up district teams in it. */
  async saveInstaller(who: TeamsIdentity): Promise<void> {
    await this.kv.put(KV.installer, `${who.tenantId}|${who.teamId ?? who.channelId}`, { userId: who.userId });
  }

  /**
   * The people Teams vouches for in this turn: those its mention entities name, by the AAD id the entity carries or
   * that resolveMentions found in the channel's roster or the team's (the Emulator has none: its Teams id stands).
   * Text that merely looks like a mention confirms nobody.
   */
  people(a: IncomingActivity, known: ReadonlyMap<string, string>): People {
    const confirmed = new Map<string, string>();
    for (const m of mentionsIn(a)) {
      const id = m.aadObjectId ?? known.get(m.mri) ?? (a.channelId === 'emulator' ? m.mri : null);
      if (id) confirmed.set(id, m.name ?? '');
    }
    return {
      confirm: async (userId) =>
        confirmed.has(userId) ? { displayName: confirmed.get(userId) ?? '' } : null,
    };
  }

  /**
   * The conversation's people for `roster import`, through the connector: TeamsInfo.getPagedMembers, 500 a page
   * (Teams' largest) following the continuation token; in a team's channel that is the team's roster (the people
   * who can see a standard channel). People are known by AAD object id, as everywhere in the core; an account
   * without one, or with the bot role, is counted as skipped. Everyone listed is remembered in the channel's
   * roster (within the caps), so later mentions of them resolve without a lookup.
   */
  channelMembers(ctx: TurnContext, who: TeamsIdentity): ChannelMembers {
    return {
      list: async (tenantId, channelId) => {
        if (tenantId !== who.tenantId || channelId !== who.channelId) return { people: [], skipped: 0 };
        const people: ChannelPerson[] = [];
        const seen: Array<[string, string]> = [];
        let skipped = 0;
        let token: string | undefined;
        do {
          let page: Awaited<ReturnType<typeof TeamsInfo.getPagedMembers>>;
          try {
            page = await TeamsInfo.getPagedMembers(ctx, MEMBERS_PAGE, token);
          } catch (e) {
            this.log(`listing the members of ${who.channelId} failed`, e);
            throw new BadActivity(
              'I could not get the member list from Teams, so nobody was imported. Try again in a minute, or add people with roster add @person.',
            );
          }
          for (const m of page.members ?? []) {
            const aad = m.aadObjectId;
            if (!aad || (m as { userRole?: string }).userRole === 'bot') skipped++;
            else {
              people.push({ userId: aad, displayName: m.name ?? '' });
              seen.push([aad, m.id]);
            }
          }
          token = page.continuationToken || undefined;
        } while (token && people.length + skipped < MAX_LISTED);
        if (seen.length) await this.remember(who.tenantId, who.channelId, seen, false);
        return { people, skipped };
      },
    };
  }

  /** Adds users (core id → Teams MRI) to the channel's roster, within the caps (TeamsDirectory). */
  remember(
    tenantId: string,
    channelId: string,
    users: Array<[string, string]>,
    active: boolean,
  ): Promise<void> {
    return this.directory.remember(tenantId, channelId, users, active);
  }

  /**
   * Mentions carry Teams ids (MRIs) but the core knows people by AAD object id. Ids not yet seen in this channel
   * (e.g. members who were there before the bot) are looked up in the team roster through the connector. Without
   * that lookup a mention would create a second member record, so a failed lookup refuses the command (except in
   * the Bot Framework Emulator, which has no roster: there the Teams id is used).
   */
  async resolveMentions(
    ctx: TurnContext,
    a: IncomingActivity,
    who: TeamsIdentity,
  ): Promise<Map<string, string>> {
    const known = await this.aadIds(who.tenantId, who.channelId);
    const unknown = new Map<string, string>();
    for (const m of mentionsIn(a)) {
      if (m.aadObjectId || known.has(m.mri)) continue;
      unknown.set(m.mri, m.name ?? m.mri);
    }
    if (unknown.size === 0) return known;
    if (unknown.size > 20) throw new BadActivity('Mention at most 20 people in one command.');
    const found: Array<[string, string]> = [];
    for (const [mri, name] of unknown) {
      try {
        const m = await TeamsInfo.getMember(ctx, mri);
        const aad = m.aadObjectId;
        if (!aad) throw new Error('no aadObjectId');
        known.set(mri, aad);
        found.push([aad, mri]);
      } catch (e) {
        if (a.channelId === 'emulator') continue; // the Emulator has no roster: the Teams id stands in
        this.log(`looking up ${mri} failed`, e);
        throw new BadActivity(`I could not find ${name.slice(0, 80)} in this team, so nothing was changed.`);
      }
    }
    if (found.length) await this.remember(who.tenantId, who.channelId, found, false);
    return known;
  }

  /** Core user id (AAD object id) → Teams id (MRI) of the people seen in this channel, to mention them. */
  async teamsIds(tenantId: string, channelId: string): Promise<Record<string, string>> {
    const roster = await this.kv.get<Roster>(KV.roster, `${tenantId}|${channelId}`);
    return { ...(roster?.users ?? {}) };
  }

  /** Teams MRI → core user id (AAD object id) for the people seen in this channel, to resolve mentions. */
  private async aadIds(tenantId: string, channelId: string): Promise<Map<string, string>> {
    const roster = await this.kv.get<Roster>(KV.roster, `${tenantId}|${channelId}`);
    return new Map(Object.entries(roster?.users ?? {}).map(([userId, mri]) => [mri, userId]));
  }

  /**
   * Users whose clients refresh the card automatically (people who used the bot in this channel, not everyone in
   * the team); more than 60 → none listed (manual refresh). Cards of anonymous reviews list nobody (renderPollCard).
   */
  async refreshIds(tenantId: string, channelId: string): Promise<string[]> {
    const roster = await this.kv.get<Roster>(KV.roster, `${tenantId}|${channelId}`);
    const ids = Object.values(roster?.active ?? {});
    return ids.length <= MAX_REFRESH_USER_IDS ? ids : [];
  }
}

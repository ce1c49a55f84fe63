import type { InstallationStore } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { People } from '../../app/commands';
import type { ChannelMembers, ChannelPerson } from '../../app/ports';
import type { Actor, Conversation } from '../../app/schemas';
import type { SlackOutbound } from './outbound';

/** The app itself, as the asker when it draws a poll message it posted in `channelId` (the team's or a group's). */
export const appActor = (tenantId: string, channelId: string): Actor => ({
  tenantId,
  userId: 'micip-slack-app',
  displayName: '',
  channelId,
  conversation: 'channel',
});

/**
 * Who is asking, and from where, as Slack tells it. The policy (src/app/policy.ts) decides what they may do; this
 * module only turns a request's ids into those facts, asking the Web API (users.info) only when a rule needs it.
 */
export interface SlackAskerOptions {
  /** ADMIN_USER_IDS: people who may set up district teams whatever their Slack role. */
  adminUserIds: ReadonlySet<string>;
  /** OAuth: the installation of a workspace, whose `user.id` is the person who installed the app. */
  installations?: Pick<InstallationStore, 'fetchInstallation'> | null;
  /**
   * The adapter's one outbound layer: users.info and conversations.members spend their workspace's Tier 4 budgets
   * there (tiers.ts), shared with every other caller of them, and a 429's Retry-After is honoured there.
   */
  outbound: SlackOutbound;
}

/** Slack's conversation kinds: D… is a 1:1 chat, "mpdm-…" a group chat; everything else a channel. */
export function conversationOf(channelId: string, channelName?: string | null): Conversation {
  if (channelId.startsWith('D') || channelName === 'directmessage') return 'personal';
  if (channelName?.startsWith('mpdm-')) return 'group';
  return 'channel';
}

interface SlackUser {
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  real_name?: string;
  name?: string;
  profile?: { display_name?: string; real_name?: string };
}

/**
 * users.info through the outbound layer (its workspace's Tier 4 budget; a 429 waits out its Retry-After there and
 * is sent again). A user Slack does not find, or a read that still fails, confirms nobody.
 */
async function userInfo(
  outbound: SlackOutbound,
  client: WebClient,
  workspace: string,
  user: string,
): Promise<SlackUser | null> {
  try {
    const r = await outbound.call({ workspace, method: 'users.info' }, () => client.users.info({ user }));
    return (r.user as SlackUser | undefined) ?? null;
  } catch {
    return null; // user_not_found, or the API is out of reach: nobody is confirmed
  }
}

const nameOf = (u: SlackUser) => u.profile?.display_name || u.real_name || u.name || '';

/** `roster import` reads at most this many of a channel's members (the app imports at most 5,000). */
const MAX_CHANNEL_MEMBERS = 5000;
/** users.info calls in flight at once during an import. */
const USERS_INFO_AT_ONCE = 5;

export function slackAsker(o: SlackAskerOptions) {
  const isInstaller = async (teamId: string, user: string) => {
    if (!o.installations) return false;
    try {
      const inst = await o.installations.fetchInstallation({
        teamId,
        enterpriseId: undefined,
        isEnterpriseInstall: false,
      });
      return inst.user?.id === user;
    } catch {
      return false;
    }
  };
  return {
    /** The actor of a request from `user` in `channelId` of workspace `teamId`. */
    actor(
      client: WebClient,
      req: {
        teamId: string;
        userId: string;
        displayName?: string;
        channelId?: string;
        channelName?: string | null;
      },
    ): Actor {
      return {
        tenantId: req.teamId,
        userId: req.userId,
        displayName: req.displayName ?? '',
        ...(req.channelId
          ? { channelId: req.channelId, conversation: conversationOf(req.channelId, req.channelName) }
          : {}),
        isAdmin: async () => {
          if (o.adminUserIds.has(req.userId)) return true;
          if (await isInstaller(req.teamId, req.userId)) return true;
          const u = await userInfo(o.outbound, client, req.teamId, req.userId);
          return !!u && !u.deleted && !!(u.is_admin || u.is_owner || u.is_primary_owner);
        },
      };
    },
    /**
     * The channel's people for `roster import`: conversations.members (paged by cursor, 200 a page), then users.info
     * for each id to drop bots and deactivated accounts and to get names. users.info rather than users.list: a
     * district channel has tens of people and a workspace may have thousands, and users.info (Tier 4, 100+ a minute)
     * costs one call per person in the channel where users.list (Tier 2, 20 a minute, 200 a page) costs one per
     * 200 people in the whole workspace. Every call spends the workspace's budget in the outbound layer (so an
     * import of hundreds runs at the tier's pace, beside the other users.info callers, and meets no 429); a few at a
     * time are handed to it.
     */
    channelMembers(client: WebClient, teamId: string): ChannelMembers {
      return {
        async list(tenantId, channelId) {
          if (tenantId !== teamId) return { people: [], skipped: 0 };
          const ids: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await o.outbound.call({ workspace: teamId, method: 'conversations.members' }, () =>
              client.conversations.members({
                channel: channelId,
                limit: 200,
                ...(cursor ? { cursor } : {}),
              }),
            );
            ids.push(...(page.members ?? []));
            cursor = page.response_metadata?.next_cursor || undefined;
          } while (cursor && ids.length < MAX_CHANNEL_MEMBERS);
          const people: ChannelPerson[] = [];
          let skipped = 0;
          const unique = [...new Set(ids)].slice(0, MAX_CHANNEL_MEMBERS);
          for (let i = 0; i < unique.length; i += USERS_INFO_AT_ONCE) {
            const users = await Promise.all(
              unique.slice(i, i + USERS_INFO_AT_ONCE).map((id) => userInfo(o.outbound, client, teamId, id)),
            );
            users.forEach((u, j) => {
              const userId = unique[i + j] as string;
              if (!u || u.deleted || u.is_bot || userId === 'USLACKBOT') skipped++;
              else people.push({ userId, displayName: nameOf(u) });
            });
          }
          return { people, skipped };
        },
      };
    },
    /** The workspace's directory: a person exists when users.info finds them (not deleted, not a bot). */
    people(client: WebClient, teamId: string): People {
      return {
        async confirm(userId) {
          const u = await userInfo(o.outbound, client, teamId, userId);
          if (!u || u.deleted || u.is_bot) return null;
          return { displayName: nameOf(u) };
        },
      };
    },
  };
}

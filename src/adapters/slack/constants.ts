/** The key-value namespace of the poll messages: `reviewId|rowId` → the channel and ts of the poll's message. */
export const POLL_MESSAGES_NS = 'slack-poll-messages';
/** The key-value namespace (`:teamId`) of the channels where a district team was set up (read by App Home). */
export const CHANNELS_NS = 'slack-district-channels';

/** The Slack OAuth scopes the code uses; manifests/slack/manifest.json lists the same (a test checks). */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'files:write',
  'users:read',
  // `roster import`: conversations.members of a public (channels:read) or private (groups:read) district channel.
  'channels:read',
  'groups:read',
] as const;
/** The one slash command and the bot events the app listens to (the manifest lists the same). */
export const SLASH_COMMAND = '/micip';
export const BOT_EVENTS = ['app_home_opened', 'app_uninstalled', 'tokens_revoked'] as const;

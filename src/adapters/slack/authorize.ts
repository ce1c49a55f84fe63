import type { AuthorizeResult, AuthorizeSourceData } from '@slack/bolt';
import { webApi } from '@slack/bolt';
import type { InstallProvider } from '@slack/oauth';
import type { Logger } from '../observability/logger';

/**
 * Bolt's `authorize`: the single bot token (its bot ids looked up once, lazily, so that start-up never waits on
 * Slack), else the OAuth installation of the workspace.
 */
export function slackAuthorize(o: {
  botToken?: string | undefined;
  botId?: string | undefined;
  botUserId?: string | undefined;
  installer: InstallProvider | null;
  clientOptions: webApi.WebClientOptions;
  log: Logger;
}): (src: AuthorizeSourceData<boolean>) => Promise<AuthorizeResult> {
  let tokenIds: Promise<{ botId?: string; botUserId?: string }> | null =
    o.botId || o.botUserId
      ? Promise.resolve({
          ...(o.botId ? { botId: o.botId } : {}),
          ...(o.botUserId ? { botUserId: o.botUserId } : {}),
        })
      : null;
  return async (src) => {
    if (o.botToken) {
      if (!tokenIds) {
        const c = new webApi.WebClient(o.botToken, o.clientOptions);
        tokenIds = c.auth.test().then(
          (r) => ({
            ...(r.bot_id ? { botId: r.bot_id } : {}),
            ...(r.user_id ? { botUserId: r.user_id } : {}),
          }),
          (e: unknown) => {
            tokenIds = null;
            o.log.warn('Slack auth.test failed; continuing without bot ids', e);
            return {};
          },
        );
      }
      return { botToken: o.botToken, ...(await tokenIds) };
    }
    if (o.installer) return o.installer.authorize(src);
    throw new Error('Slack is not configured with a bot token or OAuth credentials');
  };
}

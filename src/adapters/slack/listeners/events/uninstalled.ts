import type { App } from '@slack/bolt';
import type { ListenerContext } from '../context';

/** An uninstalled app (or one whose bot token was revoked) forgets its installation (in the store and the cache). */
export function registerUninstalled(app: App, ctx: ListenerContext): void {
  const { installations, log } = ctx;
  const forget = async ({
    body,
    event,
  }: {
    body: unknown;
    event: { type: string; tokens?: { bot?: string[] } };
  }) => {
    const b = body as { team_id?: string; enterprise_id?: string; is_enterprise_install?: boolean };
    if (event.type === 'tokens_revoked' && !(event.tokens?.bot && event.tokens.bot.length > 0)) return;
    if (installations && b.team_id) {
      await installations
        .deleteInstallation({
          teamId: b.team_id,
          enterpriseId: b.enterprise_id,
          isEnterpriseInstall: b.is_enterprise_install === true,
        })
        .catch((e: unknown) => log.error('Deleting the installation failed', e));
    }
  };
  app.event('app_uninstalled', forget);
  app.event('tokens_revoked', forget);
}

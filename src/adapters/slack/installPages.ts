import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InstallProvider } from '@slack/oauth';
import type { Logger } from '../observability/logger';
import { BOT_SCOPES } from './constants';

/** A small HTML page as the whole answer. */
const page = (res: ServerResponse, status: number, title: string, text: string) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`,
  );
};

const notFound = (res: ServerResponse) => {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('Slack OAuth is not configured on this server.');
};

/**
 * GET /slack/install and GET /slack/oauth_redirect (404 without OAuth). A refused or failed install is the visitor's
 * problem to retry (4xx) unless Slack itself failed.
 */
export function installPages(installer: InstallProvider | null, publicUrl: string | undefined, log: Logger) {
  const installFailure = (
    error: { code?: string; message?: string },
    _o: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const visitor = ['slack_oauth_missing_state', 'slack_oauth_invalid_state', 'slack_oauth_missing_code'];
    const slackDown = !visitor.includes(error.code ?? '');
    log.warn(`Slack install failed: ${error.code ?? ''} ${error.message ?? ''}`);
    page(
      res,
      slackDown ? 502 : 400,
      'The MICIP app was not installed',
      slackDown
        ? 'Slack did not confirm the installation. Please start again from the install page.'
        : 'This install link has expired or was opened in another browser. Please start again from the install page.',
    );
  };
  const installSuccess = (
    inst: { team?: { name?: string } },
    _o: unknown,
    _req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const name = (inst.team?.name ?? 'your workspace').replace(/[<>&"]/g, '');
    page(
      res,
      200,
      'The MICIP app is installed',
      `Installed in ${name}. In your district team channel, run <code>/micip setup "District name"</code>.`,
    );
  };

  const redirectUri = publicUrl ? `${publicUrl.replace(/\/$/, '')}/slack/oauth_redirect` : undefined;
  return {
    async handleInstall(req: IncomingMessage, res: ServerResponse): Promise<void> {
      if (!installer) return notFound(res);
      await installer.handleInstallPath(req, res, undefined, {
        scopes: [...BOT_SCOPES],
        ...(redirectUri ? { redirectUri } : {}),
      });
    },
    async handleOAuthRedirect(req: IncomingMessage, res: ServerResponse): Promise<void> {
      if (!installer) return notFound(res);
      await installer.handleCallback(
        req,
        res,
        { failure: installFailure, success: installSuccess },
        {
          scopes: [...BOT_SCOPES],
          ...(redirectUri ? { redirectUri } : {}),
        },
      );
    },
  };
}

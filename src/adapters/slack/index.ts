import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express, NextFunction, Request, Response } from 'express';
import { createSlackAdapter, type SlackAdapter, type SlackDeps } from './slackApp';

export interface SlackConfig {
  SLACK_SIGNING_SECRET?: string | undefined;
  SLACK_BOT_TOKEN?: string | undefined;
  SLACK_APP_TOKEN?: string | undefined;
  SLACK_CLIENT_ID?: string | undefined;
  SLACK_CLIENT_SECRET?: string | undefined;
  SLACK_STATE_SECRET?: string | undefined;
  SLACK_API_URL?: string | undefined;
  SLACK_BURST_PER_SECOND?: number | undefined;
  PUBLIC_URL?: string | undefined;
  ADMIN_USER_IDS?: readonly string[] | undefined;
}

/** Slack is on when it can authenticate (a bot token or OAuth) and receive (a signing secret or Socket Mode). */
export const slackEnabled = (c: SlackConfig): boolean =>
  !!(c.SLACK_BOT_TOKEN || (c.SLACK_CLIENT_ID && c.SLACK_CLIENT_SECRET)) &&
  !!(c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN);

/**
 * Mounts the Slack adapter on the product's HTTP server: POST /slack/events (signed requests), and with OAuth
 * GET /slack/install and GET /slack/oauth_redirect. Returns null when Slack is not configured.
 */
export function mountSlack(web: Express, config: SlackConfig, deps: SlackDeps): SlackAdapter | null {
  if (!slackEnabled(config)) return null;
  const slack = createSlackAdapter({
    signingSecret: config.SLACK_SIGNING_SECRET,
    botToken: config.SLACK_BOT_TOKEN,
    appToken: config.SLACK_APP_TOKEN,
    clientId: config.SLACK_CLIENT_ID,
    clientSecret: config.SLACK_CLIENT_SECRET,
    stateSecret: config.SLACK_STATE_SECRET,
    publicUrl: config.PUBLIC_URL,
    apiUrl: config.SLACK_API_URL,
    adminUserIds: config.ADMIN_USER_IDS ?? [],
    ...(config.SLACK_BURST_PER_SECOND !== undefined ? { burstPerSecond: config.SLACK_BURST_PER_SECOND } : {}),
    ...deps,
  });
  web.post('/slack/events', (req: Request, res: Response) => slack.handleEvents(req, res));
  // Fast path: Slack's requests skip Express's router (measured: Express costs a third of the ack throughput of a
  // bare Bolt app). The route above stays for introspection; this takes POST /slack/events before it.
  const host = web as unknown as {
    handle: (req: IncomingMessage, res: ServerResponse, next?: unknown) => void;
  };
  const expressHandle = host.handle.bind(web);
  host.handle = (req, res, next) => {
    const url = req.url ?? '';
    if (req.method === 'POST' && (url === '/slack/events' || url.startsWith('/slack/events?'))) {
      slack.handleEvents(req, res);
      return;
    }
    expressHandle(req, res, next);
  };
  if (slack.installer) {
    web.get('/slack/install', (req: Request, res: Response, next: NextFunction) => {
      slack.handleInstall(req, res).catch(next);
    });
    web.get('/slack/oauth_redirect', (req: Request, res: Response, next: NextFunction) => {
      slack.handleOAuthRedirect(req, res).catch(next);
    });
  }
  return slack;
}

export { createSlackAdapter, type SlackAdapter } from './slackApp';

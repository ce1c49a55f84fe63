import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
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
  /** Workspace-wide chat.postMessage ceiling per second (polls, announcements and nudges alike). */
  NUDGE_SLACK_WORKSPACE_RATE?: number | undefined;
  PUBLIC_URL?: string | undefined;
  ADMIN_USER_IDS?: readonly string[] | undefined;
}

/** Slack is on when it can authenticate (a bot token or OAuth) and receive (a signing secret or Socket Mode). */
export const slackEnabled = (c: SlackConfig): boolean =>
  !!(c.SLACK_BOT_TOKEN || (c.SLACK_CLIENT_ID && c.SLACK_CLIENT_SECRET)) &&
  !!(c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN);

/**
 * Mounts the Slack adapter on the product's HTTP server: POST /slack/events (signed requests), and with OAuth
 * GET /slack/install and GET /slack/oauth_redirect. Returns null when Slack is not configured. The server's request
 * listener is `slackFirst(web, slack)`.
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
    ...(config.NUDGE_SLACK_WORKSPACE_RATE !== undefined
      ? { postMessagePerWorkspacePerSecond: config.NUDGE_SLACK_WORKSPACE_RATE }
      : {}),
    ...deps,
  });
  // Slack's requests skip Express's router (see slackFirst); this route answers the same when they do not.
  web.post('/slack/events', (req: Request, res: Response) => slack.handleEvents(req, res));
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

/** POST /slack/events (with or without a query string). */
const isSlackEvents = (req: IncomingMessage): boolean => {
  const url = req.url ?? '';
  return req.method === 'POST' && (url === '/slack/events' || url.startsWith('/slack/events?'));
};

/**
 * The HTTP server's request listener (`http.createServer(slackFirst(web, slack))`): Slack's events go straight to
 * the Slack receiver, everything else (the install pages included) to the Express app. Express's router costs a
 * third of the ack throughput of a bare Bolt app (measured), and a vote must be acknowledged within 3 s.
 */
export function slackFirst(web: Express, slack: SlackAdapter | null): RequestListener {
  if (!slack) return web;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (isSlackEvents(req)) slack.handleEvents(req, res);
    else web(req, res);
  };
}

export { createSlackAdapter, type SlackAdapter } from './slackApp';

import { performance } from 'node:perf_hooks';
import express from 'express';
import type { Activity1Service } from '../../app/activity1/activity1Service';
import type { CommandService } from '../../app/commands';
import type { Clock, Store } from '../../app/ports';
import type { ReviewService } from '../../app/reviews/reviewService';
import { loadCardTemplates } from '../cards/render';
import { defaultLogger, type Logger } from '../observability/logger';
import { type Metrics, noMetrics } from '../observability/metrics';
import type { OwedRedraws } from '../owedRedraws';
import { BadActivity, parseActivity, ServiceUrlAllowlist } from './activity';
import { type TeamsActionHandler, TeamsBot, TurnError } from './bot';
import { DEFAULT_TEAMS_LIMITS } from './directory';
import type { SendQueueOptions } from './sendQueue';

export { type TeamsActionHandler, TeamsBot } from './bot';

export interface TeamsConfig {
  ADMIN_USER_IDS?: readonly string[] | undefined;
  MicrosoftAppId?: string | undefined;
  MicrosoftAppPassword?: string | undefined;
  MicrosoftAppTenantId?: string | undefined;
  MicrosoftAppType?: string | undefined;
  TEAMS_SERVICE_URLS?: readonly string[];
  /** Without MicrosoftAppId: true = /api/messages answers requests from loopback only, without token checks. */
  TEAMS_LOCAL_NO_AUTH?: boolean;
  TEAMS_MAX_MEMBERS_PER_CHANNEL?: number;
  TEAMS_MAX_MEMBERS_PER_TENANT?: number;
  TEAMS_MAX_CHANNELS_PER_TENANT?: number;
}

export interface TeamsTestHooks {
  /** Where token signing keys come from (default: Microsoft's). Tests serve their own on 127.0.0.1. */
  openIdMetadataUrl?: string;
  /** How long token verification may take before the request is a 401 (default 10 s). */
  authTimeoutMs?: number;
}

export interface TeamsDeps {
  config: TeamsConfig;
  service: ReviewService;
  store: Store;
  clock?: Clock;
  commands?: CommandService;
  queue?: SendQueueOptions;
  cardUpdateIntervalMs?: number;
  /** How long a card action invoke may take before it is answered as slow or not confirmed (default 4 s). */
  invokeDeadlineMs?: number;
  logger?: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** Votes, acknowledgement times and the Bot Connector's 429s are counted here. */
  metrics?: Metrics;
  hooks?: TeamsTestHooks;
  /** Card verbs handled outside the review core (e.g. nudges' `nudge.open`, `nudge.snooze`, `submission.save`). */
  actions?: readonly TeamsActionHandler[];
  /** Activity 1's card verbs. */
  activity1?: Activity1Service;
  /** Durable marks of owed card redraws (../owedRedraws.ts), used only when the endpoint is on. */
  owed?: OwedRedraws;
}

/**
 * Largest accepted activity. Teams' own are small: a message is at most about 28 KB of text, a card click a few
 * KB, a conversationUpdate about 100 bytes per member added (so ~2,000 members fit; people beyond are picked up when
 * they first use the bot). A larger body is refused with 413 before it is parsed.
 */
export const MAX_BODY_BYTES = 256 * 1024;
/** How long token verification (which fetches Microsoft's signing keys) may take before the request is a 401. */
const AUTH_TIMEOUT_MS = 10_000;

/**
 * Mounts the Teams bot at POST /api/messages. Without MicrosoftAppId the endpoint is off (404) unless
 * TEAMS_LOCAL_NO_AUTH is on, and then it answers requests from loopback only (403 otherwise). A guard in front of
 * botbuilder answers 413 above 256 KB, 400 for a body that is not a well-formed activity, 403 for a serviceUrl off
 * the allowlist and 401 for a token that is missing or cannot be verified when MicrosoftAppId is set; botbuilder
 * never sees those requests.
 */
export function mountTeams(web: express.Express, deps: TeamsDeps): TeamsBot {
  loadCardTemplates();
  const allowlist = new ServiceUrlAllowlist(deps.config.TEAMS_SERVICE_URLS ?? []);
  const logger = deps.logger ?? defaultLogger('teams');
  const metrics = deps.metrics ?? noMetrics;
  // The endpoint is on with credentials, or locally without them (below).
  const on = !!deps.config.MicrosoftAppId || deps.config.TEAMS_LOCAL_NO_AUTH === true;
  const bot = new TeamsBot({
    appId: deps.config.MicrosoftAppId,
    adminUserIds: deps.config.ADMIN_USER_IDS ?? [],
    appPassword: deps.config.MicrosoftAppPassword,
    appTenantId: deps.config.MicrosoftAppTenantId,
    appType: deps.config.MicrosoftAppType,
    openIdMetadataUrl: deps.hooks?.openIdMetadataUrl,
    allowlist,
    service: deps.service,
    clock: deps.clock,
    store: deps.store,
    ...(deps.commands ? { commands: deps.commands } : {}),
    queue: { ...deps.queue, onRateLimited: () => metrics.rateLimited('teams') },
    ...(deps.cardUpdateIntervalMs !== undefined ? { cardUpdateIntervalMs: deps.cardUpdateIntervalMs } : {}),
    ...(deps.invokeDeadlineMs !== undefined ? { invokeDeadlineMs: deps.invokeDeadlineMs } : {}),
    logger,
    metrics,
    limits: {
      membersPerChannel: deps.config.TEAMS_MAX_MEMBERS_PER_CHANNEL ?? DEFAULT_TEAMS_LIMITS.membersPerChannel,
      membersPerTenant: deps.config.TEAMS_MAX_MEMBERS_PER_TENANT ?? DEFAULT_TEAMS_LIMITS.membersPerTenant,
      channelsPerTenant: deps.config.TEAMS_MAX_CHANNELS_PER_TENANT ?? DEFAULT_TEAMS_LIMITS.channelsPerTenant,
    },
    ...(deps.actions ? { actions: deps.actions } : {}),
    ...(deps.activity1 ? { activity1: deps.activity1 } : {}),
    ...(deps.owed && on ? { owed: deps.owed } : {}),
  });
  const log = (m: string, e?: unknown) => logger.error(m, e);
  const router = express.Router();
  const localNoAuth = !bot.authEnabled && deps.config.TEAMS_LOCAL_NO_AUTH === true;
  if (!bot.authEnabled && !localNoAuth) {
    // No credentials: nobody's token can be checked, so the endpoint does not exist (a Slack-only deployment, or
    // Teams not set up yet). Answered before the body is read; nothing is stored or logged per request.
    logger.info('Teams is off: POST /api/messages answers 404 until MicrosoftAppId is set');
    router.post('/api/messages', (_req: express.Request, res: express.Response) => {
      res.status(404).json({ error: 'not found' });
    });
    web.use(router);
    return bot;
  }
  if (localNoAuth) {
    logger.warn('TEAMS_LOCAL_NO_AUTH: /api/messages accepts unauthenticated requests from this machine only');
  }
  router.post(
    '/api/messages',
    // Local mode without tokens: only from this machine. The socket's address, never X-Forwarded-For (which anyone
    // can send); a reverse proxy on this machine would make every request look local, so do not put one in front.
    (req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (localNoAuth && !isLoopback(req.socket.remoteAddress)) {
        res
          .status(403)
          .json({ error: 'Without MicrosoftAppId only requests from this machine are accepted.' });
        return;
      }
      next();
    },
    // Acknowledgement time: from the request's arrival to the response, for activities that passed the guard.
    (_req: express.Request, res: express.Response, next: express.NextFunction) => {
      const received = performance.now();
      res.on('finish', () => {
        const kind = res.locals.activityKind;
        if (typeof kind === 'string') metrics.ack('teams', kind, (performance.now() - received) / 1000);
      });
      next();
    },
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req: express.Request, res: express.Response) => {
      let activity: ReturnType<typeof parseActivity>;
      try {
        activity = parseActivity(Buffer.isBuffer(req.body) ? req.body : '', allowlist);
      } catch (e) {
        if (e instanceof BadActivity) {
          res.status(e.status).json({ error: e.message });
          return;
        }
        throw e;
      }
      res.locals.activityKind =
        activity.type === 'invoke' || activity.type === 'message' ? activity.type : 'other';
      const authHeader = req.get('authorization') ?? '';
      if (bot.authEnabled && !/^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(authHeader)) {
        res.status(401).json({ error: 'A valid Bot Framework token is required.' });
        return;
      }
      try {
        let authenticated = false;
        const run = bot.process(authHeader, activity, () => {
          authenticated = true;
        });
        const invoke = await (bot.authEnabled
          ? authTimeout(run, deps.hooks?.authTimeoutMs ?? AUTH_TIMEOUT_MS, () => authenticated)
          : run);
        if (invoke) res.status(invoke.status).json(invoke.body ?? {});
        else res.status(200).end();
      } catch (e) {
        if (res.headersSent) return;
        if (e instanceof TurnError) {
          if (e.cause instanceof BadActivity) {
            res.status(e.cause.status).json({ error: e.cause.message });
            return;
          }
          log('activity failed', e.cause);
          res.status(500).json({ error: 'The bot could not handle this activity.' });
          return;
        }
        // Anything else was raised before our logic ran: botbuilder could not verify the token (or timed out
        // fetching Microsoft's signing keys). With auth off there is no verification, so it is our failure.
        if (bot.authEnabled) {
          log('token verification failed', e);
          res.status(401).json({ error: 'The Bot Framework token could not be verified.' });
          return;
        }
        log('activity failed', e);
        res.status(500).json({ error: 'The bot could not handle this activity.' });
      }
    },
  );
  // Body-parser errors (too large, aborted) for this route only: a short 4xx, never a stack trace.
  let warnedTooLarge = false;
  router.use(
    '/api/messages',
    (err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      const status = (err as { status?: number; type?: string } | null)?.status;
      if (status === 413) {
        if (!warnedTooLarge) {
          warnedTooLarge = true;
          logger.warn(
            `Teams: an activity larger than ${MAX_BODY_BYTES} bytes was refused (413). Logged once per process.`,
          );
        }
        res.status(413).json({ error: `The activity is larger than ${MAX_BODY_BYTES} bytes.` });
        return;
      }
      if (typeof status === 'number' && status >= 400 && status < 500) {
        res.status(status).json({ error: 'The request body could not be read.' });
        return;
      }
      next(err);
    },
  );
  web.use(router);
  return bot;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (::ffff:127.0.0.1) on a dual-stack socket. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

class Timeout extends Error {}

/** Rejects if the turn has not passed token verification within `ms`; a started turn is never cut short. */
function authTimeout<T>(p: Promise<T>, ms: number, started: () => boolean): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      t = setTimeout(() => {
        if (!started()) reject(new Timeout('token verification timed out'));
      }, ms);
    }),
  ]).finally(() => clearTimeout(t));
}

import * as path from 'node:path';
import express from 'express';
import type { z } from 'zod';
import type { CommandService } from '../../app/commands';
import type { NetworkService } from '../../app/network/networkService';
import type { Clock, RubricCatalog } from '../../app/ports';
import type { ResultsService } from '../../app/reviews/results';
import { type ExportFormat, exportResults } from '../../app/reviews/resultsExport';
import type { ReviewService } from '../../app/reviews/reviewService';
import { DomainError, type DomainErrorCode } from '../../domain/errors';
import { defaultLogger, type Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { consoleRouter, DEMO_TENANT, ensureDemo } from './console';
import type { ConsoleBuildingDeps } from './consoleChannels';
import { type LinkSigner, webLinks } from './links';
import { networkRoute } from './network';
import { type BuildingStatus, dashboardPage, errorPage, resultsPage } from './pages';
import { parseDashboardLink, tabConfig, tabConfigPage } from './teamsTab';

export interface WebDeps {
  service: ReviewService;
  results: ResultsService;
  commands: CommandService;
  rubrics: RubricCatalog;
  signer: LinkSigner;
  clock: Clock;
  /** Base URL for links the bot hands out (PUBLIC_URL or http://localhost:PORT); may be resolved late. */
  baseUrl: () => string;
  linkTtlMs: number;
  /** Mount the local demo console at /console. */
  console: boolean;
  /** The console's building teams in simulated channels (see ./consoleChannels.ts). */
  consoleBuildings?: ConsoleBuildingDeps;
  /** Building-team submission status for the dashboard, when this deployment tracks it. */
  buildings?: (tenantId: string, districtId: string) => Promise<BuildingStatus[]>;
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** Votes cast in the console are counted here. */
  metrics?: Metrics;
  /** Co-op networks: the network page of a district's dashboard (/dashboard/network). */
  network?: NetworkService;
}

/** Folder of static assets (`web/` at the repository root, from src/ and dist/ alike). */
export const WEB_DIR = path.join(__dirname, '..', '..', '..', 'web');
const ADAPTIVECARDS_JS = require.resolve('adaptivecards/dist/adaptivecards.min.js');
/** The Teams JavaScript client library's browser bundle (UMD, global `microsoftTeams`), served from the app. */
const TEAMS_JS = require.resolve('@microsoft/teams-js');
/** Hosts allowed to frame our pages: Teams on the web and the desktop/new Teams clients. */
const FRAME_ANCESTORS =
  "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft";

const STATUS: Record<DomainErrorCode, number> = {
  'unknown-review': 404,
  'unknown-district': 404,
  'unknown-row': 404,
  'round-closed': 409,
  'deadline-passed': 409,
  'not-member': 403,
  'not-in-group': 403,
  'not-coordinator': 403,
  'not-admin': 403,
  'bad-level': 400,
  'invalid-state': 409,
  'invalid-input': 400,
  conflict: 409,
  'store-unavailable': 503,
};

/** Parses with zod; failures become DomainError('invalid-input') naming the field. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'input';
  throw new DomainError('invalid-input', `${field} ${issue?.message ?? 'is invalid'}`.trim(), {
    [field]: issue?.message ?? 'invalid',
  });
}

class LinkError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

const LINK_MESSAGES = {
  missing: 'This page needs a private link. Ask the bot for one with the "dashboard" command.',
  malformed: 'This link is damaged. Ask the bot for a new one with the "dashboard" command.',
  'bad-signature': 'This link is not valid. Ask the bot for a new one with the "dashboard" command.',
  expired:
    'This link has expired. Ask the bot for a new one with the "dashboard" command. In a Teams tab: open the tab\'s menu (⋯) → Settings and paste the new link.',
} as const;

const wantsHtml = (req: express.Request) => !req.path.includes('/export.') && !req.path.endsWith('.json');

/**
 * Mounts the dashboard (signed links only), the results exports, the static assets and, when enabled, the local
 * console. Every error is answered here: DomainErrors by code, link problems 401/403, malformed JSON 400, and
 * anything else a plain 500 without details.
 */
export function mountWeb(web: express.Express, deps: WebDeps): { consolePath: string | null } {
  const log = deps.logger ?? defaultLogger('web');
  if (deps.signer.ephemeral && !deps.console) {
    log.warn(
      'WEB_LINK_SECRET is not set: dashboard links are signed with a random secret and stop working when this process restarts (and on other replicas).',
    );
  }
  const assets = express.Router();
  assets.get('/adaptivecards.js', (_req, res) => {
    res.type('application/javascript').sendFile(ADAPTIVECARDS_JS);
  });
  assets.get('/teams-js/MicrosoftTeams.min.js', (_req, res) => {
    res.type('application/javascript').set('X-Content-Type-Options', 'nosniff').sendFile(TEAMS_JS);
  });
  assets.get('/teams-js/MicrosoftTeams.min.js.map', (_req, res) => {
    res.type('application/json').set('X-Content-Type-Options', 'nosniff').sendFile(`${TEAMS_JS}.map`);
  });
  assets.use(express.static(WEB_DIR, { index: false, fallthrough: true, maxAge: 0 }));
  web.use('/web', assets);

  const dash = express.Router();
  dash.use((req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': `default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; ${FRAME_ANCESTORS}`,
    });
    const check = deps.signer.verify(req.query.k, deps.clock.now());
    if (!check.ok) {
      next(new LinkError(check.reason === 'missing' ? 401 : 403, LINK_MESSAGES[check.reason]));
      return;
    }
    res.locals.claims = check.claims;
    res.locals.token = req.query.k;
    next();
  });
  const claimsOf = (res: express.Response) => res.locals.claims as { t: string; d: string; e: number };
  const linkTo = (res: express.Response) => (p: string) =>
    `${p}?k=${encodeURIComponent(String(res.locals.token))}`;

  dash.get('/', async (_req, res) => {
    const c = claimsOf(res);
    const [d, buildings, network] = await Promise.all([
      deps.results.dashboard(c.t, c.d),
      deps.buildings ? deps.buildings(c.t, c.d) : Promise.resolve(null),
      deps.network ? deps.network.networkOfDistrict(c.t, c.d) : Promise.resolve(null),
    ]);
    res.type('html').send(dashboardPage(d, linkTo(res), buildings, new Date(c.e * 1000), network));
  });
  dash.get('/data.json', async (_req, res) => {
    const c = claimsOf(res);
    res.json(await deps.results.dashboard(c.t, c.d));
  });
  dash.get('/reviews/:reviewId', async (req, res) => {
    const c = claimsOf(res);
    const review = await deps.results.reviewOfDistrict(c.t, c.d, String(req.params.reviewId));
    const r = await deps.results.resultsOf(review);
    const levelNames = deps.rubrics.get(r.rubricId)?.levels.map((l) => l.name) ?? ['1', '2', '3', '4'];
    res.type('html').send(resultsPage(r, levelNames, linkTo(res)('/dashboard')));
  });
  dash.get('/reviews/:reviewId/export.:format', async (req, res) => {
    const c = claimsOf(res);
    const format = String(req.params.format);
    if (format !== 'csv' && format !== 'json' && format !== 'md') {
      throw new DomainError('invalid-input', 'The export format must be csv, json or md.');
    }
    const review = await deps.results.reviewOfDistrict(c.t, c.d, String(req.params.reviewId));
    const file = exportResults(await deps.results.resultsOf(review), format as ExportFormat);
    res
      .type(file.mimeType)
      .set('Content-Disposition', `attachment; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .send(file.content);
  });
  if (deps.network) dash.get('/network', networkRoute(deps.network));
  web.use('/dashboard', dash);

  // The dashboard as a Teams channel tab: the configuration page named by the manifest's configurableTabs, and
  // the check of a pasted dashboard link it calls before enabling Save.
  const tab = express.Router();
  tab.use((_req, res, next) => {
    res.set({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      // The Teams library's start-up fetch of its origin list from a CDN is refused here: it then uses the list it
      // ships with, which holds the Teams hosts of FRAME_ANCESTORS.
      'Content-Security-Policy': `default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; ${FRAME_ANCESTORS}`,
    });
    next();
  });
  tab.get('/config', (_req, res) => {
    res.type('html').send(tabConfigPage({ linkTtlDays: Math.round(deps.linkTtlMs / 86_400_000) }));
  });
  tab.get('/check', async (req, res) => {
    const link = parseDashboardLink(req.query.link, deps.baseUrl());
    if (!link.ok) throw new DomainError('invalid-input', link.message);
    const check = deps.signer.verify(link.token, deps.clock.now());
    if (!check.ok) throw new LinkError(check.reason === 'missing' ? 401 : 403, LINK_MESSAGES[check.reason]);
    const d = await deps.results.dashboard(check.claims.t, check.claims.d);
    res.json({
      ok: true,
      districtName: d.districtName,
      expiresAt: new Date(check.claims.e * 1000).toISOString(),
      config: tabConfig(d.districtId, link.url),
    });
  });
  web.use('/teams/tab', tab);

  let consolePath: string | null = null;
  if (deps.console) {
    consolePath = '/console';
    web.get('/console', (_req, res) => {
      res.set('Cache-Control', 'no-store').sendFile(path.join(WEB_DIR, 'console.html'));
    });
    web.use(
      '/console/api',
      consoleRouter({
        service: deps.service,
        commands: deps.commands,
        results: deps.results,
        // A relative link: the console is opened on whatever host and port the browser used.
        dashboardUrl: (districtId) =>
          `/dashboard?k=${deps.signer.issue(DEMO_TENANT, districtId, deps.clock.now(), deps.linkTtlMs).token}`,
        parse,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
        ...(deps.consoleBuildings ? { buildingTeams: deps.consoleBuildings } : {}),
      }),
    );
    web.get('/', (_req, res) => {
      res.redirect('/console');
    });
    // Create the demo district up front so the first page load is quick (and a broken store shows at start).
    ensureDemo(deps.service).catch((e) => {
      log.error('Could not create the demo district for the console', e);
    });
  }

  const errorHandler: express.ErrorRequestHandler = (err, req, res, _next) => {
    const html = req.baseUrl === '/dashboard' && wantsHtml(req);
    let status: number;
    let message: string;
    if (err instanceof LinkError) {
      status = err.status;
      message = err.message;
    } else if (err instanceof DomainError) {
      status = STATUS[err.code] ?? 400;
      message = err.message;
    } else if (err && typeof err === 'object' && 'type' in err && typeof err.status === 'number') {
      // body-parser: entity.parse.failed (400), entity.too.large (413), …
      status = err.status >= 400 && err.status < 500 ? err.status : 400;
      message = status === 413 ? 'The request is too large.' : 'The request body is not valid JSON.';
    } else {
      status = 500;
      message = 'Something went wrong on the server. Please try again in a moment.';
      log.error('unexpected error', err, { method: req.method, path: req.path });
    }
    if (res.headersSent) return;
    if (html) res.status(status).type('html').send(errorPage(status, message));
    else
      res.status(status).json({ error: message, ...(err instanceof DomainError ? { code: err.code } : {}) });
  };
  web.use(['/dashboard', '/console', '/web', '/teams/tab'], errorHandler);
  return { consolePath };
}

export { issueLink };

/** Helper for main/commands: a signed dashboard link for one district. */
function issueLink(deps: Pick<WebDeps, 'signer' | 'clock' | 'baseUrl' | 'linkTtlMs'>) {
  const links = webLinks(deps);
  return (tenantId: string, districtId: string) => links.dashboard(tenantId, districtId);
}

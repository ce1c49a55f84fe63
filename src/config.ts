import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { isValidTimeZone } from './domain/schedule';

const tz = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Detroit');

/** A whole number from 1 to 1,000,000 with a default. */
const count = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .default(fallback);

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/**
 * Every environment variable the app reads. `.env.example` documents each one; keep the two in step
 * (a test checks that they name the same variables).
 */
export const envSchema = z.object({
  /** Read before the others: a settings file to use instead of ./.env. */
  ENV_FILE: optionalText,
  PORT: z.coerce
    .number({ error: 'must be a port number from 0 to 65535' })
    .int('must be a whole number')
    .min(0, 'must be a port number from 0 to 65535')
    .max(65535, 'must be a port number from 0 to 65535')
    .default(3978),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z
    .string()
    .url('must be a URL such as https://micip.example.org')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'must start with mongodb:// or mongodb+srv://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  MONGODB_DB: optionalText,
  DATA_DIR: z.string().default('./data'),
  RUBRICS_DIR: z.string().default(path.join(__dirname, '..', 'rubrics')),
  DEFAULT_TIMEZONE: tz.default('America/Detroit'),
  LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })
    .default('info'),
  /** Bearer token GET /metrics asks for; unset = only requests from this machine (loopback) may read it. */
  METRICS_TOKEN: optionalText,
  WEB_LINK_SECRET: z
    .string()
    .trim()
    .transform((s) => (s === '' ? undefined : s))
    .optional()
    .refine(
      (s) => s === undefined || s.length >= 32,
      'must be at least 32 characters (e.g. openssl rand -hex 32)',
    ),
  WEB_LINK_TTL_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .min(0.001, 'must be more than 0')
    .max(365, 'must be at most 365')
    .default(7),
  WEB_CONSOLE: z.enum(['auto', 'on', 'off'], { error: 'must be auto, on or off' }).default('auto'),
  /** Building-team nudges: on = this replica ticks every minute (safe on every replica), off = no ticking. */
  NUDGES: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  /** A nudge that fell due while every replica was down is still sent this many minutes later; older ones drop. */
  NUDGE_GRACE_MINUTES: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1')
    .max(10080, 'must be at most 10080 (a week)')
    .default(360),
  /** Slack workspace-wide ceiling of chat.postMessage per second: polls, announcements and nudges alike (each channel is also held to 1/s). */
  NUDGE_SLACK_WORKSPACE_RATE: z.coerce
    .number({ error: 'must be a number of messages per second' })
    .min(0.1, 'must be at least 0.1')
    .max(100, 'must be at most 100')
    .default(20),
  /**
   * Co-op networks: the fewest districts a figure of the network may be made of (small-group protection). At least
   * 3: with two, each district could read the other's rating off the counts.
   */
  NETWORK_MIN_DISTRICTS: z.coerce
    .number({ error: 'must be a whole number of districts' })
    .int('must be a whole number of districts')
    .min(3, 'must be at least 3 (a smaller group would let one district read another’s ratings)')
    .max(1000, 'must be at most 1000')
    .default(5),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_API_URL: z
    .string()
    .url('must be a URL such as https://slack.com/api/')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /**
   * How long a close waits between marking the round closed and reading its votes (ms): a vote checked against
   * the open round less than this long before it was stored is then counted without a second read, and votes reuse
   * a read of the open review for a quarter of it. 0 = no wait (every vote reads the review, and again after its
   * write).
   */
  CLOSE_GRACE_MS: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number')
    .min(0, 'must be 0 (no grace) or more')
    .max(10_000, 'must be at most 10000')
    .default(1000),
  /**
   * From this many Slack requests a second on, vote confirmations, poll redraws and quorum checks wait (at most
   * 10 s) so that acknowledgements come first (votes themselves are stored before their acknowledgement), and
   * also while a fifth as many requests (at least 4) wait unanswered; they always wait 250 ms first, so a burst's
   * first clicks' work waits too. 0 = never wait (and no 250 ms).
   */
  SLACK_BURST_PER_SECOND: z.coerce
    .number({ error: 'must be a number of requests per second' })
    .int('must be a whole number')
    .min(0, 'must be 0 (never wait) or more')
    .max(100000, 'must be at most 100000')
    .default(50),
  /**
   * How long a process may go without its heartbeat (seconds) before another process draws the poll messages it
   * owed a redraw (after a crash: SIGKILL, out of memory); each process writes its heartbeat every third of this.
   */
  POLL_REDRAW_ADOPT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number')
    .min(3, 'must be at least 3')
    .max(3600, 'must be at most 3600')
    .default(60),
  /**
   * People who may set up district teams whatever their platform role (Slack user ids, Teams AAD object ids),
   * comma-separated. Besides them: Slack workspace admins and owners and the app's installer; the person who added
   * the app to a Teams team.
   */
  ADMIN_USER_IDS: z
    .string()
    .max(10_000, 'must be at most 10000 characters')
    .regex(/^[A-Za-z0-9._:,\s-]*$/, 'must be user ids separated by commas')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .default([]),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppTenantId: optionalText,
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      error: 'must be MultiTenant, SingleTenant or UserAssignedMSI',
    })
    .default('MultiTenant'),
  /**
   * Extra Bot Connector service URLs the Teams adapter may accept and reply to, comma-separated, added to Microsoft's
   * documented connector hosts (TEAMS_CONNECTOR_HOSTS in src/adapters/teams/activity.ts): e.g. a sovereign cloud
   * host not in that list (https://smba.teams.sovcloud-core.fr), the Bot Framework Emulator's http://localhost, or
   * a test fake.
   */
  TEAMS_SERVICE_URLS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((u) => URL.canParse(u)), 'must be a comma-separated list of URLs'),
  /**
   * true = POST /api/messages works without MicrosoftAppId (no token check), for the Bot Framework Emulator and
   * local tests, and then only for requests from this machine (loopback). Default: without MicrosoftAppId the
   * endpoint is off (404).
   */
  TEAMS_LOCAL_NO_AUTH: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((s) => s === 'true'),
  /** Most people remembered per Teams channel (a district's roster: mentions and card refresh lists). */
  TEAMS_MAX_MEMBERS_PER_CHANNEL: count(5000),
  /** Most people remembered across all channels of one Teams tenant (organization). */
  TEAMS_MAX_MEMBERS_PER_TENANT: count(20_000),
  /** Most channels and chats of one Teams tenant the bot remembers (to post in later). */
  TEAMS_MAX_CHANNELS_PER_TENANT: count(500),
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The only variables whose bad value an error may repeat: they hold numbers, names and choices. Any other value
 * (a secret, a URI with a password, a token pasted into the wrong variable) is never printed.
 */
const SHOWN = new Set([
  'PORT',
  'HOST',
  'DEFAULT_TIMEZONE',
  'LOG_LEVEL',
  'WEB_LINK_TTL_DAYS',
  'WEB_CONSOLE',
  'NUDGES',
  'NUDGE_GRACE_MINUTES',
  'NUDGE_SLACK_WORKSPACE_RATE',
  'NETWORK_MIN_DISTRICTS',
  'SLACK_BURST_PER_SECOND',
  'CLOSE_GRACE_MS',
  'POLL_REDRAW_ADOPT_SECONDS',
  'MicrosoftAppType',
  'TEAMS_LOCAL_NO_AUTH',
  'TEAMS_MAX_MEMBERS_PER_CHANNEL',
  'TEAMS_MAX_MEMBERS_PER_TENANT',
  'TEAMS_MAX_CHANNELS_PER_TENANT',
  'ADMIN_USER_IDS',
]);

/** The variables that have a value: an empty (or blank) one counts as unset. */
function setValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

/**
 * Parses the settings. Empty (or blank) values count as unset, so an env file copied from `.env.example` starts
 * with the defaults. The first problem becomes one line naming the variable, e.g. `PORT must be …`; the value is
 * shown only for variables that hold numbers, names and choices.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const set = setValues(env);
  const r = envSchema.safeParse(set);
  if (r.success) {
    const half = halfConfiguration(r.data);
    if (half) throw new ConfigError(`Configuration error: ${half}`);
    return r.data;
  }
  const issue = r.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  const got = set[name];
  const shown =
    got === undefined || !SHOWN.has(name) ? '' : ` (got "${got.length > 40 ? `${got.slice(0, 40)}…` : got}")`;
  throw new ConfigError(`Configuration error: ${name} ${issue?.message ?? 'is invalid'}${shown}`);
}

/**
 * A chat connection configured by halves is refused rather than silently left off (Slack) or run without checks
 * (Teams). Names variables only, never their values.
 */
function halfConfiguration(c: Config): string | null {
  const oauth = !!(c.SLACK_CLIENT_ID && c.SLACK_CLIENT_SECRET);
  const slackIn = 'SLACK_SIGNING_SECRET (events over HTTP) or SLACK_APP_TOKEN (Socket Mode)';
  if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN)
    return `SLACK_BOT_TOKEN is set but ${slackIn} is missing: Slack would stay off.`;
  if (c.SLACK_CLIENT_ID && !c.SLACK_CLIENT_SECRET)
    return 'SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is missing.';
  if (c.SLACK_CLIENT_SECRET && !c.SLACK_CLIENT_ID)
    return 'SLACK_CLIENT_SECRET is set but SLACK_CLIENT_ID is missing.';
  if (oauth && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN)
    return `SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set but ${slackIn} is missing: Slack would stay off.`;
  for (const name of ['SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const) {
    if (c[name] && !c.SLACK_BOT_TOKEN && !oauth)
      return `${name} is set but SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (installable app) is missing: Slack would stay off.`;
  }
  if (c.MicrosoftAppId) {
    if (c.MicrosoftAppType !== 'UserAssignedMSI' && !c.MicrosoftAppPassword)
      return 'MicrosoftAppId is set but MicrosoftAppPassword is missing: Teams tokens could not be sent or checked.';
    if (c.MicrosoftAppType !== 'MultiTenant' && !c.MicrosoftAppTenantId)
      return `MicrosoftAppTenantId is required when MicrosoftAppType is ${c.MicrosoftAppType}.`;
    if (c.TEAMS_LOCAL_NO_AUTH)
      return 'TEAMS_LOCAL_NO_AUTH is for local testing without MicrosoftAppId: unset one of them.';
  } else {
    for (const name of ['MicrosoftAppPassword', 'MicrosoftAppTenantId'] as const) {
      if (c[name]) return `${name} is set but MicrosoftAppId is missing: Teams would stay off.`;
    }
  }
  return null;
}

export interface Settings {
  env: Record<string, string | undefined>;
  /** The .env file that was read, if any. */
  envFile: string | null;
}

/**
 * The process environment, then `.env` (in `dir`, or the file ENV_FILE names) for what the environment leaves unset
 * or empty. A missing default `.env` is fine; a missing ENV_FILE or an unreadable file is a ConfigError.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env, dir = process.cwd()): Settings {
  const named = env.ENV_FILE?.trim();
  const file = path.resolve(dir, named || '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (!named && (e as NodeJS.ErrnoException).code === 'ENOENT') return { env: { ...env }, envFile: null };
    const what = named ? 'ENV_FILE' : 'The .env file';
    throw new ConfigError(
      `Configuration error: ${what} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}: ${file})`,
    );
  }
  const fromFile = parseEnv(text) as Record<string, string>;
  return { env: { ...fromFile, ...setValues(env) }, envFile: file };
}

import * as path from 'node:path';
import { z } from 'zod';
import { isValidTimeZone } from './domain/schedule';

const tz = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Detroit');

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
  /** Slack workspace-wide ceiling for nudge posts per second (chat.postMessage is also held to 1/s per channel). */
  NUDGE_SLACK_WORKSPACE_RATE: z.coerce
    .number({ error: 'must be a number of messages per second' })
    .min(0.1, 'must be at least 0.1')
    .max(100, 'must be at most 100')
    .default(20),
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
   * From this many Slack requests a second on, vote work waits (at most 10 s) so that acknowledgements come first;
   * 0 = never wait.
   */
  SLACK_BURST_PER_SECOND: z.coerce
    .number({ error: 'must be a number of requests per second' })
    .int('must be a whole number')
    .min(0, 'must be 0 (never wait) or more')
    .max(100000, 'must be at most 100000')
    .default(250),
  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  MicrosoftAppTenantId: optionalText,
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      error: 'must be MultiTenant, SingleTenant or UserAssignedMSI',
    })
    .default('MultiTenant'),
  /**
   * Extra Bot Connector service URLs the Teams adapter may reply to, comma-separated (e.g. the Bot Framework
   * Emulator's http://localhost, a test fake). Microsoft's connector hosts are always allowed.
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
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment. The first problem becomes one line naming the variable, e.g. `PORT must be …`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = envSchema.safeParse(env);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  const got = env[name];
  const shown = got === undefined ? '' : ` (got "${got.length > 40 ? `${got.slice(0, 40)}…` : got}")`;
  throw new ConfigError(`Configuration error: ${name} ${issue?.message ?? 'is invalid'}${shown}`);
}

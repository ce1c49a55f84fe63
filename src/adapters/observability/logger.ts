import pino from 'pino';

/** The levels LOG_LEVEL accepts; `silent` (tests only) writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * The app's one logger: each call writes one JSON line with `level`, `time`, `msg` and `component` (plus `pid` and
 * `hostname`). Details after the message become fields: an Error becomes `err` (type, message, code, status,
 * stack and cause only: never its other properties, which may hold request headers or bodies), a plain object is
 * merged in with secret-looking and body-looking keys redacted, anything else becomes `detail`.
 */
export interface Logger {
  debug(msg: string, ...details: unknown[]): void;
  info(msg: string, ...details: unknown[]): void;
  warn(msg: string, ...details: unknown[]): void;
  error(msg: string, ...details: unknown[]): void;
  /** The same destination and level; lines carry `component` (slack, teams, web, nudges, store, …). */
  child(component: string): Logger;
}

/** Where lines go: anything with `write(line)`; default stdout (synchronous, so nothing is lost on exit). */
export interface LogDestination {
  write(line: string): void;
}

export function createLogger(level: LogLevel | 'silent', destination?: LogDestination): Logger {
  const root = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // `err` is already made safe by errorFields (pino's own serializer would copy every property of an error).
      serializers: { err: (e: unknown) => e },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return wrap(root, 'app');
}

function wrap(root: pino.Logger, component: string): Logger {
  const p = root.child({ component });
  const write =
    (level: LogLevel) =>
    (msg: string, ...details: unknown[]) => {
      if (!p.isLevelEnabled(level)) return;
      p[level](fieldsOf(details), msg);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (c) => wrap(root, c),
  };
}

/** A logger that writes nothing. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/** LOG_LEVEL's value when it is a level, else `fallback`. */
export function levelFrom(value: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  return LOG_LEVELS.includes(value as LogLevel) ? (value as LogLevel) : fallback;
}

let fallback: Logger | null = null;

/**
 * For adapters built without a logger (tests, benches): one process-wide stdout logger at the level in
 * process.env.LOG_LEVEL (info when unset). The app itself always passes its logger down from main.ts.
 */
export function defaultLogger(component: string): Logger {
  fallback ??= createLogger(levelFrom(process.env.LOG_LEVEL));
  return fallback.child(component);
}

// ---------- what details become ----------

const SECRET_KEY = /pass(word)?|secret|token|authori[sz]ation|cookie|signature|credential|api[-_]?key/i;
/** Keys that hold what a request or response carried: never logged. */
const BODY_KEY = /^(body|rawBody|payload|headers|request|response|config|data)$/i;
const MAX_TEXT = 2000;
const MAX_DEPTH = 4;
const MAX_ITEMS = 50;

function fieldsOf(details: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const extra: unknown[] = [];
  for (const d of details) {
    if (d === undefined) continue;
    if (isErrorLike(d)) out.err = errorFields(d, 0);
    else if (isPlainObject(d)) Object.assign(out, clean(d, 0));
    else extra.push(clean(d, 0));
  }
  if (extra.length === 1) out.detail = extra[0];
  else if (extra.length > 1) out.detail = extra;
  return out;
}

function isErrorLike(v: unknown): v is Error {
  return v instanceof Error;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

/** An error's safe parts. Slack Web API errors add their error code (`data.error`), never the rest of `data`. */
function errorFields(e: Error, depth: number): Record<string, unknown> {
  const o = e as Error & {
    code?: unknown;
    status?: unknown;
    statusCode?: unknown;
    data?: { error?: unknown };
    retryAfter?: unknown;
  };
  const f: Record<string, unknown> = { type: e.name, message: clip(String(e.message)) };
  if (typeof o.code === 'string' || typeof o.code === 'number') f.code = o.code;
  const status = typeof o.statusCode === 'number' ? o.statusCode : o.status;
  if (typeof status === 'number') f.status = status;
  if (typeof o.data?.error === 'string') f.slackError = o.data.error;
  if (typeof o.retryAfter === 'number') f.retryAfter = o.retryAfter;
  if (e.stack) f.stack = clip(e.stack);
  if (e.cause !== undefined && depth < 3)
    f.cause = isErrorLike(e.cause) ? errorFields(e.cause, depth + 1) : clean(e.cause, depth + 1);
  return f;
}

function clean(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return clip(v);
  if (v === null || typeof v !== 'object')
    return typeof v === 'function' || typeof v === 'symbol' ? String(v) : v;
  if (v instanceof Date) return v.toISOString();
  if (isErrorLike(v)) return errorFields(v, depth);
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS).map((x) => clean(x, depth + 1));
  if (!isPlainObject(v)) return `[${(v as object).constructor?.name ?? 'object'}]`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = SECRET_KEY.test(k) || BODY_KEY.test(k) ? '[redacted]' : clean(x, depth + 1);
  }
  return out;
}

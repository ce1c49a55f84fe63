/**
 * The one reading of a failed send for every outbound queue (the Slack outbound layer, the Teams SendQueue): its
 * HTTP status, the Retry-After it carries, whether it is worth retrying and after how long.
 *
 * Retried: 429 (rate limited), 412 (Teams answers it to a burst of sends in one conversation: its documented
 * transient codes are 429, 412, 502 and 504) and every 5xx. Not retried: any other 4xx (the request itself is
 * wrong or forbidden: sending it again earns the same answer), and failures without a status (no connection to
 * retry against, or a bug).
 */

/** HTTP status carried by an error from the Slack WebClient, botbuilder's connector client or a fetch sender. */
export function statusOf(e: unknown): number | null {
  const o = e as {
    statusCode?: unknown;
    status?: unknown;
    code?: unknown;
    response?: { status?: unknown };
  } | null;
  if (o?.code === 'slack_webapi_rate_limited_error') return 429;
  const s = o?.statusCode ?? o?.status ?? o?.response?.status;
  return typeof s === 'number' ? s : null;
}

/**
 * Retry-After (ms) carried by an error: `retryAfterMs` (our own senders), `retryAfter` in seconds (Slack
 * WebClient), or the response's `retry-after` header in seconds or as an HTTP date (botbuilder, fetch).
 */
export function retryAfterMsOf(e: unknown, now: () => number = Date.now): number | null {
  const o = e as {
    retryAfter?: unknown;
    retryAfterMs?: unknown;
    response?: { headers?: { get?: (n: string) => unknown } };
  } | null;
  if (typeof o?.retryAfterMs === 'number') return o.retryAfterMs;
  if (typeof o?.retryAfter === 'number') return o.retryAfter * 1000;
  const h = o?.response?.headers;
  const raw = typeof h?.get === 'function' ? h.get('retry-after') : undefined;
  if (typeof raw !== 'string') return null;
  const secs = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now());
}

export function isRetryableStatus(status: number | null): boolean {
  return status !== null && (status === 429 || status === 412 || (status >= 500 && status <= 599));
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
  now?: () => number;
}

/**
 * How long to wait before attempt `attempt + 1` after `e`, or null when `e` must not be retried. A Retry-After is
 * honoured as given; without one the wait doubles from `baseDelayMs` (capped at `maxDelayMs`) with jitter (×0.5 to
 * ×1.5), so that senders refused together do not come back together.
 */
export function retryDelayMs(e: unknown, attempt: number, o: BackoffOptions): number | null {
  if (!isRetryableStatus(statusOf(e))) return null;
  const after = retryAfterMsOf(e, o.now);
  if (after !== null) return after;
  const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
  return Math.min(o.maxDelayMs, backoff * (0.5 + o.random()));
}

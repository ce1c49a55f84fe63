import { DeliveryFailure, type DeliveryProblem } from '../../app/nudges/deliveryFailure';
import { statusOf } from '../scheduler/retryPolicy';

/** Bot Connector error codes (the `error.code` of its answer) by what they mean for a post. */
const PROBLEMS: Record<string, DeliveryProblem> = {
  BotNotInConversationRoster: 'not-in-channel',
  ConversationNotFound: 'channel-not-found',
  BotDisabledByAdmin: 'no-permission',
  ConversationBlockedByUser: 'no-permission',
  Forbidden: 'no-permission',
  Unauthorized: 'not-installed',
  BotAuthenticationFailure: 'not-installed',
};

const BY_STATUS: Record<number, DeliveryProblem> = {
  401: 'not-installed',
  403: 'no-permission',
  404: 'channel-not-found',
  429: 'rate-limited',
};

/** The connector's error code, where the failed call (or the error it was wrapped in) carries one. */
function codeOf(e: unknown): string {
  for (let x = e as { code?: unknown; cause?: unknown } | null, i = 0; x && i < 4; i++) {
    if (typeof x.code === 'string' && /^[A-Za-z]+$/.test(x.code)) return x.code;
    x = x.cause as typeof x;
  }
  return '';
}

/** A failed Teams post as a DeliveryFailure: the connector's error code (or HTTP status) kept as its detail. */
export function teamsDeliveryFailure(e: unknown): DeliveryFailure {
  if (e instanceof DeliveryFailure) return e;
  const code = codeOf(e);
  let status = statusOf(e);
  for (let x = e as { cause?: unknown } | null, i = 0; status === null && x && i < 4; i++) {
    x = x.cause as typeof x;
    status = statusOf(x);
  }
  const problem = PROBLEMS[code] ?? (status !== null ? BY_STATUS[status] : undefined);
  const detail = [status !== null ? String(status) : '', code].filter(Boolean).join(' ');
  if (problem) return new DeliveryFailure(problem, detail, e);
  return new DeliveryFailure('other', detail || (e instanceof Error ? e.message : String(e)), e);
}

import type { Activity1Service } from '../../app/activity1/activity1Service';
import type { CommandService } from '../../app/commands';
import type { Clock } from '../../app/ports';
import type { ReviewService } from '../../app/reviews/reviewService';
import { isDomainError } from '../../domain/errors';
import type { Metrics } from '../observability/metrics';
import { BadActivity } from './activity';
import type { PollCards } from './cards';
import type { TeamsDirectory } from './directory';
import type { TeamsOutbox } from './outbox';
import type { TeamsRoster } from './roster';

export interface TeamsActionHandler {
  verbs: readonly string[];
  /** `channelId`, `conversation`: the conversation the click came from. */
  handle(
    actor: {
      tenantId: string;
      userId: string;
      displayName: string;
      channelId?: string;
      conversation?: 'channel' | 'group' | 'personal';
    },
    verb: string,
    data: unknown,
  ): Promise<Record<string, unknown>>;
}

/** What the turn handlers (./turns.ts, ./invokes.ts) work with: the bot's parts, built once in TeamsBot. */
export interface TurnDeps {
  service: ReviewService;
  commands: CommandService;
  clock: Clock | undefined;
  metrics: Metrics | undefined;
  actions: readonly TeamsActionHandler[] | undefined;
  /** Activity 1's card verbs (`activity1`, `activity1-view`); absent on a server without it. */
  activity1: Activity1Service | undefined;
  directory: TeamsDirectory;
  roster: TeamsRoster;
  outbox: TeamsOutbox;
  cards: PollCards;
  /** How long a card action may take before it is answered as slow or not confirmed (under Teams' ~5 s). */
  invokeDeadlineMs: number;
  log: (message: string, error?: unknown) => void;
}

const GENERIC_FAILURE =
  'Something went wrong on our side and nothing was changed. Please try again in a minute.';

/** DomainErrors carry their own user-facing text; anything else is logged and answered generically. */
export function userMessage(d: Pick<TurnDeps, 'log'>, e: unknown): string {
  if (isDomainError(e)) return e.message;
  if (e instanceof BadActivity) return e.message;
  d.log('turn failed', e);
  return GENERIC_FAILURE;
}

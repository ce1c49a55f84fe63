import type { OccurrenceSource } from '../domain/schedule';
import type { DigestView, EscalationView, NudgeView } from './nudgeViews';

/** Evaluates cron expressions in a time zone (implemented with cron-parser in adapters/scheduler). */
export interface CronEngine {
  /** Throws DomainError('invalid-input') when the expression cannot be evaluated. */
  source(cron: string, tz: string): OccurrenceSource;
}

/** Where a message goes: a channel of a workspace/tenant. The tenant prefix ("slack:", "teams:") picks the channel. */
export interface Destination {
  tenantId: string;
  channelId: string;
}

/**
 * Channel-neutral delivery of nudges, digests and escalations. Implementations queue and rate-limit per
 * destination and retry on 429; a rejected promise means the message was not delivered.
 */
export interface NudgeMessenger {
  sendNudge(to: Destination, view: NudgeView): Promise<void>;
  sendDigest(to: Destination, view: DigestView): Promise<void>;
  sendEscalation(to: Destination, view: EscalationView): Promise<void>;
}

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { TickReport } from '../../app/nudges/nudgeRunner';
import type { VoteWrite } from '../../app/ports';
import { isDomainError } from '../../domain/errors';

export type VotePlatform = 'slack' | 'teams' | 'web';
/**
 * `written`, `stale` (a newer click of the member is stored) and `duplicate` (this click is stored already) are the
 * store's answers; `refused` is a vote the core turned down (round closed, not a member, bad level …);
 * `failed` is one that could not be written (database unreachable, a bug).
 */
export type VoteOutcome = VoteWrite | 'refused' | 'failed';
export type AckPlatform = 'slack' | 'teams';

/** What the adapters report. main.ts passes one down; adapters built without one use `noMetrics`. */
export interface Metrics {
  vote(platform: VotePlatform, outcome: VoteOutcome): void;
  /** Time from a request's arrival to its acknowledgement (the HTTP response, or the Socket Mode ack). */
  ack(platform: AckPlatform, kind: string, seconds: number): void;
  /** A 429 answer from the platform's API. */
  rateLimited(platform: AckPlatform): void;
  /** One nudge tick's report. */
  nudgeTick(report: TickReport, atMs: number): void;
}

export const noMetrics: Metrics = {
  vote() {},
  ack() {},
  rateLimited() {},
  nudgeTick() {},
};

/** What became of a vote that threw. */
export function voteOutcomeOf(e: unknown): VoteOutcome {
  return isDomainError(e) && e.code !== 'store-unavailable' && e.code !== 'conflict' ? 'refused' : 'failed';
}

/** Runs a vote write and counts its outcome (the error, if any, is rethrown). */
export async function countVote<T extends { write: VoteWrite }>(
  metrics: Metrics,
  platform: VotePlatform,
  write: () => Promise<T>,
): Promise<T> {
  let r: T;
  try {
    r = await write();
  } catch (e) {
    metrics.vote(platform, voteOutcomeOf(e));
    throw e;
  }
  metrics.vote(platform, r.write);
  return r;
}

/**
 * The Prometheus metrics, on their own registry (several apps in one process, as in tests, never clash): the
 * counters below, prefixed `micip_`, plus prom-client's default process and Node.js metrics.
 */
export class PromMetrics implements Metrics {
  readonly registry: Registry;
  private readonly votes: Counter<'platform' | 'outcome'>;
  private readonly acks: Histogram<'platform' | 'kind'>;
  private readonly limited: Counter<'platform'>;
  private readonly nudges: Counter<'kind'>;
  private readonly nudgeFailures: Counter;
  private readonly nudgeErrors: Counter;
  private readonly escalations: Counter;
  private readonly lastTick: Gauge;

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.votes = new Counter({
      name: 'micip_votes_total',
      help: 'Votes received, by platform and outcome (written, stale, duplicate, refused, failed).',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    this.acks = new Histogram({
      name: 'micip_ack_seconds',
      help: 'Time from a Slack request or Teams invoke arriving to its acknowledgement (Slack gives up at 3 s).',
      labelNames: ['platform', 'kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 5],
      registers,
    });
    this.limited = new Counter({
      name: 'micip_platform_rate_limited_total',
      help: 'HTTP 429 answers from the Slack Web API or the Bot Connector (each is retried after its Retry-After).',
      labelNames: ['platform'],
      registers,
    });
    this.nudges = new Counter({
      name: 'micip_nudges_sent_total',
      help: 'Nudge messages sent, by kind (nudge, reminder, digest).',
      labelNames: ['kind'],
      registers,
    });
    this.nudgeFailures = new Counter({
      name: 'micip_nudges_failed_total',
      help: 'Nudges and reminders that could not be delivered.',
      registers,
    });
    this.nudgeErrors = new Counter({
      name: 'micip_nudge_errors_total',
      help: 'Errors while running nudge rounds (schedules unreadable, a round or digest failing).',
      registers,
    });
    this.escalations = new Counter({
      name: 'micip_nudge_escalations_total',
      help: 'Building teams escalated to the coordinator after missed nudges.',
      registers,
    });
    this.lastTick = new Gauge({
      name: 'micip_nudge_last_tick_seconds',
      help: 'Unix time of the last completed nudge tick on this replica (0 = none yet).',
      registers,
    });
    // Pre-create the series an operator alerts on, so that rate() sees a 0 before the first event.
    for (const platform of ['slack', 'teams', 'web'] as const)
      for (const outcome of ['written', 'failed'] as const) this.votes.labels(platform, outcome).inc(0);
    for (const platform of ['slack', 'teams'] as const) this.limited.labels(platform).inc(0);
    for (const kind of ['nudge', 'reminder', 'digest'] as const) this.nudges.labels(kind).inc(0);
    collectDefaultMetrics({ register: registry });
  }

  vote(platform: VotePlatform, outcome: VoteOutcome): void {
    this.votes.labels(platform, outcome).inc();
  }

  ack(platform: AckPlatform, kind: string, seconds: number): void {
    this.acks.labels(platform, kind).observe(seconds);
  }

  rateLimited(platform: AckPlatform): void {
    this.limited.labels(platform).inc();
  }

  nudgeTick(r: TickReport, atMs: number): void {
    if (r.sent) this.nudges.labels('nudge').inc(r.sent);
    if (r.reminders) this.nudges.labels('reminder').inc(r.reminders);
    if (r.digests) this.nudges.labels('digest').inc(r.digests);
    if (r.failed) this.nudgeFailures.inc(r.failed);
    if (r.errors) this.nudgeErrors.inc(r.errors);
    if (r.escalated) this.escalations.inc(r.escalated);
    this.lastTick.set(atMs / 1000);
  }

  contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

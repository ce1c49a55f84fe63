import type { CommandService } from '../../../app/commands';
import type { KeyValueRepo } from '../../../app/ports';
import type { ReviewService } from '../../../app/reviews/reviewService';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { slackAsker } from '../asker';
import type { Confirmations } from '../confirmations';
import type { RecentKeys } from '../guard';
import type { InstallationStoreWithDelete } from '../installations';
import type { SlackOutbound } from '../outbound';
import type { PollMessages } from '../pollMessages';
import type { Present } from '../present';
import type { Ephemeral } from '../replies';

/** What every listener may use; built once by createSlackAdapter (slackApp.ts) and passed to each. */
export interface ListenerContext {
  service: ReviewService;
  commands: CommandService;
  kv: KeyValueRepo;
  log: Logger;
  metrics: Metrics;
  /** Who is asking: the ids Slack sends, and users.info / the installation when a rule needs more. */
  asker: ReturnType<typeof slackAsker>;
  /** OAuth installations (null with a single bot token). */
  installations: InstallationStoreWithDelete | null;
  /** Posting and redrawing the poll messages. */
  polls: PollMessages;
  /** Vote confirmations, sent in the background. */
  confirmations: Confirmations;
  /**
   * Work after a vote's acknowledgement that nobody waits for (the quorum check): queued with the confirmations,
   * so it waits for a burst of clicks to pass (at most 10 s) instead of taking the event loop from their acks.
   */
  later(job: () => Promise<void>): void;
  /** A private reply, now. */
  ephemeral: Ephemeral;
  /** The one way out for budgeted Web API calls (views.open, views.publish here). */
  outbound: SlackOutbound;
  /** A command's result, shown. */
  present: Present;
  /** Vote clicks of the last few seconds (per process), to tell a double click from a change of mind. */
  doubleClicks: RecentKeys;
  /** Longest a vote's write may take before the click is answered as not done. */
  voteWriteTimeoutMs: number;
}

/** The workspace a payload comes from (Enterprise Grid payloads may carry the team on the user). */
export function tenantOf(body: { team?: { id?: string } | null; user?: { team_id?: string } }): string {
  return body.team?.id ?? body.user?.team_id ?? '';
}

import type { RespondFn, types, webApi } from '@slack/bolt';
import { clip } from '../../app/text';
import type { Logger } from '../observability/logger';
import { LIMITS } from './blocks';
import type { Ephemeral } from './replies';
import type { WorkQueue } from './workQueue';

/**
 * A vote's confirmation (or refusal), sent in the background so that nothing waits for it: through the click's
 * response_url (no Web API budget), else chat.postEphemeral within the workspace's Tier 4 budget (the private reply
 * spends it in the one outbound layer, ./outbound.ts).
 */
export class Confirmations {
  constructor(
    private readonly work: WorkQueue,
    private readonly ephemeral: Ephemeral,
    private readonly log: Logger,
  ) {}

  send(
    client: webApi.WebClient,
    tenantId: string,
    channel: string | undefined,
    user: string,
    text: string,
    respond?: RespondFn,
    /** With the text (e.g. the first vote's perspective question and its buttons), or how to get them in the job. */
    blocksIn?: types.KnownBlock[] | (() => Promise<types.KnownBlock[] | undefined>),
  ): void {
    this.work.push(async () => {
      const blocks = typeof blocksIn === 'function' ? await blocksIn() : blocksIn;
      if (respond) {
        try {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: clip(text, LIMITS.messageText),
            ...(blocks ? { blocks } : {}),
          });
          return;
        } catch (e) {
          this.log.warn('Reply through response_url failed; using chat.postEphemeral', e);
        }
      }
      await this.ephemeral(client, tenantId, channel, user, text, undefined, blocks);
    });
  }
}

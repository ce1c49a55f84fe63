import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { ActionService } from '../../src/app/actions/actionService';
import { CommandService } from '../../src/app/commands';
import type { Store } from '../../src/app/ports';
import { ResultsService } from '../../src/app/reviews/results';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { counterIds, makeService, people, rubrics, TestClock } from '../support/fixtures';

export const inChannel = (tenantId: string, userId: string, channelId: string, admin = false): Actor => ({
  tenantId,
  userId,
  displayName: `Name of ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => admin,
});

export const COORD = inChannel('T1', 'U_COORD', 'C1', true);
export const OWNER = inChannel('T1', 'U_OWNER', 'C1');
export const OTHER = inChannel('T1', 'U_OTHER', 'C1');

/**
 * A district (T1, C1) with a coordinator and two members (U_OWNER, U_OTHER), a review whose row 1 is rated
 * (one vote, round closed), and the command language with actions. `store` may be shared (replicas).
 */
export async function actionWorld(o: { store?: Store; clock?: TestClock } = {}) {
  const store = o.store ?? new NedbStore(null);
  if (!o.store) await store.init();
  const clock = o.clock ?? new TestClock();
  const service = makeService(store, clock);
  const results = new ResultsService({ store, rubrics, clock });
  const actions = new ActionService({ store, rubrics, clock, ids: counterIds() });
  const commands = new CommandService(service, { results, actions });
  const dir = people('U_COORD', 'U_OWNER', 'U_OTHER');
  const run = async (a: Actor, line: string): Promise<string> => {
    const r = await commands.run({ actor: a, channelId: a.channelId ?? '', people: dir }, line);
    return 'text' in r ? plainText(r.text) : 'message' in r ? plainText(r.message) : JSON.stringify(r);
  };
  await run(COORD, 'setup "Lakeview Schools"');
  await run(COORD, 'member add <@U_OWNER|Olive Owner> district');
  await run(COORD, 'member add <@U_OTHER|Otto Other> building');
  const started = await commands.run(
    { actor: COORD, channelId: 'C1' },
    'review start "2026-27 Fall" quorum=1',
  );
  const reviewId = started.kind === 'review' ? started.review.reviewId : '';
  await service.castVote(OWNER, { reviewId, rowId: 'vision-mission-beliefs', choice: 3 });
  await run(COORD, 'close');
  await run(COORD, 'decide 1 3 "agreed in the meeting"');
  return { store, clock, service, results, actions, commands, run, reviewId };
}

/** The id in a reply's `action done <id>` hint. */
export const idIn = (reply: string): string => /action done (ac_[a-z0-9_]+)/.exec(reply)?.[1] ?? '';

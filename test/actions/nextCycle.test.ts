import { renderPollCard } from '../../src/adapters/cards/render';
import { validateCard } from '../../src/adapters/cards/validate';
import { pollBlocks } from '../../src/adapters/slack/blocks';
import { actionWorld, COORD, idIn, OWNER } from './support';

/** The next cycle's poll of a row shows last cycle's actions for that row and how many were done (both chats). */

const HOSTILE = '<!channel> *now* <https://evil.example|click> {{DATE(2020)}} \u202Eevil';

test('the next cycle’s poll shows last cycle’s actions for its row, done or not', async () => {
  const w = await actionWorld();
  const add = async (row: number, text: string) =>
    idIn(await w.run(COORD, `action add ${row} "${text}" owner=<@U_OWNER|O> due=2027-06-01 target=3`));
  const a = await add(2, 'Publish the planning calendar');
  await add(2, HOSTILE);
  await add(3, 'Set up peer observation');
  await w.run(OWNER, `action done ${a}`);
  // While the same review runs, its own actions are not "last cycle's".
  const same = await w.service.getReviewState(COORD, { reviewId: w.reviewId });
  expect(same.polls.map((p) => p.lastCycleActions)).toEqual([null, null, null, null, null, null]);

  await w.run(COORD, 'review cancel "moving on to the spring cycle"');
  w.clock.advance(90 * 86_400_000);
  const next = await w.commands.run({ actor: COORD, channelId: 'C1' }, 'review start "2027 Spring"');
  const nextId = next.kind === 'review' ? next.review.reviewId : '';
  await add(2, 'A new action of this cycle');
  const state = await w.service.getReviewState(COORD, { reviewId: nextId });
  const [row1, row2, row3] = state.polls;
  expect(row1?.lastCycleActions).toBeNull();
  expect(row2?.lastCycleActions).toMatchObject({ cycle: '2026-27 Fall', done: 1, total: 2 });
  expect(row2?.lastCycleActions?.items.map((i) => i.done).sort()).toEqual([false, true]);
  expect(row3?.lastCycleActions).toMatchObject({ done: 0, total: 1 });

  // Slack: one short context line, hostile text escaped.
  const slack = JSON.stringify(pollBlocks(row2 as NonNullable<typeof row2>));
  expect(slack).toContain("*Last cycle's actions* (2026-27 Fall): 1 of 2 done");
  expect(slack).toContain('✓ Publish the planning calendar');
  expect(slack).not.toContain('<!channel>');
  expect(slack).not.toContain('<https://evil.example');
  expect(slack).not.toContain('\u202E');
  // Teams: the card shows the same line as text runs; it validates.
  const card = renderPollCard(row2 as NonNullable<typeof row2>);
  const json = JSON.stringify(card);
  expect(json).toContain("Last cycle's actions");
  expect(json).toContain('1 of 2 done');
  expect(json).not.toContain('{{DATE(2020)}}');
  expect(validateCard(card)).toEqual([]);
  expect(JSON.stringify(renderPollCard(row1 as NonNullable<typeof row1>))).not.toContain(
    "Last cycle's actions",
  );
});

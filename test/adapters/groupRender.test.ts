import {
  renderComparisonCard,
  renderGroupHeaderCard,
  renderGroupPollCard,
} from '../../src/adapters/cards/groupCards';
import { validateCard } from '../../src/adapters/cards/validate';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { parsePollRef } from '../../src/adapters/slack/blocks';
import {
  comparisonBlocks,
  groupHeaderBlocks,
  groupPollBlocks,
  groupPollRef,
} from '../../src/adapters/slack/groupBlocks';
import { CommandService } from '../../src/app/commands';
import { levelLabel, type Rubric } from '../../src/domain/rubric';
import { coordinator, makeService, member, people, rubrics, TestClock } from '../support/fixtures';

/**
 * The small groups' renderers, from real views: a group's poll (Slack buttons and Teams actions carry the group,
 * read back by parsePollRef / the invoke schema), the thread's header, and the comparison card in both chats;
 * a group name with markup stays text (Slack mrkdwn escaped; Teams TextRuns), and the cards pass the official
 * Adaptive Cards validator.
 */

const HOSTILE = '<!channel> *bold* <http://x|y>';

async function views() {
  const store = new NedbStore(null);
  await store.init();
  const service = makeService(store, new TestClock());
  const commands = new CommandService(service);
  const run = (line: string, actor = coordinator) =>
    commands.run({ actor, channelId: 'C1', people: people('U1', 'U2', 'U3') }, line);
  await run('setup "Lakeview Schools"');
  for (const i of [1, 2, 3]) await run(`roster add <@U${i}|Member ${i}>`);
  await run('review start "Fall" quorum=1');
  const split = await run(`groups "${HOSTILE}" <@U1> <@U2> "Table two" <@U3>`);
  if (split.kind !== 'text' || !split.groupThreads) throw new Error('no threads');
  const reviewId = split.groupThreads.reviewId;
  const rowId = split.groupThreads.groups[0]?.polls[0]?.rowId as string;
  await service.castVote(member(1), { reviewId, rowId, choice: 3, group: HOSTILE });
  const compared = await run('groups compare');
  if (compared.kind !== 'text' || !compared.comparison) throw new Error('no comparison');
  const poll = await service.groups.pollState(member(1), { reviewId, rowId, group: HOSTILE });
  return { threads: split.groupThreads, comparison: compared.comparison, poll };
}

test('Slack: a group poll’s buttons carry the group and read back; user text is escaped', async () => {
  const { threads, comparison, poll } = await views();
  const blocks = groupPollBlocks(poll);
  const values = JSON.stringify(blocks).match(/"value":"[^"]*"/g) ?? [];
  // Four levels, "not sure" and "add evidence": every button carries the group.
  expect(values).toHaveLength(6);
  const ref = groupPollRef(poll.reviewId, poll.rowId, HOSTILE);
  for (const v of values) expect(v).toBe(`"value":${JSON.stringify(ref)}`);
  expect(parsePollRef(ref)).toEqual({ reviewId: poll.reviewId, rowId: poll.rowId, group: HOSTILE });
  expect(parsePollRef(`${poll.reviewId}|${poll.rowId}|g:%E0%A4%A`)).toBeNull();
  expect(parsePollRef(`${poll.reviewId}|${poll.rowId}|x`)).toBeNull();
  expect(parsePollRef(`${poll.reviewId}|${poll.rowId}`)).toEqual({
    reviewId: poll.reviewId,
    rowId: poll.rowId,
  });
  // The group's own count: 1 of its 2 people.
  expect(JSON.stringify(blocks)).toContain('1 of 2');
  for (const b of [
    ...blocks,
    ...groupHeaderBlocks(threads, threads.groups[0] as never),
    ...comparisonBlocks(comparison),
  ]) {
    const text = JSON.stringify(b);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<http://x|y>');
  }
  const fields = comparisonBlocks(comparison).flatMap((b) => ('fields' in b ? (b.fields ?? []) : []));
  expect(fields.map((f) => f.text.split('\n')[1])).toEqual([
    levelLabel(rubrics.get('culture-of-collaboration') as Rubric, 3),
    'not settled',
  ]);
});

test('Teams: a group poll’s actions carry the group; the cards are valid and keep user text as TextRuns', async () => {
  const { threads, comparison, poll } = await views();
  const card = renderGroupPollCard(poll, { personal: true });
  const datas = JSON.stringify(card).match(/"data":\{[^}]*\}/g) ?? [];
  expect(datas.length).toBeGreaterThan(0);
  for (const d of datas) expect(d).toContain(`"group":${JSON.stringify(HOSTILE)}`);
  const all = [
    card,
    renderGroupHeaderCard(threads, threads.groups[0] as never),
    renderComparisonCard(comparison),
  ];
  for (const c of all) {
    expect(validateCard(c)).toEqual([]);
    // Group names appear only inside TextRuns (no markdown parsed there).
    const texts = JSON.stringify(c.body).match(/"type":"TextBlock"[^}]*<!channel>/g);
    expect(texts).toBeNull();
  }
  const columns = JSON.stringify(renderComparisonCard(comparison).body);
  expect(columns).toContain('"type":"ColumnSet"');
  expect(columns).toContain('not settled');
});

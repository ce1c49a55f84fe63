import { MongoClient } from 'mongodb';
import { POLL_MESSAGES_NS } from '../../src/adapters/slack/slackApp';
import { startSlackHarness, voteViaSlack, waitFor } from './harness';

const SECRET = 'test-signing-secret-stop-0123456789';

/**
 * A process that stops (a deploy, a scale-down: SIGTERM) draws the poll messages that still owe their votes a
 * redraw before it goes, rather than leave them to another process (./killRedraw.e2e.test.ts), which finds them
 * only after a silence.
 */
test('stopping draws a poll message whose redraw was still waiting for its pace', async () => {
  const db = `micip_slack_stop_${process.pid}`;
  const h = await startSlackHarness(db, SECRET, {}, { tiers: true });
  let stopped = false;
  try {
    await h.slack.command({ text: 'setup "Stop Schools"' });
    await waitFor(() => h.fake.of('chat.postEphemeral').length === 1);
    await h.slack.command({ text: 'review start "Stop"' });
    await waitFor(async () => (await h.app.store.kv.list(POLL_MESSAGES_NS)).length === 6, 15_000);
    const first = (await h.app.store.kv.list<{ ts: string }>(POLL_MESSAGES_NS))[0];
    const [reviewId = '', row = ''] = (first?.key ?? '').split('|');
    const ts = first?.value.ts ?? '';
    const updates = () => h.fake.of('chat.update').filter((c) => c.args.ts === ts);
    // Answered 200 (voteViaSlack throws otherwise).
    const click = (user: string) =>
      voteViaSlack(h, { team: 'T1', channel: 'C1', user, reviewId, rowId: row, choice: '2' });
    await click('UA');
    await waitFor(() => updates().length === 1, 10_000);
    expect(JSON.stringify(updates().at(-1)?.args.blocks)).toMatch(/\b1 of \d+\* ha/);
    // A second vote right after the first redraw: its redraw waits a second for the message's pace.
    await click('UB');
    stopped = true;
    await h.app.stop();
    // Drawn before the process went: the message shows both votes.
    expect(updates()).toHaveLength(2);
    expect(JSON.stringify(updates().at(-1)?.args.blocks)).toMatch(/\b2 of \d+\* ha/);
    expect(h.fake.limited).toEqual([]);
  } finally {
    if (!stopped) await h.app.stop();
    await h.fake.stop();
    const client = await MongoClient.connect(process.env.MONGODB_URI as string);
    await client.db(db).dropDatabase();
    await client.close();
  }
}, 60_000);

import { ACTION } from '../../src/adapters/slack/blocks';
import { POLL_MESSAGES_NS } from '../../src/adapters/slack/slackApp';
import { type SlackHarness, startSlackHarness, waitFor } from './harness';
import { voteClick } from './signedClient';

const SECRET = 'test-signing-secret-burst-0123456789';

/** The app with a low burst threshold, so that a test-sized storm counts as a burst. */
describe('Slack: a burst of votes is acknowledged first and every vote is still written', () => {
  let h: SlackHarness;
  let reviewId = '';
  let row = '';
  let ts = '';

  beforeAll(async () => {
    // Against a fake Slack that enforces the published tiers.
    h = await startSlackHarness(
      `micip_slack_burst_${process.pid}`,
      SECRET,
      { SLACK_BURST_PER_SECOND: '40' },
      { tiers: true },
    );
    await h.slack.command({ text: 'setup "Burst Schools"' });
    await waitFor(() => h.fake.of('chat.postEphemeral').length === 1);
    await h.slack.command({ text: 'review start "Burst" quorum=2' });
    await waitFor(async () => (await h.app.store.kv.list(POLL_MESSAGES_NS)).length === 6, 15_000);
    const first = (await h.app.store.kv.list<{ ts: string }>(POLL_MESSAGES_NS))[0];
    [reviewId = '', row = ''] = (first?.key ?? '').split('|');
    ts = first?.value.ts ?? '';
  });

  afterAll(async () => {
    await h?.stop();
  });

  test('120 clicks at once: all stored before their 200s; confirmations waited for the burst, then all 120 came', async () => {
    const deferredBefore = h.app.slack?.work.stats.deferred ?? 0;
    const clicks = Array.from({ length: 120 }, (_, i) =>
      h.slack.payload(
        voteClick({
          user: `UB${i}`,
          actionId: `${ACTION.vote}_${(i % 4) + 1}`,
          value: `${reviewId}|${row}`,
          responseUrl: h.fake.responseUrl(`UB${i}`),
        }),
      ),
    );
    const results = await Promise.all(clicks);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    expect(h.app.slack?.work.stats.deferred ?? 0).toBeGreaterThan(deferredBefore);

    // Acknowledged means stored: every click answered 200 is already in the store.
    expect(await h.app.store.votes.listRow(reviewId, row, 1)).toHaveLength(120);
    const votes = await h.app.store.votes.listRow(reviewId, row, 1);
    for (let i = 0; i < 120; i++) {
      expect(votes.find((v) => v.memberId === `UB${i}`)?.choice).toBe((i % 4) + 1);
    }
    // Each voter is confirmed through the click's response_url (no Web API budget spent).
    await waitFor(
      () => h.fake.of('response_url').filter((c) => /UB/.test(String(c.args.user))).length === 120,
    );
    // The poll message ends on the final tally.
    await waitFor(async () => (await h.app.slack?.updater.idle(100)) === true, 15000);
    const last = h.fake
      .of('chat.update')
      .filter((c) => c.args.ts === ts)
      .at(-1);
    expect(JSON.stringify(last?.args.blocks)).toMatch(/120 of 121\* have voted/);
    // Held back for a moment, not for the 10 s limit.
    expect(h.app.slack?.work.stats.maxDelayMs ?? 0).toBeLessThan(10_000);
  }, 30000);

  test('clicks all waiting on a slow database are still a burst: work queued while they wait, waits with them', async () => {
    const row2 = (await h.app.store.kv.list(POLL_MESSAGES_NS))[1]?.key.split('|')[1] ?? '';
    const confirmedTo = (user: string) =>
      h.fake.of('response_url').filter((c) => c.args.user === user).length;
    const click = (user: string) =>
      h.slack.payload(
        voteClick({
          user,
          actionId: `${ACTION.vote}_2`,
          value: `${reviewId}|${row2}`,
          responseUrl: h.fake.responseUrl(user),
        }),
      );
    // The database slows down for 12 clicks that come at once: they all wait on their writes.
    const votes = h.app.store.votes;
    const put = votes.put.bind(votes);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    votes.put = async (v) => {
      if (v.memberId !== 'USLOW0') await gate;
      return put(v);
    };
    try {
      const burst = Array.from({ length: 12 }, (_, i) => click(`USLOW${i + 1}`));
      await waitFor(() => h.app.slack?.receiver.load.inFlight === 12, 10_000);
      // A click while they wait: stored and acknowledged; its confirmation is work queued behind the burst.
      expect((await click('USLOW0')).status).toBe(200);
      expect((await votes.listRow(reviewId, row2, 1)).map((v) => v.memberId)).toContain('USLOW0');
      // 1.1 s on (within the 2 s the 12 writes may take), no request has come for four of the rate meter's
      // buckets, so the rate alone would have ended the burst (two buckets and its 500 ms quiet), but 12 are
      // unanswered: still a burst, and the confirmation still waits.
      await new Promise((r) => setTimeout(r, 1100));
      expect(h.app.slack?.receiver.load.inFlight).toBe(12);
      expect(h.app.slack?.receiver.load.busy()).toBe(true);
      expect(confirmedTo('USLOW0')).toBe(0);
      open();
      const results = await Promise.all(burst);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    } finally {
      votes.put = put;
      open();
    }
    expect(h.app.slack?.receiver.load.inFlight).toBe(0);
    // Once answered, every voter is confirmed, the lone click too.
    await waitFor(
      () => Array.from({ length: 13 }, (_, i) => confirmedTo(`USLOW${i}`)).every((n) => n === 1),
      15000,
    );
    // No call of either test was refused by the tiers.
    expect(h.fake.limited).toEqual([]);
  }, 30000);
});

import { type SlackHarness, startSlackHarness, waitFor } from './harness';
import { blocksOf, clickAll, openReview } from './scenario';

const SECRET = 'test-signing-secret-meeting-0123456789';

/**
 * The whole room against a fake Slack Web API that enforces Slack's published tiers (chat.update 50/min and
 * chat.postEphemeral 100/min per workspace, chat.postMessage 1/s per channel): what members see, not just acks.
 */
describe('300 members click one poll within a second, then the coordinator closes the round', () => {
  let h: SlackHarness;
  afterAll(() => h?.stop());

  test('all 300 stored at their acks, a close 10 s later counts 300, 300 confirmations within 10 s, no 429', async () => {
    h = await startSlackHarness(`micip_meeting300_${process.pid}`, SECRET, {}, { tiers: true });
    const { reviewId, polls } = await openReview(h, 'Storm');
    const poll = polls[0] as { rowId: string; ts: string };
    const t0 = Date.now();
    const sent = await clickAll(
      h,
      reviewId,
      Array.from({ length: 300 }, (_, i) => ({
        user: `US${i}`,
        rowId: poll.rowId,
        choice: (i % 4) + 1,
        at: (i * 1000) / 300,
      })),
    );
    const lastAck = Date.now();
    expect(sent.filter((r) => r.status === 200)).toHaveLength(300);
    // Acknowledged means stored: all 300 are in the store when the last click is answered.
    expect(await h.app.store.votes.listRow(reviewId, poll.rowId, 1)).toHaveLength(300);
    // Every voter is confirmed within 10 s of the last click.
    await waitFor(() => h.fake.of('response_url').length >= 300, 10_000);
    const confirmed = new Set(h.fake.of('response_url').map((c) => String(c.args.user)));
    expect(confirmed.size).toBe(300);
    expect(Math.max(...h.fake.of('response_url').map((c) => c.at)) - lastAck).toBeLessThanOrEqual(10_000);
    // The coordinator closes 10 s after the storm began: the round counts all 300.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + 10_000 - Date.now())));
    await h.slack.command({ text: 'close' });
    await waitFor(async () => {
      const r = await h.app.store.reviews.get(reviewId);
      return r?.polls.find((p) => p.rowId === poll.rowId)?.rounds.length === 1;
    }, 10_000);
    const review = await h.app.store.reviews.get(reviewId);
    expect(review?.polls.find((p) => p.rowId === poll.rowId)?.rounds[0]?.stats.distribution.total).toBe(300);
    expect(h.fake.limited).toHaveLength(0);
    console.info(
      `300 clicks sent within 1 s, the last answered ${lastAck - t0} ms after the first: 300 stored at their acks, 300 confirmations (last ${Math.max(...h.fake.of('response_url').map((c) => c.at)) - lastAck} ms after the last ack), close counted 300, ${h.fake.limited.length} × 429`,
    );
  }, 60_000);
});

describe('a normal meeting: 30 members vote on all 6 rows over 20 s', () => {
  let h: SlackHarness;
  afterAll(() => h?.stop());

  test('no 429; every poll shows the right count within 10 s of the last click; 180 confirmations', async () => {
    h = await startSlackHarness(`micip_meeting30_${process.pid}`, SECRET, {}, { tiers: true });
    const { reviewId, polls } = await openReview(h, 'Meeting');
    const clicks: Array<{ user: string; rowId: string; choice: number; at: number }> = [];
    for (let m = 0; m < 30; m++)
      for (const [k, p] of polls.entries())
        clicks.push({ user: `UM${m}`, rowId: p.rowId, choice: 2, at: m * 650 + k * 100 });
    const t0 = Date.now();
    const sent = await clickAll(h, reviewId, clicks);
    const lastClick = Date.now();
    expect(sent.filter((r) => r.status === 200)).toHaveLength(180);
    // Every poll shows "30 of …" within 10 s of the last click.
    await waitFor(() => polls.every((p) => /30 of \d+\* have voted/.test(blocksOf(h, p.ts))), 10_000);
    const shownAt = Date.now() - lastClick;
    await waitFor(() => h.fake.of('response_url').length >= 180, 10_000);
    expect(h.fake.of('response_url')).toHaveLength(180);
    expect(h.fake.limited).toHaveLength(0);
    const updates = h.fake.of('chat.update').length;
    console.info(
      `30 members × 6 rows over ${lastClick - t0} ms: ${updates} chat.update, all polls right ${shownAt} ms after the last click, 180 confirmations, ${h.fake.limited.length} × 429`,
    );
  }, 60_000);
});

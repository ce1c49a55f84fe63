import { TestClock } from '../support/fixtures';
import { type SlackHarness, startSlackHarness, waitFor } from './harness';
import { blocksOf, clickAll, openReview } from './scenario';

const SECRET = 'test-signing-secret-nudgestorm-0123456789';
const BUILDINGS = 20;

/**
 * A nudge run and a meeting in one workspace, against the fake Web API that enforces Slack's tiers (chat.update
 * 50/min and chat.postEphemeral 100/min per workspace, chat.postMessage 1/s per channel): the runner's posts to the
 * building channels and the digest in the district's channel go through the same outbound layer as the polls'
 * posts and redraws and the replies to the coordinator's commands.
 */
describe('a nudge run to 20 building channels during a vote storm on the six polls', () => {
  let h: SlackHarness;
  afterAll(() => h?.stop());

  test('no 429, every nudge and the digest delivered, every poll shows its count, all through one outbound layer', async () => {
    // Tuesday 2026-12-01, 08:50 in Detroit: the schedule below falls due at 09:00.
    const clock = new TestClock(new Date('2026-12-01T13:50:00Z'));
    h = await startSlackHarness(
      `micip_nudgestorm_${process.pid}`,
      SECRET,
      { NUDGES: 'off', WEB_LINK_SECRET: 'nudge-storm-test-secret-0123456789abcdef' },
      { tiers: true },
      { clock },
    );
    const { reviewId, polls } = await openReview(h, 'Storm');
    const replies = () => h.fake.of('chat.postEphemeral').map((c) => String(c.args.text ?? ''));
    for (let i = 1; i <= BUILDINGS; i++)
      await h.slack.command({ text: `building add "School ${i}" <#CB${i}|school-${i}> <@UB${i}|b${i}>` });
    await waitFor(() => replies().filter((t) => t.includes('Registered')).length === BUILDINGS, 15_000);
    await h.slack.command({ text: 'schedule add "every day at 9:00" weekends quiet=off' });
    await waitFor(() => replies().some((t) => t.includes('Added schedule')));
    const outbound = h.app.slack?.outbound;
    expect(outbound).toBeDefined();
    const postsBefore = outbound?.stats.sent['chat.postMessage'] ?? 0;
    const fakePostsBefore = h.fake.of('chat.postMessage').length;

    // 30 members vote on all six rows over about 10 s; 3 s in, the 09:00 nudges fall due.
    const clicks: Array<{ user: string; rowId: string; choice: number; at: number }> = [];
    for (let m = 0; m < 30; m++)
      for (const [k, p] of polls.entries())
        clicks.push({ user: `UM${m}`, rowId: p.rowId, choice: (m % 4) + 1, at: m * 330 + k * 50 });
    let stormOver = false;
    const storm = clickAll(h, reviewId, clicks).finally(() => {
      stormOver = true;
    });
    await new Promise((r) => setTimeout(r, 3000));
    clock.t = new Date('2026-12-01T14:00:00Z');
    const report = await h.app.nudges.tick(clock.now());
    // The whole run (every nudge and the digest sent) happened while members were still clicking.
    expect(stormOver).toBe(false);
    const sent = await storm;
    const lastClick = Date.now();
    expect(sent.filter((r) => r.status === 200)).toHaveLength(180);
    expect(report).toMatchObject({ sent: BUILDINGS, digests: 1, failed: 0, errors: 0 });

    // Every building channel got its nudge, once; the district channel its digest.
    // The run's posts (each building channel also got a welcome when it was registered, before the run).
    const posts = h.fake.of('chat.postMessage').slice(fakePostsBefore);
    const nudged = posts.map((p) => String(p.args.channel)).filter((c) => c.startsWith('CB'));
    expect(nudged.sort()).toEqual(Array.from({ length: BUILDINGS }, (_, i) => `CB${i + 1}`).sort());
    expect(
      posts.filter((p) => p.args.channel === 'C1' && /Monitoring data/.test(String(p.args.text))),
    ).toHaveLength(1);
    // Every poll shows its 30 votes within 10 s of the last click.
    await waitFor(() => polls.every((p) => /30 of \d+\* have voted/.test(blocksOf(h, p.ts))), 10_000);
    const shownAt = Date.now() - lastClick;
    await waitFor(() => h.fake.of('response_url').length >= 180, 10_000);
    expect(h.fake.of('response_url')).toHaveLength(180);

    expect(h.fake.limited).toHaveLength(0);
    expect(outbound?.stats.rateLimited).toBe(0);
    // Every post of the run went out through the adapter's one outbound layer: the nudges, the digest and the
    // quorum notices of the rows the storm brought to their quorum (at most one per row).
    const postsSent = (outbound?.stats.sent['chat.postMessage'] ?? 0) - postsBefore;
    expect(postsSent).toBe(posts.length);
    const notices = posts.filter(
      (p) => p.args.channel === 'C1' && /reached its quorum/.test(String(p.args.text)),
    );
    expect(notices.length).toBeLessThanOrEqual(polls.length);
    expect(postsSent).toBe(BUILDINGS + 1 + notices.length);
    console.info(
      `nudge run (${BUILDINGS} nudges + digest) during 180 clicks: ${h.fake.of('chat.update').length} chat.update, polls right ${shownAt} ms after the last click, ${h.fake.limited.length} × 429, outbound ${JSON.stringify(outbound?.stats)}`,
    );
  }, 90_000);
});

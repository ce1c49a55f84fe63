import { ACTION } from '../../src/adapters/slack/blocks';
import { waitFor } from './harness';
import { type ReplicaPair, startReplicaPair, startReviewOn } from './replicaProcess';
import { voteClick } from './signedClient';

const SECRET = 'test-signing-secret-kill-redraw-0123456789';
const dbName = `micip_slack_kill_redraw_${process.pid}`;
/** Seconds a replica may be silent before another draws what it owed (the default is 60). */
const ADOPT_SECONDS = 3;

/**
 * A replica that dies without a clean stop while it owes a poll message a redraw (here: its redraw paused by a
 * 429's Retry-After of 60 s) leaves the durable mark of it; another replica on the same database draws the message
 * from the latest stored state once the dead one has been silent ADOPT_SECONDS. Before, the poll showed its old
 * count until someone voted on that row again.
 */
describe('Slack with two replica processes: the redraw a killed one owed is drawn by the other', () => {
  let pair: ReplicaPair | undefined;

  beforeAll(async () => {
    pair = await startReplicaPair({
      dbName,
      secret: SECRET,
      env: { POLL_REDRAW_ADOPT_SECONDS: String(ADOPT_SECONDS) },
    });
  }, 45_000);

  afterAll(async () => {
    await pair?.stop();
  }, 20_000);

  test('a vote acknowledged by the killed replica shows on its poll within seconds', async () => {
    const p = pair as ReplicaPair;
    const { fake, store, a: A } = p;
    const { reviewId, row, ts } = await startReviewOn(p, 'Owed Redraw Schools', '"Owed"');
    const updates = () => fake.of('chat.update').filter((c) => c.args.ts === ts);
    expect(fake.of('chat.update')).toEqual([]);

    // Slack answers A's redraw 429 with Retry-After 60 s: A honours it, so the redraw is still owed when A dies.
    fake.failNext('chat.update', { status: 429, retryAfter: 60 });
    const sent = await A.client.payload(
      voteClick({
        user: 'UV1',
        actionId: `${ACTION.vote}_3`,
        value: `${reviewId}|${row}`,
        responseUrl: fake.responseUrl('UV1'),
      }),
    );
    expect(sent.status).toBe(200);
    await waitFor(() => updates().length === 1, 10_000); // the call answered 429
    expect(await store.votes.listRow(reviewId, row, 1)).toEqual([
      expect.objectContaining({ memberId: 'UV1' }),
    ]);
    A.child.kill('SIGKILL');
    await A.exited;
    const killedAt = Date.now();

    // Replica B draws the message once A has been silent ADOPT_SECONDS (it sweeps every third of that).
    await waitFor(() => updates().length === 2, 15_000);
    const drawnAfterMs = Date.now() - killedAt;
    expect(JSON.stringify(updates().at(-1)?.args.blocks)).toMatch(/\b1 of \d+\* ha/);
    // Drawn after A's silence (its last heartbeat was at most a third of ADOPT_SECONDS before the kill), long
    // before A's Retry-After would have ended; the wait above bounds it at 15 s.
    expect(drawnAfterMs).toBeGreaterThanOrEqual(((ADOPT_SECONDS * 2) / 3) * 1000 - 100);
    console.info(`killRedraw: the owed redraw was drawn ${drawnAfterMs} ms after the kill`);
    // B let the message go once drawn: no mark is left, and nothing is drawn twice.
    await waitFor(async () => (await store.kv.list('slack-owed-redraws')).length === 0, 10_000);
    expect(updates()).toHaveLength(2);
    expect(fake.limited).toEqual([]);
  }, 60_000);
});

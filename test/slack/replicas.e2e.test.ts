import { ACTION } from '../../src/adapters/slack/blocks';
import { POLL_MESSAGES_NS, slackTsToMicros } from '../../src/adapters/slack/slackApp';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { testLogger } from '../support/logs';
import { type SlackHarness, startSlackHarness, waitFor } from './harness';
import { nextActionTs, SignedClient, voteClick } from './signedClient';

const SECRET = 'test-signing-secret-replicas-0123456789';
const dbName = `micip_slack_replicas_${process.pid}`;

/**
 * Two replicas of the app on one database and one (fake) Slack: Slack may deliver a retry to either. A click is
 * one vote and one confirmation wherever its deliveries land, and re-votes are ordered by when they were clicked.
 */
describe('Slack with two replicas: retries on the other replica', () => {
  let a: SlackHarness;
  let b: App;
  let toB: SignedClient;
  let reviewId = '';
  let rows: string[] = [];

  beforeAll(async () => {
    a = await startSlackHarness(dbName, SECRET);
    b = await startApp(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MONGODB_URI: process.env.MONGODB_URI,
        MONGODB_DB: dbName,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_API_URL: a.fake.url,
        WEB_CONSOLE: 'off',
        NUDGES: 'off',
      }),
      { logger: testLogger() },
    );
    toB = new SignedClient(
      `http://127.0.0.1:${(b.server.address() as { port: number }).port}/slack/events`,
      SECRET,
    );
    await a.slack.command({ text: 'setup "Replica Schools"' });
    await waitFor(() => a.fake.of('chat.postEphemeral').length === 1);
    await a.slack.command({ text: 'review start "Replicas" quorum=2' });
    await waitFor(async () => (await a.app.store.kv.list(POLL_MESSAGES_NS)).length === 6, 15_000);
    const polls = await a.app.store.kv.list(POLL_MESSAGES_NS);
    reviewId = polls[0]?.key.split('|')[0] ?? '';
    rows = polls.map((p) => p.key.split('|')[1] ?? '');
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const confirmations = (user: string) =>
    a.fake
      .of('chat.postEphemeral')
      .filter((c) => c.args.user === user && /is recorded/.test(String(c.args.text)));

  test('a retry delivered to the other replica after the original was processed: one vote, one message', async () => {
    const click = voteClick({ user: 'UR1', actionId: `${ACTION.vote}_2`, value: `${reviewId}|${rows[0]}` });
    expect((await a.slack.payload(click)).status).toBe(200);
    await waitFor(() => confirmations('UR1').length === 1);
    expect((await toB.payload(click, { retryNum: 1 })).status).toBe(200);
    // Acknowledged means processed: the retry's vote write (a duplicate) was done before its 200.
    await new Promise((r) => setTimeout(r, 200));
    expect(a.fake.of('chat.postEphemeral').filter((c) => c.args.user === 'UR1')).toHaveLength(1);
    const votes = (await a.app.store.votes.listRow(reviewId, rows[0] as string, 1)).filter(
      (v) => v.memberId === 'UR1',
    );
    expect(votes.map((v) => v.choice)).toEqual([2]);
  });

  test('a retry of an older click that lands after a newer click cannot replace it', async () => {
    const row = rows[1] as string;
    const first = voteClick({ user: 'UR2', actionId: `${ACTION.vote}_1`, value: `${reviewId}|${row}` });
    const second = voteClick({ user: 'UR2', actionId: `${ACTION.vote}_4`, value: `${reviewId}|${row}` });
    await a.slack.payload(first);
    await waitFor(() => confirmations('UR2').length === 1);
    await a.slack.payload(second);
    await waitFor(() => confirmations('UR2').length === 2);
    // Slack gave up waiting for the first click's ack and retried it; the retry reaches replica B last.
    expect((await toB.payload(first, { retryNum: 1 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await a.app.store.votes.get(reviewId, row, 1, 'UR2'))?.choice).toBe(4);
    expect(a.fake.of('chat.postEphemeral').filter((c) => c.args.user === 'UR2')).toHaveLength(2);
  });

  test('clicks are ordered by when they were clicked, not by when a replica got to them', async () => {
    const row = rows[2] as string;
    const earlier = nextActionTs();
    const later = nextActionTs();
    // The later click is processed first (on B), the earlier one afterwards (on A): the later click stays.
    await toB.payload(
      voteClick({ user: 'UR3', actionId: `${ACTION.vote}_3`, value: `${reviewId}|${row}`, actionTs: later }),
    );
    await waitFor(async () => (await a.app.store.votes.get(reviewId, row, 1, 'UR3')) !== null);
    const late = await a.slack.payload(
      voteClick({
        user: 'UR3',
        actionId: `${ACTION.vote}_1`,
        value: `${reviewId}|${row}`,
        actionTs: earlier,
      }),
    );
    expect(late.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect((await a.app.store.votes.get(reviewId, row, 1, 'UR3'))?.choice).toBe(3);
  });
});

describe('slackTsToMicros', () => {
  test('reads Slack timestamps as microseconds and refuses anything else', () => {
    expect(slackTsToMicros('1732361234.567890')).toBe(1_732_361_234_567_890);
    expect(slackTsToMicros('1732361234.5')).toBe(1_732_361_234_500_000);
    for (const bad of [
      undefined,
      null,
      12,
      '',
      '1732361234',
      'abc.def',
      '1732361234.1234567',
      '-1.5',
      '1e9.1',
    ]) {
      expect(slackTsToMicros(bad)).toBeUndefined();
    }
  });
});

import { MongoClient } from 'mongodb';
import { ACTION } from '../../src/adapters/slack/blocks';
import { type SlackHarness, startSlackHarness, waitFor } from '../slack/harness';
import { voteClick } from '../slack/signedClient';
import { asker } from '../support/fixtures';

const dbName = `micip_obs_slack_${process.pid}`;
const SECRET = 'test-signing-secret-obs-0123456789';
const TOKEN = 'metrics-token-obs-0123456789';
const ROW = 'vision-mission-beliefs';

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness(dbName, SECRET, { METRICS_TOKEN: TOKEN, NUDGES: 'off' });
});

afterAll(async () => {
  await h.fake.stop();
  const client = await MongoClient.connect(process.env.MONGODB_URI as string);
  await client.db(dbName).dropDatabase();
  await client.close();
});

test('a Slack vote, its acknowledgement time and a 429 are counted; /readyz is 503 as soon as stop begins', async () => {
  const { app, fake, slack } = h;
  const get = (p: string) => fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const coord = asker('T1', 'U_COORD', 'C1', 'Coordinator');
  await app.service.setupDistrict(coord, { name: 'Observed Schools', channelId: 'C1' });
  const { reviewId } = await app.service.startReview(coord, { channelId: 'C1', cycle: '2026-27 Fall' });
  expect((await get('/readyz')).status).toBe(200);

  // The vote's confirmation meets a 429: the Web API client waits out Retry-After (1 s) and sends it again.
  fake.failNext('chat.postEphemeral', { status: 429, retryAfter: 1 });
  const r = await slack.payload(
    voteClick({ user: 'U1', name: 'alex', actionId: `${ACTION.vote}_3`, value: `${reviewId}|${ROW}` }),
  );
  expect(r.status).toBe(200);
  await waitFor(() => fake.of('chat.postEphemeral').length === 1);

  // Stopping waits for that queued confirmation; meanwhile the server still answers, and is not ready.
  const stopped = app.stop();
  const ready = await get('/readyz');
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ ready: false, reason: 'shutting down' });
  let text = '';
  await waitFor(async () => {
    text = await (await get('/metrics')).text();
    return /^micip_platform_rate_limited_total\{platform="slack"\} 1$/m.test(text);
  });
  expect(text).toMatch(/^micip_votes_total\{platform="slack",outcome="written"\} 1$/m);
  expect(text).toMatch(/^micip_ack_seconds_count\{platform="slack",kind="interactive"\} 1$/m);
  expect(text).toMatch(/^micip_ack_seconds_bucket\{le="3",platform="slack",kind="interactive"\} 1$/m);
  await stopped;
  // The confirmation went out before the process let go.
  expect(fake.of('chat.postEphemeral')).toHaveLength(2);
});

import { MongoClient } from 'mongodb';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { testLogger } from '../support/logs';
import { FakeSlack } from './fakeSlack';
import { FakeSocketMode } from './fakeSocketMode';
import { waitFor } from './harness';

const uri = process.env.MONGODB_URI as string;
const dbName = `micip_slack_socket_${process.pid}`;

let fake: FakeSlack;
let socket: FakeSocketMode;
let app: App;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  socket = await new FakeSocketMode().start();
  fake.socketUrl = socket.url;
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: uri,
      MONGODB_DB: dbName,
      SLACK_APP_TOKEN: 'xapp-1-test',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.url,
      WEB_CONSOLE: 'off',
    }),
    { logger: testLogger() },
  );
});

afterAll(async () => {
  await app?.stop();
  await socket?.stop();
  await fake?.stop();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
});

const command = (envelope: string, text: string, user = 'U_COORD') => ({
  envelope_id: envelope,
  type: 'slash_commands',
  accepts_response_payload: true,
  payload: {
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'lakeview',
    channel_id: 'C1',
    channel_name: 'district-team',
    user_id: user,
    user_name: 'casey',
    command: '/micip',
    text,
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.invalid/1',
    trigger_id: `t.${envelope}`,
  },
});

describe('Socket Mode (no public URL): the same listeners behind the same guard', () => {
  test('connects with the app token, acknowledges envelopes, answers commands through the Web API', async () => {
    expect(fake.of('apps.connections.open')[0]?.token).toBe('xapp-1-test');
    await waitFor(() => socket.connections === 1);
    socket.send(command('env-1', 'setup "Lakeview Schools"'));
    await waitFor(() => socket.received.some((m) => m.envelope_id === 'env-1'));
    await waitFor(() => fake.of('chat.postEphemeral').length === 1);
    expect(String(fake.of('chat.postEphemeral')[0]?.args.text)).toMatch(
      /now the district team of \*Lakeview Schools\*/,
    );
    expect(await app.store.districts.findByChannel('T1', 'C1')).not.toBeNull();
  });

  test('a redelivered envelope is acknowledged and not processed twice', async () => {
    socket.send(command('env-2', 'review start "2026-27 Fall"'));
    socket.send(command('env-2', 'review start "2026-27 Fall"'));
    await waitFor(() => socket.received.filter((m) => m.envelope_id === 'env-2').length === 2);
    await waitFor(() => fake.of('chat.postMessage').length === 7, 15_000); // polls go out about 1/s per channel
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.of('chat.postMessage')).toHaveLength(7);
    const reviews = await app.store.reviews.listByDistrict(
      'T1',
      (await app.store.districts.findByChannel('T1', 'C1'))?.id ?? '',
    );
    expect(reviews).toHaveLength(1);
  });

  test('malformed envelopes are acknowledged (so Slack stops resending) and write nothing', async () => {
    const before = fake.calls.length;
    socket.send({
      envelope_id: 'bad-1',
      type: 'interactive',
      payload: null,
      accepts_response_payload: false,
    });
    socket.send({
      envelope_id: 'bad-2',
      type: 'interactive',
      payload: [1, 2],
      accepts_response_payload: false,
    });
    socket.send({
      envelope_id: 'bad-3',
      type: 'interactive',
      payload: {
        type: 'block_actions',
        team: { id: 'T1' },
        user: { id: 'U1' },
        actions: [{ type: 'button', action_id: 7 }],
      },
    });
    socket.send({ envelope_id: 'bad-4', type: 'slash_commands', payload: { command: '/micip' } });
    await waitFor(() =>
      ['bad-1', 'bad-2', 'bad-3', 'bad-4'].every((id) => socket.received.some((m) => m.envelope_id === id)),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toHaveLength(0);
    expect(app.slack?.receiver.stats.refused).toBeGreaterThanOrEqual(4);
  });

  test('without a signing secret the HTTP endpoint refuses everything', async () => {
    const port = (app.server.address() as { port: number }).port;
    const r = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Fmicip&text=help',
    });
    expect(r.status).toBe(401);
  });
});

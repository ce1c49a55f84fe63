import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NUDGE_ACTION } from '../../src/adapters/slack/nudges';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { FakeSlack } from '../slack/fakeSlack';
import { waitFor } from '../slack/harness';
import { SignedClient } from '../slack/signedClient';
import { testLogger } from '../support/logs';
import { TestClock, validValues } from './support';

/**
 * Slack nudges as src/main.ts wires them: signed requests to POST /slack/events, a fake Slack Web API on
 * 127.0.0.1 recording every call, the runner posting the nudge and the digest, and the modal's field errors.
 */
const SECRET = 'test-signing-secret-0123456789';
let fake: FakeSlack;
let app: App;
// The last evening of a month in Detroit: the next 09:00 falls in the next month's period (CI failed here once).
const clock = new TestClock(new Date('2026-11-30T23:30:00Z'));
let slack: SignedClient;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-nudges-slack-')),
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.url,
      WEB_CONSOLE: 'off',
      WEB_LINK_SECRET: 'nudges-wiring-test-secret-0123456789abcdef',
      NUDGES: 'off',
    }),
    { clock, logger: testLogger() },
  );
  slack = new SignedClient(`${app.url.replace('localhost', '127.0.0.1')}/slack/events`, SECRET);
});

afterAll(async () => {
  await app?.stop();
  await fake?.stop();
});

const ephemerals = () => fake.of('chat.postEphemeral').map((c) => String(c.args.text ?? ''));

test('Slack: commands, a nudge and a digest from the runner, the modal and its field-level errors', async () => {
  await slack.command({ text: 'setup "Lakeview Schools"' });
  await waitFor(() => ephemerals().some((t) => t.includes('Lakeview Schools')));
  await slack.command({ text: 'building add "Oak Elementary" <#CB1|oak-team> <@UB1|bea>' });
  await waitFor(() => ephemerals().some((t) => t.includes('Registered')));
  await slack.command({ text: 'schedule add "every day at 9:00" weekends quiet=off' });
  await waitFor(() => ephemerals().some((t) => t.includes('Added schedule')));
  const added = ephemerals().find((t) => t.includes('Added schedule')) ?? '';
  expect(added.match(/09:00 E[SD]T/g)).toHaveLength(3);
  await slack.command({ text: 'schedule add "every Moonday"' });
  await waitFor(() => ephemerals().some((t) => t.includes('Try "every Monday 8:00"')));

  fake.clear();
  // Tick at the next 09:00 in Detroit (found by stepping an hour at a time); the app's clock moves with the ticks,
  // so the form below is saved in the period the nudge opened.
  const start = clock.now().getTime();
  let report = await app.nudges.tick(clock.now());
  for (let h = 1; h <= 25 && report.sent === 0; h++) {
    clock.t = new Date(start + h * 3600_000);
    report = await app.nudges.tick(clock.now());
  }
  expect(report).toMatchObject({ sent: 1, digests: 1, failed: 0 });
  const posts = fake.of('chat.postMessage');
  expect(posts.map((p) => p.args.channel).sort()).toEqual(['C1', 'CB1']);
  const digestPost = JSON.stringify(posts.find((p) => p.args.channel === 'C1')?.args);
  expect(digestPost).toMatch(/\/dashboard\?k=/); // signed dashboard link in the digest
  const nudge = posts.find((p) => p.args.channel === 'CB1');
  expect(nudge?.token).toBe('xoxb-test');
  const blocks = (
    typeof nudge?.args.blocks === 'string' ? JSON.parse(nudge.args.blocks) : nudge?.args.blocks
  ) as Array<{
    elements?: Array<{ action_id: string; value: string }>;
  }>;
  const open = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === NUDGE_ACTION.open);
  expect(open).toBeDefined();

  // Click "Open the form" → views.open with the modal.
  const user = { id: 'UB1', username: 'bea', name: 'bea', team_id: 'T1' };
  const click = await slack.payload({
    type: 'block_actions',
    team: { id: 'T1', domain: 'lakeview' },
    user,
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trig.open',
    response_url: 'https://hooks.slack.invalid/actions/1',
    channel: { id: 'CB1', name: 'oak-team' },
    container: { type: 'message', message_ts: '1.1', channel_id: 'CB1', is_ephemeral: false },
    actions: [
      { type: 'button', action_id: NUDGE_ACTION.open, block_id: 'b', value: open?.value, action_ts: '1.2' },
    ],
  });
  expect(click.status).toBe(200);
  await waitFor(() => fake.of('views.open').length === 1);
  const view = fake.of('views.open')[0]?.args.view;
  const modal = (typeof view === 'string' ? JSON.parse(view) : view) as {
    callback_id: string;
    private_metadata: string;
  };
  expect(modal.callback_id).toBe(NUDGE_ACTION.modal);

  const submit = (values: Record<string, string>) =>
    slack.payload({
      type: 'view_submission',
      team: { id: 'T1', domain: 'lakeview' },
      user,
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trig.submit',
      view: {
        ...modal,
        id: 'V1',
        team_id: 'T1',
        state: {
          values: Object.fromEntries(
            Object.entries(values).map(([k, v]) => [k, { value: { type: 'plain_text_input', value: v } }]),
          ),
        },
      },
    });
  const bad = await submit({ ...validValues, fidelityPercent: '140' });
  expect(bad.status).toBe(200);
  expect(JSON.parse(bad.body)).toEqual({
    response_action: 'errors',
    errors: { fidelityPercent: 'must be at most 100' },
  });
  const ok = await submit(validValues);
  expect(JSON.parse(ok.body)).toMatchObject({ response_action: 'update' });
  expect(ok.body).toContain('version 1');
  // The nudge in the building channel is redrawn through the outbound layer: submitted, no snooze buttons.
  await waitFor(() => fake.of('chat.update').length === 1);
  const redraw = fake.of('chat.update')[0]?.args as { channel: string; ts: string; blocks: unknown };
  expect(redraw).toMatchObject({ channel: 'CB1', ts: expect.stringMatching(/^\d+\.000100$/) });
  const redrawn = typeof redraw.blocks === 'string' ? redraw.blocks : JSON.stringify(redraw.blocks);
  // In the district's zone (America/Detroit), not UTC.
  expect(redrawn).toMatch(/Submitted v1 on \w{3} \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T by <@UB1>/);
  expect(redrawn).not.toContain('UTC');
  expect(redrawn).toContain(NUDGE_ACTION.open);
  expect(redrawn).not.toContain(NUDGE_ACTION.snooze1d);
});

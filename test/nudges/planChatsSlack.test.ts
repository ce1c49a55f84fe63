import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NUDGE_ACTION } from '../../src/adapters/slack/nudges';
import { PLAN_ACTION } from '../../src/adapters/slack/planBlocks';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { FakeSlack } from '../slack/fakeSlack';
import { waitFor } from '../slack/harness';
import { SignedClient } from '../slack/signedClient';
import { testLogger } from '../support/logs';
import { TestClock } from './support';

/**
 * Plan nudges in Slack as src/main.ts wires them (signed requests, a fake Web API, an injected clock): the coordinator
 * adds a `kind=plan` schedule; at its time only the building without a plan is nudged, the digest names the
 * templates; the nudge's button opens the plan modal in the building's channel; the saved plan redraws the nudge.
 */
const SECRET = 'test-signing-secret-0123456789';
let fake: FakeSlack;
let app: App;
const clock = new TestClock(new Date('2026-11-23T12:00:00Z'));
let slack: SignedClient;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-plan-nudges-slack-')),
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.url,
      WEB_CONSOLE: 'off',
      WEB_LINK_SECRET: 'plan-nudges-slack-test-secret-0123456789abcdef',
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
const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
async function say(text: string, where: Record<string, string> = {}) {
  const before = fake.of('chat.postEphemeral').length;
  await slack.command({ text, ...where });
  await waitFor(() => fake.of('chat.postEphemeral').length > before);
  return ephemerals().slice(before).join('\n');
}

test('Slack: a plan schedule nudges the building without a plan; its button opens the plan; saving redraws it', async () => {
  expect(await say('setup "Lakeview Schools"')).toContain('Lakeview Schools');
  expect(await say('building add "Oak Elementary" <#CB1|oak-team> <@UB1|bea>')).toContain('Registered');
  expect(await say('building add "Pine Middle" <#CB2|pine-team> <@UB2|pat>')).toContain('Registered');
  // Pine's team has its plan already.
  const pine = { channel_id: 'CB2', channel_name: 'pine-team', user_id: 'UB2', user_name: 'pat' };
  expect(await say('plan 1 in-place', pine)).toMatch(/version 1|v1/i);
  const added = await say('schedule add "every day at 9:00" weekends quiet=off kind=plan');
  expect(added).toMatch(/Added schedule .*asking for the Building Action Planning template/);

  fake.clear();
  const nine = new Date('2026-11-24T14:00:00Z'); // 09:00 in Detroit
  clock.t = nine;
  expect(await app.nudges.tick(nine)).toMatchObject({ sent: 1, skippedSubmitted: 1, digests: 1, failed: 0 });
  // The same minute again (another replica's tick): nothing more.
  expect(await app.nudges.tick(new Date(nine.getTime() + 30_000))).toMatchObject({ sent: 0, digests: 0 });
  const posts = fake.of('chat.postMessage');
  expect(posts.map((p) => p.args.channel).sort()).toEqual(['C1', 'CB1']);
  const digest = json(posts.find((p) => p.args.channel === 'C1')?.args);
  expect(digest).toContain('Building Action Planning templates');
  expect(digest).toContain('Pine Middle');
  const nudge = posts.find((p) => p.args.channel === 'CB1');
  const nudgeText = json(nudge?.args.blocks);
  expect(nudgeText).toContain('Building Action Planning template');
  expect(nudgeText).not.toContain(NUDGE_ACTION.snooze1d);
  const blocks = JSON.parse(nudgeText) as Array<{ elements?: Array<{ action_id: string; value: string }> }>;
  const open = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === PLAN_ACTION.open);
  expect(open).toBeDefined();

  // Bea clicks it in Oak's channel: the plan modal opens.
  const user = { id: 'UB1', username: 'bea', name: 'bea', team_id: 'T1' };
  expect(
    (
      await slack.payload({
        type: 'block_actions',
        team: { id: 'T1', domain: 'lakeview' },
        user,
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: 'trig.open',
        channel: { id: 'CB1', name: 'oak-team' },
        container: { type: 'message', message_ts: '1.1', channel_id: 'CB1' },
        actions: [
          {
            type: 'button',
            action_id: PLAN_ACTION.open,
            block_id: 'b',
            value: open?.value,
            action_ts: '1.2',
          },
        ],
      })
    ).status,
  ).toBe(200);
  await waitFor(() => fake.of('views.open').length === 1);
  const modal = JSON.parse(json(fake.of('views.open')[0]?.args.view)) as {
    callback_id: string;
    private_metadata: string;
  };
  expect(modal.callback_id).toBe(PLAN_ACTION.modal);
  clock.t = new Date(nine.getTime() + 3600_000);
  const saved = await slack.payload({
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
        values: {
          'team.status': { value: { type: 'static_select', selected_option: { value: 'strengthen' } } },
          'team.actions': { value: { type: 'plain_text_input', value: 'Add a data lead' } },
        },
      },
    },
  });
  expect(saved.body).toContain('version 1');
  // The nudge in Oak's channel is redrawn: submitted by Bea, only "View or edit" left.
  await waitFor(() => fake.of('chat.update').length === 1);
  const redraw = fake.of('chat.update')[0]?.args as { channel: string; ts: string; blocks: unknown };
  expect(redraw.channel).toBe('CB1');
  expect(redraw.ts).toMatch(/^\d+\.000100$/);
  expect(json(redraw.blocks)).toMatch(/Submitted v1 on Tue 2026-11-24 10:00 EST by <@UB1>/);
  expect(json(redraw.blocks)).toContain('View or edit');

  // The next day's round: both buildings have plans, nobody is nudged; the digest lists both as submitted.
  fake.clear();
  const next = new Date('2026-11-25T14:00:00Z');
  expect(await app.nudges.tick(next)).toMatchObject({ sent: 0, skippedSubmitted: 2, digests: 1 });
  expect(json(fake.of('chat.postMessage')[0]?.args)).toMatch(/2 of 2 submitted/);
});

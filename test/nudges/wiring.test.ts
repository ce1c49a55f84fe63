import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { testLogger } from '../support/logs';
import { FakeConnector } from '../teams/support/fakeConnector';
import { TestClock, validValues } from './support';

/**
 * Nudges as src/main.ts wires them, end to end through POST /api/messages and a fake Bot Connector on 127.0.0.1:
 * commands in the district channel, a runner pass posting the nudge card and the digest, and the card's
 * Action.Execute verbs (open the form, save with field errors, save).
 */
let app: App;
// The last evening of a month in Detroit: the next 09:00 falls in the next month's period (CI failed here once).
const clock = new TestClock(new Date('2026-11-30T23:30:00Z'));
let fake: FakeConnector;

beforeAll(async () => {
  fake = await new FakeConnector().start();
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'micip-nudges-wiring-')),
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      WEB_LINK_SECRET: 'nudges-wiring-test-secret-0123456789abcdef',
      TEAMS_SERVICE_URLS: fake.url,
      TEAMS_LOCAL_NO_AUTH: 'true',
    }),
    { clock, logger: testLogger() },
  );
});

afterAll(async () => {
  await app.stop();
  await fake.stop();
});

const post = async (body: unknown) => {
  const res = await fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null };
};
const base = (channel: string, user = { id: '29:a', aadObjectId: 'aad-coord', name: 'Casey' }) => ({
  serviceUrl: fake.url,
  channelId: 'msteams',
  from: user,
  recipient: { id: '28:bot', name: 'MICIP' },
  conversation: { id: channel, tenantId: 't1' },
  channelData: { tenant: { id: 't1' }, channel: { id: channel } },
});
const install = (channel: string) => post({ type: 'installationUpdate', action: 'add', ...base(channel) });
let n = 0;
const say = (channel: string, text: string) =>
  post({
    type: 'message',
    id: `m${++n}`,
    text: `<at>MICIP</at> ${text}`,
    entities: [{ type: 'mention', text: '<at>MICIP</at>', mentioned: { id: '28:bot', name: 'MICIP' } }],
    ...base(channel),
  });
const invoke = (
  channel: string,
  verb: string,
  data: object,
  user?: { id: string; aadObjectId: string; name: string },
) =>
  post({
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    ...base(channel, user),
  });

test('Teams: schedule command, a nudge card and digest from the runner, and the form through Action.Execute', async () => {
  const district = '19:district@thread.tacv2';
  const oak = '19:oak@thread.tacv2';
  expect((await install(district)).status).toBe(200);
  expect((await install(oak)).status).toBe(200);
  await say(district, 'setup "Lakeview Schools"');
  await say(district, `building add "Oak Elementary" ${oak} <at>Bea</at>`);
  await say(district, 'schedule add "every day at 9:00" weekends quiet=off');
  await app.teams.idle();
  const replies = fake.calls.map((c) => String(c.body.text ?? ''));
  expect(replies.some((t) => t.includes('Registered') && t.includes('Oak Elementary'))).toBe(true);
  const added = replies.find((t) => t.includes('Added schedule')) ?? '';
  expect(added).toMatch(/Next runs:/);
  expect(added.match(/09:00 E[SD]T/g)).toHaveLength(3);

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
  const toOak = fake.calls.filter((c) => c.conversationId === oak);
  const toDistrict = fake.calls.filter((c) => c.conversationId === district);
  expect(toOak).toHaveLength(1);
  expect(toDistrict).toHaveLength(1);
  const card = JSON.stringify(toOak[0]?.body.attachments);
  expect(card).toContain('nudge.open');
  expect(JSON.stringify(toDistrict[0]?.body.attachments)).toContain('0 of 1 building teams have submitted');
  const data = JSON.parse(card)[0].content.actions[0].data as {
    districtId: string;
    buildingId: string;
    periodId: string;
  };

  const member = { id: '29:b', aadObjectId: 'aad-bea', name: 'Bea' };
  const opened = await invoke(oak, 'nudge.open', data, member);
  expect(opened.status).toBe(200);
  expect(JSON.stringify(opened.json)).toContain('"id":"fidelityPercent"');
  const bad = await invoke(
    oak,
    'submission.save',
    { ...data, version: '0', ...validValues, impactValue: 'n/a' },
    member,
  );
  expect(JSON.stringify(bad.json)).toContain('must be a number');
  const saved = await invoke(oak, 'submission.save', { ...data, version: '0', ...validValues }, member);
  expect(JSON.stringify(saved.json)).toContain('Saved version 1');
  await say(district, `submissions ${data.periodId}`);
  await app.teams.idle();
  expect(
    fake.calls.map((c) => String(c.body.text ?? '')).some((t) => t.includes('1 of 1 building teams')),
  ).toBe(true);
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUBMISSION_FIELDS } from '../../src/app/nudges/nudgeViews';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { testLogger } from '../support/logs';

/**
 * Issue 15: the console lets a newcomer try building nudges and the monitoring-data form. The demo district's two
 * building teams sit in simulated channels: `nudge now` (as the coordinator) posts the nudge card there, a building
 * team member opens the form from it and submits, the nudge is redrawn as answered, and `submissions` in the
 * district channel counts it. Nothing leaves the process.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-console-buildings-'));
let app: App;
const clock = { now: () => new Date('2026-11-10T15:00:00Z') };

beforeAll(async () => {
  app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp, WEB_CONSOLE: 'on' }), {
    logger: testLogger(),
    clock,
  });
});
afterAll(async () => {
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', p: string, body?: unknown) {
  const res = await fetch(`${app.url}/console/api${p}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
type Channel = { name: string; channelId: string; messages: Array<{ id: string; card: unknown }> };
const channels = async (as = 'demo-coordinator') =>
  (await call('GET', `/channels?as=${as}`)).json.channels as Channel[];
const text = (card: unknown) => JSON.stringify(card);
/** The `data` of the card's action with this verb. */
function actionData(card: unknown, verb: string): Record<string, unknown> {
  let found: Record<string, unknown> | null = null;
  const walk = (x: unknown): void => {
    if (found || !x || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.verb === verb) found = (o.data as Record<string, unknown>) ?? {};
    for (const v of Object.values(o)) walk(v);
  };
  walk(card);
  if (!found) throw new Error(`no ${verb} action in ${text(card).slice(0, 300)}`);
  return found;
}

test('each demo building has its own channel, welcomed on registration', async () => {
  const list = await channels();
  expect(list.map((c) => [c.name, c.channelId])).toEqual([
    ['Oak Elementary', 'console-oak'],
    ['Pine Middle', 'console-pine'],
  ]);
  for (const c of list) {
    expect(c.messages).toHaveLength(1);
    expect(text(c.messages[0]?.card)).toMatch(new RegExp(`${c.name}.*building team`));
  }
  // Loading the page again registers nothing twice.
  expect((await channels()).map((c) => c.messages.length)).toEqual([1, 1]);
});

test('nudge now → the building member opens the form from the card and submits → the district sees it', async () => {
  const now = await call('POST', '/command', { as: 'demo-coordinator', line: 'nudge now' });
  expect(now.status).toBe(200);
  expect(String(now.json.text)).toMatch(/Nudged 2 building team/);
  const oak = (await channels()).find((c) => c.channelId === 'console-oak') as Channel;
  const nudge = oak.messages.at(-1) as { id: string; card: unknown };
  expect(text(nudge.card)).toContain('Open the form');

  // Blair is on Oak's team: the form opens in Oak's channel.
  const open = await call('POST', '/nudge', {
    as: 'demo-blair',
    channelId: 'console-oak',
    verb: 'nudge.open',
    data: actionData(nudge.card, 'nudge.open'),
  });
  expect(open.status).toBe(200);
  expect(text(open.json.card)).toContain('monitoring data');
  const values = Object.fromEntries(
    SUBMISSION_FIELDS.map((f) => [f, /Percent|Value|Target/.test(f) ? '40' : `Our ${f} at Oak <b>&</b>`]),
  );
  const saved = await call('POST', '/nudge', {
    as: 'demo-blair',
    channelId: 'console-oak',
    verb: 'submission.save',
    data: { ...actionData(open.json.card, 'submission.save'), ...values },
  });
  expect(saved.status).toBe(200);
  expect(text(saved.json.card)).toContain('Saved version 1');

  // The nudge in Oak's channel is redrawn as answered; the district counts Oak as submitted.
  // (The redraw runs after the save's answer: look again for up to 5 s.)
  let redrawn = '';
  for (let i = 0; i < 50; i++) {
    const after = (await channels()).find((c) => c.channelId === 'console-oak') as Channel;
    redrawn = text(after.messages.find((m) => m.id === nudge.id)?.card);
    if (!redrawn.includes('Open the form')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(redrawn).toContain('View or edit');
  const subs = await call('POST', '/command', { as: 'demo-coordinator', line: 'submissions' });
  expect(String(subs.json.text)).toMatch(/Oak Elementary/);
  expect(String(subs.json.text)).toMatch(/1 of 2/);
});

test("someone not on a building's team cannot open its form; bad input is refused clearly", async () => {
  const pine = (await channels()).find((c) => c.channelId === 'console-pine') as Channel;
  const nudge = pine.messages.at(-1) as { card: unknown };
  // Alex is on no building team.
  const refused = await call('POST', '/nudge', {
    as: 'demo-alex',
    channelId: 'console-pine',
    verb: 'nudge.open',
    data: actionData(nudge.card, 'nudge.open'),
  });
  expect(refused.status).toBe(200);
  expect(text(refused.json.card)).not.toContain('submission.save');
  // The policy answers another building's form like a building that does not exist (docs/SECURITY.md).
  expect(text(refused.json.card)).toMatch(/no longer registered/);
  // Devon, on Pine's team, gets the form from the same card.
  const devon = await call('POST', '/nudge', {
    as: 'demo-devon',
    channelId: 'console-pine',
    verb: 'nudge.open',
    data: actionData(nudge.card, 'nudge.open'),
  });
  expect(text(devon.json.card)).toContain('submission.save');
  const elsewhere = await call('POST', '/nudge', {
    as: 'demo-devon',
    channelId: 'console-demo',
    verb: 'nudge.open',
    data: {},
  });
  expect(elsewhere).toMatchObject({
    status: 400,
    json: { error: expect.stringMatching(/demo building channels/) },
  });
  const badVerb = await call('POST', '/nudge', { as: 'demo-devon', channelId: 'console-pine', verb: 'vote' });
  expect(badVerb).toMatchObject({
    status: 400,
    json: { error: expect.stringMatching(/not one of a nudge card/) },
  });
});

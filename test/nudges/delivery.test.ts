import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Receiver } from '@slack/bolt';
import { validateCard } from '../../src/adapters/cards/validate';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { routeMessenger } from '../../src/adapters/scheduler';
import {
  createSlackNudgeMessenger,
  digestBlocks,
  NUDGE_ACTION,
  nudgeBlocks,
  registerSlackNudgeHandlers,
  submissionModal,
} from '../../src/adapters/slack/nudges';
import {
  createTeamsNudgeMessenger,
  handleTeamsNudgeAction,
  renderDigestCard,
  renderEscalationCard,
  renderNudgeCard,
  renderSubmissionCard,
} from '../../src/adapters/teams/nudges';
import type { DigestEntry, DigestView, NudgeView } from '../../src/app/nudges/nudgeViews';
import type { Store } from '../../src/app/ports';
import { districtWithBuildings, makeNudges, RecordingMessenger, TestClock, validValues } from './support';

let store: Store;
beforeEach(async () => {
  store = new NedbStore(null);
  await store.init();
});
afterEach(async () => store.close());

const nudge: NudgeView = {
  tenantId: 'T1',
  districtId: 'd1',
  districtName: 'Lakeview Schools',
  buildingId: 'b1',
  buildingName: 'Oak Elementary',
  periodId: '2026-11',
  periodLabel: 'November 2026',
  attempt: 2,
  closesAt: 'Tue 2026-12-01 00:00 EST',
  timezone: 'America/Detroit',
  reminder: false,
};
const entries = (n: number, submitted: boolean): DigestEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    buildingId: `b${i}`,
    name: `School ${i} with a fairly long building name`,
    channelId: `C${i}`,
    submittedAt: submitted ? '2026-11-20T10:00:00.000Z' : null,
    nudges: submitted ? 0 : 2,
    snoozedUntil: null,
    link: submitted ? `https://micip.example.org/console/b${i}` : null,
    undelivered: null,
  }));
const digest = (n: number): DigestView => ({
  tenantId: 'T1',
  districtId: 'd1',
  districtName: 'Lakeview Schools',
  periodId: '2026-11',
  periodLabel: 'November 2026',
  schedule: 'every Monday at 08:00',
  submitted: entries(Math.floor(n / 2), true),
  missing: entries(n - Math.floor(n / 2), false),
  escalated: entries(3, false),
  nextRuns: ['Mon 2026-11-30 08:00 EST'],
  timezone: 'America/Detroit',
});

describe('Adaptive Cards (validated with the adaptivecards library)', () => {
  test('nudge, reminder, digest and escalation cards', () => {
    for (const card of [
      renderNudgeCard(nudge),
      renderNudgeCard({ ...nudge, reminder: true }, 'Snoozed'),
      renderDigestCard(digest(10)),
      renderDigestCard(digest(1000)),
      renderEscalationCard({ ...digest(4), escalateAfter: 3, buildings: entries(4, false) }),
    ]) {
      expect(validateCard(card)).toEqual([]);
      expect(JSON.stringify(card).length).toBeLessThan(80 * 1024);
    }
    const c = JSON.stringify(renderNudgeCard(nudge));
    expect(c).toContain('"verb":"nudge.open"');
    expect(c).toContain('"periodId":"2026-11"');
    expect(c).toContain('Nudge 2 this period');
  });

  test('submission form: empty, filled, with field errors, closed', async () => {
    const h = makeNudges(store, new TestClock());
    const { district, buildings } = await districtWithBuildings(h, 1);
    const ref = {
      districtId: district.id,
      buildingId: buildings[0]?.buildingId as string,
      periodId: '2026-11',
    };
    const member = { tenantId: 'T1', userId: 'UB1', displayName: '' };
    const empty = await h.buildings.form(member, ref);
    const filled = await h.buildings.submit(member, { ...ref, values: validValues });
    const withErrors = { ...filled, errors: { fidelityPercent: 'must be at most 100' } };
    const closed = { ...filled, editable: false };
    for (const f of [empty, filled, withErrors, closed])
      expect(validateCard(renderSubmissionCard(f))).toEqual([]);
    expect(JSON.stringify(renderSubmissionCard(withErrors))).toContain('must be at most 100');
    expect(JSON.stringify(renderSubmissionCard(closed))).not.toContain('submission.save');
    expect(JSON.stringify(renderSubmissionCard(filled))).toContain('"id":"fidelityPercent"');
  });
});

describe('Teams card actions', () => {
  test('open → form; save with bad values → same form with field errors and the typed values; save → new version', async () => {
    const h = makeNudges(store, new TestClock());
    const { district, buildings } = await districtWithBuildings(h, 1);
    const deps = { buildings: h.buildings, schedules: h.schedules };
    const actor = { tenantId: 'T1', userId: 'UB1', displayName: '' };
    const ref = {
      districtId: district.id,
      buildingId: buildings[0]?.buildingId as string,
      periodId: '2026-11',
    };
    const form = JSON.stringify(await handleTeamsNudgeAction(deps, actor, 'nudge.open', ref));
    expect(form).toContain('Nothing submitted yet');
    const bad = JSON.stringify(
      await handleTeamsNudgeAction(deps, actor, 'submission.save', {
        ...ref,
        version: '0',
        ...validValues,
        fidelityPercent: 'most',
      }),
    );
    expect(bad).toContain('must be a number');
    expect(bad).toContain('Collaborative lesson study'); // what was typed is kept
    expect(await h.nudges.submissions.list('T1', district.id, '2026-11')).toHaveLength(0);
    const ok = JSON.stringify(
      await handleTeamsNudgeAction(deps, actor, 'submission.save', { ...ref, version: '0', ...validValues }),
    );
    expect(ok).toContain('Saved version 1');
    const snoozed = JSON.stringify(
      await handleTeamsNudgeAction(deps, actor, 'nudge.snooze', { ...ref, length: '1w' }),
    );
    // Redrawn as answered: the snooze noted, its buttons gone, the form still there.
    expect(snoozed).toMatch(/Snoozed until Mon 2026-11-30 10:00 EST: one reminder comes then/);
    expect(snoozed).not.toContain('"verb":"nudge.snooze"');
    expect(snoozed).toContain('"verb":"nudge.open"'); // the nudge stays usable
    expect(validateCard(JSON.parse(snoozed))).toEqual([]);
    expect(
      JSON.stringify(await handleTeamsNudgeAction(deps, actor, 'nudge.snooze', { length: 'forever' })),
    ).toMatch(/out of date/);
  });

  test('the Teams messenger posts adaptive card activities', async () => {
    const posted: Array<{ channelId: string; activity: Record<string, unknown> }> = [];
    const m = createTeamsNudgeMessenger({
      post: async (_t, channelId, activity) => {
        posted.push({ channelId, activity });
      },
    });
    await m.sendNudge({ tenantId: 'teams:x', channelId: '19:abc@thread.tacv2' }, nudge);
    expect(posted[0]?.activity).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
  });
});

describe('Slack', () => {
  test('Block Kit stays within limits for a 1,000-building digest', () => {
    const blocks = digestBlocks(digest(1000));
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) {
      const text = (b as { text?: { text: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(blocks)).toContain('more');
    const n = nudgeBlocks(nudge);
    const buttons = (n[2] as { elements: Array<{ action_id: string; value: string }> }).elements;
    expect(buttons.map((b) => b.action_id)).toEqual([
      NUDGE_ACTION.open,
      NUDGE_ACTION.snooze1d,
      NUDGE_ACTION.snooze1w,
    ]);
    expect(JSON.parse(buttons[0]?.value as string)).toEqual({ d: 'd1', b: 'b1', p: '2026-11' });
  });

  test('the Bolt handlers: open the modal, field-level errors, save, snooze', async () => {
    const h = makeNudges(store, new TestClock());
    const { district, buildings } = await districtWithBuildings(h, 1);
    const buildingId = buildings[0]?.buildingId as string;
    // A local fake Slack Web API + response_url endpoint that records calls.
    const calls: Array<{ path: string; body: string }> = [];
    const fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        calls.push({ path: req.url ?? '', body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const receiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };
    const app = new App({
      receiver,
      authorize: async () => ({ botToken: 'xoxb-test', botId: 'B1', botUserId: 'UBOT' }),
      clientOptions: { slackApiUrl: `${base}/api/`, retryConfig: { retries: 0 } },
    });
    registerSlackNudgeHandlers(app, {
      buildings: h.buildings,
      schedules: h.schedules,
      logger: { error: () => {} },
    });
    const user = { id: 'UB1', team_id: 'T1', name: 'bea' };
    const process = async (body: object) => {
      let acked: unknown;
      await app.processEvent({
        body,
        ack: async (r?: unknown) => {
          acked = r;
        },
      });
      return acked;
    };
    const value = JSON.stringify({ d: district.id, b: buildingId, p: '2026-11' });
    await process({
      type: 'block_actions',
      team: { id: 'T1' },
      user,
      trigger_id: 'trig',
      response_url: `${base}/respond`,
      actions: [{ type: 'button', action_id: NUDGE_ACTION.open, block_id: 'x', value, action_ts: '1' }],
      container: { type: 'message' },
      channel: { id: 'CB1' },
    });
    const open = calls.find((c) => c.path.includes('views.open'));
    expect(open?.body).toContain('micip_submission');
    const form = await h.buildings.form(
      { tenantId: 'T1', userId: 'UB1', displayName: '' },
      {
        districtId: district.id,
        buildingId,
        periodId: '2026-11',
      },
    );
    const view = submissionModal(form);
    const state = (vals: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(vals).map(([k, v]) => [k, { value: { type: 'plain_text_input', value: v } }]),
      );
    const submission = (vals: Record<string, string>) => ({
      type: 'view_submission',
      team: { id: 'T1' },
      user,
      view: { ...view, id: 'V1', state: { values: state(vals) } },
    });
    const bad = await process(submission({ ...validValues, fidelityPercent: '140', meaning: '' }));
    expect(bad).toEqual({
      response_action: 'errors',
      errors: { fidelityPercent: 'must be at most 100', meaning: 'must not be empty' },
    });
    const ok = (await process(submission(validValues))) as {
      response_action: string;
      view: { blocks: unknown[] };
    };
    expect(ok.response_action).toBe('update');
    expect(JSON.stringify(ok.view)).toContain('version 1');
    // Same form (version 0) submitted again: someone saved meanwhile → told, nothing written.
    const stale = (await process(submission(validValues))) as { view: object };
    expect(JSON.stringify(stale.view)).toMatch(/at the same moment/);
    // …on the form redrawn at the teammate's version, with what this person typed still in it.
    expect(stale.view).toMatchObject({ callback_id: NUDGE_ACTION.modal });
    expect(JSON.parse((stale.view as { private_metadata: string }).private_metadata)).toMatchObject({ v: 1 });
    expect(JSON.stringify(stale.view)).toContain(validValues.recommendations);
    expect(await h.nudges.submissions.list('T1', district.id, '2026-11')).toHaveLength(1);
    await process({
      type: 'block_actions',
      team: { id: 'T1' },
      user,
      trigger_id: 'trig2',
      response_url: `${base}/respond`,
      actions: [{ type: 'button', action_id: NUDGE_ACTION.snooze1d, block_id: 'x', value, action_ts: '2' }],
      container: { type: 'message' },
      channel: { id: 'CB1' },
    });
    const responded = calls.find((c) => c.path === '/respond');
    expect(responded?.body).toMatch(/Snoozed: School 0001 gets a reminder/);
    expect(await h.nudges.snoozes.get('T1', district.id, buildingId)).not.toBeNull();
    await new Promise<void>((r) => fake.close(() => r()));
  });

  test('the Slack messenger posts to the building channel', async () => {
    const posts: Array<{ tenantId: string; channel: string; text: string }> = [];
    const m = createSlackNudgeMessenger({ post: async (tenantId, msg) => posts.push({ tenantId, ...msg }) });
    await m.sendNudge({ tenantId: 'T1', channelId: 'CB1' }, nudge);
    await m.sendDigest({ tenantId: 'T1', channelId: 'C1' }, digest(4));
    expect(posts.map((p) => p.channel)).toEqual(['CB1', 'C1']);
    expect(posts[1]?.text).toBe('Monitoring data, November 2026: 2 submitted, 2 not yet');
  });
});

describe('routing', () => {
  test('routeMessenger sends Teams tenants to Teams and the rest to Slack', async () => {
    const slack = new RecordingMessenger();
    const teams = new RecordingMessenger();
    const m = routeMessenger({ slack, teams });
    await m.sendNudge({ tenantId: 'teams:abc', channelId: '19:x' }, nudge);
    await m.sendNudge({ tenantId: 'T1', channelId: 'C1' }, nudge);
    expect(teams.nudges()).toHaveLength(1);
    expect(slack.nudges()).toHaveLength(1);
    await expect(
      routeMessenger({ slack }).sendDigest({ tenantId: 'teams:abc', channelId: 'x' }, digest(2)),
    ).rejects.toThrow(/No Teams connection/);
  });
});

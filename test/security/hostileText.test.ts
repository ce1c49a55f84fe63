import { ACTION } from '../../src/adapters/slack/blocks';
import { NUDGE_ACTION } from '../../src/adapters/slack/nudges';
import type { FakeSlack } from '../slack/fakeSlack';
import {
  roundClosed,
  type SlackHarness,
  startReviewViaSlack,
  startSlackHarness,
  voteViaSlack,
  waitFor,
} from '../slack/harness';
import { voteClick } from '../slack/signedClient';
import { TestClock } from '../support/fixtures';
import {
  cardsOf,
  postActivity,
  type TeamsPlace,
  type TeamsUser,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from '../teams/support/activities';
import { FakeConnector } from '../teams/support/fakeConnector';
import {
  cardLeaks,
  csvLeaks,
  HOSTILE,
  htmlLeaks,
  MARK,
  markdownLeaks,
  slackLeaks,
  slackTexts,
  TOO_LONG,
  teamsTextLeaks,
} from './corpus';

/**
 * Text stays text: the hostile corpus (./corpus.ts) goes into every user-supplied field through the real app (Slack
 * over signed HTTP, Teams over /api/messages, the web dashboard, the console, exports and nudges), and every
 * message, card, page and file that comes out is checked by the detector of its target. Nothing may come out live,
 * every card must validate, and too-long text must be refused with a message that says so.
 */
const dbName = `micip_hostile_${process.pid}`;
const SECRET = 'test-signing-secret-hostile-01234';
// Tue 2026-11-24 08:00 EST: the nudge schedule below runs at 9:00 on weekdays.
const clock = new TestClock(new Date('2026-11-24T13:00:00Z'));

let h: SlackHarness;
let fake: FakeSlack;
let connector: FakeConnector;
let teamsUrl = '';
let base = '';
/** Slack's view_submission answers (modal updates and field errors) and Teams invoke answers, as they came. */
const slackAnswers: unknown[] = [];
const teamsAnswers: Array<Record<string, unknown>> = [];
const pages: Array<{ what: string; html: string }> = [];
const files: Array<{ what: string; format: 'csv' | 'json' | 'md'; content: string }> = [];

const TEAMS: TeamsPlace = {
  serviceUrl: '',
  tenant: 'tenant-hostile',
  channel: '19:district@thread.tacv2',
  bot: { id: '28:micip-bot', name: 'MICIP' },
};
const BUILDING_CHANNEL = '19:building@thread.tacv2';
const people: Record<'casey' | 'ann' | 'ben', TeamsUser> = {
  casey: { id: '29:casey', name: HOSTILE.name, aadObjectId: 'aad-casey' },
  ann: { id: '29:ann', name: HOSTILE.name, aadObjectId: 'aad-ann' },
  ben: { id: '29:ben', name: HOSTILE.otherName, aadObjectId: 'aad-ben' },
};

beforeAll(async () => {
  connector = await new FakeConnector().start();
  TEAMS.serviceUrl = connector.url;
  h = await startSlackHarness(
    dbName,
    SECRET,
    { TEAMS_SERVICE_URLS: connector.url, TEAMS_LOCAL_NO_AUTH: 'true', WEB_CONSOLE: 'on', NUDGES: 'off' },
    {},
    { clock },
  );
  fake = h.fake;
  base = h.app.url.replace('//localhost:', '//127.0.0.1:');
  teamsUrl = `${base}/api/messages`;
});

afterAll(async () => {
  await h?.stop();
  await connector?.stop();
});

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
const lastEphemeral = (user: string) => String(ephemeralsTo(user).at(-1)?.args.text ?? '');
/** Runs a /micip command (as someone with a 256-character hostile name) and waits for its private answer. */
async function slackCommandAnswered(text: string, user = 'U_COORD') {
  const before = ephemeralsTo(user).length;
  await h.slack.command({ text, user_id: user, user_name: HOSTILE.name });
  await waitFor(() => ephemeralsTo(user).length > before);
  return lastEphemeral(user);
}
const fetchText = async (url: string) => (await fetch(url.replace('//localhost:', '//127.0.0.1:'))).text();
const linkIn = (text: string) => /(https?:\/\/[^\s|>]+\/dashboard\?k=[^\s|>]+)/.exec(text)?.[1] ?? '';

async function teams(activity: unknown) {
  const r = await postActivity(teamsUrl, activity);
  if (r.json && typeof r.json === 'object') teamsAnswers.push(r.json);
  await h.app.teams.idle();
  return r;
}
/** The Adaptive Cards anywhere in an answer (an invoke's card, the console's state). */
function cardsIn(answer: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      if ((x as { type?: unknown }).type === 'AdaptiveCard') out.push(x);
      else Object.values(x).forEach(walk);
    }
  };
  walk(answer);
  return out;
}
const teamsTexts = () => connector.calls.map((c) => String(c.body.text ?? '')).filter(Boolean);
const slackActor = { tenantId: 'T1', userId: 'U_COORD', displayName: '', channelId: 'C1' };
const oneLine = (s: string) => s.replace(/\s+/g, ' ');
const teamsActor = {
  tenantId: `teams:${TEAMS.tenant}`,
  userId: 'aad-casey',
  displayName: '',
  channelId: TEAMS.channel,
};

describe('Slack: hostile names, cycle, evidence, notes and reflections', () => {
  let reviewId = '';
  let rows: string[] = [];

  test('a district, a review whose cycle is "<!channel> <https://evil.example|Login>", votes by 256-character names', async () => {
    expect(await slackCommandAnswered(`setup "${HOSTILE.district}"`)).toMatch(/now the district team/);
    ({ reviewId } = await startReviewViaSlack(
      h,
      'T1',
      'C1',
      'U_COORD',
      `"${HOSTILE.cycle}" rounds=1 quorum=1`,
      {
        user_name: HOSTILE.name,
      },
    ));
    // Rows in rubric order (row 1, row 2, …).
    rows = (await h.app.service.getReviewState(slackActor, { reviewId })).polls.map((p) => p.rowId);
    const [r1, r2] = rows as [string, string];
    for (const [user, name, row, choice] of [
      ['U1', HOSTILE.name, r1, '4'],
      ['U2', HOSTILE.otherName, r1, '4'],
      ['U1', HOSTILE.name, r2, '1'],
      ['U2', HOSTILE.otherName, r2, '4'],
    ] as const)
      await voteViaSlack(h, { team: 'T1', channel: 'C1', user, name, reviewId, rowId: row, choice });
    await waitFor(async () => (await h.app.store.votes.listRound(reviewId, 1)).length === 4);
    const members = await h.app.store.members.list(
      'T1',
      (await h.app.store.reviews.get(reviewId))?.districtId ?? '',
    );
    expect(members.map((m) => m.displayName)).toContain(HOSTILE.name); // 256 characters are accepted, whole
  });

  test('evidence through the modal; 100,000 characters are refused in the form, not cut', async () => {
    await h.slack.payload(
      voteClick({
        user: 'U1',
        name: HOSTILE.name,
        actionId: ACTION.evidence,
        value: `${reviewId}|${rows[0]}`,
      }),
    );
    await waitFor(() => fake.of('views.open').length === 1);
    const opened = fake.of('views.open')[0]?.args.view as { private_metadata: string; callback_id: string };
    const submit = async (text: string) => {
      const r = await h.slack.payload({
        type: 'view_submission',
        team: { id: 'T1' },
        user: { id: 'U1', name: HOSTILE.name, team_id: 'T1' },
        api_app_id: 'A1',
        view: {
          id: 'V1',
          type: 'modal',
          callback_id: opened.callback_id,
          private_metadata: opened.private_metadata,
          state: { values: { evidence: { text: { type: 'plain_text_input', value: text } } } },
        },
      });
      const answer = r.body ? (JSON.parse(r.body) as unknown) : null;
      slackAnswers.push(answer);
      return answer;
    };
    expect(await submit(TOO_LONG.text)).toMatchObject({
      response_action: 'errors',
      errors: { evidence: expect.stringMatching(/2,000 characters/) },
    });
    await submit(HOSTILE.evidence);
    await waitFor(() => /evidence on row 1 is saved/.test(lastEphemeral('U1')));
    expect((await h.app.store.votes.get(reviewId, rows[0] as string, 1, 'U1'))?.evidence).toBe(
      HOSTILE.evidence,
    );
  });

  test('status, App Home, close, decision, reflection, results, reviews, dashboard and the three exports', async () => {
    await slackCommandAnswered('status');
    await h.slack.event({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event_id: 'EvH1',
      event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.0' },
    });
    await waitFor(() => fake.of('views.publish').length === 1);
    await h.slack.command({ text: 'close', user_name: HOSTILE.name });
    await waitFor(() => roundClosed(h, reviewId));
    await h.slack.command({ text: `decide 2 2 "${HOSTILE.note}"`, user_name: HOSTILE.name });
    await waitFor(
      async () => (await h.app.store.reviews.get(reviewId))?.polls[1]?.outcome?.note === HOSTILE.note,
    );
    await h.slack.command({
      text: `reflect 1 1 "${HOSTILE.reflection}"`,
      user_id: 'U1',
      user_name: HOSTILE.name,
    });
    await waitFor(() => /Kept with the results/.test(lastEphemeral('U1')));
    for (const c of ['results', 'reviews']) await slackCommandAnswered(c);
    for (const format of ['csv', 'json', 'md'] as const) {
      const before = fake.files.size;
      await h.slack.command({ text: `export ${format}`, user_name: HOSTILE.name });
      await waitFor(() => [...fake.files.values()].filter((f) => f.completed).length > before);
      const file = [...fake.files.values()].at(-1);
      files.push({ what: `Slack export ${format}`, format, content: file?.bytes?.toString('utf8') ?? '' });
    }
    const link = linkIn(await slackCommandAnswered('dashboard'));
    expect(link).not.toBe('');
    const dashboard = await fetchText(link);
    pages.push({ what: 'Slack district dashboard', html: dashboard });
    pages.push({
      what: 'Slack review results page',
      html: await fetchText(
        link.replace('/dashboard?', `/dashboard/reviews/${encodeURIComponent(reviewId)}?`),
      ),
    });
  });

  test('errors that quote input; too-long values are refused with a message that says why', async () => {
    expect(await slackCommandAnswered('frobnicate <!channel> <https://evil.example|Login>')).toMatch(
      /know the command/,
    );
    expect(await slackCommandAnswered(`review start "${HOSTILE.cycle}" rule=<!here>`)).toMatch(
      /"rule" is single/,
    );
    expect(await slackCommandAnswered(`review start "${TOO_LONG.cycle}"`)).toMatch(
      /cycle: must be at most 60 characters/,
    );
    expect(await slackCommandAnswered(`decide 2 2 "${TOO_LONG.text.slice(0, 3000)}"`)).toMatch(
      /note: must be at most 2000 characters/,
    );
  });

  test('the announcement repeats the cycle as text (visible, escaped), never as @channel or a link', async () => {
    const announce = fake.of('chat.postMessage').find((c) => /started/.test(String(c.args.text)));
    expect(String(announce?.args.text)).toContain('&lt;!channel&gt;');
    expect(String(announce?.args.text)).toContain('&lt;https:\u2060//evil.\u2060example|Login&gt;');
  });
});

describe('Teams: the same through /api/messages', () => {
  let reviewId = '';
  let rows: string[] = [];

  test('a district and a review with hostile names and cycle; votes with evidence; 100,000 characters refused', async () => {
    await teams(teamsBotAdded(TEAMS, people.casey));
    await teams(teamsSay(TEAMS, `setup "${HOSTILE.district}"`, people.casey));
    await teams(teamsSay(TEAMS, `review start "${HOSTILE.cycle}" rounds=1 quorum=1`, people.casey));
    const [review] = await h.app.service.listReviews(teamsActor, TEAMS.channel);
    reviewId = review?.id ?? '';
    rows = (await h.app.service.getReviewState(teamsActor, { reviewId })).polls.map((p) => p.rowId);
    const [r1, r2] = rows as [string, string];
    const tooLong = await teams(
      teamsInvoke(TEAMS, people.ann, 'vote', { reviewId, rowId: r1, choice: 4, evidence: TOO_LONG.text }),
    );
    expect(JSON.stringify(tooLong.json)).toMatch(/evidence: must be at most 2000 characters/);
    for (const [who, row, choice] of [
      [people.ann, r1, 4],
      [people.ben, r1, 4],
      [people.ann, r2, 1],
      [people.ben, r2, 4],
    ] as const)
      await teams(
        teamsInvoke(TEAMS, who, 'vote', { reviewId, rowId: row, choice, evidence: HOSTILE.evidence }),
      );
    await teams(teamsInvoke(TEAMS, people.ann, 'refresh', { reviewId, rowId: r1 }));
    expect((await h.app.store.votes.listRound(reviewId, 1)).map((v) => v.evidence)).toEqual(
      Array(4).fill(HOSTILE.evidence),
    );
  });

  test('a 257-character display name gets a clear refusal', async () => {
    const before = connector.calls.length;
    await teams(teamsSay(TEAMS, 'status', { ...people.ann, name: TOO_LONG.name }));
    expect(teamsTexts().slice(-1)[0]).toMatch(/displayName: must be at most 256 characters/);
    expect(connector.calls.length).toBe(before + 1);
  });

  test('status, close, decision, reflection, results, reviews, exports, dashboard and errors', async () => {
    for (const line of [
      'status',
      'close',
      `decide 2 2 "${HOSTILE.note}"`,
      `reflect 1 1 "${HOSTILE.reflection}"`,
      'results',
      'reviews',
      'export csv',
      'export json',
      'export md',
      'frobnicate <!channel> <https://evil.example|Login>',
      `review start "${TOO_LONG.cycle}"`,
    ])
      await teams(teamsSay(TEAMS, line, line.startsWith('reflect') ? people.ann : people.casey));
    // A Teams message is one line of words: the tab in the typed note arrives as a space.
    expect((await h.app.store.reviews.get(reviewId))?.polls[1]?.outcome?.note).toBe(oneLine(HOSTILE.note));
    expect(teamsTexts().some((t) => /cycle: must be at most 60 characters/.test(t))).toBe(true);
    await teams(teamsSay(TEAMS, 'dashboard', people.casey));
    const link = linkIn(teamsTexts().at(-1) ?? '');
    expect(link).not.toBe('');
    pages.push({ what: 'Teams district dashboard', html: await fetchText(link) });
    for (const format of ['csv', 'json', 'md'] as const) {
      const url = link.replace(
        '/dashboard?',
        `/dashboard/reviews/${encodeURIComponent(reviewId)}/export.${format}?`,
      );
      files.push({ what: `Teams (dashboard link) export ${format}`, format, content: await fetchText(url) });
    }
  });
});

describe('building teams: nudges, digests, escalations and the monitoring-data form, in both channels', () => {
  test('hostile building names and form text through the real runner and both forms', async () => {
    await slackCommandAnswered(`building add "${HOSTILE.building}" <#CB1|oak> <@UB1>`);
    await slackCommandAnswered('schedule add "every weekday at 9:00" escalate=1');
    await teams(teamsBotAdded({ ...TEAMS, channel: BUILDING_CHANNEL }, people.casey));
    await teams(teamsSay(TEAMS, `building add "${HOSTILE.building}" ${BUILDING_CHANNEL}`, people.casey));
    await teams(teamsSay(TEAMS, 'schedule add "every weekday at 9:00" escalate=1', people.casey));
    // Tuesday's round nudges both buildings; Wednesday's escalates them (one missed nudge).
    for (const at of ['2026-11-24T14:00:00Z', '2026-11-25T14:00:00Z']) {
      clock.t = new Date(at);
      await h.app.nudges.tick(clock.now());
      await h.app.teams.idle();
    }
    // The first post in the building channel is the welcome at registration; the nudge has the form button.
    const nudge = fake
      .of('chat.postMessage')
      .find(
        (c) => c.args.channel === 'CB1' && JSON.stringify(c.args.blocks ?? []).includes(NUDGE_ACTION.open),
      )?.args.blocks as Array<{
      elements?: Array<{ action_id?: string; value?: string }>;
    }>;
    const open = nudge?.flatMap((b) => b.elements ?? []).find((e) => e.action_id === NUDGE_ACTION.open);
    expect(open?.value).toBeDefined();
    await h.slack.payload(
      voteClick({
        user: 'UB1',
        name: HOSTILE.name,
        channel: 'CB1',
        actionId: NUDGE_ACTION.open,
        value: open?.value ?? '',
      }),
    );
    await waitFor(() =>
      fake.of('views.open').some((c) => JSON.stringify(c.args.view).includes(NUDGE_ACTION.modal)),
    );
    const modal = fake.of('views.open').at(-1)?.args.view as Record<string, unknown>;
    const form = {
      strategy: HOSTILE.form.slice(0, 200),
      implementationMeasure: HOSTILE.form.slice(0, 500),
      fidelityPercent: '72',
      impactMeasure: HOSTILE.form.slice(0, 500),
      impactValue: '58',
      interimTarget: '60',
      meaning: HOSTILE.form,
      recommendations: HOSTILE.form,
    };
    const submit = async (values: Record<string, string>) => {
      const r = await h.slack.payload({
        type: 'view_submission',
        team: { id: 'T1' },
        user: { id: 'UB1', name: HOSTILE.name, team_id: 'T1' },
        api_app_id: 'A1',
        view: {
          ...modal,
          id: 'V2',
          state: {
            values: Object.fromEntries(
              Object.entries(values).map(([k, v]) => [k, { value: { type: 'plain_text_input', value: v } }]),
            ),
          },
        },
      });
      const answer = JSON.parse(r.body) as unknown;
      slackAnswers.push(answer);
      return answer;
    };
    expect(await submit({ ...form, meaning: TOO_LONG.text })).toMatchObject({
      response_action: 'errors',
      errors: { meaning: expect.stringMatching(/at most 3000/) },
    });
    expect(await submit(form)).toMatchObject({ response_action: 'update' });
    await slackCommandAnswered('submissions');
    // Snoozes: the answer names the building; someone outside its team is refused, and the refusal names it too.
    for (const user of ['UB1', 'UB9'])
      await h.slack.payload(
        voteClick({
          user,
          name: HOSTILE.name,
          channel: 'CB1',
          actionId: NUDGE_ACTION.snooze1d,
          value: open?.value ?? '',
          responseUrl: fake.responseUrl(user),
        }),
      );
    await waitFor(() => fake.responsesTo('UB1').length === 1 && fake.responsesTo('UB9').length === 1);
    expect(String(fake.responsesTo('UB1')[0]?.args.text)).toMatch(/^Snoozed: -2\+3☣ &lt;!channel&gt;/);
    expect(String(fake.responsesTo('UB9')[0]?.args.text)).toMatch(
      /^Only members of this building team \(or a district coordinator\) can save/,
    );

    const card = cardsOf(connector.calls).find((c) => JSON.stringify(c).includes('nudge.open'));
    const data = JSON.stringify(card).match(/"verb":"nudge\.open"[^}]*"data":(\{[^}]*\})/)?.[1] ?? '{}';
    const ref = JSON.parse(data) as Record<string, string>;
    const member = { ...people.ann, id: '29:bea', aadObjectId: 'aad-bea' };
    const place = { ...TEAMS, channel: BUILDING_CHANNEL };
    await teams(teamsInvoke(place, member, 'nudge.open', ref));
    const tooLong = await teams(
      teamsInvoke(place, member, 'submission.save', { ...ref, version: 0, ...form, meaning: TOO_LONG.text }),
    );
    expect(JSON.stringify(tooLong.json)).toMatch(/at most 3000/);
    await teams(teamsInvoke(place, member, 'submission.save', { ...ref, version: 0, ...form }));
    await teams(teamsInvoke(place, member, 'nudge.snooze', { ...ref, length: '1d' }));
    await teams(teamsSay(TEAMS, 'submissions', people.casey));
    const districtPosts = fake.of('chat.postMessage').filter((c) => c.args.channel === 'C1');
    expect(districtPosts.some((c) => /^Monitoring data/.test(String(c.args.text)))).toBe(true);
    expect(districtPosts.some((c) => /^Escalation/.test(String(c.args.text)))).toBe(true);
    expect(JSON.stringify(cardsOf(connector.calls))).toMatch(/Escalation/);
  });
});

describe('the console (local demo district)', () => {
  test('hostile commands; replies are plain text for textContent, cards keep user text out of markdown', async () => {
    const consoleApi = `${base}/console/api`;
    const post = (path: string, body: unknown) =>
      fetch(`${consoleApi}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    await fetch(`${consoleApi}/state?as=demo-coordinator`);
    // One open review per rubric (issue 15): the demo's own review is cancelled first, with a hostile reason.
    const cancelled = await post('/command', {
      as: 'demo-coordinator',
      line: `review cancel "Demo cycle 1" "${HOSTILE.district}"`,
    });
    expect(cancelled.json.text).toContain(MARK);
    expect(cardsIn(cancelled.json).flatMap(cardLeaks)).toEqual([]);
    const started = await post('/command', {
      as: 'demo-coordinator',
      line: `review start "${HOSTILE.cycle}"`,
    });
    expect(started.json.text).toContain(HOSTILE.cycle); // plain text: the page sets it with textContent
    const state = (await (await fetch(`${consoleApi}/state?as=demo-alex`)).json()) as {
      review: { reviewId: string };
      polls: Array<{ rowId: string }>;
    };
    const rowId = state.polls[0]?.rowId as string;
    await post('/action', {
      as: 'demo-alex',
      verb: 'vote',
      data: { reviewId: state.review.reviewId, rowId, choice: 4, evidence: HOSTILE.evidence },
    });
    const after = (await (await fetch(`${consoleApi}/state?as=demo-alex`)).json()) as Record<string, unknown>;
    const cards = cardsIn(after);
    expect(cards.filter((c) => JSON.stringify(c).includes(MARK)).length).toBeGreaterThan(0);
    expect(cards.flatMap(cardLeaks)).toEqual([]);
    teamsAnswers.push(after);
  });
});

describe('what came out: 0 live mentions, links or markup from user text', () => {
  test('Slack: every message, block, modal and file comment', () => {
    const payloads = [...fake.calls.filter((c) => c.method !== 'upload').map((c) => c.args), ...slackAnswers];
    const texts = payloads.flatMap(slackTexts);
    expect(texts.filter((t) => t.includes(MARK)).length).toBeGreaterThan(20);
    expect(texts.flatMap(slackLeaks)).toEqual([]);
  });

  test('Teams: every message and every card (posted, updated, answered to a click); all cards validate', () => {
    const texts = teamsTexts();
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.flatMap(teamsTextLeaks)).toEqual([]);
    const cards = [...cardsOf(connector.calls), ...teamsAnswers.flatMap(cardsIn)];
    expect(cards.length).toBeGreaterThan(20);
    expect(cards.filter((c) => JSON.stringify(c).includes(MARK)).length).toBeGreaterThan(10);
    expect(cards.flatMap(cardLeaks)).toEqual([]);
  });

  test('HTML: the dashboards and results page show user text only escaped', () => {
    expect(pages).toHaveLength(3);
    for (const p of pages) {
      expect({ page: p.what, leaks: htmlLeaks(p.html) }).toEqual({ page: p.what, leaks: [] });
      expect(p.html).toContain('&lt;!channel&gt;');
    }
    expect(pages[1]?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('exports: no formula in any CSV cell, Markdown shows text as written, JSON keeps every value whole', () => {
    expect(files).toHaveLength(6);
    for (const f of files) {
      const leaks =
        f.format === 'csv' ? csvLeaks(f.content) : f.format === 'md' ? markdownLeaks(f.content) : [];
      expect({ file: f.what, leaks }).toEqual({ file: f.what, leaks: [] });
      if (f.format === 'json') {
        const json = JSON.parse(f.content) as {
          rows: Array<{ how: { note?: string } | null; evidence: Array<{ text: string; by: string }> }>;
        };
        expect(oneLine(json.rows[1]?.how?.note ?? '')).toBe(oneLine(HOSTILE.note));
        expect(json.rows[0]?.evidence.map((e) => e.text)).toContain(HOSTILE.evidence);
        expect(json.rows[0]?.evidence.map((e) => e.by)).toContain(HOSTILE.name);
      }
    }
  });
});

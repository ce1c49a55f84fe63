import { ACTIVITY1_ACTION } from '../src/adapters/slack/activity1Blocks';
import { REASON_MAX } from '../src/domain/activity1';
import { cardLeaks, HOSTILE, MARK, slackLeaks, slackTexts, teamsTextLeaks } from './security/corpus';
import { type SlackHarness, startSlackHarness, waitFor } from './slack/harness';
import { voteClick } from './slack/signedClient';
import { TestClock } from './support/fixtures';
import {
  cardsOf,
  postActivity,
  type TeamsPlace,
  type TeamsUser,
  teamsBotAdded,
  teamsInvoke,
  teamsSay,
} from './teams/support/activities';
import { FakeConnector } from './teams/support/fakeConnector';

/**
 * Activity 1 in both chats, through the real app: Slack over signed HTTP (the message's outcome buttons, the "why"
 * modal, field errors, results, `review start`), Teams over /api/messages (the card's Action.Execute with the
 * ChoiceSet and text input). Reasons and names are hostile text: nothing of them may come out live.
 */
const dbName = `micip_activity1_${process.pid}`;
const SECRET = 'test-signing-secret-activity1-0123';
const clock = new TestClock(new Date('2026-11-24T13:00:00Z'));
/** A reason at the limit, full of mentions, links, markup and formulas (marked ☣). */
const REASON = HOSTILE.evidence.slice(0, REASON_MAX);

let h: SlackHarness;
let connector: FakeConnector;
let teamsUrl = '';
const TEAMS: TeamsPlace = {
  serviceUrl: '',
  tenant: 'tenant-a1',
  channel: '19:district@thread.tacv2',
  bot: { id: '28:micip-bot', name: 'MICIP' },
};
const people: Record<'casey' | 'ann' | 'ben', TeamsUser> = {
  casey: { id: '29:casey', name: 'Casey Coordinator', aadObjectId: 'aad-casey' },
  ann: { id: '29:ann', name: HOSTILE.name, aadObjectId: 'aad-ann' },
  ben: { id: '29:ben', name: HOSTILE.otherName, aadObjectId: 'aad-ben' },
};

beforeAll(async () => {
  connector = await new FakeConnector().start();
  TEAMS.serviceUrl = connector.url;
  h = await startSlackHarness(
    dbName,
    SECRET,
    { TEAMS_SERVICE_URLS: connector.url, TEAMS_LOCAL_NO_AUTH: 'true', NUDGES: 'off' },
    {},
    { clock },
  );
  teamsUrl = `${h.app.url.replace('//localhost:', '//127.0.0.1:')}/api/messages`;
});

afterAll(async () => {
  await h?.stop();
  await connector?.stop();
});

const ephemeralsTo = (user: string) => h.fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
async function slackCommand(text: string, user = 'U_COORD') {
  const before = ephemeralsTo(user).length;
  const posts = h.fake.of('chat.postMessage').length;
  await h.slack.command({ text, user_id: user });
  await waitFor(() => ephemeralsTo(user).length > before || h.fake.of('chat.postMessage').length > posts);
}
const blocksOf = (args: Record<string, unknown>) =>
  (typeof args.blocks === 'string' ? JSON.parse(args.blocks) : args.blocks) as Array<Record<string, unknown>>;
const leaksIn = (payload: unknown) => slackTexts(payload).flatMap(slackLeaks);

describe('Slack', () => {
  let modal: { callback_id: string; private_metadata: string } = { callback_id: '', private_metadata: '' };
  const submit = (reason: string, user = 'U_ANN') =>
    h.slack.payload({
      type: 'view_submission',
      team: { id: 'T1', domain: 'lakeview' },
      user: { id: user, username: 'ann', name: HOSTILE.name, team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trig.submit',
      view: {
        ...modal,
        id: 'V1',
        team_id: 'T1',
        state: { values: { reason: { text: { type: 'plain_text_input', value: reason } } } },
      },
    });

  test('a coordinator posts Activity 1 in the channel: Section One, the steps, a button per learner outcome', async () => {
    await slackCommand('setup "Lakeview Schools"');
    await slackCommand('activity1', 'U_MEMBER');
    expect(String(ephemeralsTo('U_MEMBER').at(-1)?.args.text)).toMatch(/Only a coordinator/);
    await slackCommand('activity1');
    const post = h.fake.of('chat.postMessage').at(-1);
    expect(post?.args.channel).toBe('C1');
    const blocks = blocksOf(post?.args ?? {});
    expect(JSON.stringify(blocks)).toContain('inconsistent monitoring practices');
    const buttons = blocks.flatMap((b) =>
      b.accessory ? [b.accessory as { action_id: string; value: string }] : [],
    );
    expect(buttons.map((b) => b.action_id)).toEqual([1, 2, 3].map((n) => `${ACTIVITY1_ACTION.pick}_${n}`));

    // A click on outcome 2 opens the "why" modal at once.
    const click = await h.slack.payload({
      ...voteClick({
        user: 'U_ANN',
        name: HOSTILE.name,
        actionId: buttons[1]?.action_id ?? '',
        value: buttons[1]?.value ?? '',
      }),
      message: { ts: '1.0', blocks },
    });
    expect(click.status).toBe(200);
    await waitFor(() => h.fake.of('views.open').length === 1);
    const view = h.fake.of('views.open')[0]?.args.view;
    modal = (typeof view === 'string' ? JSON.parse(view) : view) as typeof modal;
    expect(modal.callback_id).toBe(ACTIVITY1_ACTION.modal);
    expect(JSON.stringify(view)).toContain('Understand the balance of the function');
  });

  test('the modal refuses an empty or too-long reason as a field error, and saves a hostile one escaped', async () => {
    const empty = await submit('   ');
    expect(JSON.parse(empty.body)).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/Say why/) },
    });
    const long = await submit('x'.repeat(REASON_MAX + 1));
    expect(JSON.parse(long.body).errors.reason).toMatch(/1000 characters/);
    const ok = await submit(REASON);
    const answer = JSON.parse(ok.body) as { response_action: string; view: unknown };
    expect(answer.response_action).toBe('update');
    expect(JSON.stringify(answer.view)).toContain(MARK);
    expect(leaksIn(answer.view)).toEqual([]);
    expect(JSON.stringify(answer.view)).toMatch(/2\..*— \*1\*/);
  });

  test('`activity1 results` and `review start` show the spread; names and reasons stay text', async () => {
    await slackCommand('activity1 results', 'U_BEN');
    const results = ephemeralsTo('U_BEN').at(-1)?.args ?? {};
    const text = JSON.stringify(results);
    expect(text).toContain('outcome 1: *0* · outcome 2: *1* · outcome 3: *0* (1 person)');
    expect(text).toContain(MARK);
    expect(leaksIn(results)).toEqual([]);
    await slackCommand('review start "2026-27 Fall"');
    const started = h.fake.of('chat.postMessage').find((p) => String(p.args.text).includes('2026-27 Fall'));
    expect(String(started?.args.text)).toMatch(
      /Before round 1 — Activity 1.*outcome 2: \*1\*.*most chose outcome 2/,
    );
  });
});

describe('Teams', () => {
  let activityId = '';
  const teams = async (activity: unknown) => {
    const r = await postActivity(teamsUrl, activity);
    await h.app.teams.idle();
    return r;
  };
  const invokeCard = (r: { json: Record<string, unknown> | null }) =>
    (r.json as { value?: Record<string, unknown> } | null)?.value ?? {};

  test('the card is posted; a pick with a hostile reason answers with the refreshed card, text as text runs', async () => {
    await teams(teamsBotAdded(TEAMS, people.casey));
    await teams(teamsSay(TEAMS, 'setup "Lakeview Teams"', people.casey));
    connector.clear();
    await teams(teamsSay(TEAMS, 'activity1', people.casey));
    const card = cardsOf(connector.calls).at(-1) ?? {};
    expect(cardLeaks(card)).toEqual([]);
    const json = JSON.stringify(card);
    expect(json).toContain('"type":"Input.ChoiceSet"');
    activityId =
      /"verb":"activity1","associatedInputs":"auto","data":\{"activityId":"([^"]+)"/.exec(json)?.[1] ?? '';
    expect(activityId).not.toBe('');

    const r = await teams(
      teamsInvoke(TEAMS, people.ann, 'activity1', { activityId, outcome: '3', reason: REASON }),
    );
    expect(r.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const answered = invokeCard(r);
    expect(cardLeaks(answered)).toEqual([]);
    expect(JSON.stringify(answered)).toContain(MARK);
    expect(JSON.stringify(answered)).toContain('3. Identify the status of the district');
    expect(JSON.stringify(answered)).toMatch(/— 1"/);
  });

  test('an empty reason comes back on the card with the refusal, keeping what was picked; nothing is saved', async () => {
    const r = await teams(
      teamsInvoke(TEAMS, people.ben, 'activity1', { activityId, outcome: '1', reason: '' }),
    );
    const card = JSON.stringify(invokeCard(r));
    expect(card).toMatch(/Say why this outcome resonates/);
    expect(card).toMatch(/"id":"outcome"[^}]*"value":"1"/);
    const view = await h.app.teams
      .idle()
      .then(() => postActivity(teamsUrl, teamsInvoke(TEAMS, people.ben, 'activity1-view', { activityId })));
    expect(JSON.stringify(invokeCard(view))).toContain('(1 person)');
  });

  test('a click from another tenant is refused and writes nothing', async () => {
    const r = await teams(
      teamsInvoke({ ...TEAMS, tenant: 'tenant-evil' }, people.ben, 'activity1', {
        activityId,
        outcome: '1',
        reason: 'x',
      }),
    );
    expect(r.json).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(JSON.stringify(r.json)).toMatch(/does not belong to this channel's district/);
    // Only Ann's pick is stored: Ben's empty reason and the other tenant's click wrote nothing.
    expect((await h.app.store.activity1.listPicks(activityId)).map((p) => [p.memberId, p.outcome])).toEqual([
      ['aad-ann', 3],
    ]);
  });

  test('`activity1 results` in the channel: names and reasons as escaped Teams text', async () => {
    connector.clear();
    await teams(teamsSay(TEAMS, 'activity1 results', people.casey));
    const text = connector.calls.map((c) => String(c.body.text ?? '')).join('\n');
    expect(text).toContain('outcome 3:');
    expect(text).toContain(MARK);
    expect(teamsTextLeaks(text)).toEqual([]);
  });
});

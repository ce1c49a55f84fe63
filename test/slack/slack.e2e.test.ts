import { ACTION, LIMITS } from '../../src/adapters/slack/blocks';
import { POLL_MESSAGES_NS } from '../../src/adapters/slack/slackApp';
import { DomainError } from '../../src/domain/errors';
import type { App } from '../../src/main';
import type { FakeSlack } from './fakeSlack';
import { type SlackHarness, startSlackHarness, waitFor } from './harness';
import { type SignedClient, voteClick } from './signedClient';

const dbName = `micip_slack_e2e_${process.pid}`;
const SECRET = 'test-signing-secret-0123456789';

let fake: FakeSlack;
let app: App;
let slack: SignedClient;

type Block = {
  type: string;
  text?: { text: string };
  accessory?: { value: string; action_id: string };
  elements?: Array<{ value?: string; action_id?: string; text?: unknown }>;
};

const ephemeralsTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.args.user === user);
const lastEphemeralText = (user: string) => String(ephemeralsTo(user).at(-1)?.args.text ?? '');

let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness(dbName, SECRET, {}, { tiers: true });
  ({ fake, app, slack } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

let reviewId = '';
const rowIds: string[] = [];
const pollTs = new Map<string, string>();

describe('Slack adapter end to end (signed HTTP requests, fake Slack Web API)', () => {
  test('help in a channel that is not set up explains how to start, fast', async () => {
    const r = await slack.command({ text: 'help', user_id: 'U5', user_name: 'pat' });
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(1000);
    await waitFor(() => ephemeralsTo('U5').length === 1);
    expect(lastEphemeralText('U5')).toMatch(/not set up yet/);
  });

  test('setup makes the caller coordinator; help shows coordinator commands only to coordinators', async () => {
    await slack.command({ text: 'setup "Lakeview Schools"' });
    await waitFor(() => /now the district team of \*Lakeview Schools\*/.test(lastEphemeralText('U_COORD')));
    await slack.command({ text: 'help' });
    await waitFor(() => /you are a coordinator/.test(lastEphemeralText('U_COORD')));
    expect(lastEphemeralText('U_COORD')).toMatch(/review start/);
    await slack.command({ text: 'help', user_id: 'U5', user_name: 'pat' });
    await waitFor(() => ephemeralsTo('U5').length === 2);
    expect(lastEphemeralText('U5')).not.toMatch(/review start/);
    expect(lastEphemeralText('U5')).toMatch(/Coordinator commands are hidden/);
  });

  test('non-coordinators get a polite refusal; malformed arguments get usage text, never a stack trace', async () => {
    await slack.command({ text: 'review start "2026-27 Fall"', user_id: 'U5', user_name: 'pat' });
    await waitFor(() => ephemeralsTo('U5').length === 3);
    expect(lastEphemeralText('U5')).toMatch(
      /Only a coordinator of this district can start, close or decide reviews/,
    );
    await slack.command({ text: 'review start' });
    await waitFor(() => /Usage: review start/.test(lastEphemeralText('U_COORD')));
    await slack.command({ text: 'review start "Fall" threshold=lots' });
    await waitFor(() => /"threshold" must be a number/.test(lastEphemeralText('U_COORD')));
    await slack.command({ text: 'frobnicate now' });
    await waitFor(() => /don't know the command "frobnicate"/.test(lastEphemeralText('U_COORD')));
    await slack.command({ text: 'coordinator add nobody' });
    await waitFor(() => /Usage: coordinator add\|remove/.test(lastEphemeralText('U_COORD')));
    for (const c of fake.of('chat.postEphemeral'))
      expect(String(c.args.text)).not.toMatch(/at .*\.ts:\d+|Error:/);
    expect(fake.of('chat.postMessage')).toHaveLength(0);
  });

  test('review start posts one poll per rubric row, levels from Accomplished down to Beginning', async () => {
    await slack.command({ text: 'review start "2026-27 Fall" quorum=2' });
    // Posted at Slack's pace for one channel (about one a second).
    await waitFor(() => fake.of('chat.postMessage').length === 7, 15_000);
    const [announce, ...polls] = fake.of('chat.postMessage');
    expect(String(announce?.args.text)).toMatch(/Review \*2026-27 Fall\* started: 6 polls/);
    expect(polls).toHaveLength(6);
    for (const p of polls) {
      const blocks = p.args.blocks as Block[];
      expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      const levelSections = blocks.filter((b) => b.accessory?.action_id?.startsWith(ACTION.vote));
      expect(levelSections.map((b) => b.accessory?.action_id)).toEqual([
        `${ACTION.vote}_4`,
        `${ACTION.vote}_3`,
        `${ACTION.vote}_2`,
        `${ACTION.vote}_1`,
      ]);
      expect(levelSections[0]?.text?.text).toMatch(/^\*Accomplished \(Collaborative\)\*/);
      expect(levelSections[3]?.text?.text).toMatch(/^\*Beginning \(Individualistic\)\*/);
      const actions = blocks.find((b) => b.type === 'actions');
      expect(actions?.elements?.map((e) => e.action_id)).toEqual([`${ACTION.vote}_unsure`, ACTION.evidence]);
      const value = levelSections[0]?.accessory?.value ?? '';
      const [rid, row] = value.split('|');
      reviewId = rid ?? '';
      rowIds.push(row ?? '');
      expect(JSON.stringify(blocks)).toMatch(/0 of 1\* have voted/);
    }
    // Each message's ts is stored once chat.postMessage has answered: wait for the last one to be kept.
    await waitFor(async () => (await app.store.kv.list(POLL_MESSAGES_NS)).length >= 6);
    const stored = await app.store.kv.list<{ ts: string }>(POLL_MESSAGES_NS);
    for (const s of stored) pollTs.set(s.key.split('|')[1] ?? '', s.value.ts);
    expect(pollTs.size).toBe(6);
  });

  test('a vote is acknowledged at once, confirmed to the voter only, and the poll message is updated', async () => {
    const row = rowIds[0] as string;
    const r = await slack.payload(
      voteClick({ user: 'U1', name: 'alex', actionId: `${ACTION.vote}_3`, value: `${reviewId}|${row}` }),
    );
    expect(r.status).toBe(200);
    await waitFor(() => ephemeralsTo('U1').length === 1);
    expect(lastEphemeralText('U1')).toMatch(/recorded: \*Evolving\*/);
    await waitFor(() => fake.of('chat.update').some((c) => c.args.ts === pollTs.get(row)));
    const upd = fake
      .of('chat.update')
      .filter((c) => c.args.ts === pollTs.get(row))
      .at(-1);
    expect(JSON.stringify(upd?.args.blocks)).toMatch(/1 of 2\* has voted/);
    expect(JSON.stringify(upd?.args.blocks)).toMatch(/Evolving \*1\*/); // not blind: distribution shown
    const vote = await app.store.votes.get(reviewId, row, 1, 'U1');
    expect(vote?.choice).toBe(3);
  });

  test('status carries a "Show results" button; clicking it runs results for whoever clicked', async () => {
    const before = ephemeralsTo('U_COORD').length;
    await slack.command({ text: 'status' });
    await waitFor(() => ephemeralsTo('U_COORD').length > before);
    const blocks = ephemeralsTo('U_COORD').at(-1)?.args.blocks as Block[];
    const button = blocks.find((b) => b.type === 'actions')?.elements?.[0];
    expect(button).toMatchObject({ action_id: 'micip_msg:command:0', value: `results ${reviewId}` });
    const r = await slack.payload(
      voteClick({
        user: 'U_VIEWER',
        name: 'vi',
        actionId: button?.action_id ?? '',
        value: button?.value ?? '',
      }),
    );
    expect(r.status).toBe(200);
    await waitFor(() => ephemeralsTo('U_VIEWER').length > 0);
    const answer = ephemeralsTo('U_VIEWER').at(-1);
    expect(String(answer?.args.text)).toMatch(/^Results of \*2026-27 Fall\*/);
    // The results table as aligned monospace columns (a preformatted rich-text element).
    expect(JSON.stringify(answer?.args.blocks ?? [])).toContain('"type":"rich_text_preformatted"');
  });

  test('a Slack retry (same body, x-slack-retry-num) is acknowledged and not processed twice', async () => {
    const row = rowIds[1] as string;
    const click = voteClick({ user: 'U2', actionId: `${ACTION.vote}_4`, value: `${reviewId}|${row}` });
    const body = `payload=${encodeURIComponent(JSON.stringify(click))}`;
    expect((await slack.raw(body)).status).toBe(200);
    expect((await slack.raw(body, { retryNum: 1 })).status).toBe(200);
    expect((await slack.raw(body, { retryNum: 2 })).status).toBe(200);
    await waitFor(() => ephemeralsTo('U2').length >= 1);
    await app.slack?.updater.idle();
    expect(ephemeralsTo('U2')).toHaveLength(1);
    expect((await app.store.votes.listRow(reviewId, row, 1)).filter((v) => v.memberId === 'U2')).toHaveLength(
      1,
    );
  });

  test('fast votes are coalesced: at most one chat.update per message per second, final state drawn', async () => {
    const row = rowIds[2] as string;
    const ts = pollTs.get(row);
    const clicks = Array.from({ length: 30 }, (_, i) =>
      slack.payload(
        voteClick({ user: `UV${i}`, actionId: `${ACTION.vote}_${(i % 4) + 1}`, value: `${reviewId}|${row}` }),
      ),
    );
    // Double clicks of the same member: one vote.
    clicks.push(
      slack.payload(voteClick({ user: 'UV0', actionId: `${ACTION.vote}_1`, value: `${reviewId}|${row}` })),
    );
    const results = await Promise.all(clicks);
    expect(results.every((r) => r.status === 200)).toBe(true);
    await waitFor(async () => (await app.store.votes.listRow(reviewId, row, 1)).length === 30);
    await waitFor(() => ephemeralsTo('UV29').length === 1);
    expect(ephemeralsTo('UV0')).toHaveLength(1); // its double click: one confirmation
    await new Promise((r) => setTimeout(r, 50));
    expect(await app.slack?.updater.idle()).toBe(true);
    const updates = fake.of('chat.update').filter((c) => c.args.ts === ts);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThan(10);
    for (let i = 1; i < updates.length; i++) {
      expect((updates[i]?.at ?? 0) - (updates[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    }
    const last = JSON.stringify(updates.at(-1)?.args.blocks);
    expect(last).toMatch(/30 of 33\* have voted · not yet: casey, alex, U2/);
  });

  test('a 429 from Slack is retried after its Retry-After and the update still lands', async () => {
    const row = rowIds[3] as string;
    fake.failNext('chat.update', { status: 429, retryAfter: 1 });
    await slack.payload(voteClick({ user: 'U7', actionId: `${ACTION.vote}_2`, value: `${reviewId}|${row}` }));
    await waitFor(
      () => fake.of('chat.update').filter((c) => c.args.ts === pollTs.get(row)).length === 2,
      8000,
    );
    const [first, second] = fake.of('chat.update').filter((c) => c.args.ts === pollTs.get(row));
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  test('an action naming a review of another workspace is refused and writes nothing', async () => {
    const row = rowIds[4] as string;
    await slack.payload(
      voteClick({ team: 'T2', user: 'UX', actionId: `${ACTION.vote}_4`, value: `${reviewId}|${row}` }),
    );
    await waitFor(() => ephemeralsTo('UX').length === 1);
    expect(lastEphemeralText('UX')).toMatch(/does not exist here/);
    expect(await app.store.votes.listRow(reviewId, row, 1)).toHaveLength(0);
    expect(await app.store.members.get('T2', 'x', 'UX')).toBeNull();
  });

  test('forged signatures and timestamps more than five minutes off (either way) are refused', async () => {
    const row = rowIds[4] as string;
    const click = () => voteClick({ user: 'UF', actionId: `${ACTION.vote}_4`, value: `${reviewId}|${row}` });
    expect((await slack.payload(click(), { badSignature: true })).status).toBe(401);
    expect((await slack.payload(click(), { skewSeconds: -301 })).status).toBe(401);
    expect((await slack.payload(click(), { skewSeconds: 301 })).status).toBe(401);
    const unsigned = await fetch(slack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `payload=${encodeURIComponent(JSON.stringify(click()))}`,
    });
    expect(unsigned.status).toBe(401);
    expect((await slack.payload(click(), { skewSeconds: 200 })).status).toBe(200); // within five minutes
    await waitFor(() => ephemeralsTo('UF').length === 1);
    expect(await app.store.votes.listRow(reviewId, row, 1)).toHaveLength(1);
  });

  test('malformed or wrong-shape payloads get a 4xx, write nothing, and the process keeps serving', async () => {
    const row = rowIds[5] as string;
    const good = voteClick({ user: 'UM', actionId: `${ACTION.vote}_4`, value: `${reviewId}|${row}` });
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const bad: Array<[string, string, number?]> = [
      ['payload=null', 'null'],
      ['payload=%5B%5D', 'array'],
      ['payload=42', 'scalar'],
      ['payload=%22text%22', 'string'],
      ['payload=%7Bnot%20json', 'not JSON'],
      [
        `payload=${encodeURIComponent(JSON.stringify({ ...good, actions: [{ ...good.actions[0], value: 123 }] }))}`,
        'value number',
      ],
      [`payload=${encodeURIComponent(JSON.stringify({ ...good, actions: 'vote' }))}`, 'actions string'],
      [`payload=${encodeURIComponent(JSON.stringify({ ...good, user: null }))}`, 'user null'],
      [`payload=${encodeURIComponent(JSON.stringify({ ...good, type: 'message_action' }))}`, 'unknown type'],
      [`payload=${encodeURIComponent(JSON.stringify({ ...good, team: { id: 7 } }))}`, 'team id number'],
      [`payload=${encodeURIComponent(`{"deep":${deep},${JSON.stringify(good).slice(1)}`)}`, 'deep'],
      [
        `payload=${encodeURIComponent(`{"__proto__":{"admin":true},${JSON.stringify(good).slice(1)}`)}`,
        '__proto__',
      ],
      [`payload=${encodeURIComponent(JSON.stringify({ ...good, big: 'x'.repeat(300_000) }))}`, 'huge', 413],
      ['command=%2Fmicip&text=help', 'command without ids'],
      ['__proto__=1&command=%2Fmicip', 'form __proto__'],
      ['hello=world', 'unknown form'],
    ];
    for (const [body, what, status] of bad) {
      const r = await slack.raw(body);
      expect({ what, status: r.status }).toEqual({ what, status: status ?? 400 });
      expect(r.body).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    expect((await slack.raw('{"type":', { contentType: 'application/json' })).status).toBe(400);
    expect((await slack.raw('null', { contentType: 'application/json' })).status).toBe(400);
    expect((await slack.raw('[1,2]', { contentType: 'application/json' })).status).toBe(400);
    expect((await slack.raw('x', { contentType: 'text/plain' })).status).toBe(415);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await app.store.votes.listRow(reviewId, row, 1)).toHaveLength(0);
    expect(ephemeralsTo('UM')).toHaveLength(0);
    // Still serving, and a good vote still works.
    expect((await slack.payload(good)).status).toBe(200);
    await waitFor(() => ephemeralsTo('UM').length === 1);
    expect(await app.store.votes.listRow(reviewId, row, 1)).toHaveLength(1);
  });

  test('URL verification and ssl_check are answered', async () => {
    const r = await slack.event({ type: 'url_verification', challenge: 'abc123', token: 'x' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ challenge: 'abc123' });
    expect((await slack.raw('ssl_check=1&token=x')).status).toBe(200);
  });

  test('add evidence: the button opens a modal, the submission saves it; empty evidence is refused inline', async () => {
    const row = rowIds[0] as string;
    await slack.payload(voteClick({ user: 'U1', actionId: ACTION.evidence, value: `${reviewId}|${row}` }));
    await waitFor(() => fake.of('views.open').length === 1);
    const opened = fake.of('views.open')[0]?.args as {
      trigger_id: string;
      view: { private_metadata: string; callback_id: string };
    };
    expect(opened.trigger_id).toMatch(/^trig\./);
    const submit = (text: string) => ({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: 'U1', name: 'alex', team_id: 'T1' },
      api_app_id: 'A1',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: opened.view.callback_id,
        private_metadata: opened.view.private_metadata,
        state: { values: { evidence: { text: { type: 'plain_text_input', value: text } } } },
      },
    });
    const empty = await slack.payload(submit('   '));
    expect(empty.status).toBe(200);
    expect(JSON.parse(empty.body)).toMatchObject({
      response_action: 'errors',
      errors: { evidence: expect.any(String) },
    });
    const ok = await slack.payload(submit('Our PLC minutes show shared norms in every building.'));
    expect(ok.status).toBe(200);
    await waitFor(() => /evidence on row 1 is saved/.test(lastEphemeralText('U1')));
    const vote = await app.store.votes.get(reviewId, row, 1, 'U1');
    expect(vote).toMatchObject({
      choice: 3,
      evidence: 'Our PLC minutes show shared norms in every building.',
    });
    // The poll's redraw is scheduled with the saved evidence; it waits for the workspace's chat.update budget.
    const lastDraw = () =>
      JSON.stringify(
        fake
          .of('chat.update')
          .filter((c) => c.args.ts === pollTs.get(row))
          .at(-1)?.args.blocks,
      );
    await waitFor(() => /Our PLC minutes/.test(lastDraw()), 20000);
  });

  test('a vote the database cannot take is answered as not done (503): Slack shows the voter it failed', async () => {
    const row = rowIds[1] as string;
    const votes = app.store.votes;
    const put = votes.put.bind(votes);
    votes.put = async () => {
      throw new DomainError('store-unavailable', 'The database is not reachable.');
    };
    try {
      const unavailable = await slack.payload(
        voteClick({ user: 'UD', actionId: `${ACTION.vote}_1`, value: `${reviewId}|${row}` }),
      );
      expect(unavailable.status).toBe(503);
      votes.put = async () => {
        throw new Error('socket hang up');
      };
      const broken = await slack.payload(
        voteClick({ user: 'UD', actionId: `${ACTION.vote}_2`, value: `${reviewId}|${row}` }),
      );
      expect(broken.status).toBe(503);
      // A write slower than the deadline (2 s) is not acknowledged either, even if it lands later.
      votes.put = async (v) => {
        await new Promise((r) => setTimeout(r, 2300));
        return put(v);
      };
      const draws = () => fake.of('chat.update').filter((c) => c.args.ts === pollTs.get(row));
      const drawsBefore = draws().length;
      const slow = await slack.payload(
        voteClick({ user: 'UD', actionId: `${ACTION.vote}_3`, value: `${reviewId}|${row}` }),
      );
      expect(slow.status).toBe(503);
      expect(ephemeralsTo('UD')).toHaveLength(0); // nobody was told their vote counted
      // It landed after the 503, so it counts: its member, who saw the click fail, is told it was saved after
      // all, and the poll is redrawn with it.
      await waitFor(() => ephemeralsTo('UD').length === 1, 15000);
      expect(lastEphemeralText('UD')).toMatch(/saved after all.*recorded: \*Evolving\*/s);
      expect((await app.store.votes.get(reviewId, row, 1, 'UD'))?.choice).toBe(3);
      const voted = (await app.store.votes.listRow(reviewId, row, 1)).length;
      await waitFor(() => draws().length > drawsBefore, 20000);
      expect(JSON.stringify(draws().at(-1)?.args.blocks)).toMatch(new RegExp(`\\b${voted} of \\d+\\* ha`));
      // Clicking again once the database answers records the vote.
      votes.put = put;
      await new Promise((r) => setTimeout(r, 400));
      const again = await slack.payload(
        voteClick({ user: 'UD', actionId: `${ACTION.vote}_3`, value: `${reviewId}|${row}` }),
      );
      expect(again.status).toBe(200);
      expect((await app.store.votes.get(reviewId, row, 1, 'UD'))?.choice).toBe(3);
    } finally {
      votes.put = put;
    }
    // The same click again right away, now that the database is back: a retry, not a double click.
    await slack.payload(voteClick({ user: 'UD', actionId: `${ACTION.vote}_2`, value: `${reviewId}|${row}` }));
    // Its own confirmation (the earlier clicks' may still be on their way): the first that names this choice.
    const confirmed = () =>
      ephemeralsTo('UD')
        .map((c) => String(c.args.text))
        .find((t) => /\*Developing\*/.test(t));
    await waitFor(() => confirmed() !== undefined, 15000);
    expect(confirmed()).toMatch(/is recorded: \*Developing\*/);
    expect(confirmed()).not.toMatch(/not\* recorded|after all/);
    // One confirmation per stored click and none for the refused ones: the late one, the click again, this one
    // (all three come, and half a second on, no fourth).
    await waitFor(() => ephemeralsTo('UD').length >= 3, 15000);
    await new Promise((r) => setTimeout(r, 500));
    expect(ephemeralsTo('UD')).toHaveLength(3);
    expect(fake.limited).toHaveLength(0); // Slack's published tiers are enforced in this file: none was exceeded
    expect((await app.store.votes.get(reviewId, row, 1, 'UD'))?.choice).toBe(2);
  });

  test('a double click is one vote and one confirmation; a change of mind is a new vote', async () => {
    const row = rowIds[5] as string;
    const click = (choice: number) =>
      slack.payload(
        voteClick({ user: 'UDC', actionId: `${ACTION.vote}_${choice}`, value: `${reviewId}|${row}` }),
      );
    const [a, b] = await Promise.all([click(3), click(3)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await waitFor(() => ephemeralsTo('UDC').length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(ephemeralsTo('UDC')).toHaveLength(1);
    await click(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(ephemeralsTo('UDC')).toHaveLength(1);
    await click(4);
    await waitFor(() => ephemeralsTo('UDC').length === 2);
    expect((await app.store.votes.get(reviewId, row, 1, 'UDC'))?.choice).toBe(4);
  });

  test('App Home shows the district, the open review and the rows the caller has not voted on', async () => {
    const r = await slack.event({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event_id: 'Ev1',
      event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.0' },
    });
    expect(r.status).toBe(200);
    await waitFor(() => fake.of('views.publish').length === 1);
    const view = fake.of('views.publish')[0]?.args as { user_id: string; view: { blocks: Block[] } };
    expect(view.user_id).toBe('U1');
    const text = JSON.stringify(view.view.blocks);
    expect(text).toMatch(/Lakeview Schools/);
    expect(text).toMatch(/2026-27 Fall/);
    expect(text).toMatch(/you have not voted on/);
    expect(text).not.toMatch(/1\. Vision/); // U1 voted on row 1
    expect(text).toMatch(/2\. /);
  });

  test('closing the round redraws every poll with its result; the channel hears about it', async () => {
    const before = fake.of('chat.update').length;
    await slack.command({ text: 'close' });
    await waitFor(() => fake.of('chat.postMessage').some((c) => /Round 1 closed/.test(String(c.args.text))));
    // The redraws are scheduled once the announcement's post has been answered (not when the fake received it), and
    // then wait for the workspace's chat.update budget (6 at once, then 44 a minute): wait for the last state of
    // each of the 6 messages, not for the updater to look idle.
    const drawn = () =>
      new Map(
        fake
          .of('chat.update')
          .slice(before)
          .map((c) => [c.args.ts as string, JSON.stringify(c.args.blocks)]),
      );
    const closed = () => [...drawn().values()].filter((b) => !/micip_vote_/.test(b)).length; // no vote buttons
    await waitFor(() => closed() === 6, 30000);
    expect(await app.slack?.updater.idle()).toBe(true);
    const byTs = drawn();
    expect(byTs.size).toBe(6);
    for (const b of byTs.values()) expect(b).not.toMatch(/micip_vote_/);
    const row1 = byTs.get(pollTs.get(rowIds[1] as string) ?? '');
    expect(row1).toMatch(/No consensus in round 1/);
    // A vote after close is refused and writes nothing.
    await slack.payload(
      voteClick({ user: 'ULATE', actionId: `${ACTION.vote}_4`, value: `${reviewId}|${rowIds[0]}` }),
    );
    await waitFor(() => ephemeralsTo('ULATE').length === 1);
    expect(lastEphemeralText('ULATE')).toMatch(/Voting on this row is closed/);
  });

  test('where the app may not post, the coordinator hears why (via response_url) and `status` posts the polls later', async () => {
    const responseUrl = `${fake.url}response`;
    await slack.command({ channel_id: 'C2', text: 'setup "Hillside Schools"', response_url: responseUrl });
    await waitFor(() =>
      fake.of('chat.postEphemeral').some((c) => /Hillside Schools/.test(String(c.args.text))),
    );
    const posted = fake.of('chat.postMessage').length;
    const notInChannel = { status: 200, body: { ok: false, error: 'not_in_channel' } };
    fake.failNext('chat.postMessage', notInChannel);
    fake.failNext('chat.postEphemeral', notInChannel);
    await slack.command({
      channel_id: 'C2',
      text: 'review start "2026-27 Spring"',
      response_url: responseUrl,
    });
    await waitFor(() => fake.of('response').length === 1);
    expect(String(fake.of('response')[0]?.args.text)).toMatch(
      /could not post the polls in this channel \(not_in_channel\)/,
    );
    expect(fake.of('chat.postMessage')).toHaveLength(posted + 1); // the failed announcement only
    await slack.command({ channel_id: 'C2', text: 'status', response_url: responseUrl });
    await waitFor(() => fake.of('chat.postMessage').length === posted + 7, 15_000);
    const polls = fake.of('chat.postMessage').slice(posted + 1);
    expect(polls.every((c) => c.args.channel === 'C2')).toBe(true);
    // Asking again posts nothing more.
    await slack.command({ channel_id: 'C2', text: 'status', response_url: responseUrl });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.of('chat.postMessage')).toHaveLength(posted + 7);
  });
});

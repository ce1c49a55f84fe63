import type * as http from 'node:http';
import express from 'express';
import { toTeamsMarkdown } from '../../src/adapters/cards/teamsText';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { toMrkdwn } from '../../src/adapters/slack/mrkdwn';
import { mountWeb } from '../../src/adapters/web';
import { LinkSigner, webLinks } from '../../src/adapters/web/links';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import { ResultsService } from '../../src/app/reviews/results';
import type { Actor } from '../../src/app/schemas';
import { plainText, type RichText } from '../../src/app/text';
import { csvLeaks, HOSTILE, htmlLeaks, markdownLeaks, slackLeaks, teamsTextLeaks } from '../security/corpus';
import { counterIds, makeService, rubrics, TestClock } from '../support/fixtures';

/**
 * Practice notes (issue 17): Alpha (Slack-like T1) shares row 1 of its closed review with the co-op network; Beta
 * (Teams-like tenant) is a member district, Gamma is a district outside the network. Who reads the note, under
 * which name, what is never in it (votes, voters, owners), withdrawal, leaving, the export and the network page.
 */

const ROW1 = rubrics.get('culture-of-collaboration')?.rows[0]?.id as string;
const SECRET = 'practice-notes-test-secret-0123456789-abcdef';

const actor = (tenantId: string, userId: string, channelId: string, admin = false): Actor => ({
  tenantId,
  userId,
  displayName: `Person ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => admin,
});

const FAC = actor('T2', 'U_FAC', 'D9', true);
const ALPHA = actor('T1', 'U_ALPHA', 'C1', true);
const ALPHA_MEMBER = actor('T1', 'U_ALPHA_M', 'C1');
const BETA = actor('tenant-b', 'U_BETA', '19:beta@thread.tacv2', true);
const GAMMA = actor('T1', 'U_GAMMA', 'C2', true);
const STRANGER = actor('T1', 'U_STRANGER', 'D1', true);

const EVIDENCE = 'Grade-level PLCs meet <b>weekly</b> & *share* data';
const REFLECTION = 'Time is the barrier <script>alert(1)</script>';
const ACTION = 'Protect a common planning hour';

async function world(texts: { evidence?: string; reflection?: string } = {}) {
  const store = new NedbStore(null);
  await store.init();
  const clock = new TestClock();
  const service = makeService(store, clock);
  const network = new NetworkService({
    store,
    clock,
    rubrics,
    ids: counterIds(),
    newCode: () => 'COOP2345WXYZ',
  });
  const signer = new LinkSigner(SECRET);
  let base = '';
  const links = webLinks({ signer, clock, baseUrl: () => base, linkTtlMs: 86_400_000 });
  const results = new ResultsService({ store, rubrics, clock });
  const commands = new CommandService(service, { results, links, network });
  const reply = async (a: Actor, line: string): Promise<RichText> => {
    const r = await commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
    if (!('text' in r)) throw new Error(`not a text reply: ${JSON.stringify(r)}`);
    return r.text;
  };
  const run = async (a: Actor, line: string) => plainText(await reply(a, line));
  const fails = (a: Actor, line: string) =>
    run(a, line).then(
      (t) => `ok: ${t}`,
      (e: Error) => e.message,
    );
  await run(FAC, 'network create "Michigan CoOp"');
  const alpha = await service.setupDistrict(ALPHA, { name: 'Alpha Schools', channelId: 'C1' });
  await service.setMember(ALPHA, {
    channelId: 'C1',
    memberId: 'U_ALPHA_M',
    displayName: 'Mo Member',
    perspective: 'district',
  });
  await service.setupDistrict(BETA, { name: 'Beta Schools', channelId: BETA.channelId as string });
  await service.setupDistrict(GAMMA, { name: 'Gamma Schools', channelId: 'C2' });
  await run(ALPHA, 'network join COOP-2345-WXYZ');
  await run(BETA, 'network join COOP-2345-WXYZ');
  const review = await service.startReview(ALPHA, {
    channelId: 'C1',
    cycle: '2026-27 Fall',
    maxRounds: 1,
    rule: { minVoters: 3, minShareOfMembers: 0 },
  });
  for (let v = 0; v < 3; v++) {
    await service.castVote(actor('T1', `U_VOTER${v}`, 'C1'), {
      reviewId: review.reviewId,
      rowId: ROW1,
      choice: 2,
      evidence: v === 2 ? 'Vera Voter says we rarely meet' : (texts.evidence ?? EVIDENCE),
    });
  }
  await service.closeRound(ALPHA, { reviewId: review.reviewId });
  await store.reflections.put(review.reviewId, {
    rowId: ROW1,
    question: 2,
    memberId: 'U_VOTER0',
    text: texts.reflection ?? REFLECTION,
    at: clock.now(),
  });
  await store.actions.create({
    id: 'a1',
    tenantId: 'T1',
    districtId: alpha.id,
    reviewId: review.reviewId,
    cycle: '2026-27 Fall',
    rubricId: 'culture-of-collaboration',
    rowId: ROW1,
    text: ACTION,
    ownerId: 'U_OWNER',
    ownerName: 'Olive Owner',
    due: '2027-01-15',
    target: 3,
    source: { kind: 'direct' },
    status: 'open',
    doneBy: null,
    doneAt: null,
    createdBy: 'U_ALPHA',
    createdAt: clock.now(),
  });
  const web = express();
  mountWeb(web, {
    service,
    results,
    commands,
    rubrics,
    signer,
    clock,
    baseUrl: () => base,
    linkTtlMs: 86_400_000,
    console: false,
    network,
    logger: { warn: () => undefined, error: () => undefined },
  });
  const server: http.Server = await new Promise((resolve) => {
    const s = web.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const get = async (url: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };
  return { store, network, run, reply, fails, server, get, links, alpha, reviewId: review.reviewId };
}

type World = Awaited<ReturnType<typeof world>>;
let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(async () => {
  await new Promise((r) => w.server.close(r));
});

const NO_NETWORK = /There is no co-op network here/;

describe('network share', () => {
  test('the reply says exactly what is shared, and nothing of votes, voters or owners', async () => {
    const text = await w.run(ALPHA, 'network share 1');
    expect(text).toContain('2 evidence texts, 1 reflection answer, 1 action');
    expect(text).toContain(`Evidence: ${EVIDENCE}`);
    expect(text).toContain('Evidence: Vera Voter says we rarely meet');
    expect(text).toContain(`What barriers exist to shifting the culture? ${REFLECTION}`);
    expect(text).toContain(`Action (aiming at Evolving): ${ACTION}`);
    expect(text).toContain('from "a district in the network" (your district is not named)');
    for (const secret of ['U_VOTER', 'Person U_VOTER', 'Olive', 'U_OWNER', 'Developing', '2027-01-15']) {
      expect(text).not.toContain(secret);
    }
    // The evidence typed twice is shared once.
    expect(text.split(EVIDENCE).length - 1).toBe(1);
  });

  test('user text is escaped in the Slack and Teams replies', async () => {
    const r = await w.reply(ALPHA, 'network share 1');
    const slack = toMrkdwn(r);
    expect(slack).toContain('&lt;b&gt;weekly&lt;/b&gt; &amp;');
    expect(slack).not.toContain('<script>');
    expect(toTeamsMarkdown(r)).not.toContain('<script>');
  });

  test('only a coordinator of a member district, in its channel, shares; bad input gets a clear error', async () => {
    expect(await w.fails(ALPHA_MEMBER, 'network share 1')).toMatch(/Only a coordinator of this district/);
    expect(await w.fails(GAMMA, 'network share 1')).toMatch(/not in a co-op network/);
    expect(await w.fails(FAC, 'network share 1')).toMatch(/not set up as a district team/);
    expect(await w.fails(ALPHA, 'network share 99')).toMatch(/"99" is not a row of .*from 1 to/);
    expect(await w.fails(ALPHA, 'network share 2')).toMatch(/Row 2 has no evidence.*Nothing was shared/);
    expect(await w.fails(ALPHA, 'network share 1 "2030 Spring"')).toMatch(
      /no review of the cycle "2030 Spring"/,
    );
    expect(await w.fails(ALPHA, 'network share')).toMatch(/Give the row number/);
    expect(await w.fails(ALPHA, 'network unshare 1')).toMatch(/shares no practice note on row 1/);
  });
});

describe('who reads practice notes', () => {
  test('facilitator and member coordinators read it; others and outsiders do not', async () => {
    await w.run(ALPHA, 'network share 1');
    for (const reader of [FAC, BETA, ALPHA]) {
      const view = await w.run(reader, 'network');
      expect(view).toContain('Practice notes shared by member districts:');
      expect(view).toContain(`Evidence: ${EVIDENCE}`);
      expect(view).toContain('from a district in the network:');
      expect(view).not.toContain('Alpha Schools:');
    }
    // A member of the member district reads the network view, but not the notes.
    const memberView = await w.run(ALPHA_MEMBER, 'network');
    expect(memberView).toContain('Michigan CoOp');
    expect(memberView).not.toContain('Practice notes');
    expect(memberView).not.toContain(EVIDENCE);
    // A district outside the network and a stranger read nothing at all.
    expect(await w.fails(GAMMA, 'network')).toMatch(NO_NETWORK);
    expect(await w.fails(STRANGER, 'network')).toMatch(NO_NETWORK);
  });

  test('named only if the district chose to be named', async () => {
    await w.run(ALPHA, 'network share 1');
    await w.run(ALPHA, 'network named on');
    expect(await w.run(BETA, 'network')).toContain('from Alpha Schools:');
    await w.run(ALPHA, 'network named off');
    expect(await w.run(BETA, 'network')).toContain('from a district in the network:');
  });

  test('unshare withdraws it at once: gone from the view and the export', async () => {
    await w.run(ALPHA, 'network share 1');
    const json = async () => {
      const r = await w.network.reports.export(FAC, { format: 'json' });
      return JSON.parse(r.content).networks[0].practiceNotes as Array<{
        evidence: string[];
        sharedBy: string;
      }>;
    };
    expect((await json())[0]?.evidence).toContain(EVIDENCE);
    const csv = (await w.network.reports.export(FAC, { format: 'csv' })).content;
    expect(csv).toContain('network,rubric,cycle,row_number,row_id,row_title,shared_by,kind,text');
    expect(csv).toContain(
      ',a district in the network,action,Protect a common planning hour (aiming at Evolving)',
    );
    expect((await w.network.reports.export(FAC, { format: 'md' })).content).toContain('## Practice notes');
    expect(await w.run(ALPHA, 'network unshare 1')).toContain('Withdrawn from Michigan CoOp');
    for (const reader of [FAC, BETA]) {
      const view = await w.run(reader, 'network');
      expect(view).toContain('Practice notes: none shared yet');
      expect(view).not.toContain(EVIDENCE);
    }
    expect(await json()).toEqual([]);
    expect((await w.network.reports.export(FAC, { format: 'csv' })).content).not.toContain(EVIDENCE);
  });

  test('a district that leaves takes its notes with it', async () => {
    await w.run(ALPHA, 'network share 1');
    await w.run(ALPHA, 'network leave');
    expect(await w.run(BETA, 'network')).not.toContain(EVIDENCE);
    await w.run(ALPHA, 'network join COOP2345WXYZ');
    expect(await w.run(BETA, 'network')).not.toContain(EVIDENCE);
  });

  test('the network page shows notes (escaped) only on a link handed to a reader of notes', async () => {
    await w.run(ALPHA, 'network share 1');
    const withNotes = w.links.network?.('T1', w.alpha.id, { notes: true }).url as string;
    const page = await w.get(withNotes);
    expect(page).toContain('data-testid="practice-notes"');
    expect(page).toContain('Grade-level PLCs meet &lt;b&gt;weekly&lt;/b&gt; &amp; *share* data');
    expect(page).not.toContain('<script>alert(1)');
    const without = await w.get(w.links.network?.('T1', w.alpha.id).url as string);
    expect(without).not.toContain('practice-notes');
    expect(without).not.toContain('PLCs');
    // The `network` reply hands the coordinator a link with notes, and the member one without.
    const linkIn = (text: string) =>
      /(http:\/\/\S+\/dashboard\/network\?k=[A-Za-z0-9_.-]+)/.exec(text)?.[1] as string;
    expect(await w.get(linkIn(await w.run(ALPHA, 'network')))).toContain('practice-notes');
    expect(await w.get(linkIn(await w.run(ALPHA_MEMBER, 'network')))).not.toContain('practice-notes');
  });
});

test('the hostile corpus stays text in the replies (Slack, Teams), the page and the exports', async () => {
  await new Promise((r) => w.server.close(r));
  w = await world({ evidence: HOSTILE.evidence, reflection: HOSTILE.reflection });
  const replies = [await w.reply(ALPHA, 'network share 1'), await w.reply(BETA, 'network')];
  for (const r of replies) {
    expect(slackLeaks(toMrkdwn(r))).toEqual([]);
    expect(teamsTextLeaks(toTeamsMarkdown(r))).toEqual([]);
  }
  expect(plainText(replies[1] as RichText)).toContain(HOSTILE.evidence.slice(0, 40));
  expect(htmlLeaks(await w.get(w.links.network?.('T1', w.alpha.id, { notes: true }).url as string))).toEqual(
    [],
  );
  expect(csvLeaks((await w.network.reports.export(FAC, { format: 'csv' })).content)).toEqual([]);
  expect(markdownLeaks((await w.network.reports.export(FAC, { format: 'md' })).content)).toEqual([]);
});

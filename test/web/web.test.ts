import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateCard } from '../../src/adapters/cards/validate';
import { LinkSigner } from '../../src/adapters/web/links';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { asker } from '../support/fixtures';
import { testLogger } from '../support/logs';

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-web-'));
let app: App;
let base: string;
const signer = new LinkSigner(SECRET);
const sign = (t: string, d: string, inSeconds = 3600) =>
  signer.sign({ t, d, e: Math.floor(Date.now() / 1000) + inSeconds });

async function post(p: string, body: unknown, raw?: string) {
  const res = await fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const get = (p: string) => fetch(`${base}${p}`);

// Two real districts in two tenants, besides the console's demo district.
let lakeview: { tenant: string; districtId: string; reviewId: string };
let other: { tenant: string; districtId: string; reviewId: string };

beforeAll(async () => {
  app = await startApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: tmp,
      WEB_LINK_SECRET: SECRET,
      WEB_CONSOLE: 'on',
    }),
    { logger: testLogger() },
  );
  base = app.url;
  const mk = async (tenant: string, name: string) => {
    const coord = asker(tenant, 'UC', 'C1', 'Coordinator');
    const d = await app.service.setupDistrict(coord, { name, channelId: 'C1' });
    const r = await app.service.startReview(coord, { channelId: 'C1', cycle: '2026-27 Fall' });
    for (let i = 1; i <= 3; i++) {
      await app.service.castVote(asker(tenant, `U${i}`, 'C1', `Person ${i}`), {
        reviewId: r.reviewId,
        rowId: 'vision-mission-beliefs',
        choice: 4,
        evidence: `Proof ${i}`,
      });
    }
    await app.service.closeRound(coord, { reviewId: r.reviewId });
    return { tenant, districtId: d.id, reviewId: r.reviewId };
  };
  lakeview = await mk('slack:T1', 'Lakeview <script>alert(1)</script> Schools');
  other = await mk('teams:tenant-2', 'Other District');
});

afterAll(async () => {
  await app.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('signed dashboard links', () => {
  test('a valid link shows its own district, escaped, and nothing of another', async () => {
    const res = await get(`/dashboard?k=${sign(lakeview.tenant, lakeview.districtId)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('Lakeview &lt;script&gt;alert(1)&lt;/script&gt; Schools');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('Other District');
    expect(html).toContain('data-rating="4"');
    // Building submissions are wired in main: this district has no building teams yet.
    expect(html).toContain('No building teams yet.');
  });

  test('missing, tampered, foreign-secret and expired links are refused', async () => {
    expect((await get('/dashboard')).status).toBe(401);
    const good = sign(lakeview.tenant, lakeview.districtId);
    const [payload, sig] = good.split('.') as [string, string];
    // Point the payload at the other district but keep Lakeview's signature.
    const forged = Buffer.from(
      JSON.stringify({ t: other.tenant, d: other.districtId, e: 9999999999 }),
    ).toString('base64url');
    for (const k of [
      `${forged}.${sig}`,
      `${payload}.${sig.slice(0, -2)}xx`,
      new LinkSigner('another-secret-0123456789-abcdefghijklmnop').sign({
        t: lakeview.tenant,
        d: lakeview.districtId,
        e: 9999999999,
      }),
      sign(lakeview.tenant, lakeview.districtId, -1),
      'not-a-token',
      `${payload}.${sig}.extra`,
    ]) {
      const res = await get(`/dashboard?k=${encodeURIComponent(k)}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/Ask the bot for a new one/);
    }
  });

  test("a district's link cannot open another district's review or export", async () => {
    const k = sign(lakeview.tenant, lakeview.districtId);
    for (const p of [
      `/dashboard/reviews/${other.reviewId}`,
      `/dashboard/reviews/${other.reviewId}/export.csv`,
      `/dashboard/reviews/${other.reviewId}/export.json`,
    ]) {
      const res = await get(`${p}?k=${k}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('Other District');
    }
    // Same district id under another tenant: unknown too.
    const crossTenant = await get(`/dashboard?k=${sign(other.tenant, lakeview.districtId)}`);
    expect(crossTenant.status).toBe(404);
  });

  test('results page and exports of its own review', async () => {
    const k = sign(lakeview.tenant, lakeview.districtId);
    const page = await get(`/dashboard/reviews/${lakeview.reviewId}?k=${k}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Accomplished (Collaborative)');
    expect(html).toContain('Proof 2');
    const csv = await get(`/dashboard/reviews/${lakeview.reviewId}/export.csv?k=${k}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="micip-lakeview-/);
    expect((await csv.text()).split('\r\n')[1]).toContain(',4,Accomplished (Collaborative),consensus,1,');
    const json = await get(`/dashboard/reviews/${lakeview.reviewId}/export.json?k=${k}`);
    expect(((await json.json()) as { rows: Array<{ rating: number }> }).rows[0]?.rating).toBe(4);
    expect((await get(`/dashboard/reviews/${lakeview.reviewId}/export.pdf?k=${k}`)).status).toBe(400);
    const data = await get(`/dashboard/data.json?k=${k}`);
    const dash = (await data.json()) as {
      rubrics: Array<{ rows: Array<{ cells: Array<{ rating: number }> }> }>;
    };
    expect(dash.rubrics[0]?.rows[0]?.cells[0]?.rating).toBe(4);
  });

  test('LinkSigner: round trip and expiry', () => {
    const now = new Date('2026-11-23T15:00:00Z');
    const { token, expiresAt } = signer.issue('t', 'd', now, 60_000);
    expect(expiresAt.toISOString()).toBe('2026-11-23T15:01:00.000Z');
    expect(signer.verify(token, now)).toEqual({ ok: true, claims: { t: 't', d: 'd', e: 1795446060 } });
    expect(signer.verify(token, new Date('2026-11-23T15:01:00Z'))).toEqual({ ok: false, reason: 'expired' });
    expect(signer.verify(undefined, now)).toEqual({ ok: false, reason: 'missing' });
    expect(signer.verify(['a'], now)).toEqual({ ok: false, reason: 'missing' });
    expect(signer.verify('x'.repeat(5000), now)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('local console API', () => {
  const row = 'vision-mission-beliefs';
  test('three members vote, the coordinator closes the round, the dashboard shows the consensus', async () => {
    // Page loads racing start-up create one demo district with one review.
    await Promise.all(Array.from({ length: 5 }, () => get('/console/api/state?as=demo-blair')));
    const demo = await app.service.listReviews(
      asker('console:demo', 'demo-coordinator', 'console-demo'),
      'console-demo',
    );
    expect(demo).toHaveLength(1);
    const state = await get('/console/api/state?as=demo-alex');
    expect(state.status).toBe(200);
    const s = (await state.json()) as {
      review: { reviewId: string };
      polls: Array<{ rowId: string; card: { type: string } }>;
      dashboardUrl: string;
    };
    expect(s.polls).toHaveLength(6);
    expect(s.polls[0]?.card.type).toBe('AdaptiveCard');
    const reviewId = s.review.reviewId;
    for (const as of ['demo-alex', 'demo-blair', 'demo-devon']) {
      const r = await post('/console/api/action', {
        as,
        verb: 'vote',
        data: { reviewId, rowId: row, choice: '3' },
      });
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.json.card)).toContain('Your vote: Evolving');
    }
    const ev = await post('/console/api/action', {
      as: 'demo-blair',
      verb: 'evidence',
      data: { reviewId, rowId: row, evidence: 'Building posters' },
    });
    expect(ev.status).toBe(200);
    // A member who is not a coordinator cannot close the round.
    const refused = await post('/console/api/command', { as: 'demo-alex', line: 'close' });
    expect(refused.status).toBe(403);
    const closed = await post('/console/api/command', { as: 'demo-coordinator', line: 'close' });
    expect(closed.status).toBe(200);
    expect(closed.json.text).toMatch(/Round 1 closed: 1 of 6 rows rated/);
    // The same reply as rich text for the page: the command to run next is code, as in the chats.
    expect(closed.json.rich).toContainEqual({ k: 'code', text: 'next' });
    const dash = await (await get(s.dashboardUrl)).text();
    expect(dash).toMatch(
      /data-row="vision-mission-beliefs"><th scope="row">1\. Vision, mission and beliefs<\/th><td class="cell lvl-3" data-rating="3">Evolving/,
    );
    // Blair and Devon are building members, Alex district: gap = 3 − 3 = 0.
    expect(dash).toContain('<td class="gap">0</td>');
    // The rated row now offers the reflection card (valid Adaptive Card 1.5); answers are kept with the results.
    const after = (await (await get('/console/api/state?as=demo-blair')).json()) as {
      reflections: Array<{ rowId: string; card: object }>;
    };
    expect(after.reflections.map((r) => r.rowId)).toEqual([row]);
    expect(validateCard(after.reflections[0]?.card as object)).toEqual([]);
    const empty = await post('/console/api/action', {
      as: 'demo-blair',
      verb: 'reflect',
      data: { reviewId, rowId: row, q1: ' ' },
    });
    expect(empty.status).toBe(400);
    const unrated = await post('/console/api/action', {
      as: 'demo-blair',
      verb: 'reflect',
      data: { reviewId, rowId: 'goal-setting', q1: 'x' },
    });
    expect(unrated.status).toBe(409);
    const saved = await post('/console/api/action', {
      as: 'demo-blair',
      verb: 'reflect',
      data: { reviewId, rowId: row, q1: 'Buildings were never asked', q3: 'Start PLCs with the vision' },
    });
    expect(saved.status).toBe(200);
    const card = (await (await get('/console/api/state?as=demo-blair')).json()) as {
      reflections: Array<{ card: object }>;
    };
    expect(JSON.stringify(card.reflections[0]?.card)).toContain('Blair Chen: Buildings were never asked');
    // Exports from the console's command box.
    const md = await post('/console/api/command', { as: 'demo-alex', line: 'export md' });
    expect(md.json.kind).toBe('file');
    expect(md.json.content).toContain('Building posters — Blair Chen');
    expect(md.json.content).toContain('Start PLCs with the vision — Blair Chen');
  });

  test('bad input gets a clear 4xx and changes nothing', async () => {
    const s = (await (await get('/console/api/state?as=demo-alex')).json()) as {
      review: { reviewId: string };
    };
    const reviewId = s.review.reviewId;
    const cases: Array<[unknown, number, RegExp]> = [
      [{ as: 'intruder', verb: 'vote', data: { reviewId, rowId: row, choice: '3' } }, 400, /demo members/],
      [{ as: 'demo-alex', verb: 'delete', data: { reviewId, rowId: row } }, 400, /not an action/],
      [{ as: 'demo-alex', verb: 'vote', data: { reviewId, rowId: row, choice: '7' } }, 400, /not a level/],
      [
        { as: 'demo-alex', verb: 'vote', data: { reviewId, rowId: 'nope', choice: '1' } },
        404,
        /no rubric row/,
      ],
      [
        { as: 'demo-alex', verb: 'vote', data: { reviewId: 'r_x', rowId: row, choice: '1' } },
        404,
        /does not exist/,
      ],
      [{ as: 'demo-alex', verb: 'vote', data: { reviewId, rowId: row, choice: '1' } }, 409, /closed/],
      [{ as: 'demo-alex', verb: 'vote', data: null }, 400, /data/],
      [[1, 2], 400, /input|as/],
      [
        { as: 'demo-alex', verb: 'vote', data: { reviewId, rowId: row, choice: '1' }, __proto__: { x: 1 } },
        409,
        /closed/,
      ],
    ];
    for (const [body, status, msg] of cases) {
      const r = await post('/console/api/action', body);
      expect([r.status, r.json.error]).toEqual([status, expect.stringMatching(msg)]);
    }
    expect((await post('/console/api/action', null, '{"as":')).status).toBe(400);
    expect(
      (await post('/console/api/action', null, JSON.stringify({ pad: 'x'.repeat(40_000) }))).status,
    ).toBe(413);
    expect((await post('/console/api/command', { as: 'demo-alex', line: 'frobnicate' })).status).toBe(400);
    expect((await get('/console/api/state?as=')).status).toBe(400);
    // Votes are unchanged after all of that.
    const votes = await app.store.votes.listRow(reviewId, row, 1);
    expect(votes.map((v) => v.choice).sort()).toEqual([3, 3, 3]);
  });

  test('the console page, its assets and the root redirect are served', async () => {
    const page = await get('/console');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/web/adaptivecards.js');
    expect((await get('/web/adaptivecards.js')).status).toBe(200);
    expect((await get('/web/console.js')).status).toBe(200);
    expect((await get('/web/hostconfig-teams-light.json')).status).toBe(200);
    expect((await get('/web/../package.json')).status).toBe(404);
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console');
  });
});

import type * as http from 'node:http';
import express from 'express';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { mountWeb } from '../../src/adapters/web';
import { LinkSigner, webLinks } from '../../src/adapters/web/links';
import { CommandService } from '../../src/app/commands';
import { NetworkService } from '../../src/app/network/networkService';
import { ResultsService } from '../../src/app/reviews/results';
import type { Actor } from '../../src/app/schemas';
import { plainText } from '../../src/app/text';
import { loadConfig } from '../../src/config';
import type { Level } from '../../src/domain/rubric';
import { counterIds, makeService, rubrics, TestClock } from '../support/fixtures';

/**
 * The figure: six districts in four workspaces/tenants (Slack-like T1, T2; Teams-like tenant-a, tenant-b) in one
 * co-op network, each finishing a review through the real use cases. The network view's distribution is exactly
 * the districts' settled ratings; with only four contributing it says "not enough districts yet", and no reply or
 * page shows one district's rating or an unnamed district's name.
 */

const ROWS = rubrics.get('culture-of-collaboration')?.rows.map((r) => r.id) ?? [];
const LEVEL_NAMES = ['Beginning', 'Developing', 'Evolving', 'Accomplished'];
const SECRET = 'network-test-secret-0123456789-abcdefghijkl';

/** District i's rating of row j; district 0 leaves the last row without consensus ("not settled"). */
const rating = (i: number, j: number): Level | null =>
  i === 0 && j === 5 ? null : ((((i * 2 + j) % 4) + 1) as Level);

const DISTRICTS = [
  { tenant: 'T1', channel: 'C1', name: 'Aspen Schools' },
  { tenant: 'T1', channel: 'C2', name: 'Birch Schools' },
  { tenant: 'T2', channel: 'C1', name: 'Cedar Schools' },
  { tenant: 'tenant-a', channel: '19:abc@thread.tacv2', name: 'Dogwood Schools' },
  { tenant: 'tenant-b', channel: '19:def@thread.tacv2', name: 'Elm Schools' },
  { tenant: 'tenant-b', channel: '19:ghi@thread.tacv2', name: 'Fir Schools' },
];

const actor = (tenantId: string, userId: string, channelId: string, admin = false): Actor => ({
  tenantId,
  userId,
  displayName: `Person ${userId}`,
  channelId,
  conversation: channelId.startsWith('D') ? 'personal' : 'channel',
  isAdmin: async () => admin,
});
const coordOf = (i: number) => {
  const d = DISTRICTS[i] as (typeof DISTRICTS)[number];
  return actor(d.tenant, `UC${i}`, d.channel, true);
};

async function world(contributing: number, k?: number) {
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
    ...(k === undefined ? {} : { k }),
  });
  const signer = new LinkSigner(SECRET);
  let base = '';
  const links = webLinks({ signer, clock, baseUrl: () => base, linkTtlMs: 86_400_000 });
  const results = new ResultsService({ store, rubrics, clock });
  const commands = new CommandService(service, { results, links, network });
  const run = async (a: Actor, line: string) => {
    const r = await commands.run({ actor: a, channelId: a.channelId ?? '' }, line);
    return 'text' in r ? plainText(r.text) : JSON.stringify(r);
  };
  const facilitator = actor('T2', 'U_FAC', 'D9', true);
  await run(facilitator, 'network create "Michigan CoOp"');
  const districtIds: string[] = [];
  for (const [i, d] of DISTRICTS.entries()) {
    const coord = coordOf(i);
    const district = await service.setupDistrict(coord, { name: d.name, channelId: d.channel });
    districtIds.push(district.id);
    const joined = await run(coord, `network join COOP-2345-WXYZ${i === 2 ? ' named' : ''}`);
    expect(joined).toContain(
      "Shared with the network: each row's settled rating per cycle; never votes, names, evidence or building data.",
    );
    if (i >= contributing) continue;
    const review = await service.startReview(coord, {
      channelId: d.channel,
      cycle: i === 1 ? '2026-27 fall' : '2026-27 Fall',
      maxRounds: 1,
      rule: { minVoters: 3, minShareOfMembers: 0 },
    });
    for (const [j, rowId] of ROWS.entries()) {
      for (let v = 0; v < 3; v++) {
        const r = rating(i, j);
        await service.castVote(actor(d.tenant, `U${i}_${v}`, d.channel), {
          reviewId: review.reviewId,
          rowId,
          choice: r ?? ((v + 1) as Level),
          evidence: `SECRET evidence of ${d.name}`,
        });
      }
    }
    await service.closeRound(coord, { reviewId: review.reviewId });
  }
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
  const page = async (i: number) => {
    const d = DISTRICTS[i] as (typeof DISTRICTS)[number];
    const url = links.network?.(d.tenant, districtIds[i] as string).url as string;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    return res.text();
  };
  const dashboard = async (i: number) => {
    const d = DISTRICTS[i] as (typeof DISTRICTS)[number];
    const res = await fetch(links.dashboard(d.tenant, districtIds[i] as string).url);
    expect(res.status).toBe(200);
    return res.text();
  };
  return {
    run,
    facilitator,
    page,
    dashboard,
    origin: () => base,
    network,
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * The text without its signed links' tokens: a token is random-looking base64url (its district id and its signature
 * change every run), so "Elm" or "Fir" turns up in one now and then; the checks below are for names shown, not for
 * letters in a signature.
 */
const unsigned = (text: string) => text.replace(/[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, '<token>');

/** The distribution of row j over the first `n` districts: [Beginning, Developing, Evolving, Accomplished], not settled. */
function expected(n: number, j: number): string {
  const levels = [0, 0, 0, 0];
  let ns = 0;
  for (let i = 0; i < n; i++) {
    const r = rating(i, j);
    if (r === null) ns++;
    else levels[r - 1] = (levels[r - 1] ?? 0) + 1;
  }
  return `${LEVEL_NAMES.map((name, l) => `${name} ${levels[l]}`).join(' · ')} · not settled ${ns}`;
}

describe('a co-op network of six districts in four workspaces/tenants', () => {
  test('the network view counts exactly the districts’ settled ratings', async () => {
    const w = await world(6);
    try {
      const view = await w.run(w.facilitator, 'network');
      expect(view).toContain('6 districts');
      for (const [j, rowId] of ROWS.entries()) {
        const title = rubrics.get('culture-of-collaboration')?.rows.find((r) => r.id === rowId)?.title;
        expect(view).toContain(`• ${title}: ${expected(6, j)}`);
      }
      // Names only of the district that opted in; never votes, evidence or people.
      expect(view).toContain('named: Cedar Schools; 5 not named');
      expect(unsigned(view)).not.toMatch(/Aspen|Birch|Dogwood|Elm|Fir|SECRET|Person|U0_/);
      // A member district sees its own rating beside the network's.
      const own = await w.run(coordOf(0), 'network');
      expect(own).toContain(
        `: ${expected(6, 0)} — your district: ${LEVEL_NAMES[(rating(0, 0) as Level) - 1]}`,
      );
      expect(own).toContain('— your district: not settled');
      expect(own).toMatch(/The network page/);
      const html = await w.page(3);
      expect(html).toContain('6 districts');
      expect(unsigned(html)).not.toMatch(/Aspen|Birch|Elm|Fir|SECRET/);
      // A district that leaves stops counting at once.
      await w.run(coordOf(5), 'network leave');
      expect(await w.run(w.facilitator, 'network')).toContain('5 districts');
      // A cancelled review counts for nothing: district 0 (its last row still open) cancels, four contribute.
      await w.run(coordOf(0), 'review cancel "We start again in spring"');
      expect(await w.run(w.facilitator, 'network')).toMatch(/not enough districts yet/);
    } finally {
      await w.close();
    }
  });

  test('with four contributing: "not enough districts yet", and no reply or page shows one district’s rating', async () => {
    const w = await world(4);
    try {
      const replies = [await w.run(w.facilitator, 'network'), await w.run(w.facilitator, 'network code')];
      for (const text of replies) {
        for (const name of LEVEL_NAMES) expect(text).not.toContain(name);
        expect(unsigned(text)).not.toMatch(/Aspen|Birch|Dogwood|Elm|Fir|SECRET|2026-27/);
      }
      expect(replies[0]).toContain('not enough districts yet');
      // A contributing member sees its own ratings and nothing of the others'.
      const own = await w.run(coordOf(1), 'network');
      expect(own).toContain('not enough districts yet (fewer than 5)');
      const withoutOwn = own.replace(/ — your district: [A-Za-z ]+/g, '');
      for (const name of LEVEL_NAMES) expect(withoutOwn).not.toContain(name);
      expect(unsigned(own)).not.toMatch(/Aspen|Dogwood|Elm|Fir|SECRET/);
      // Pages: a contributing district's shows only its own column; a non-contributing one's shows no level at all.
      const page1 = await w.page(1);
      expect(page1).toContain('not enough districts yet');
      expect(unsigned(page1)).not.toMatch(/class="count"|Aspen|Dogwood|SECRET/);
      const page5 = await w.page(5);
      expect(page5).toContain('not enough districts yet');
      for (const name of LEVEL_NAMES.slice(1))
        expect(page5.replace(/<th scope="col">[^<]*<\/th>/g, '')).not.toContain(name);
      expect(unsigned(page5)).not.toMatch(/class="count"|Aspen|Birch|Dogwood|SECRET|2026-27/);
      // The view model itself (what an export would be made of) holds no district's rating or name.
      const [reading] = await w.network.read(w.facilitator, { channelId: 'D9' });
      expect(JSON.stringify(reading)).not.toMatch(/"levels"|Aspen|Birch|Dogwood|Elm|Fir|2026-27/);
    } finally {
      await w.close();
    }
  });

  test('k comes from NETWORK_MIN_DISTRICTS: with 4 the four contributing districts make a figure', async () => {
    const k = loadConfig({ NETWORK_MIN_DISTRICTS: '4' }).NETWORK_MIN_DISTRICTS;
    const w = await world(4, k);
    try {
      const view = await w.run(w.facilitator, 'network');
      expect(view).toContain('needs at least 4 districts');
      expect(view).toContain('(4 districts)');
      const title = rubrics.get('culture-of-collaboration')?.rows[0]?.title;
      expect(view).toContain(`• ${title}: ${expected(4, 0)}`);
      expect(view).not.toContain('not enough districts yet');
    } finally {
      await w.close();
    }
  });

  test('a k below 3 is refused, not lowered to', () => {
    const deps = { store: new NedbStore(null), clock: new TestClock(), rubrics, ids: counterIds() };
    expect(() => new NetworkService({ ...deps, newCode: () => 'X', k: 2 })).toThrow(/at least 3/);
    expect(new NetworkService({ ...deps, newCode: () => 'X', k: 3 }).k).toBe(3);
    expect(new NetworkService({ ...deps, newCode: () => 'X' }).k).toBe(5);
  });

  test('the district dashboard links to the network page while the district is in a network', async () => {
    const w = await world(0);
    try {
      const html = await w.dashboard(3);
      const href = /data-testid="network-link" href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
      expect(href).toMatch(/^\/dashboard\/network\?k=/);
      expect(html).toContain('Michigan CoOp: your district vs. the network');
      const page = await fetch(`${w.origin()}${href}`);
      expect(await page.text()).toContain('data-testid="network">Michigan CoOp<');
      await w.run(coordOf(3), 'network leave');
      expect(await w.dashboard(3)).not.toMatch(/network-link|Michigan CoOp/);
    } finally {
      await w.close();
    }
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fillManifest, MANIFEST_DIR, manifestVars, validateManifest } from '../../scripts/package-teams';
import { issueLink } from '../../src/adapters/web';
import { LinkSigner } from '../../src/adapters/web/links';
import { parseDashboardLink } from '../../src/adapters/web/teamsTab';
import { loadConfig } from '../../src/config';
import { type App, startApp } from '../../src/main';
import { asker } from '../support/fixtures';
import { testLogger } from '../support/logs';

const SECRET = 'tab-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'micip-tab-'));
let app: App;
let base: string;
let district: { tenant: string; id: string };

const get = (p: string) => fetch(`${base}${p}`);
const check = async (link: string) => {
  const res = await get(`/teams/tab/check?link=${encodeURIComponent(link)}`);
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  app = await startApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: tmp, WEB_LINK_SECRET: SECRET, WEB_CONSOLE: 'off' }),
    { logger: testLogger() },
  );
  base = app.url;
  const coord = asker('teams:tenant-1', 'UC', '19:c1@thread.tacv2', 'Coordinator');
  const d = await app.service.setupDistrict(coord, {
    name: 'Lakeview Schools',
    channelId: '19:c1@thread.tacv2',
  });
  district = { tenant: coord.tenantId, id: d.id };
});

afterAll(async () => {
  await app.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The link the bot hands out with `@MICIP dashboard` (the same issuer main wires into the command). */
async function botLink(): Promise<string> {
  const issue = issueLink({
    signer: new LinkSigner(SECRET),
    clock: { now: () => new Date() },
    baseUrl: () => base,
    linkTtlMs: 7 * 86_400_000,
  });
  return issue(district.tenant, district.id).url;
}

describe('parseDashboardLink (pure)', () => {
  const origin = 'https://micip.example.org';

  test('accepts a dashboard link of this origin and gives the canonical dashboard URL', () => {
    expect(parseDashboardLink(`${origin}/dashboard?k=abc.def`, origin)).toEqual({
      ok: true,
      token: 'abc.def',
      url: `${origin}/dashboard?k=abc.def`,
    });
    // Pasted with spaces or chat brackets, or from a results page of the same dashboard.
    expect(parseDashboardLink(`  <${origin}/dashboard/?k=abc.def>\n`, `${origin}/`)).toMatchObject({
      ok: true,
      url: `${origin}/dashboard?k=abc.def`,
    });
    expect(parseDashboardLink(`${origin}/dashboard/reviews/r1?k=abc.def`, origin)).toMatchObject({
      ok: true,
      url: `${origin}/dashboard?k=abc.def`,
    });
    // A deployment under a path prefix.
    expect(parseDashboardLink(`${origin}/micip/dashboard?k=abc.def`, `${origin}/micip`)).toMatchObject({
      ok: true,
      url: `${origin}/micip/dashboard?k=abc.def`,
    });
  });

  test.each([
    ['empty', ''],
    ['empty', '   '],
    ['not-a-url', 'dashboard?k=abc'],
    ['other-origin', 'https://evil.example.org/dashboard?k=abc'],
    ['other-origin', 'https://micip.example.org.evil.io/dashboard?k=abc'],
    ['other-origin', 'http://micip.example.org/dashboard?k=abc'],
    ['other-origin', 'https://micip.example.org:8443/dashboard?k=abc'],
    ['other-origin', 'https://user:pw@micip.example.org/dashboard?k=abc'],
    ['other-origin', 'javascript:alert(1)//https://micip.example.org/dashboard?k=a'],
    ['not-dashboard', 'https://micip.example.org/console?k=abc'],
    ['not-dashboard', 'https://micip.example.org/dashboardX?k=abc'],
    ['no-key', 'https://micip.example.org/dashboard'],
    ['no-key', 'https://micip.example.org/dashboard?k='],
    ['too-long', `https://micip.example.org/dashboard?k=${'a'.repeat(5000)}`],
  ])('refuses a link: %s (case %#)', (reason, input) => {
    const r = parseDashboardLink(input, origin);
    expect(r).toMatchObject({ ok: false, reason });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
  });

  test('refuses non-strings', () => {
    for (const v of [undefined, null, 42, ['https://micip.example.org/dashboard?k=a'], {}]) {
      expect(parseDashboardLink(v, origin)).toMatchObject({ ok: false, reason: 'empty' });
    }
  });
});

describe('the tab configuration page through the real app', () => {
  test('GET /teams/tab/config: the page with a strict CSP that lets Teams frame it', async () => {
    const res = await get('/teams/tab/config');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives['default-src']).toBe("'none'");
    expect(directives['script-src']).toBe("'self'");
    expect(directives['connect-src']).toBe("'self'");
    expect(directives['style-src']).toBe("'self'");
    expect(directives['frame-ancestors']).toContain('https://teams.microsoft.com');
    expect(directives['frame-ancestors']).toContain('https://*.cloud.microsoft');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    // The library from the app itself, then the page script; no inline script or style (the CSP forbids them).
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => s[1]?.match(/src="([^"]+)"/)?.[1])).toEqual([
      '/web/teams-js/MicrosoftTeams.min.js',
      '/web/teams-tab.js',
    ]);
    for (const s of scripts) expect(s[2]).toBe('');
    expect(html).not.toMatch(/<style|style="/);
    expect(html).toContain('@MICIP dashboard');
    expect(html).toContain('valid for 7 days');
  });

  test('the Teams client library, the page script and its stylesheet are served by the app', async () => {
    const lib = await get('/web/teams-js/MicrosoftTeams.min.js');
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(lib.headers.get('x-content-type-options')).toBe('nosniff');
    const libText = await lib.text();
    expect(libText.length).toBeGreaterThan(100_000);
    expect(libText).toContain('microsoftTeams');
    expect((await get('/web/teams-js/MicrosoftTeams.min.js.map')).status).toBe(200);

    const script = await get('/web/teams-tab.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const js = await script.text();
    for (const api of [
      'microsoftTeams.app.initialize()',
      'pages.config.registerOnSaveHandler',
      'pages.config.setConfig(config)',
      'pages.config.setValidityState',
    ]) {
      expect(js).toContain(api);
    }
    const css = await get('/web/teams-tab.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  test('GET /teams/tab/check: the link from `@MICIP dashboard` gives the tab configuration to save', async () => {
    const link = await botLink();
    const r = await check(` ${link} `);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json).toMatchObject({
      ok: true,
      districtName: 'Lakeview Schools',
      config: {
        entityId: `micip-dashboard-${district.id}`,
        contentUrl: link,
        websiteUrl: link,
        suggestedDisplayName: 'MICIP dashboard',
      },
    });
    expect(Date.parse(String(r.json.expiresAt))).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    // What the tab will load is the dashboard itself, framable by Teams.
    const dash = await fetch(String((r.json.config as { contentUrl: string }).contentUrl));
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain('Lakeview Schools');
    expect(dash.headers.get('content-security-policy')).toContain('frame-ancestors');
  });

  test('GET /teams/tab/check refuses other links with a clear JSON error and no stack trace', async () => {
    const good = await botLink();
    const token = new URL(good).searchParams.get('k') ?? '';
    const foreign = new LinkSigner('another-secret-0123456789-abcdefghijklmnopqrstuv').sign({
      t: district.tenant,
      d: district.id,
      e: Math.floor(Date.now() / 1000) + 3600,
    });
    const expired = new LinkSigner(SECRET).sign({
      t: district.tenant,
      d: district.id,
      e: Math.floor(Date.now() / 1000) - 10,
    });
    const gone = new LinkSigner(SECRET).sign({
      t: district.tenant,
      d: 'no-such-district',
      e: Math.floor(Date.now() / 1000) + 3600,
    });
    const cases: Array<[string, number, RegExp]> = [
      ['', 400, /Paste the dashboard link/],
      [`https://evil.example.org/dashboard?k=${token}`, 400, /not on this server/],
      [`${base}/console?k=${token}`, 400, /not a dashboard link/],
      [`${base}/dashboard`, 400, /lost its key/],
      [`${base}/dashboard?k=${token.slice(0, -3)}abc`, 403, /not valid/],
      [`${base}/dashboard?k=${foreign}`, 403, /not valid/],
      [`${base}/dashboard?k=${expired}`, 403, /expired/],
      [`${base}/dashboard?k=not-a-token`, 403, /damaged/],
      [`${base}/dashboard?k=${gone}`, 404, /does not exist/],
    ];
    for (const [link, status, message] of cases) {
      const r = await check(link);
      expect({ link, status: r.status }).toEqual({ link, status });
      expect(r.json.ok).toBeUndefined();
      expect(String(r.json.error)).toMatch(message);
      expect(JSON.stringify(r.json)).not.toMatch(/ at |Error:/);
    }
    // An expired link in a tab tells how to give the tab a fresh one.
    const page = await get(`/dashboard?k=${expired}`);
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/In a Teams tab: open the tab&#39;s menu \(⋯\) → Settings/);
    // Repeated or array query values are not a link either.
    const twice = await get(`/teams/tab/check?link=a&link=b`);
    expect(twice.status).toBe(400);
  });
});

test('the packaged manifest points the tab at this configuration page', () => {
  const template = fs.readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8');
  const m = fillManifest(
    template,
    manifestVars({
      MicrosoftAppId: '0b5c1d34-1111-2222-3333-444455556666',
      PUBLIC_URL: 'https://micip.example.org',
    }),
  );
  expect(validateManifest(m)).toEqual([]);
  const tabs = m.configurableTabs as Array<{ configurationUrl: string; scopes: string[] }>;
  expect(tabs).toHaveLength(1);
  expect(tabs[0]?.configurationUrl).toBe('https://micip.example.org/teams/tab/config');
  expect(tabs[0]?.scopes).toEqual(['team', 'groupChat']);
  // The same path the app serves (checked above through the real app).
  expect(new URL(tabs[0]?.configurationUrl ?? '').pathname).toBe('/teams/tab/config');
});

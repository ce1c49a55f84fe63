import { esc, page } from './pages';

/**
 * The district dashboard as a Teams channel tab (configurable tab, team + group chat).
 *
 * Without SSO the configuration page cannot know who is adding the tab, so it asks for the one thing that grants
 * access to a dashboard: the signed link the bot gives with `@MICIP dashboard`. The page posts what was pasted to
 * `GET /teams/tab/check`, which accepts only a dashboard link of this very server (`parseDashboardLink`) whose
 * signature verifies, and answers the tab configuration to save.
 */

export type DashboardLinkCheck =
  | { ok: true; token: string; url: string }
  | {
      ok: false;
      reason: 'empty' | 'too-long' | 'not-a-url' | 'other-origin' | 'not-dashboard' | 'no-key';
      message: string;
    };

const MAX_LINK = 4096;

/**
 * Pure: is `input` a dashboard link (`<base>/dashboard…?k=…`) of the server at `base` (PUBLIC_URL or
 * http://localhost:PORT, possibly with a path prefix)? Returns the token and the canonical link to the dashboard's
 * home page. Links to a results page of the same dashboard are accepted and lead to its home page. The signature
 * is checked separately.
 */
export function parseDashboardLink(input: unknown, base: string): DashboardLinkCheck {
  if (typeof input !== 'string' || input.trim() === '') {
    return { ok: false, reason: 'empty', message: 'Paste the dashboard link the bot gave you.' };
  }
  if (input.length > MAX_LINK) {
    return { ok: false, reason: 'too-long', message: 'That is too long to be a dashboard link.' };
  }
  // Chat clients sometimes keep the angle brackets of a formatted link.
  const text = input.trim().replace(/^<(.*)>$/s, '$1');
  const home = new URL(base);
  const prefix = home.pathname.replace(/\/+$/, '');
  const homeText = `${home.origin}${prefix}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      reason: 'not-a-url',
      message: `That is not a link. Paste the whole link, starting with ${homeText}/dashboard?k=`,
    };
  }
  if (
    url.origin !== home.origin ||
    url.username !== '' ||
    url.password !== '' ||
    (url.protocol !== 'https:' && url.protocol !== 'http:')
  ) {
    return {
      ok: false,
      reason: 'other-origin',
      message: `That link is not on this server. A dashboard link starts with ${homeText}/dashboard?k=`,
    };
  }
  const dash = `${prefix}/dashboard`;
  if (url.pathname !== dash && !url.pathname.startsWith(`${dash}/`)) {
    return {
      ok: false,
      reason: 'not-dashboard',
      message: `That is not a dashboard link. Ask the bot with "dashboard": its link starts with ${homeText}/dashboard?k=`,
    };
  }
  const token = url.searchParams.get('k');
  if (!token) {
    return {
      ok: false,
      reason: 'no-key',
      message: 'That dashboard link has lost its key (the part after ?k=). Copy the whole link.',
    };
  }
  return { ok: true, token, url: `${homeText}/dashboard?k=${encodeURIComponent(token)}` };
}

/** What the configuration page saves with `pages.config.setConfig`. */
export interface TabConfig {
  entityId: string;
  contentUrl: string;
  websiteUrl: string;
  suggestedDisplayName: string;
}

export function tabConfig(districtId: string, url: string): TabConfig {
  return {
    entityId: `micip-dashboard-${districtId}`,
    contentUrl: url,
    websiteUrl: url,
    suggestedDisplayName: 'MICIP dashboard',
  };
}

/** The configuration page: no inline script or style (the CSP allows neither). */
export function tabConfigPage(opts: { linkTtlDays: number }): string {
  return page(
    'Add the MICIP dashboard tab',
    `<main class="tab-config">
<h1>MICIP district dashboard tab</h1>
<p id="teams-status" class="notice" role="status">Connecting to Microsoft Teams…</p>
<noscript><p class="notice warn">This page needs JavaScript to save the tab.</p></noscript>
<ol class="steps">
  <li>In this channel's conversation, send <code>@MICIP dashboard</code>. The bot answers with a private link to your district's dashboard.</li>
  <li>Copy that link and paste it below. Only a dashboard link from this server is accepted.</li>
  <li>When it says the link is valid, select <strong>Save</strong>.</li>
</ol>
<form id="tab-form" novalidate>
  <label for="link">Dashboard link</label>
  <input id="link" name="link" type="url" autocomplete="off" spellcheck="false" placeholder="https://…/dashboard?k=…" required>
  <button id="check" type="submit">Check link</button>
</form>
<p id="result" class="result" role="alert" aria-live="polite"></p>
<p class="muted">The link is valid for ${esc(opts.linkTtlDays)} days. When it expires the tab says so: open the tab's menu
(<strong>⋯</strong>) → <strong>Settings</strong> and paste a new link from <code>@MICIP dashboard</code>.
Anyone who can see this tab sees the district's dashboard, so add it only to the district team's channel.</p>
</main>
<script src="/web/teams-js/MicrosoftTeams.min.js"></script>
<script src="/web/teams-tab.js"></script>`,
  ).replace(
    '<link rel="stylesheet" href="/web/style.css">',
    '<link rel="stylesheet" href="/web/style.css"><link rel="stylesheet" href="/web/teams-tab.css"><link rel="icon" href="data:,">',
  );
}

// Configuration page of the MICIP dashboard tab in Teams (served at /teams/tab/config, no framework).
// The person pastes the dashboard link the bot gave them; the server checks it (GET /teams/tab/check) and answers
// the tab configuration; Save is enabled only then. Outside Teams the library cannot start: the page says so and
// still checks links, so nothing breaks.
(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('tab-form');
  const input = $('link');
  const result = $('result');
  const teamsStatus = $('teams-status');
  /** 'pending' until app.initialize() settles, then 'ready' or 'unavailable'. */
  let teams = 'pending';
  /** The configuration of the last link the server accepted, or null. */
  let config = null;
  let seq = 0;

  const setTeams = (state, text) => {
    teams = state;
    document.body.dataset.teams = state;
    teamsStatus.textContent = text;
    teamsStatus.className = state === 'unavailable' ? 'notice warn' : 'notice';
  };

  const setValid = (ok) => {
    if (teams !== 'ready') return;
    try {
      microsoftTeams.pages.config.setValidityState(ok);
    } catch (e) {
      console.error('setValidityState failed', e);
    }
  };

  const show = (kind, text) => {
    result.className = `result ${kind}`;
    result.textContent = text;
    document.body.dataset.link = kind;
  };

  async function check() {
    const mine = ++seq;
    config = null;
    setValid(false);
    const link = input.value.trim();
    if (!link) {
      show('empty', '');
      return;
    }
    show('checking', 'Checking the link…');
    let body = null;
    let status = 0;
    try {
      const res = await fetch(`check?link=${encodeURIComponent(link)}`, {
        headers: { accept: 'application/json' },
      });
      status = res.status;
      body = await res.json();
    } catch {
      body = null;
    }
    if (mine !== seq) return; // a newer paste is being checked
    if (status === 200 && body && body.ok && body.config) {
      config = body.config;
      const until = new Date(body.expiresAt).toLocaleString();
      const save =
        teams === 'ready'
          ? 'Select Save to add the tab.'
          : 'Open this page from Teams (add a tab) to save it.';
      show('valid', `Valid link to the dashboard of ${body.districtName} (until ${until}). ${save}`);
      setValid(true);
    } else {
      const why =
        body && typeof body.error === 'string' ? body.error : 'The link could not be checked. Try again.';
      show('invalid', why);
    }
  }

  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    check();
  });

  async function startTeams() {
    if (typeof window.microsoftTeams === 'undefined') throw new Error('the Teams library did not load');
    let timeout;
    const late = new Promise((_, reject) => {
      timeout = setTimeout(() => reject(new Error('Teams did not answer')), 5000);
    });
    try {
      await Promise.race([microsoftTeams.app.initialize(), late]);
    } finally {
      clearTimeout(timeout);
    }
    microsoftTeams.pages.config.registerOnSaveHandler((saveEvent) => {
      if (!config) {
        saveEvent.notifyFailure('Paste a valid dashboard link first.');
        return;
      }
      microsoftTeams.pages.config.setConfig(config).then(
        () => saveEvent.notifySuccess(),
        (e) => saveEvent.notifyFailure(String(e?.message || e)),
      );
    });
    microsoftTeams.pages.config.setValidityState(false);
  }

  startTeams().then(
    async () => {
      setTeams('ready', 'Connected to Microsoft Teams. Paste the link, then select Save.');
      // Reconfiguring an existing tab (Settings): start from the link it has.
      try {
        const saved = await microsoftTeams.pages.getConfig();
        if (saved?.contentUrl && !input.value) {
          input.value = saved.contentUrl;
          check();
          return;
        }
      } catch {
        // a new tab has no configuration yet
      }
      if (input.value) check();
    },
    (e) => {
      console.info('Teams client library unavailable:', e?.message);
      setTeams(
        'unavailable',
        'This page is meant to be opened by Microsoft Teams when you add the MICIP dashboard tab to a channel ' +
          '(+ → MICIP Collaboration). Outside Teams you can check a link here, but not save a tab; open your ' +
          'dashboard link directly instead.',
      );
    },
  );
})();

/* The local console: renders the product's Adaptive Cards with the adaptivecards library and sends their actions
   to /console/api as the chosen demo member. No build step; plain browser JavaScript. */
(() => {
  const AC = window.AdaptiveCards;
  const $ = (id) => document.getElementById(id);
  let me = new URLSearchParams(location.search).get('as') || 'demo-alex';
  let hostConfig = null;

  const escapeHtml = (s) =>
    s.replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  // Minimal markdown of the cards: **bold**, _italic_, line breaks; everything else escaped.
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = escapeHtml(text)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|\s)_(.+?)_(?=\s|$)/g, '$1<em>$2</em>')
      .replace(/\n/g, '<br>');
    result.didProcess = true;
  };

  /** Rich text from the server as DOM nodes: every piece of text goes in through textContent, never as HTML. */
  function richNodes(spans, parent) {
    for (const s of spans) {
      if (s.k === 't') parent.appendChild(document.createTextNode(s.text));
      else if (s.k === 'b' || s.k === 'i')
        richNodes(s.c, parent.appendChild(document.createElement(s.k === 'b' ? 'strong' : 'em')));
      else if (s.k === 'code') parent.appendChild(document.createElement('code')).textContent = s.text;
      else if (s.k === 'a' && /^https?:\/\//i.test(s.href)) {
        const a = parent.appendChild(document.createElement('a'));
        a.href = s.href;
        a.textContent = s.text;
      } else if (s.k === 'a') parent.appendChild(document.createTextNode(s.text));
      else if (s.k === 'ul' || s.k === 'ol') {
        const list = parent.appendChild(document.createElement(s.k));
        for (const item of s.items) richNodes(item, list.appendChild(document.createElement('li')));
      } else if (s.k === 'table') {
        const table = parent.appendChild(document.createElement('table'));
        const head = table
          .appendChild(document.createElement('thead'))
          .appendChild(document.createElement('tr'));
        for (const cell of s.head) {
          const th = head.appendChild(document.createElement('th'));
          th.scope = 'col';
          richNodes(cell, th);
        }
        const body = table.appendChild(document.createElement('tbody'));
        for (const row of s.rows) {
          const tr = body.appendChild(document.createElement('tr'));
          for (const cell of row) richNodes(cell, tr.appendChild(document.createElement('td')));
        }
      } else if (s.k === 'actions') {
        const bar = parent.appendChild(document.createElement('div'));
        bar.className = 'actions';
        for (const a of s.items) {
          if (a.href && /^https?:\/\//i.test(a.href)) {
            const link = bar.appendChild(document.createElement('a'));
            link.href = a.href;
            link.className = 'button';
            link.textContent = a.label;
          } else if (a.verb) {
            const b = bar.appendChild(document.createElement('button'));
            b.type = 'button';
            b.textContent = a.label;
            b.dataset.verb = a.verb;
            b.dataset.payload = a.payload;
            // A `command` button runs its payload as a command line, as if typed below.
            if (a.verb === 'command') b.addEventListener('click', () => command(a.payload));
          }
        }
      }
    }
  }

  function say(text, isError, rich) {
    const m = $('message');
    m.textContent = '';
    if (Array.isArray(rich)) richNodes(rich, m);
    else m.textContent = text || '';
    m.className = isError ? 'error' : '';
  }

  async function api(method, path, body) {
    const res = await fetch(`/console/api${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    if (!res.ok) throw new Error(json.error || `HTTP ${res.status}`);
    return json;
  }

  function renderCard(card, onAction) {
    const ac = new AC.AdaptiveCard();
    if (hostConfig) ac.hostConfig = new AC.HostConfig(hostConfig);
    ac.onExecuteAction = onAction;
    ac.parse(card);
    const el = ac.render();
    const box = document.createElement('div');
    box.className = 'card';
    box.appendChild(el);
    return box;
  }

  async function onPollAction(action) {
    const data = Object.assign({}, action.data || {});
    const verb = action.verb || data.verb;
    try {
      const r = await api('POST', '/action', { as: me, verb, data });
      say(r.message);
      await load();
    } catch (e) {
      say(e.message, true);
    }
  }

  // Building team channels (simulated): the welcome, nudges and forms, drawn as the Teams cards are.
  let channel = null;
  let people = [];
  /** Message id → the card a click answered with, shown in its place for the clicker (as Teams does). */
  const answered = new Map();

  async function loadChannels() {
    const r = await api('GET', `/channels?as=${encodeURIComponent(me)}`);
    if (!channel) channel = r.channels[0] ? r.channels[0].channelId : null;
    const tabs = $('building-tabs');
    for (const b of tabs.querySelectorAll('button')) b.remove();
    for (const c of r.channels) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `# ${c.name}`;
      b.dataset.channel = c.channelId;
      b.setAttribute('aria-pressed', String(c.channelId === channel));
      b.addEventListener('click', () => {
        channel = c.channelId;
        answered.clear();
        loadChannels().catch((e) => say(e.message, true));
      });
      tabs.appendChild(b);
    }
    const c = r.channels.find((x) => x.channelId === channel);
    const names = c ? c.members.map((id) => (people.find((p) => p.id === id) || { name: id }).name) : [];
    $('building-team').textContent = c ? `${c.name} building team: ${names.join(', ') || 'nobody yet'}.` : '';
    const box = $('building-messages');
    box.textContent = '';
    if (c && c.messages.length === 0) {
      const p = box.appendChild(document.createElement('p'));
      p.className = 'muted';
      p.textContent = 'Nothing posted in this channel yet.';
    }
    for (const m of c ? c.messages : []) {
      const el = renderCard(answered.get(m.id) || m.card, (action) => onNudgeAction(m.id, action));
      el.dataset.message = m.id;
      box.appendChild(el);
    }
  }

  async function onNudgeAction(messageId, action) {
    const data = Object.assign({}, action.data || {});
    try {
      const r = await api('POST', '/nudge', {
        as: me,
        channelId: channel,
        verb: action.verb || data.verb,
        data,
      });
      answered.set(messageId, r.card);
      await loadChannels();
    } catch (e) {
      say(e.message, true);
    }
  }

  function drawWho(members) {
    const who = $('who');
    for (const b of who.querySelectorAll('button')) b.remove();
    for (const m of members) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = m.name;
      b.dataset.member = m.id;
      b.setAttribute('aria-pressed', String(m.id === me));
      b.addEventListener('click', () => {
        me = m.id;
        answered.clear();
        history.replaceState(null, '', `?as=${encodeURIComponent(me)}`);
        say('');
        load();
      });
      who.appendChild(b);
    }
  }

  async function load() {
    const s = await api('GET', `/state?as=${encodeURIComponent(me)}`);
    drawWho(s.members);
    people = s.members;
    cycles = s.reviews.length;
    current = s.review;
    $('dashboard').href = s.dashboardUrl;
    $('review-title').textContent = s.review
      ? `${s.review.cycle} — round ${s.review.round} ${s.review.roundStatus}${s.review.status === 'active' ? '' : ` (${s.review.status})`}`
      : 'No review yet';
    const status = $('status-card');
    status.textContent = '';
    if (s.status) status.appendChild(renderCard(s.status, () => {}));
    const polls = $('polls');
    polls.textContent = '';
    for (const p of s.polls) {
      const box = renderCard(p.card, onPollAction);
      box.dataset.row = p.rowId;
      polls.appendChild(box);
    }
    const results = $('results-card');
    results.textContent = '';
    if (s.results) results.appendChild(renderCard(s.results, () => {}));
    const reflections = $('reflections');
    reflections.textContent = '';
    for (const r of s.reflections) {
      const box = renderCard(r.card, onPollAction);
      box.dataset.reflection = r.rowId;
      reflections.appendChild(box);
    }
    $('reflection-empty').hidden = s.reflections.length > 0;
    await loadChannels();
    document.body.dataset.ready = 'true';
  }

  async function command(line) {
    try {
      const r = await api('POST', '/command', { as: me, line });
      say(r.text, false, r.rich);
      const out = $('output');
      out.hidden = r.kind !== 'file' && r.kind !== 'help';
      out.textContent = r.kind === 'file' ? r.content : r.kind === 'help' ? '' : '';
      await load();
    } catch (e) {
      say(e.message, true);
    }
  }

  $('close-round').addEventListener('click', () => command('close'));
  $('next-round').addEventListener('click', () => command('next'));
  let cycles = 1;
  let current = null;
  // One open review per rubric: a demo cycle still open is cancelled (kept, marked cancelled) before the next starts.
  $('new-cycle').addEventListener('click', async () => {
    if (current && current.status === 'active') {
      await command(`review cancel "${current.cycle}" "The next demo cycle was started from the console."`);
    }
    await command(`review start "Demo cycle ${cycles + 1}"`);
  });
  $('nudge-now').addEventListener('click', () => command('nudge now'));
  $('command-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const line = $('command').value.trim();
    if (line) command(line);
  });

  fetch('/web/hostconfig-teams-light.json')
    .then((r) => r.json())
    .then((h) => {
      hostConfig = h;
    })
    .catch(() => {})
    .finally(() => load().catch((e) => say(e.message, true)));
})();

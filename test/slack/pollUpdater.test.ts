import type { webApi } from '@slack/bolt';
import { SlackOutbound } from '../../src/adapters/slack/outbound';
import { type PollMessage, PollUpdater } from '../../src/adapters/slack/pollUpdater';

describe('PollUpdater', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** A Slack client that records when each chat.update left and what it drew. */
  function fakeClient() {
    const calls: Array<{ at: number; text: string }> = [];
    const client = {
      chat: {
        update: async (a: { text: string }) => {
          calls.push({ at: Date.now(), text: a.text });
          return { ok: true };
        },
      },
    } as unknown as webApi.WebClient;
    return { client, calls };
  }

  /** Draws "votes: N" from a counter, taking `drawMs` of (fake) time to do it. */
  function drawer(state: { votes: number; drawMs: number }) {
    return async (): Promise<PollMessage> => {
      jest.setSystemTime(Date.now() + state.drawMs);
      return { channel: 'C1', ts: '1.0', blocks: [], text: `votes: ${state.votes}` };
    };
  }

  it('coalesces a storm into one update per message per second and always draws the final state', async () => {
    const u = new PollUpdater({ error() {} }, 1000, Date.now);
    const { client, calls } = fakeClient();
    const state = { votes: 0, drawMs: 5 };
    for (let i = 0; i < 300; i++) {
      state.votes++;
      u.schedule('r|row1', client, drawer(state), 'T1');
      await jest.advanceTimersByTimeAsync(10); // 100 votes a second for 3 s
    }
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < calls.length; i++) {
      expect((calls[i]?.at ?? 0) - (calls[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    expect(calls.at(-1)?.text).toBe('votes: 300');
    expect(u.stats.slowDraws).toBe(0);
  });

  it('spaces the updates of a message that is slow to draw by 20 times its drawing time, at most 10 s', async () => {
    const u = new PollUpdater({ error() {} }, 1000, Date.now);
    const { client, calls } = fakeClient();
    const state = { votes: 1, drawMs: 200 };
    u.schedule('r|big', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    state.votes = 2;
    u.schedule('r|big', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(3900);
    expect(calls).toHaveLength(1); // 200 ms to draw → 4 s apart
    await jest.advanceTimersByTimeAsync(400);
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(4000);
    expect(calls[1]?.text).toBe('votes: 2');

    // Very slow (2 s to draw): spaced by the 10 s cap, not by 40 s.
    state.drawMs = 2000;
    state.votes = 3;
    u.schedule('r|big', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(3);
    state.votes = 4;
    u.schedule('r|big', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(20_000);
    expect(calls).toHaveLength(4);
    const gap = (calls[3]?.at ?? 0) - (calls[2]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(10_000);
    expect(gap).toBeLessThanOrEqual(12_000 + 100);
    expect(calls[3]?.text).toBe('votes: 4');
    expect(u.stats.longestIntervalMs).toBe(10_000);

    // Fast again: the next update after a quick drawing comes one second later.
    state.drawMs = 5;
    state.votes = 5;
    u.schedule('r|big', client, drawer(state), 'T1');
    for (let i = 0; i < 200 && calls.length < 5; i++) await jest.advanceTimersByTimeAsync(50);
    expect(calls).toHaveLength(5);
    state.votes = 6;
    u.schedule('r|big', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(1100);
    expect(calls).toHaveLength(6);
    expect(calls[5]?.text).toBe('votes: 6');
    expect((calls[5]?.at ?? 0) - (calls[4]?.at ?? 0)).toBeLessThan(1100);
  });

  it('waits while a burst is on, at most maxDeferMs, then draws the latest state', async () => {
    let busy = true;
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, {
      yieldWhile: () => busy,
      maxDeferMs: 3000,
    });
    const { client, calls } = fakeClient();
    const state = { votes: 1, drawMs: 5 };
    u.schedule('r|a', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(0);
    busy = false;
    await jest.advanceTimersByTimeAsync(150);
    expect(calls.map((c) => c.text)).toEqual(['votes: 1']);

    // A burst that goes on: drawn once the vote has waited maxDeferMs.
    busy = true;
    state.votes = 2;
    await jest.advanceTimersByTimeAsync(1000);
    u.schedule('r|b', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(2800);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(400);
    expect(calls.map((c) => c.text)).toEqual(['votes: 1', 'votes: 2']);
    expect(u.stats.deferred).toBeGreaterThan(0);
  });

  it('messages held back by a burst are drawn in the same tick when it passes (so a review draws from one read)', async () => {
    let busy = true;
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, {
      yieldWhile: () => busy,
      maxDeferMs: 60_000,
    });
    const { client } = fakeClient();
    const drawnAt: number[] = [];
    const render = async (): Promise<PollMessage> => {
      drawnAt.push(Date.now());
      return { channel: 'C1', ts: '1.1', blocks: [], text: 'x' };
    };
    // Six messages made dirty at scattered moments while the burst is on.
    for (const [n, gap] of [0, 13, 29, 41, 67, 83].entries()) {
      await jest.advanceTimersByTimeAsync(gap);
      u.schedule(`r|${n}`, client, render, 'T1');
    }
    await jest.advanceTimersByTimeAsync(2000);
    expect(drawnAt).toHaveLength(0);
    busy = false;
    await jest.advanceTimersByTimeAsync(200);
    expect(drawnAt).toHaveLength(6);
    expect(new Set(drawnAt).size).toBe(1);
  });

  it('a redraw that waited for its workspace budget still waits for a burst to pass, at most maxDeferMs', async () => {
    // Seen in bench:slack: after a 429 (or a spent Tier 3 minute) the budget's turn drew a poll in the middle of a
    // burst, its read of thousands of votes beside the burst's acknowledgements.
    let busy = false;
    const outbound = new SlackOutbound({ now: Date.now });
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, {
      outbound,
      yieldWhile: () => busy,
      maxDeferMs: 8000,
    });
    const calls: string[] = [];
    let refuse = 1;
    const client = {
      chat: {
        update: async (a: { text: string }) => {
          if (refuse-- > 0)
            throw Object.assign(new Error('rate limited'), {
              code: 'slack_webapi_rate_limited_error',
              retryAfter: 4,
            });
          calls.push(a.text);
          return { ok: true };
        },
      },
    } as unknown as webApi.WebClient;
    const state = { votes: 1, drawMs: 5 };
    /**
     * A vote's redraw runs into a 429 (Retry-After 4 s), and another vote comes before any burst: the redraw owed
     * since the first vote is planned, finds the budget paused and waits for the workspace's turn.
     */
    const intoPause = async (votes: number) => {
      refuse = 1;
      state.votes = votes;
      const owedSince = Date.now();
      u.schedule('r|a', client, drawer(state), 'T1');
      await jest.advanceTimersByTimeAsync(1100);
      state.votes = votes + 1;
      u.schedule('r|a', client, drawer(state), 'T1');
      await jest.advanceTimersByTimeAsync(1100);
      return owedSince;
    };
    const rateLimited = u.stats.rateLimited;
    await intoPause(1);
    expect(u.stats.rateLimited).toBe(rateLimited + 1);
    expect(u.stats.budgetWaits).toBe(1);
    // A burst begins; the pause ends during it.
    busy = true;
    await jest.advanceTimersByTimeAsync(4000);
    expect(calls).toEqual([]);
    busy = false;
    await jest.advanceTimersByTimeAsync(200);
    expect(calls).toEqual(['votes: 2']);

    // A burst that goes on: the turn draws once the vote has waited maxDeferMs.
    await jest.advanceTimersByTimeAsync(1000);
    const owedSince = await intoPause(3);
    busy = true;
    await jest.advanceTimersByTimeAsync(owedSince + 7800 - Date.now());
    expect(calls).toEqual(['votes: 2']);
    await jest.advanceTimersByTimeAsync(400);
    expect(calls).toEqual(['votes: 2', 'votes: 4']);
  });

  it('flush (stopping) draws every message still owed a redraw at once, paced or held by a burst', async () => {
    const busy = () => true; // a burst is on and stays on
    const outbound = new SlackOutbound({ now: Date.now });
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, {
      yieldWhile: busy,
      maxDeferMs: 10_000,
      outbound,
    });
    const { client, calls } = fakeClient();
    const texts = (ch: string) => calls.filter((c) => c.text.startsWith(ch)).map((c) => c.text);
    // 'a' was drawn, then got a vote: its next draw waits for the pace (and the burst).
    let a = 1;
    u.schedule('r|a', client, async () => ({ channel: 'C1', ts: 'a', blocks: [], text: `a: ${a}` }), 'T1');
    await jest.advanceTimersByTimeAsync(10_000); // held by the burst at most 10 s, then drawn
    expect(texts('a')).toEqual(['a: 1']);
    a = 2;
    u.schedule('r|a', client, async () => ({ channel: 'C1', ts: 'a', blocks: [], text: `a: ${a}` }), 'T1');
    // 'b' got its first vote during the burst: held.
    const b = 7;
    u.schedule('r|b', client, async () => ({ channel: 'C1', ts: 'b', blocks: [], text: `b: ${b}` }), 'T1');
    await jest.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(1);
    const flushed = u.flush(5000);
    await jest.advanceTimersByTimeAsync(100);
    // Drawn at once, each with its latest state (before: 'b' after 10 s of burst, 'a' too).
    expect(texts('a')).toEqual(['a: 1', 'a: 2']);
    expect(texts('b')).toEqual(['b: 7']);
    await expect(flushed).resolves.toBe(true);
  });

  it('with settleMs, a message not drawn lately is first drawn that long after its vote', async () => {
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, {
      yieldWhile: () => false,
      settleMs: 250,
    });
    const { client, calls } = fakeClient();
    const state = { votes: 1, drawMs: 5 };
    u.schedule('r|a', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(240);
    expect(calls).toHaveLength(0);
    state.votes = 3; // more votes while it settles: one draw, of the latest state
    await jest.advanceTimersByTimeAsync(30);
    expect(calls.map((c) => c.text)).toEqual(['votes: 3']);
  });

  it('logs a failed update and still draws the next one', async () => {
    const errors: string[] = [];
    const u = new PollUpdater({ error: (m: string) => errors.push(m) }, 1000, Date.now);
    const { client, calls } = fakeClient();
    let fail = true;
    const render = async (): Promise<PollMessage> => {
      if (fail) {
        fail = false;
        throw new Error('store down');
      }
      return { channel: 'C1', ts: '1.0', blocks: [], text: 'ok' };
    };
    u.schedule('r|x', client, render, 'T1');
    await jest.advanceTimersByTimeAsync(10);
    u.schedule('r|x', client, render, 'T1');
    await jest.advanceTimersByTimeAsync(1100);
    expect(errors).toEqual(['Updating poll message r|x failed']);
    expect(calls.map((c) => c.text)).toEqual(['ok']);
    expect(u.stats.failures).toBe(1);
  });

  it("shares one chat.update budget per workspace: a meeting's six polls stay within Tier 3 and end right", async () => {
    const outbound = new SlackOutbound({ now: Date.now });
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, { outbound });
    const perMessage = new Map<string, Array<{ at: number; text: string }>>();
    const all: number[] = [];
    const clientFor = (key: string) =>
      ({
        chat: {
          update: async (a: { text: string }) => {
            if (key !== 'other') all.push(Date.now());
            perMessage.set(key, [...(perMessage.get(key) ?? []), { at: Date.now(), text: a.text }]);
            return { ok: true };
          },
        },
      }) as unknown as webApi.WebClient;
    // 30 members vote on each of 6 rows over 20 s (180 votes), in one workspace; another workspace votes too.
    const votes = new Map<string, number>();
    const keys = [1, 2, 3, 4, 5, 6].map((r) => `r|row${r}`);
    let lastVoteAt = 0;
    for (let t = 0; t < 180; t++) {
      const key = keys[t % 6] as string;
      votes.set(key, (votes.get(key) ?? 0) + 1);
      const n = votes.get(key);
      u.schedule(
        key,
        clientFor(key),
        async () => ({ channel: 'C1', ts: key, blocks: [], text: `votes: ${n}` }),
        'T1',
      );
      lastVoteAt = Date.now();
      await jest.advanceTimersByTimeAsync(111);
    }
    u.schedule(
      'other|row1',
      clientFor('other'),
      async () => ({ channel: 'C9', ts: '9', blocks: [], text: 'x' }),
      'T9',
    );
    await jest.advanceTimersByTimeAsync(10_000);
    // Every poll shows its final count within 10 s of the last vote.
    for (const key of keys) {
      const last = perMessage.get(key)?.at(-1);
      expect(last?.text).toBe('votes: 30');
      expect((last?.at ?? Infinity) - lastVoteAt).toBeLessThanOrEqual(10_000);
    }
    // In no minute more than Tier 3's 50 calls for T1 (the other workspace has its own budget).
    for (const start of all)
      expect(all.filter((x) => x >= start && x < start + 60_000).length).toBeLessThanOrEqual(50);
    expect(perMessage.get('other')).toHaveLength(1);
    expect(u.stats.budgetWaits).toBeGreaterThan(0);
  });

  it('after a 429 waits out Retry-After in its workspace only, then draws the latest state (not the refused one)', async () => {
    const outbound = new SlackOutbound({ now: Date.now });
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, { outbound });
    const calls: Array<{ at: number; text: string; ws: string }> = [];
    let refuse = 1;
    const clientOf = (ws: string) =>
      ({
        chat: {
          update: async (a: { text: string }) => {
            if (ws === 'T1' && refuse-- > 0)
              throw Object.assign(new Error('rate limited'), {
                code: 'slack_webapi_rate_limited_error',
                retryAfter: 4,
              });
            calls.push({ at: Date.now(), text: a.text, ws });
            return { ok: true };
          },
        },
      }) as unknown as webApi.WebClient;
    const state = { votes: 1, drawMs: 5 };
    const t0 = Date.now();
    u.schedule('r|a', clientOf('T1'), drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(50);
    expect(u.stats.rateLimited).toBe(1);
    // Another workspace's poll is not held up by T1's pause.
    u.schedule('s|a', clientOf('T2'), drawer({ votes: 9, drawMs: 5 }), 'T2');
    state.votes = 2;
    u.schedule('r|a', clientOf('T1'), drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(1500);
    expect(calls.map((c) => `${c.ws} ${c.text}`)).toEqual(['T2 votes: 9']);
    await jest.advanceTimersByTimeAsync(4000);
    expect(calls.map((c) => `${c.ws} ${c.text}`)).toEqual(['T2 votes: 9', 'T1 votes: 2']);
    expect((calls[1]?.at ?? 0) - t0).toBeGreaterThanOrEqual(4000);
    expect(u.stats.failures).toBe(0);
  });
  it('marks a message for the durable owed-redraw record while it has it in hand, and unmarks it once let go drawn', async () => {
    const events: string[] = [];
    const owed = {
      owe: async (key: string, workspace: string) => {
        events.push(`owe ${key} ${workspace}`);
      },
      paid: async (key: string) => {
        events.push(`paid ${key}`);
      },
    };
    const u = new PollUpdater({ error() {} }, 1000, Date.now, false, { owed });
    const { client, calls } = fakeClient();
    const state = { votes: 1, drawMs: 5 };
    u.schedule('r|row1', client, drawer(state), 'T1');
    u.schedule('r|row1', client, drawer(state), 'T1'); // in hand already: no second mark
    expect(events).toEqual(['owe r|row1 T1']);
    await jest.advanceTimersByTimeAsync(10);
    expect(calls).toHaveLength(1);
    expect(events).toEqual(['owe r|row1 T1']); // drawn, but kept one interval to space a next vote's update
    await jest.advanceTimersByTimeAsync(1100);
    expect(events).toEqual(['owe r|row1 T1', 'paid r|row1']);

    // At stop: a message drawn is let go; one still owed (waiting for its interval) stays marked.
    u.schedule('r|row2', client, drawer(state), 'T1');
    u.schedule('r|row3', client, drawer(state), 'T1');
    await jest.advanceTimersByTimeAsync(10);
    state.votes = 2;
    u.schedule('r|row3', client, drawer(state), 'T1');
    u.stop();
    expect(events.slice(2)).toEqual(['owe r|row2 T1', 'owe r|row3 T1', 'paid r|row2']);
  });
});

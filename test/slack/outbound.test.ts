import { pacedIntervalMs } from '../../src/adapters/scheduler/pacing';
import { createSlackNudgeMessenger } from '../../src/adapters/slack/nudges';
import { type OutboundCall, OutboundRateLimited, SlackOutbound } from '../../src/adapters/slack/outbound';
import { KeyedBudgets, POST_MESSAGE_PER_CHANNEL } from '../../src/adapters/slack/tiers';
import type { NudgeView } from '../../src/app/nudges/nudgeViews';
import { strictWindow } from '../support/strictWindow';

/**
 * The one Slack outbound layer on jest's fake timers (Date.now is the fake clock): the budget table shared by poll
 * posts and nudges, a 429 pausing only its own method/workspace (or channel), and the retry after Retry-After.
 */
beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  jest.useRealTimers();
});

/** The WebClient's error for a 429 when built with rejectRateLimitedCalls (Retry-After in seconds). */
const rateLimited = (retryAfter: number) =>
  Object.assign(new Error('A rate-limit has been reached'), {
    code: 'slack_webapi_rate_limited_error',
    retryAfter,
  });

/** Slack's chat.postMessage rule per channel (1/s, bursts of 3), as the fake Web API enforces it. */
function slackChannels() {
  const buckets = new KeyedBudgets(POST_MESSAGE_PER_CHANNEL.perSecond * 60, POST_MESSAGE_PER_CHANNEL.burst);
  const posts: Array<{ channel: string; at: number; what: string }> = [];
  let refused = 0;
  const post = async (channel: string, what: string) => {
    const b = buckets.for(channel);
    if (b.delayMs() > 0) {
      refused++;
      throw rateLimited(1);
    }
    b.take();
    posts.push({ channel, at: Date.now(), what });
    return { ok: true, ts: `${posts.length}.0` };
  };
  return { post, posts, refused: () => refused };
}

const nudge = (buildingId: string): NudgeView => ({
  tenantId: 'T1',
  districtId: 'd1',
  districtName: 'Lakeview Schools',
  buildingId,
  buildingName: `School ${buildingId}`,
  periodId: '2026-11',
  periodLabel: 'November 2026',
  attempt: 1,
  closesAt: 'Tue 2026-12-01 00:00 EST',
  timezone: 'America/Detroit',
  reminder: false,
});

/**
 * A review's announcement and six polls posted in the district's channel C1, while a nudge run posts the digest
 * and an escalation there too and nudges to 30 building channels; `shared` = one outbound layer for both.
 */
async function reviewStartDuringNudgeRun(shared: boolean) {
  const slack = slackChannels();
  const polls = new SlackOutbound();
  const messenger = createSlackNudgeMessenger({
    post: (_tenant, m) => slack.post(m.channel, m.text),
    ...(shared ? { outbound: polls } : {}),
  });
  const postPoll = (what: string) =>
    polls.call({ workspace: 'T1', method: 'chat.postMessage', channel: 'C1' }, () => slack.post('C1', what));
  const review = (async () => {
    for (const what of ['announcement', 'poll 1', 'poll 2', 'poll 3', 'poll 4', 'poll 5', 'poll 6'])
      await postPoll(what);
  })();
  const district = { tenantId: 'T1', channelId: 'C1' };
  const run = Promise.all([
    ...Array.from({ length: 30 }, (_, i) =>
      messenger.sendNudge({ tenantId: 'T1', channelId: `CB${i}` }, nudge(`b${i}`)),
    ),
    messenger.sendDigest(district, {
      tenantId: 'T1',
      districtId: 'd1',
      districtName: 'Lakeview Schools',
      periodId: '2026-11',
      periodLabel: 'November 2026',
      schedule: 'every Monday at 08:00',
      submitted: [],
      missing: [],
      escalated: [],
      nextRuns: [],
      timezone: 'America/Detroit',
    }),
    messenger.sendEscalation(district, {
      tenantId: 'T1',
      districtId: 'd1',
      districtName: 'Lakeview Schools',
      periodLabel: 'November 2026',
      escalateAfter: 2,
      buildings: [],
      timezone: 'America/Detroit',
    }),
  ]);
  const done = Promise.allSettled([review, run]);
  await jest.advanceTimersByTimeAsync(30_000);
  const failed = (await done).filter((r) => r.status === 'rejected').length;
  return { slack, polls, nudges: messenger.outbound, failed };
}

describe('one budget table for polls and nudges', () => {
  test('poll posts and a nudge run in one channel share its chat.postMessage budget: no 429, all delivered', async () => {
    const { slack, polls, nudges, failed } = await reviewStartDuringNudgeRun(true);
    expect(nudges).toBe(polls);
    expect(failed).toBe(0);
    expect(slack.refused()).toBe(0);
    expect(polls.stats.rateLimited).toBe(0);
    expect(slack.posts.filter((p) => p.channel.startsWith('CB'))).toHaveLength(30);
    const c1 = slack.posts.filter((p) => p.channel === 'C1');
    expect(c1.map((p) => p.what)).toEqual(
      expect.arrayContaining([
        'announcement',
        'poll 6',
        'Monitoring data, November 2026: 0 submitted, 0 not yet',
      ]),
    );
    expect(c1.map((p) => p.what)).toContain('Escalation: 0 building team(s) missed 2 nudges');
    expect(c1).toHaveLength(9);
    // The district channel: after a burst of 2, one a second.
    for (let i = 2; i < c1.length; i++)
      expect((c1[i]?.at ?? 0) - (c1[i - 2]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  test('the same run with the nudges on a layer of their own meets 429s in the district channel', async () => {
    const { slack, polls, nudges } = await reviewStartDuringNudgeRun(false);
    expect(nudges).not.toBe(polls);
    expect(slack.refused()).toBeGreaterThan(0);
  });

  test('the workspace ceiling spaces chat.postMessage over every channel of a workspace, not of another', async () => {
    const out = new SlackOutbound({ postMessagePerWorkspacePerSecond: 10 });
    const starts: Record<string, number[]> = { T1: [], T2: [] };
    const post = (workspace: string, channel: string) =>
      out.call({ workspace, method: 'chat.postMessage', channel }, async () => {
        starts[workspace]?.push(Date.now());
      });
    const all = Promise.all([
      ...Array.from({ length: 20 }, (_, i) => post('T1', `C${i}`)),
      ...Array.from({ length: 5 }, (_, i) => post('T2', `C${i}`)),
    ]);
    await jest.advanceTimersByTimeAsync(5000);
    await all;
    const t1 = starts.T1 as number[];
    expect(t1).toHaveLength(20);
    for (let i = 1; i < t1.length; i++) expect((t1[i] ?? 0) - (t1[i - 1] ?? 0)).toBeGreaterThanOrEqual(100);
    // T2 has its own ceiling: its five posts are not queued behind T1's twenty.
    expect(Math.max(...(starts.T2 as number[]))).toBeLessThan(t1[10] as number);
  });
});

describe('the workspace ceiling against a strict one-second window counted on arrival', () => {
  /** A fake Web API counting chat.postMessage per workspace as bench:nudges' does: a strict sliding second. */
  const workspaceWindow = (limitPerSecond: number, latency: (i: number) => number) =>
    strictWindow(limitPerSecond, latency, () => rateLimited(1), { ok: true as const });

  /** `n` posts, each to its own channel of T1, sent through `out` to `fake`. */
  const postAll = (out: SlackOutbound, fake: ReturnType<typeof workspaceWindow>, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        out.call({ workspace: 'T1', method: 'chat.postMessage', channel: `C${i}` }, fake.send),
      ),
    );

  test('posts spaced PACING_MARGIN under the ceiling, from when each actually went', async () => {
    const fake = workspaceWindow(20, () => 2);
    const out = new SlackOutbound({ postMessagePerWorkspacePerSecond: 20 });
    const all = postAll(out, fake, 60);
    await jest.advanceTimersByTimeAsync(10_000);
    await all;
    const gap = pacedIntervalMs(20);
    for (let i = 1; i < fake.starts.length; i++)
      expect((fake.starts[i] as number) - (fake.starts[i - 1] as number)).toBeGreaterThanOrEqual(
        Math.floor(gap),
      );
    expect((fake.starts[59] as number) - (fake.starts[0] as number)).toBeLessThanOrEqual(
      Math.ceil(59 * gap) + 59,
    );
    expect(fake.refused()).toBe(0);
  });

  test('no 429 when the first posts take longer to reach Slack than the next, and no more delay than that', async () => {
    // As measured in bench:nudges: while the nudge round starts up, a post takes up to 0.45 s from send() to the
    // fake Web API; then 2 ms. Spaced evenly when sent, they used to arrive bunched: over 20 in a second.
    const fake = workspaceWindow(20, (i) => (i < 15 ? 450 - i * 25 : 2));
    const out = new SlackOutbound({ postMessagePerWorkspacePerSecond: 20 });
    const t0 = Date.now();
    const all = postAll(out, fake, 100);
    await jest.advanceTimersByTimeAsync(20_000);
    await all;
    expect(fake.refused()).toBe(0);
    expect(out.stats.rateLimited).toBe(0);
    expect(fake.arrivals).toHaveLength(100);
    // 100 posts spaced for 20/s take 5.1 s; the slow start adds at most its 0.45 s.
    expect(Math.max(...fake.arrivals) - t0).toBeLessThan(99 * pacedIntervalMs(20) + 500);
  });

  test('posts in flight fill the window: the next waits for an answer, then a second after it', async () => {
    // The first 20 posts take 3 s to be answered (they reach Slack at once, or just before the answer).
    const fake = workspaceWindow(20, (i) => (i < 20 ? 3000 : 2));
    const out = new SlackOutbound({ postMessagePerWorkspacePerSecond: 20 });
    const t0 = Date.now();
    const all = postAll(out, fake, 30);
    await jest.advanceTimersByTimeAsync(20_000);
    await all;
    expect(fake.refused()).toBe(0);
    // The 21st went a second after the first answer (which came 3 s after the first post), not before.
    expect((fake.starts[20] as number) - t0).toBeGreaterThanOrEqual(4001);
    expect((fake.starts[20] as number) - t0).toBeLessThan(4100);
  });
});

describe('429: only that method in that workspace waits', () => {
  test('a 429 on chat.update pauses chat.update in T1 for Retry-After; ephemerals and T2 go on; then it is sent again', async () => {
    const out = new SlackOutbound();
    const sent: Array<{ what: string; at: number }> = [];
    let first = true;
    const t0 = Date.now();
    const update = out.call({ workspace: 'T1', method: 'chat.update' }, async () => {
      if (first) {
        first = false;
        throw rateLimited(3);
      }
      sent.push({ what: 'update T1', at: Date.now() - t0 });
    });
    await jest.advanceTimersByTimeAsync(10);
    const others = Promise.all([
      out.call({ workspace: 'T1', method: 'chat.postEphemeral' }, async () => {
        sent.push({ what: 'ephemeral T1', at: Date.now() - t0 });
      }),
      out.call({ workspace: 'T2', method: 'chat.update' }, async () => {
        sent.push({ what: 'update T2', at: Date.now() - t0 });
      }),
    ]);
    // Meanwhile chat.update in T1 is paused: no call may go there before the Retry-After.
    const t1Update: OutboundCall = { workspace: 'T1', method: 'chat.update' };
    expect(out.delayMs(t1Update)).toBeGreaterThan(2900);
    expect(out.delayMs({ workspace: 'T1', method: 'chat.postEphemeral' })).toBe(0);
    await jest.advanceTimersByTimeAsync(5000);
    await Promise.all([update, others]);
    expect(sent.map((s) => s.what)).toEqual(['ephemeral T1', 'update T2', 'update T1']);
    expect(sent.find((s) => s.what === 'ephemeral T1')?.at).toBeLessThan(100);
    expect(sent.find((s) => s.what === 'update T1')?.at).toBeGreaterThanOrEqual(3000);
    expect(out.stats).toMatchObject({ rateLimited: 1, retries: 1 });
  });

  test('a 429 on chat.postMessage in one channel holds back that channel only', async () => {
    const out = new SlackOutbound();
    const at: Record<string, number> = {};
    let first = true;
    const t0 = Date.now();
    const c1 = out.call({ workspace: 'T1', method: 'chat.postMessage', channel: 'C1' }, async () => {
      if (first) {
        first = false;
        throw rateLimited(2);
      }
      at.C1 = Date.now() - t0;
    });
    await jest.advanceTimersByTimeAsync(10);
    const cb = out.call({ workspace: 'T1', method: 'chat.postMessage', channel: 'CB1' }, async () => {
      at.CB1 = Date.now() - t0;
    });
    await jest.advanceTimersByTimeAsync(3000);
    await Promise.all([c1, cb]);
    expect(at.CB1).toBeLessThan(100);
    expect(at.C1).toBeGreaterThanOrEqual(2000);
  });

  test('gives up after maxAttempts 429s; other errors are not retried by this layer', async () => {
    const out = new SlackOutbound({ maxAttempts: 3 });
    let tries = 0;
    const limited = out
      .call({ workspace: 'T1', method: 'chat.postEphemeral' }, async () => {
        tries++;
        throw rateLimited(1);
      })
      .catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(5000);
    expect(await limited).toBeInstanceOf(OutboundRateLimited);
    expect(tries).toBe(3);
    let permanent = 0;
    await expect(
      out.call({ workspace: 'T1', method: 'chat.postEphemeral' }, async () => {
        permanent++;
        throw Object.assign(new Error('channel_not_found'), { code: 'slack_webapi_platform_error' });
      }),
    ).rejects.toThrow('channel_not_found');
    expect(permanent).toBe(1);
  });
});

test('one timer for the waiting calls; stop refuses them and later ones, and leaves no timer behind', async () => {
  const out = new SlackOutbound();
  const sent: string[] = [];
  const post = (what: string) =>
    out.call({ method: 'chat.postMessage', workspace: 'T1', channel: 'C1' }, async () => {
      sent.push(what);
      return what;
    });
  // The channel's burst goes at once; the rest wait for the channel's budget (about one a second).
  const calls = Array.from({ length: 6 }, (_, i) => post(`m${i}`).catch((e: Error) => e.message));
  await jest.advanceTimersByTimeAsync(0);
  const before = sent.length;
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(6);
  // One timer for all of them (each new waiting call used to leave the previous timer armed).
  expect(jest.getTimerCount()).toBe(1);
  out.stop();
  const results = await Promise.all(calls);
  expect(results.filter((r) => r === 'not sent: the app is stopping')).toHaveLength(6 - before);
  expect(jest.getTimerCount()).toBe(0);
  await expect(post('late')).rejects.toThrow('chat.postMessage not sent: the app is stopping');
  await jest.advanceTimersByTimeAsync(10_000);
  expect(sent).toHaveLength(before);
});

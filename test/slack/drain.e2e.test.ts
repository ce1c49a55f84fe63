import type { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { type SlackHarness, startSlackHarness, waitFor } from './harness';
import { blocksOf, clickPayload, openReview } from './scenario';
import type { Sent } from './signedClient';

const SECRET = 'test-signing-secret-drain-0123456789';
const MEMBERS = 1000;
const IN_FLIGHT = 200;
/** Every Web API call and response_url answer of the fake Slack takes this long. */
const SLACK_LATENCY_MS = 100;

interface Delivery {
  member: number;
  payload: ReturnType<typeof clickPayload>;
  /** The second delivery of the same payload. */
  again: boolean;
}

/**
 * Per-poll drain against a Slack that answers in 100 ms: the vote path must not wait on Slack. Before votes were
 * written ahead of their acknowledgement, the votes of such a storm queued behind their confirmations (32 s).
 */
describe('1,000 members click one poll, 200 in flight, 10 % delivered twice, Slack answering in 100 ms', () => {
  let h: SlackHarness;
  afterAll(() => h?.stop());

  test('all 1,000 stored within 3 s of the last click, once each; the close counts 1,000 = stored; the message shows it; no 429', async () => {
    h = await startSlackHarness(
      `micip_drain_${process.pid}`,
      SECRET,
      {},
      { tiers: true, latencyMs: SLACK_LATENCY_MS },
    );
    const { reviewId, polls } = await openReview(h, 'Drain');
    const poll = polls[0] as { rowId: string; ts: string };
    const user = (m: number) => `UD${m}`;
    const choice = (m: number) => (m % 4) + 1;
    const click = (m: number) =>
      clickPayload(h, reviewId, { user: user(m), rowId: poll.rowId, choice: choice(m) });
    const stored = (m: number) => h.app.store.votes.get(reviewId, poll.rowId, 1, user(m));

    // Every 10th click is delivered twice with the very same payload (as after a client timeout): half of them
    // 5 deliveries later (the first still in flight), half 300 later (the first most likely answered).
    const twice = (m: number) => m % 10 === 0;
    const againAfter = (m: number) => m + (m % 20 === 0 ? 5 : 300);
    const deliveries: Delivery[] = [];
    const firsts = Array.from({ length: MEMBERS }, (_, m) => ({
      member: m,
      payload: click(m),
      again: false,
    }));
    for (let k = 0; k < MEMBERS; k++) {
      deliveries.push(firsts[k] as Delivery);
      for (const f of firsts)
        if (twice(f.member) && againAfter(f.member) === k) deliveries.push({ ...f, again: true });
    }
    for (const f of firsts)
      if (twice(f.member) && againAfter(f.member) >= MEMBERS) deliveries.push({ ...f, again: true });
    expect(deliveries.filter((d) => d.again)).toHaveLength(MEMBERS / 10);

    // At most 200 requests in flight; a member whose click is not answered 200 clicks again. The answers of the
    // clicks delivered twice, and any that is not 200, are checked against the store the moment they arrive.
    const answers: Array<{ d: Delivery; sent: Sent; storedAtAnswer: boolean | null }> = [];
    let next = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let lastClickAt = 0;
    let allSent: () => void = () => {};
    const lastDispatched = new Promise<void>((r) => {
      allSent = r;
    });
    const t0 = Date.now();
    const worker = async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++] as Delivery;
        if (next === deliveries.length) allSent();
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        lastClickAt = Date.now();
        const sent = await h.slack.payload(d.payload);
        inFlight--;
        const check = sent.status !== 200 || twice(d.member);
        answers.push({ d, sent, storedAtAnswer: check ? (await stored(d.member)) !== null : null });
        if (sent.status !== 200)
          deliveries.push({ member: d.member, payload: click(d.member), again: false });
      }
    };
    // All stored: counted in the database every 50 ms from the moment the last click goes out (given up after 20 s).
    const votesStored = () =>
      (h.app.store as MongoStore).db
        .collection('votes')
        .countDocuments({ reviewId, rowId: poll.rowId, round: 1 });
    let allStoredAt = Number.POSITIVE_INFINITY;
    const watch = lastDispatched.then(() =>
      waitFor(async () => (await votesStored()) === MEMBERS, 20_000, 50).then(
        () => {
          allStoredAt = Date.now();
        },
        () => {},
      ),
    );
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const lastAnswerAt = Date.now();
    await watch;
    const drainMs = allStoredAt - lastClickAt;

    expect(maxInFlight).toBeLessThanOrEqual(IN_FLIGHT);
    const refused = answers.filter((a) => a.sent.status !== 200);
    // Acknowledged means stored. A click not acknowledged stored nothing (its member clicked again) — unless it
    // was answered 503 because its write outlived the 2 s deadline: that write is not cancelled and may still land
    // (such an answer took 2 s or more; a second delivery mirrors its first one's answer).
    const late = new Set(
      answers.filter((a) => a.sent.status !== 200 && a.sent.ms >= 2000).map((a) => a.d.member),
    );
    for (const a of answers) {
      if (a.storedAtAnswer === null || (a.sent.status !== 200 && late.has(a.d.member))) continue;
      expect({ member: a.d.member, status: a.sent.status, stored: a.storedAtAnswer }).toEqual({
        member: a.d.member,
        status: a.sent.status,
        stored: a.sent.status === 200,
      });
    }
    // All 1,000 stored within 3 s of the last click, each once with its member's choice.
    expect(drainMs).toBeLessThanOrEqual(3000);
    const votes = await h.app.store.votes.listRow(reviewId, poll.rowId, 1);
    expect(votes).toHaveLength(MEMBERS);
    const byMember = new Map(votes.map((v) => [v.memberId, v.choice]));
    for (let m = 0; m < MEMBERS; m++) expect(byMember.get(user(m))).toBe(choice(m));

    // One confirmation per member: a second delivery is neither counted nor confirmed again.
    await waitFor(() => h.fake.of('response_url').length >= MEMBERS, 40_000, 100);
    await h.app.slack?.work.idle(5_000);
    const confirmed = h.fake.of('response_url').map((c) => String(c.args.user));
    expect(confirmed).toHaveLength(MEMBERS);
    expect(new Set(confirmed).size).toBe(MEMBERS);
    const confirmedAt = Math.max(...h.fake.of('response_url').map((c) => c.at));

    // The coordinator closes the round: its tally counts exactly the 1,000 stored votes.
    await h.slack.command({ text: 'close' });
    await waitFor(async () => {
      const r = await h.app.store.reviews.get(reviewId);
      return r?.polls.find((p) => p.rowId === poll.rowId)?.rounds.length === 1;
    }, 15_000);
    const review = await h.app.store.reviews.get(reviewId);
    const result = review?.polls.find((p) => p.rowId === poll.rowId)?.rounds[0];
    expect(result?.stats.distribution.total).toBe(MEMBERS);
    expect(result?.stats.distribution.levels).toEqual([250, 250, 250, 250]);
    const tally = (await h.app.store.tallies.get(reviewId, 1))?.rows[poll.rowId] ?? {};
    const after = await h.app.store.votes.listRow(reviewId, poll.rowId, 1);
    expect(Object.fromEntries(Object.entries(tally).map(([m, t]) => [m, `${t.seq}:${t.choice}`]))).toEqual(
      Object.fromEntries(after.map((v) => [v.memberId, `${v.seq}:${v.choice}`])),
    );

    // The poll message's last update shows the closed round with its 1,000 votes.
    await waitFor(() => /Round 1 · closed/.test(blocksOf(h, poll.ts)), 20_000, 50);
    expect(await h.app.slack?.updater.idle(20_000)).toBe(true);
    const last = blocksOf(h, poll.ts);
    expect(last).toMatch(/\*1000 of 1001\* voted/);
    expect(last.match(/ \*250\*/g)).toHaveLength(4);
    expect(last).toMatch(/Not sure \*0\*/);
    expect(h.fake.limited).toHaveLength(0);

    console.info(
      `${MEMBERS} members, ${deliveries.length} deliveries (${MEMBERS / 10} twice, ${refused.length} not 200, ${late.size} of them after 2 s), ${maxInFlight} in flight, Slack answering in ${SLACK_LATENCY_MS} ms: clicks sent over ${lastClickAt - t0} ms, last answered ${lastAnswerAt - lastClickAt} ms and all ${MEMBERS} stored ${drainMs} ms after the last click; receiver ${JSON.stringify(h.app.slack?.receiver.stats)}; ${MEMBERS} confirmations, the last ${confirmedAt - lastClickAt} ms after the last click; close counted ${result?.stats.distribution.total}; ${h.fake.of('chat.update').filter((c) => c.args.ts === poll.ts).length} chat.update of the poll; ${h.fake.limited.length} × 429`,
    );
  }, 120_000);
});

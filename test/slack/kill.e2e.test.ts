import type { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { ACTION } from '../../src/adapters/slack/blocks';
import type { FakeSlack } from './fakeSlack';
import { type Replica, type ReplicaPair, startReplicaPair, startReviewOn } from './replicaProcess';
import { voteClick } from './signedClient';

const SECRET = 'test-signing-secret-kill-0123456789';
const dbName = `micip_slack_kill_${process.pid}`;

const CLICKS = 1000;
const IN_FLIGHT = 50;
const KILL_AFTER = 300;

type Outcome =
  | { replica: 'A' | 'B'; afterKill: boolean; status: number }
  | { replica: 'A' | 'B'; afterKill: boolean; status: 'no answer'; error: string };

/** The error code behind a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, …). */
function errorCode(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.name : 'error');
}

/**
 * Issue 12: two replicas on one database behind one URL, one killed with SIGKILL in the middle of 1,000 clicks.
 * Acknowledged means stored: every click answered 200 is in the database; every other click was refused or got no
 * answer (so the member saw it fail and can click again).
 */
describe('Slack with two replica processes: one is killed with SIGKILL during 1,000 clicks', () => {
  let pair: ReplicaPair | undefined;
  let fake: FakeSlack;
  let store: MongoStore;
  let a: Replica;
  let b: Replica;
  let reviewId = '';
  let row = '';

  beforeAll(async () => {
    pair = await startReplicaPair({ dbName, secret: SECRET });
    ({ fake, store, a, b } = pair);
    ({ reviewId, row } = await startReviewOn(pair, 'Killed Replica Schools', '"Kill" quorum=2'));
  }, 45_000);

  afterAll(async () => {
    await pair?.stop();
  }, 20_000);

  test('every click answered 200 is stored (0 lost); the others were refused or got no answer', async () => {
    const A = a as Replica;
    const B = b as Replica;
    const outcomes: Outcome[] = new Array(CLICKS);
    const choiceOf = (i: number) => (i % 4) + 1;
    let next = 0;
    let killed = false;
    let inFlightToA = 0;
    let inFlightToAAtKill = 0;

    const click = async (i: number): Promise<void> => {
      const replica = i % 2 === 0 ? 'A' : 'B';
      const to = replica === 'A' ? A : B;
      const user = `UK${i}`;
      const afterKill = killed;
      if (replica === 'A') inFlightToA++;
      try {
        const sent = await to.client.payload(
          voteClick({
            user,
            actionId: `${ACTION.vote}_${choiceOf(i)}`,
            value: `${reviewId}|${row}`,
            responseUrl: fake.responseUrl(user),
          }),
        );
        outcomes[i] = { replica, afterKill, status: sent.status };
      } catch (e) {
        outcomes[i] = { replica, afterKill, status: 'no answer', error: errorCode(e) };
      } finally {
        if (replica === 'A') inFlightToA--;
      }
    };

    // ~50 clicks in flight; once 300 have been sent, replica A is killed without warning.
    const worker = async (): Promise<void> => {
      while (next < CLICKS) {
        const i = next++;
        if (i === KILL_AFTER && !killed) {
          killed = true;
          inFlightToAAtKill = inFlightToA;
          A.child.kill('SIGKILL');
        }
        await click(i);
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker()));
    const ms = Date.now() - t0;
    await A.exited;
    expect(A.child.signalCode).toBe('SIGKILL');

    // What the database holds for this poll and round.
    const stored = new Map((await store.votes.listRow(reviewId, row, 1)).map((v) => [v.memberId, v]));
    const ok = outcomes.map((o, i) => ({ o, i })).filter(({ o }) => o.status === 200);
    const lost = ok.filter(({ i }) => stored.get(`UK${i}`)?.choice !== choiceOf(i));
    const noAnswer = outcomes.filter((o) => o.status === 'no answer');
    const refused = outcomes.filter((o) => o.status !== 200 && o.status !== 'no answer');
    const okABeforeKill = ok.filter(({ o }) => o.replica === 'A' && !o.afterKill).length;
    const okAAfterKill = ok.filter(({ o }) => o.replica === 'A' && o.afterKill).length;
    const okB = ok.filter(({ o }) => o.replica === 'B').length;
    const droppedInFlight = noAnswer.filter((o) => o.replica === 'A' && !o.afterKill).length;
    const storedUnanswered = outcomes.filter((o, i) => o.status !== 200 && stored.has(`UK${i}`)).length;
    const errors: Record<string, number> = {};
    for (const o of noAnswer) if ('error' in o) errors[o.error] = (errors[o.error] ?? 0) + 1;
    const statuses: Record<string, number> = {};
    for (const o of refused) statuses[String(o.status)] = (statuses[String(o.status)] ?? 0) + 1;
    console.info(
      [
        `kill test: ${CLICKS} clicks in ${ms} ms, ${IN_FLIGHT} in flight, replica A SIGKILLed after ${KILL_AFTER} sent`,
        `  (${inFlightToAAtKill} clicks in flight to A at the kill; ${droppedInFlight} of them got no answer)`,
        `  answered 200: ${ok.length} (A before its kill: ${okABeforeKill}, A after: ${okAAfterKill}, B: ${okB})`,
        `  no answer: ${noAnswer.length} ${JSON.stringify(errors)}`,
        `  answered non-200: ${refused.length} ${JSON.stringify(statuses)}`,
        `  votes stored: ${stored.size} (of them without a 200: ${storedUnanswered}); lost: ${lost.length}`,
      ].join('\n'),
    );

    // 0 lost: every click answered 200 has its vote stored, with the choice clicked.
    expect(lost.map(({ i }) => `UK${i}`)).toEqual([]);
    // Every click has an outcome; nothing else was stored than the clicks made.
    expect(outcomes.filter(Boolean)).toHaveLength(CLICKS);
    for (const [memberId, v] of stored) {
      const i = Number(memberId.slice(2));
      expect(v.choice).toBe(choiceOf(i));
    }
    // The kill interrupted a replica that had acknowledged votes, while clicks to it were in flight.
    expect(okABeforeKill).toBeGreaterThan(0);
    expect(inFlightToAAtKill).toBeGreaterThan(0);
    // …and cut clicks off mid-way: requests to A that got no answer other than a refused connection (those in flight
    // at the kill, or sent just after it while A was dying; the ones in flight may already have had their answers
    // written, so either may be 0 alone).
    const cut = noAnswer.filter((o) => o.replica === 'A' && 'error' in o && o.error !== 'ECONNREFUSED');
    expect(cut.length).toBeGreaterThan(0);
    // Only the killed replica left clicks unanswered.
    expect(noAnswer.filter((o) => o.replica !== 'A')).toEqual([]);
    // Replica B carried on: it acknowledged (and stored) its share.
    expect(okB).toBeGreaterThan(CLICKS / 2 - 50);
  }, 40_000);
});

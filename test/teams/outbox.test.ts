import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { NedbStore } from '../../src/adapters/embedded/nedbStore';
import { ServiceUrlAllowlist } from '../../src/adapters/teams/activity';
import { KV } from '../../src/adapters/teams/directory';
import { createTeamsNudgeMessenger } from '../../src/adapters/teams/nudges';
import { SendError, TeamsOutbox } from '../../src/adapters/teams/outbox';
import { DeliveryFailure } from '../../src/app/nudges/deliveryFailure';
import type { NudgeView } from '../../src/app/nudges/nudgeViews';
import type { Store } from '../../src/app/ports';
import { virtualClock } from '../support/virtualClock';

/**
 * The one Teams delivery path (TeamsOutbox → SendQueue), with botbuilder's connector replaced by a script of answers
 * and a virtual clock: polls, replies and nudges alike are retried after a 429's Retry-After, never after a 403, and
 * a failure that reaches the caller is a SendError that keeps the status.
 */
const SERVICE = 'http://127.0.0.1:4000';
const reference: Partial<ConversationReference> = {
  serviceUrl: SERVICE,
  channelId: 'msteams',
  conversation: { id: '19:c@thread.tacv2', isGroup: true, conversationType: 'channel', name: '' },
  bot: { id: '28:bot', name: 'bot' },
};

const httpError = (statusCode: number, retryAfter?: string) =>
  Object.assign(new Error(`Bot Connector answered ${statusCode}`), {
    statusCode,
    response: { headers: { get: (n: string) => (n === 'retry-after' ? retryAfter : undefined) } },
  });

/** A CloudAdapter stand-in whose connector answers from `script` (an error to throw, or the posted id). */
function fakeAdapter(script: Array<Error | string>) {
  const sent: unknown[] = [];
  const adapter = {
    ConnectorClientKey: Symbol('connector'),
    continueConversationAsync: async (
      _appId: string,
      _ref: Partial<ConversationReference>,
      logic: (ctx: unknown) => Promise<void>,
    ) =>
      logic({
        turnState: new Map(),
        adapter: {
          sendActivities: async (_ctx: unknown, activities: unknown[]) => {
            const next = script.shift() ?? 'posted';
            if (next instanceof Error) throw next;
            sent.push(...activities);
            return [{ id: next }];
          },
        },
      }),
  };
  return { adapter: adapter as unknown as CloudAdapter, sent };
}

let store: Store;
beforeEach(async () => {
  store = new NedbStore(null);
  await store.init();
  await store.kv.put(KV.conversation, 'teams:t1|19:c@thread.tacv2', {
    tenantId: 'teams:t1',
    channelId: '19:c@thread.tacv2',
    reference,
    updatedAt: new Date(0).toISOString(),
  });
});
afterEach(async () => store.close());

function outbox(script: Array<Error | string>) {
  const clock = virtualClock();
  const { adapter, sent } = fakeAdapter(script);
  const box = new TeamsOutbox(adapter, 'app', new ServiceUrlAllowlist([SERVICE]), store.kv, {
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  });
  return { box, clock, sent };
}

test('a 429 with Retry-After is sent again after that delay', async () => {
  const { box, clock, sent } = outbox([httpError(429, '3'), 'a1']);
  const res = await box.send(reference, { type: 'message', text: 'hello' });
  expect(res?.id).toBe('a1');
  expect(sent).toHaveLength(1);
  expect(clock.sleeps).toContain(3000);
  expect(box.queue.stats).toMatchObject({ attempts: 2, retries: 1, failures: 0 });
});

test('a 403 is not retried, and the SendError keeps its status', async () => {
  const { box, clock, sent } = outbox([httpError(403), 'never']);
  const err = await box.send(reference, { type: 'message', text: 'hello' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SendError);
  expect((err as SendError).status).toBe(403);
  expect(sent).toHaveLength(0);
  expect(clock.sleeps.filter((s) => s >= 100)).toEqual([]);
  expect(box.queue.stats).toMatchObject({ attempts: 1, retries: 0, failures: 1 });
});

const nudge: NudgeView = {
  tenantId: 'teams:t1',
  districtId: 'd1',
  districtName: 'Lakeview Schools',
  buildingId: 'b1',
  buildingName: 'Oak Elementary',
  periodId: '2026-11',
  periodLabel: 'November 2026',
  attempt: 1,
  closesAt: 'Tue 2026-12-01',
  timezone: 'America/Detroit',
  reminder: false,
};
const to = { tenantId: 'teams:t1', channelId: '19:c@thread.tacv2' };

test('nudges go through the same outbox: retried once after Retry-After, never twice over', async () => {
  const { box, clock, sent } = outbox([httpError(429, '2'), 'n1']);
  const m = createTeamsNudgeMessenger({ post: (t, c, a) => box.postToChannel(t, c, a) });
  await m.sendNudge(to, nudge);
  expect(sent).toHaveLength(1);
  expect(clock.sleeps).toContain(2000);
  expect(box.queue.stats).toMatchObject({ attempts: 2, retries: 1 });
  expect(m.limiter.stats).toMatchObject({ attempts: 1, retries: 0 });
});

test('a nudge refused with 403 is tried once and fails with the status', async () => {
  const { box } = outbox([httpError(403), 'never']);
  const m = createTeamsNudgeMessenger({ post: (t, c, a) => box.postToChannel(t, c, a) });
  const err = await m.sendNudge(to, nudge).catch((e: unknown) => e);
  // The caller gets it in plain words (a DeliveryFailure) that still carries the SendError and its status.
  expect(err).toBeInstanceOf(DeliveryFailure);
  expect((err as DeliveryFailure).problem).toBe('no-permission');
  expect((err as DeliveryFailure).cause).toBeInstanceOf(SendError);
  expect((err as { status?: number }).status).toBe(403);
  expect(box.queue.stats).toMatchObject({ attempts: 1, retries: 0, failures: 1 });
  expect(m.limiter.stats).toMatchObject({ attempts: 1, retries: 0, failures: 1 });
});

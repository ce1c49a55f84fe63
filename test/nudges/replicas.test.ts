import { MongoClient } from 'mongodb';
import { MongoStore } from '../../src/adapters/mongo/mongoStore';
import { zonedTime } from '../../src/domain/schedule';
import { coordinator, districtWithBuildings, makeNudges, RecordingMessenger, TestClock } from './support';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is not set: the global setup should have started a server');
const dbName = `micip_nudges_${process.pid}`;
const stores: MongoStore[] = [];

afterAll(async () => {
  for (const s of stores) await s.close();
  const client = await MongoClient.connect(uri);
  await client.db(dbName).dropDatabase();
  await client.close();
});

/**
 * Three scheduler replicas, each with its own connection to one MongoDB-wire server, tick at the same moments.
 * Every building must get each nudge exactly once and the district one digest per round.
 */
test('three scheduler instances sharing one MongoDB-wire server send each nudge once', async () => {
  const open = async () => {
    const s = await MongoStore.connect({ uri, dbName });
    await s.init();
    stores.push(s);
    return s;
  };
  const [s1, s2, s3] = await Promise.all([open(), open(), open()]);
  const clock = new TestClock(new Date('2026-11-23T15:00:00Z'));
  const messenger = new RecordingMessenger(); // one far side that all replicas post to
  const replicas = [s1, s2, s3].map((s, i) =>
    makeNudges(s as MongoStore, clock, messenger, `replica-${i + 1}`),
  );
  const first = replicas[0] as (typeof replicas)[number];
  const N = 60;
  await districtWithBuildings(first, N);
  await first.schedules.add(coordinator, {
    channelId: 'C1',
    expression: 'every weekday at 9:00',
    escalateAfter: 0,
  });

  // Two rounds (Tue and Wed 9:00), each ticked by all three replicas at 09:00, 09:01, 09:02.
  const reports = [];
  for (const day of [24, 25]) {
    for (let minute = 0; minute < 3; minute++) {
      const now = zonedTime('America/Detroit', 2026, 11, day, 9, minute);
      reports.push(...(await Promise.all(replicas.map((r) => r.runner.tick(now)))));
    }
  }
  const nudges = messenger.nudges();
  expect(nudges).toHaveLength(2 * N);
  const perBuildingAndRound = new Map<string, number>();
  for (const n of nudges) {
    const key = `${n.to.channelId}|${n.view.attempt}`;
    perBuildingAndRound.set(key, (perBuildingAndRound.get(key) ?? 0) + 1);
  }
  expect(perBuildingAndRound.size).toBe(2 * N);
  expect([...perBuildingAndRound.values()].every((c) => c === 1)).toBe(true);
  expect(messenger.digests()).toHaveLength(2);
  expect(reports.reduce((a, r) => a + r.sent, 0)).toBe(2 * N);
  // One claim per building per round, every one delivered.
  const claims = await first.nudges.claims.list(
    'T1',
    (await s1?.districts.findByChannel('T1', 'C1'))?.id as string,
    '2026-11',
  );
  expect(claims).toHaveLength(2 * N);
  expect(claims.every((c) => c.status === 'sent')).toBe(true);
  expect(reports.reduce((a, r) => a + r.errors, 0)).toBe(0);
});

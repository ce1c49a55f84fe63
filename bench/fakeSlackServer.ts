/** Child process of `npm run bench:slack`: the fake Slack Web API in its own process (Slack is remote). */
import { FakeSlack } from '../test/slack/fakeSlack';

async function main() {
  const fake = await new FakeSlack({ keepArgs: false }).start();
  process.send?.({ ready: true, port: Number(new URL(fake.url).port) });
  process.on('message', async (m: { cmd: string; id: number }) => {
    if (m.cmd === 'calls') {
      process.send?.({
        id: m.id,
        data: fake.calls.map((c) => ({ method: c.method, ts: c.args.ts ?? null, at: c.at })),
      });
    } else if (m.cmd === 'stop') {
      await fake.stop();
      process.exit(0);
    }
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from '../support/mongoServer';
import { waitFor } from './harness';
import { SignedClient } from './signedClient';

const root = path.resolve(__dirname, '..', '..');

export interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
  client: SignedClient;
  output: string[];
  exited: Promise<void>;
}

/** One replica: src/main.ts in its own Node process, as deployed (only ts-node instead of a build). */
export async function startReplica(
  name: string,
  o: { slackApiUrl: string; dbName: string; secret: string; env?: Record<string, string> },
): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      // The machine's clock as this test sees it (scripts/test-dates.sh shifts it with libfaketime).
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => k === 'TZ' || k === 'LD_PRELOAD' || k.startsWith('FAKETIME'),
        ),
      ),
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: process.env.MONGODB_URI as string,
      MONGODB_DB: o.dbName,
      SLACK_SIGNING_SECRET: o.secret,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: o.slackApiUrl,
      WEB_CONSOLE: 'off',
      NUDGES: 'off',
      LOG_LEVEL: 'error',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replica: Replica = {
    name,
    child,
    port,
    client: new SignedClient(`http://127.0.0.1:${port}/slack/events`, o.secret),
    output,
    exited,
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited: ${output.join('')}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
      } catch {
        return false;
      }
    }, 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`replica ${name} did not answer /healthz: ${(e as Error).message}\n${output.join('')}`);
  }
  return replica;
}

export async function stopReplica(r: Replica | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 5000);
  await r.exited;
  clearTimeout(timer);
}

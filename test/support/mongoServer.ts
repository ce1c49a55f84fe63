import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * Starts a MongoDB-wire-compatible server for tests when MONGODB_URI is not set: mongo-java-server (in-memory
 * backend) from Maven Central, compiled once into .cache/mongo-server. It is a test server only: production runs on
 * MongoDB 6+ or Atlas (docs/DEPLOY.md). FerretDB v1 is no substitute: it runs conditional updates non-atomically.
 */
const root = path.resolve(__dirname, '..', '..');
const cacheDir = path.join(root, '.cache', 'mongo-server');
const toolDir = path.join(root, 'tools', 'mongo-server');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves the Maven classpath and compiles the launcher once; later runs reuse .cache/mongo-server. */
export function prepareMongoJavaServer(): { classpath: string } {
  fs.mkdirSync(cacheDir, { recursive: true });
  const cpFile = path.join(cacheDir, 'classpath.txt');
  const classFile = path.join(cacheDir, 'classes', 'MongoLauncher.class');
  if (!fs.existsSync(cpFile)) {
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        path.join(toolDir, 'pom.xml'),
        'dependency:build-classpath',
        `-Dmdep.outputFile=${cpFile}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
  const classpath = fs.readFileSync(cpFile, 'utf8').trim();
  if (!fs.existsSync(classFile)) {
    execFileSync(
      'javac',
      ['-cp', classpath, '-d', path.join(cacheDir, 'classes'), path.join(toolDir, 'MongoLauncher.java')],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  return { classpath: `${path.join(cacheDir, 'classes')}${path.delimiter}${classpath}` };
}

export interface RunningServer {
  uri: string;
  description: string;
  stop(): Promise<void>;
}

/**
 * The database server runs on the machine's real clock even when the tests run under libfaketime
 * (scripts/test-dates.sh): it stamps nothing the tests assert (every date is the app's, from its injected clock), and
 * libfaketime's lock around each clock read of the JVM's many threads slows the server several times over, which
 * the throughput-timed scenario tests would report as the product's slowness.
 */
function realClock(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of Object.keys(out)) if (k === 'LD_PRELOAD' || k.startsWith('FAKETIME')) delete out[k];
  return out;
}

/**
 * `lowPauseGc`: run the server's JVM with ZGC (pauses under a millisecond) instead of G1, whose young-generation
 * pauses of 40–100 ms on two cores stop every connection at once (measured by the benchmarks: MongoDB itself has no
 * such pauses, so they are the test server's, not the product's). A collector named in MONGO_JAVA_OPTS wins.
 */
export async function startMongoJavaServer(o: { lowPauseGc?: boolean } = {}): Promise<RunningServer> {
  const { classpath } = prepareMongoJavaServer();
  const port = await freePort();
  // MONGO_JAVA_OPTS: more JVM options (e.g. `-Xlog:gc:file=/tmp/gc.log` to see the test server's pauses).
  const extra = (process.env.MONGO_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean);
  const gc = o.lowPauseGc && !extra.some((x) => /^-XX:\+Use\w+GC$/.test(x)) ? ['-XX:+UseZGC'] : [];
  const args = ['-Xmx1g', ...gc, ...extra, '-cp', classpath, 'MongoLauncher', String(port)];
  const child: ChildProcess = spawn('java', args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: realClock(process.env),
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mongo-java-server did not start within 60 s')), 60_000);
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited with code ${code}`));
    });
  });
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    description: `mongo-java-server 1.47.0 (in-memory${gc.length ? ', ZGC' : ''}) on 127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end(); // the launcher exits when its stdin closes
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Lints the Dockerfile and compose.yaml as text (Docker is not needed): what must hold for the image to build
 * reproducibly, run as an unprivileged user and be health-checked, and for compose to give the bot a MongoDB
 * replica set. Every rule has a case below that breaks it, so each can be seen to fail.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');

/** What `node dist/main.js` reads from disk at run time (relative to /app): the final stage must copy each. */
const RUNTIME_PATHS = ['dist', 'rubrics', 'cards', 'web'];

/** An exact release: major.minor.patch, optionally followed by a variant (`-bookworm-slim`). */
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/;

/** `image[:tag][@digest]` → problems with how it is pinned (none = pinned to an exact version). */
function imagePinProblems(where: string, ref: string): string[] {
  const noDigest = ref.split('@')[0] ?? '';
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const tag = colon > slash ? noDigest.slice(colon + 1) : '';
  if (tag === '') return [`${where}: image ${ref} has no tag (means "latest"); pin an exact version`];
  if (tag === 'latest') return [`${where}: image ${ref} uses "latest"; pin an exact version`];
  if (!EXACT_VERSION.test(tag))
    return [`${where}: image ${ref} tag "${tag}" is not an exact version (x.y.z)`];
  return [];
}

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Dockerfile → instructions (continuation lines joined, comments and blank lines dropped). */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = `${line.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (m) out.push({ line: start, keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() });
  }
  return out;
}

/** `--flag=value` options and the paths of a COPY/ADD (JSON array or shell form). */
function copyParts(args: string): { flags: string[]; paths: string[] } {
  const words: string[] = [];
  let rest = args;
  for (;;) {
    const m = /^(--\S+)\s+/.exec(rest);
    if (!m) break;
    words.push(m[1] ?? '');
    rest = rest.slice(m[0].length);
  }
  let paths: string[];
  if (rest.startsWith('[')) {
    try {
      paths = JSON.parse(rest) as string[];
    } catch {
      paths = [];
    }
  } else {
    paths = rest.split(/\s+/).filter(Boolean);
  }
  return { flags: words, paths };
}

/** Top-level entries of .dockerignore (not sent to the build, so a COPY of one fails). */
function dockerignored(repoRoot: string): Set<string> {
  const file = path.join(repoRoot, '.dockerignore');
  if (!fs.existsSync(file)) return new Set();
  return new Set(
    fs
      .readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!')),
  );
}

const npmCi = (run: string) => /\bnpm\s+ci\b/.test(run);
const omitsDev = (run: string) => /\bnpm\s+ci\b[^&;|]*--omit[=\s]dev\b/.test(run);

/** Problems with a Dockerfile; [] = fine. COPY sources are checked against `repoRoot`. */
function lintDockerfile(text: string, repoRoot: string = ROOT): string[] {
  const problems: string[] = [];
  const all = parseDockerfile(text);
  const stages: { name: string | null; from: Instruction; body: Instruction[] }[] = [];
  for (const ins of all) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(ins.args);
      stages.push({ name: m?.[2]?.toLowerCase() ?? null, from: ins, body: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]?.body.push(ins);
    } else if (ins.keyword !== 'ARG') {
      problems.push(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    }
  }
  if (stages.length < 2)
    problems.push(`multi-stage build expected (at least 2 FROM), found ${stages.length}`);

  const stageNames = new Set<string>();
  for (const s of stages) {
    const image = /^(?:--\S+\s+)*(\S+)/.exec(s.from.args)?.[1] ?? '';
    if (!stageNames.has(image.toLowerCase())) {
      if (image.includes('$'))
        problems.push(`line ${s.from.line}: FROM ${image} is not a literal, pinned image`);
      else problems.push(...imagePinProblems(`line ${s.from.line}: FROM`, image));
    }
    if (s.name) stageNames.add(s.name);
  }

  const final = stages[stages.length - 1];
  const builders = stages.slice(0, -1);
  const runsOf = (body: Instruction[]) => body.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  const builderRuns = builders.flatMap((s) => runsOf(s.body));
  if (!builderRuns.some((r) => npmCi(r) && !omitsDev(r))) {
    problems.push('build stage: no `npm ci` (all dependencies, from the lockfile)');
  }
  if (!builderRuns.some((r) => /\bnpm\s+run\s+build\b/.test(r)))
    problems.push('build stage: no `npm run build`');

  if (final) {
    const body = final.body;
    const runs = runsOf(body);
    if (!runs.some(omitsDev))
      problems.push('final stage: no `npm ci --omit=dev` (production dependencies only)');
    for (const r of runs) {
      if (npmCi(r) && !omitsDev(r)) problems.push(`final stage: \`${r}\` installs dev dependencies`);
      if (/\bnpm\s+(install|i)\b/.test(r))
        problems.push(`final stage: \`${r}\` ignores the lockfile; use npm ci`);
    }
    const users = body.filter((i) => i.keyword === 'USER');
    const user = users[users.length - 1]?.args.split(':')[0]?.trim();
    if (!user) problems.push('final stage: no USER (the container would run as root)');
    else if (user === 'root' || user === '0') problems.push(`final stage: USER ${user} is root`);
    const health = body.filter((i) => i.keyword === 'HEALTHCHECK');
    const hc = health[health.length - 1]?.args ?? '';
    if (!hc || /^NONE\b/i.test(hc)) problems.push('final stage: no HEALTHCHECK');
    else if (!hc.includes('/readyz')) problems.push('final stage: HEALTHCHECK does not probe /readyz');
    else if (/\b(curl|wget)\b/.test(hc))
      problems.push('final stage: HEALTHCHECK uses curl/wget (not in slim images)');
    if (!body.some((i) => i.keyword === 'ENV' && /\bNODE_ENV[=\s]+"?production"?/.test(i.args))) {
      problems.push('final stage: NODE_ENV is not set to production');
    }
    if (!body.some((i) => i.keyword === 'EXPOSE' && /\b3978\b/.test(i.args))) {
      problems.push('final stage: EXPOSE 3978 missing');
    }
    const copied = body
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => copyParts(i.args).paths.slice(0, -1))
      .map((p) => path.posix.basename(p.replace(/\/+$/, '')));
    for (const want of RUNTIME_PATHS) {
      if (!copied.includes(want))
        problems.push(`final stage: ${want}/ is not copied (the app reads it at run time)`);
    }
  }

  // Every COPY/ADD source taken from the build context must exist in the repo and not be .dockerignored.
  const ignored = dockerignored(repoRoot);
  for (const s of stages) {
    for (const ins of s.body) {
      if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
      const { flags, paths } = copyParts(ins.args);
      if (flags.some((f) => f.startsWith('--from='))) continue;
      if (paths.length < 2) {
        problems.push(`line ${ins.line}: ${ins.keyword} needs a source and a destination`);
        continue;
      }
      for (const src of paths.slice(0, -1)) {
        if (/^[a-z]+:\/\//i.test(src)) continue;
        const rel = src.replace(/^\.\//, '').replace(/\/+$/, '');
        if (/[*?[]/.test(rel)) continue;
        if (!fs.existsSync(path.join(repoRoot, rel))) {
          problems.push(`line ${ins.line}: ${ins.keyword} source ${src} does not exist in the repo`);
        } else if (ignored.has(rel.split('/')[0] ?? rel)) {
          problems.push(`line ${ins.line}: ${ins.keyword} source ${src} is excluded by .dockerignore`);
        }
      }
    }
  }
  return problems;
}

/** compose.yaml → its services' blocks, by name (two-space indented keys under `services:`). */
function composeServices(text: string): Map<string, string> {
  const services = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  let inServices = false;
  let current: string | null = null;
  let block: string[] = [];
  const flush = () => {
    if (current) services.set(current, block.join('\n'));
  };
  for (const line of lines) {
    if (/^\S/.test(line) && !line.startsWith('#')) {
      flush();
      current = null;
      block = [];
      inServices = /^services:\s*$/.test(line);
      continue;
    }
    if (!inServices) continue;
    const m = /^ {2}([A-Za-z0-9_.-]+):\s*$/.exec(line);
    if (m) {
      flush();
      current = m[1] ?? null;
      block = [];
    } else if (current) {
      block.push(line);
    }
  }
  flush();
  return services;
}

/** Problems with compose.yaml; [] = fine. */
function lintCompose(text: string): string[] {
  const problems: string[] = [];
  const services = composeServices(text);
  if (services.size === 0) return ['no services'];
  for (const [name, block] of services) {
    for (const m of block.matchAll(/^\s*image:\s*["']?([^\s"'#]+)/gm)) {
      problems.push(...imagePinProblems(`service ${name}`, m[1] ?? ''));
    }
  }
  const mongo = [...services].find(([, b]) => /^\s*image:\s*["']?mongo[:@\s"']/m.test(b));
  const bot = [...services].find(([, b]) => /^\s*build:/m.test(b));
  if (!mongo) problems.push('no MongoDB service (image: mongo:x.y.z)');
  if (!bot) problems.push('no bot service (build: .)');
  if (!mongo || !bot) return problems;
  const [mongoName, mongoBlock] = mongo;
  const [botName, botBlock] = bot;

  const replSet = /--replSet["',\s]+([A-Za-z0-9_-]+)/.exec(mongoBlock)?.[1];
  if (!replSet) problems.push(`service ${mongoName}: not started as a replica set (--replSet)`);
  if (!/^\s*healthcheck:/m.test(mongoBlock)) problems.push(`service ${mongoName}: no healthcheck`);
  else if (!/rs\.initiate\(/.test(mongoBlock)) {
    problems.push(`service ${mongoName}: healthcheck does not initiate the replica set (rs.initiate)`);
  }
  if (!/^\s*-\s*[A-Za-z0-9_-]+:\/data\/db\b/m.test(mongoBlock)) {
    problems.push(`service ${mongoName}: /data/db is not on a named volume`);
  }

  const uri = /MONGODB_URI["']?\s*[:=]\s*["']?(mongodb(?:\+srv)?:\/\/[^\s"']+)/.exec(botBlock)?.[1];
  if (!uri) problems.push(`service ${botName}: no MONGODB_URI`);
  else {
    const rs = /[?&]replicaSet=([^&]+)/.exec(uri)?.[1];
    if (!rs) problems.push(`service ${botName}: MONGODB_URI has no replicaSet= (${uri})`);
    else if (replSet && rs !== replSet)
      problems.push(`service ${botName}: replicaSet=${rs} but mongo runs ${replSet}`);
    const host = /^mongodb:\/\/(?:[^@/]*@)?([^:/,?]+)/.exec(uri)?.[1];
    if (host && host !== mongoName)
      problems.push(`service ${botName}: MONGODB_URI host ${host} is not ${mongoName}`);
  }
  const dependsHealthy = new RegExp(
    `depends_on:\\s*\\n\\s+${mongoName}:\\s*\\n\\s+condition:\\s*service_healthy`,
  ).test(botBlock);
  if (!dependsHealthy) {
    problems.push(`service ${botName}: depends_on ${mongoName} without condition: service_healthy`);
  }
  if (!/env_file:\s*\n\s+-\s*path:\s*\.env\s*\n\s+required:\s*false/.test(botBlock)) {
    problems.push(`service ${botName}: env_file .env is not marked required: false`);
  }
  if (!/["']?\d*:?3978:3978["']?/.test(botBlock))
    problems.push(`service ${botName}: port 3978 not published`);
  const volume = /^\s*-\s*([A-Za-z0-9_-]+):\/data\/db\b/m.exec(mongoBlock)?.[1];
  if (volume && !new RegExp(`^volumes:\\s*\\n(?:\\s+.*\\n)*?\\s+${volume}:`, 'm').test(text)) {
    problems.push(`volume ${volume} is not declared under top-level volumes:`);
  }
  return problems;
}

const dockerfile = read('Dockerfile');
const compose = read('compose.yaml');

/** Replaces `from` (which must occur) in `text`. */
function mutate(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`mutation did not apply: ${String(from)}`);
  return out;
}

describe('Dockerfile', () => {
  test('passes the lint', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  test('finds the problems of a bad Dockerfile', () => {
    const bad = [
      'FROM node:latest',
      'WORKDIR /app',
      'COPY . .',
      'COPY no-such-dir ./x',
      'RUN npm install',
      'RUN npm run build',
      'CMD ["node", "dist/main.js"]',
    ].join('\n');
    const problems = lintDockerfile(bad);
    for (const want of [
      /multi-stage/,
      /uses "latest"/,
      /build stage: no `npm ci`/,
      /no `npm ci --omit=dev`/,
      /ignores the lockfile/,
      /no USER/,
      /no HEALTHCHECK/,
      /NODE_ENV/,
      /EXPOSE 3978/,
      /no-such-dir does not exist/,
      /rubrics\/ is not copied/,
    ]) {
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(want)]));
    }
  });

  // Each rule, broken one at a time in the real file.
  test.each<[string, (t: string) => string, RegExp]>([
    ['one stage', (t) => mutate(t, /FROM [^\n]+ AS runtime/, 'WORKDIR /x'), /multi-stage/],
    ['untagged base', (t) => mutate(t, /FROM node:[^\s]+ AS build/, 'FROM node AS build'), /has no tag/],
    ['latest base', (t) => mutate(t, /FROM node:[^\s]+ AS runtime/, 'FROM node:latest AS runtime'), /latest/],
    [
      'major-only tag',
      (t) => mutate(t, /FROM node:[^\s]+ AS build/, 'FROM node:20-slim AS build'),
      /not an exact/,
    ],
    ['no npm ci to build', (t) => mutate(t, /RUN npm ci\n/, 'RUN npm install\n'), /build stage: no `npm ci`/],
    ['no build', (t) => mutate(t, 'RUN npm run build', 'RUN true'), /no `npm run build`/],
    ['dev deps at runtime', (t) => mutate(t, 'npm ci --omit=dev', 'npm ci'), /installs dev dependencies/],
    ['no USER', (t) => mutate(t, /\nUSER node\n/, '\n'), /no USER/],
    ['root USER', (t) => mutate(t, /\nUSER node\n/, '\nUSER root\n'), /is root/],
    ['uid 0', (t) => mutate(t, /\nUSER node\n/, '\nUSER 0:0\n'), /is root/],
    ['no HEALTHCHECK', (t) => mutate(t, /HEALTHCHECK[^\n]*\\\n[^\n]*\n/, ''), /no HEALTHCHECK/],
    [
      'HEALTHCHECK NONE',
      (t) => mutate(t, /HEALTHCHECK[^\n]*\\\n[^\n]*\n/, 'HEALTHCHECK NONE\n'),
      /no HEALTHCHECK/,
    ],
    ['probes /healthz', (t) => mutate(t, "'/readyz'", "'/healthz'"), /does not probe \/readyz/],
    [
      'missing COPY source',
      (t) => mutate(t, 'COPY rubrics ./rubrics', 'COPY rubricz ./rubrics'),
      /does not exist/,
    ],
    [
      'ignored COPY source',
      (t) => mutate(t, 'COPY rubrics ./rubrics', 'COPY node_modules ./node_modules\nCOPY rubrics ./rubrics'),
      /node_modules is excluded by \.dockerignore/,
    ],
    ['runtime file not copied', (t) => mutate(t, /\nCOPY cards \.\/cards\n/, '\n'), /cards\/ is not copied/],
    ['NODE_ENV unset', (t) => mutate(t, 'ENV NODE_ENV=production', 'ENV NODE_ENV=development'), /NODE_ENV/],
    ['no EXPOSE', (t) => mutate(t, 'EXPOSE 3978', 'EXPOSE 8080'), /EXPOSE 3978/],
  ])('fails when broken: %s', (_name, breakIt, want) => {
    expect(lintDockerfile(breakIt(dockerfile))).toEqual(
      expect.arrayContaining([expect.stringMatching(want)]),
    );
  });

  test('the final stage copies every folder the app reads from disk, and each exists', () => {
    for (const p of RUNTIME_PATHS.filter((p) => p !== 'dist')) {
      expect(fs.existsSync(path.join(ROOT, p))).toBe(true);
    }
    // Every top-level folder that src/ resolves from __dirname is among them (a new one must be copied too).
    const files = fs
      .readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'));
    const read = new Set<string>();
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, 'src', f), 'utf8');
      for (const m of text.matchAll(/path\.join\(__dirname, (?:'\.\.', )+'([^']+)'/g)) read.add(m[1] ?? '');
    }
    expect([...read].sort()).toEqual(expect.arrayContaining(['cards', 'rubrics', 'web']));
    for (const p of read) expect(RUNTIME_PATHS).toContain(p);
  });

  test('.dockerignore keeps local state and secrets out of the build context', () => {
    const ignored = dockerignored(ROOT);
    for (const p of ['node_modules', '.git', '.cache', 'data', 'dist', 'test-artifacts', '.env']) {
      expect(ignored).toContain(p);
    }
  });
});

describe('compose.yaml', () => {
  test('passes the lint', () => {
    expect(lintCompose(compose)).toEqual([]);
  });

  test.each<[string, (t: string) => string, RegExp]>([
    ['mongo unpinned', (t) => mutate(t, /image: mongo:\S+/, 'image: mongo'), /has no tag/],
    ['mongo latest', (t) => mutate(t, /image: mongo:\S+/, 'image: mongo:latest'), /latest/],
    ['mongo major only', (t) => mutate(t, /image: mongo:\S+/, 'image: mongo:7'), /not an exact/],
    ['no replica set', (t) => mutate(t, /"--replSet", "rs0", /, ''), /replica set/],
    ['URI without replicaSet', (t) => mutate(t, '?replicaSet=rs0', ''), /no replicaSet=/],
    ['URI other replica set', (t) => mutate(t, '?replicaSet=rs0', '?replicaSet=rs1'), /replicaSet=rs1/],
    [
      'URI other host',
      (t) => mutate(t, 'mongodb://mongo:27017', 'mongodb://localhost:27017'),
      /host localhost/,
    ],
    [
      'no mongo healthcheck',
      (t) => mutate(t, /\n {4}healthcheck:[\s\S]*?start_period: \S+\n/, '\n'),
      /no healthcheck/,
    ],
    ['no rs.initiate', (t) => mutate(t, 'rs.initiate(', 'rs.conf('), /rs\.initiate/],
    [
      'bot not waiting',
      (t) => mutate(t, 'condition: service_healthy', 'condition: service_started'),
      /depends_on/,
    ],
    ['.env required', (t) => mutate(t, /\n(\s+)required: false/, '\n$1required: true'), /required: false/],
    ['port', (t) => mutate(t, '"3978:3978"', '"8080:8080"'), /port 3978/],
    ['anonymous volume', (t) => mutate(t, '- mongo-data:/data/db', '- /data/db'), /named volume/],
    ['undeclared volume', (t) => mutate(t, /\nvolumes:\n {2}mongo-data:\n?/, '\n'), /not declared/],
  ])('fails when broken: %s', (_name, breakIt, want) => {
    expect(lintCompose(breakIt(compose))).toEqual(expect.arrayContaining([expect.stringMatching(want)]));
  });
});

#!/usr/bin/env node
// Runs a benchmark as the product runs in production: compiled to JavaScript first (`npm start` runs dist/, not
// ts-node), so no process of the bench carries the TypeScript compiler in its heap (tens of megabytes that every
// major garbage collection of a fresh process would have to mark). Usage: node scripts/bench.js <name> [args…],
// for bench/<name>.ts. The compiled tree is .cache/bench-<name>/ (tsconfig.bench.json), one per bench, so that
// two different benches can run at once.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const name = process.argv[2];
// The benches are the package's `bench:*` scripts (bench/ also holds the servers bench:slack forks).
const known = Object.values(require(path.join(root, 'package.json')).scripts)
  .map((cmd) => /^node scripts\/bench\.js (\w+)$/.exec(cmd)?.[1])
  .filter(Boolean);
if (!known.includes(name)) {
  console.error(
    `usage: node scripts/bench.js <name> [args…] (npm run bench:…), name one of: ${known.join(', ')}`,
  );
  process.exit(2);
}
const out = path.join(root, '.cache', `bench-${name}`);
fs.rmSync(out, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.bench.json'), '--outDir', out],
  {
    stdio: 'inherit',
  },
);
// The product and the test support find their files relative to their own directory (cards/, web/, rubrics/,
// tools/, .cache/mongo-server/): the compiled tree reaches them through links to the project's own.
fs.mkdirSync(path.join(out, '.cache'));
fs.mkdirSync(path.join(root, '.cache', 'mongo-server'), { recursive: true });
for (const dir of ['cards', 'web', 'rubrics', 'manifests', 'tools', path.join('.cache', 'mongo-server')]) {
  fs.symlinkSync(path.join(root, dir), path.join(out, dir), 'dir');
}
process.argv.splice(1, 2, path.join(out, 'bench', `${name}.js`));
require(process.argv[1]);

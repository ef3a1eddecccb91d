// Compiles the TypeScript that runs in production (src/) and the benchmark's child processes
// (bench/) to JavaScript under dist/node/, with exactly the transform `scripts/register.mjs`
// applies on the fly (swc with the tsconfig's decorator metadata, which type-graphql needs).
// Why: the on-the-fly loader costs about 180 MB of resident memory by itself (docs/performance.md,
// "Performance"); `npm start` and the benchmark run the compiled output, `npm run dev` and the
// tests the sources. Incremental: a file is compiled again only when its source is newer.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { compile } = require('@swc-node/register/register');
const { readDefaultTsConfig } = require('@swc-node/register/read-default-tsconfig');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/node');
const DIRS = ['src', 'bench'];
// The same options the ESM loader passes (node_modules/@swc-node/register/esm/esm.mjs).
const options = { ...readDefaultTsConfig(path.join(root, 'tsconfig.json')), paths: undefined, baseUrl: undefined };

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'results') yield* sources(full);
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const started = Date.now();
const wanted = new Set();
let compiled = 0;
for (const dir of DIRS) {
  for (const file of sources(path.join(root, dir))) {
    const target = path.join(out, path.relative(root, file)).replace(/\.tsx?$/, '.js');
    wanted.add(target);
    if (statSync(target, { throwIfNoEntry: false })?.mtimeMs >= statSync(file).mtimeMs) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, await compile(readFileSync(file, 'utf8'), file, options, true));
    compiled++;
  }
}
// A source deleted or renamed leaves no stale module behind that an old import could still load.
function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) prune(full);
    else if (!wanted.has(full)) rmSync(full);
  }
}
for (const dir of DIRS) {
  try {
    prune(path.join(out, dir));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}
if (process.argv.includes('--verbose') || compiled > 0) {
  process.stderr.write(`build: ${compiled} of ${wanted.size} files compiled to dist/node in ${Date.now() - started} ms\n`);
}

// Bundles the GraphiQL IDE (src/graphiql/page.tsx) and Monaco's web workers into dist/graphiql/
// with esbuild, so the IDE page loads nothing from a CDN. Skips the work when every output is
// newer than every input (src/graphiql/*, package-lock.json, this script).
//
//   node scripts/build-graphiql.mjs           build if out of date
//   node scripts/build-graphiql.mjs --force   always build
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src/graphiql');
const outDir = path.join(root, 'dist/graphiql');
const rel = (p) => path.relative(root, p) || '.';

const workers = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};
const outputs = ['app.js', 'app.css', ...Object.keys(workers).map((name) => `${name}.js`)].map((f) => path.join(outDir, f));

function inputs() {
  const files = readdirSync(srcDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
  return [...files, path.join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
}

function upToDate() {
  if (!outputs.every((f) => existsSync(f))) return false;
  const newestInput = Math.max(...inputs().map((f) => statSync(f).mtimeMs));
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return oldestOutput > newestInput;
}

// graphiql/style.css already carries Monaco's whole stylesheet (codicon font inlined), so the
// CSS files that Monaco's JS modules import would only duplicate it (and pull in codicon.ttf).
const dropMonacoCss = {
  name: 'drop-monaco-css',
  setup(b) {
    b.onResolve({ filter: /\.css$/ }, (args) =>
      /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer) ? { path: args.path, namespace: 'monaco-css' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'monaco-css' }, () => ({ contents: '', loader: 'css' }));
  },
};

const common = {
  bundle: true,
  minify: true,
  target: ['es2022'],
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  define: { 'process.env.NODE_ENV': '"production"' },
};

async function main() {
  const force = process.argv.includes('--force');
  if (!force && upToDate()) {
    console.log(`graphiql: ${rel(outDir)} up to date`);
    return;
  }
  const started = performance.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  // Pass 1: the page (ES module, so it can find its workers via import.meta.url) and its CSS.
  // Pass 2: the workers, as classic scripts (`new Worker(url)` without `type: 'module'`).
  await Promise.all([
    build({
      ...common,
      entryPoints: { app: path.join(srcDir, 'page.tsx') },
      outdir: outDir,
      format: 'esm',
      jsx: 'automatic',
      plugins: [dropMonacoCss],
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
      assetNames: '[name]-[hash]',
    }),
    build({
      ...common,
      entryPoints: Object.fromEntries(Object.entries(workers).map(([name, spec]) => [name, spec])),
      outdir: outDir,
      format: 'iife',
    }),
  ]);
  const ms = Math.round(performance.now() - started);
  console.log(`graphiql: built ${rel(outDir)} in ${ms} ms`);
}

main().catch((err) => {
  console.error(`graphiql: build failed: ${err?.message ?? err}`);
  process.exit(1);
});

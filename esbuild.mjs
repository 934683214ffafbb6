// One build for every bundle: extension client, language server, engine worker, CLI, webview
// scripts, and (with --tests) the unit and extension-host test bundles.
//   node esbuild.mjs               development build into dist/
//   node esbuild.mjs --production  minified, no source maps (what the .vsix ships)
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --tests       also bundle test/** into out/test/
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchedSqlJsWasm, sqlJsGluePlugin } from './src/build/sqljs.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

// sql.js, patched at bundle time for the exact pinned version (src/build/sqljs.mjs): its
// Emscripten FS exported (the in-place file system needs it) and a faster memcmp in its wasm.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sqlJsGlue = sqlJsGluePlugin(root);
const sqlJsWasm = patchedSqlJsWasm(root);
/** Writes the sql.js WebAssembly next to every Node bundle that loads it. */
const copyWasm = (outdir) => ({
  name: 'copy-wasm',
  setup(build) {
    build.onEnd(() => { mkdirSync(outdir, { recursive: true }); writeFileSync(join(outdir, 'sql-wasm-debug.wasm'), sqlJsWasm); });
  },
});

// The DuckDB reader's WebAssembly (eh build only: Node 20 and Electron have wasm exceptions),
// copied beside dist/duckdb-worker.js; tests load it from node_modules.
const duckWasm = join(root, 'node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
const copyDuckWasm = (outdir) => ({ name: 'copy-duckdb-wasm', setup(build) {
  build.onEnd(() => { mkdirSync(outdir, { recursive: true }); copyFileSync(duckWasm, join(outdir, 'duckdb-eh.wasm')); }) } });

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: production ? false : 'linked', minify: production, logLevel: 'warning',
  external: ['vscode', 'mocha', 'playwright-core'],
  define: { PRODUCT_VERSION: JSON.stringify(pkg.version) },
  plugins: [sqlJsGlue],
};

const configs = [
  { ...node, entryPoints: { extension: 'src/extension.ts', server: 'src/server/server.ts',
    'engine-worker': 'src/core/engine/worker.ts', cli: 'src/cli.ts', 'duckdb-worker': 'src/core/duckdb/worker.ts' },
    outdir: 'dist', plugins: [sqlJsGlue, copyWasm(join(root, 'dist')), copyDuckWasm(join(root, 'dist'))] },
];

const webviewEntries = listFiles('src/webview', (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('/shared/'));
if (webviewEntries.length) {
  configs.push({ bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: production,
    sourcemap: production ? false : 'linked', logLevel: 'warning',
    entryPoints: webviewEntries, outdir: 'media/dist' });
}

if (tests) {
  // Test bundles keep their path under out/ (out/test/unit/x.test.js, out/test/suite/…). Each
  // folder whose code opens databases gets the engine worker and the WebAssembly beside it.
  const entries = ['test/unit', 'test/suite', 'test/fixtures', 'test/ui', 'test/bench', 'test/crosscheck']
    .flatMap((d) => listFiles(d, (f) => f.endsWith('.ts') && !f.endsWith('.d.ts')));
  const withEngine = ['test/unit', 'test/suite', 'test/fixtures', 'test/bench', 'test/crosscheck'];
  configs.push({ ...node,
    entryPoints: Object.fromEntries([
      ...entries.map((f) => [f.replace(/\.ts$/, ''), f]),
      ...withEngine.map((d) => [`${d}/engine-worker`, 'src/core/engine/worker.ts']),
      ...withEngine.map((d) => [`${d}/duckdb-worker`, 'src/core/duckdb/worker.ts']),
    ]),
    outdir: 'out',
    plugins: [sqlJsGlue, ...withEngine.map((d) => copyWasm(join(root, 'out', d)))] });
}

function listFiles(dir, keep) {
  const abs = join(root, dir);
  try { statSync(abs); } catch { return []; }
  const out = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listFiles(rel, keep));
    else if (keep(rel)) out.push(rel);
  }
  return out.sort();
}

if (watch) {
  for (const c of configs) await (await esbuild.context(c)).watch();
  console.log('[esbuild] watching…');
} else {
  const t0 = Date.now();
  await Promise.all(configs.map((c) => esbuild.build(c)));
  console.log(`[esbuild] ${production ? 'production' : 'development'} build in ${Date.now() - t0} ms`);
}

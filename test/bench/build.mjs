// Fallback bundle of the bench (and engine worker) alone, for when the full `node esbuild.mjs
// --tests` cannot build yet (other entry points missing). Same sql.js pin check and FS patch.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchedSqlJsWasm, sqlJsGluePlugin } from '../../src/build/sqljs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'out/test/bench');
await esbuild.build({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', absWorkingDir: root,
  entryPoints: { bench: 'test/bench/bench.ts', 'engine-run': 'test/bench/engine-run.ts', 'engine-worker': 'src/core/engine/worker.ts' },
  outdir: out, plugins: [sqlJsGluePlugin(root)] });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'sql-wasm-debug.wasm'), patchedSqlJsWasm(root));

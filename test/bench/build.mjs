// Fallback bundle of the bench (and engine worker) alone, for when the full `node esbuild.mjs
// --tests` cannot build yet (other entry points missing). Same sql.js pin check and FS patch.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pin = JSON.parse(readFileSync(join(root, 'src/core/db/sqljs-pin.json'), 'utf8'));
const exportFs = { name: 'sql.js-export-fs', setup(b) {
  b.onLoad({ filter: /sql\.js[\\/]dist[\\/]sql-wasm-debug\.js$/ }, (a) => {
    const text = readFileSync(a.path, 'utf8');
    if (createHash('sha256').update(text).digest('hex') !== pin.sha256) throw new Error('sql.js changed: update src/core/db/sqljs-pin.json');
    return { contents: text.replace('// Begin runtime exports', "// Begin runtime exports\nModule['FS'] = FS;"), loader: 'js' };
  });
} };
const out = join(root, 'out/test/bench');
await esbuild.build({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', absWorkingDir: root,
  entryPoints: { bench: 'test/bench/bench.ts', 'engine-run': 'test/bench/engine-run.ts', 'engine-worker': 'src/core/engine/worker.ts' },
  outdir: out, plugins: [exportFs] });
mkdirSync(out, { recursive: true });
copyFileSync(join(root, 'node_modules/sql.js/dist/sql-wasm-debug.wasm'), join(out, 'sql-wasm-debug.wasm'));

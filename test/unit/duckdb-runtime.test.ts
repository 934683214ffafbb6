// The read-only runtime override touches duckdb-wasm internals: the version is pinned and these
// tests fail loudly when it changes. Nothing can be opened for writing or created; a live writer
// appending batches never crashes the reader nor shows a torn batch.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { defaultOptions } from '../../src/core/doctor/options';
import { DuckDbEngine } from '../../src/core/duckdb/engine';
import { createReadOnlyDuckDb } from '../../src/core/duckdb/load';
import { DUCKDB_WASM_VERSION, openedReadOnly, readOnlyRuntime } from '../../src/core/duckdb/runtime';
import { writeEgregoraDuckDb } from '../fixtures/systems/egregora-duckdb';

const root = path.resolve(__dirname, '../../..');
const now = new Date('2025-11-20T12:00:00Z');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'eh-duckrt-'));
const engines: DuckDbEngine[] = [];
after(async () => { for (const e of engines) await e.dispose(); });

describe('duckdb read-only runtime', () => {
  test('the pinned version: package.json, node_modules and the override agree', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.dependencies['@duckdb/duckdb-wasm'], DUCKDB_WASM_VERSION, 'exact pin, no range');
    const installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@duckdb/duckdb-wasm/package.json'), 'utf8')).version;
    assert.equal(installed, DUCKDB_WASM_VERSION);
    assert.throws(() => readOnlyRuntime({ PACKAGE_VERSION: '1.33.0', NODE_RUNTIME: {}, failWith: () => undefined }), /not the pinned 1\.32\.0/);
    assert.throws(() => readOnlyRuntime({ PACKAGE_VERSION: DUCKDB_WASM_VERSION, NODE_RUNTIME: {}, failWith: () => undefined }), /has no resolveFileInfo/);
  });

  test('reads in place O_RDONLY; refuses a read-write open; never creates a missing file', async () => {
    const dir = tmp();
    const { file } = await writeEgregoraDuckDb(dir, { now });
    const bytes = fs.readFileSync(file), wal = fs.readFileSync(`${file}.wal`);
    const db = await createReadOnlyDuckDb();
    const c = db.connect();
    try {
      assert.throws(() => c.query(`ATTACH '${file}' AS rw`), /read-only|cannot be opened for writing/i);
      c.query(`ATTACH '${file}' AS ro (READ_ONLY)`);
      const n = c.query('SELECT count(*) AS n FROM ro.main.runs').toArray()[0].toJSON().n;
      assert.ok(Number(n) > 10);
      c.query('DETACH ro');
      assert.ok((openedReadOnly.get(file) ?? 0) >= 1);
      const missing = path.join(dir, 'missing.duckdb');
      assert.throws(() => c.query(`ATTACH '${missing}' AS m (READ_ONLY)`));
      assert.throws(() => c.query(`ATTACH '${missing}' AS m2`));
      assert.ok(!fs.existsSync(missing) && !fs.existsSync(`${missing}.wal`), 'nothing created');
    } finally { c.close(); db.reset(); }
    assert.ok(bytes.equals(fs.readFileSync(file)) && wal.equals(fs.readFileSync(`${file}.wal`)));
  });

  test('a live writer appending 200-row batches: every read succeeds or retries, never a torn batch', async () => {
    const dir = tmp();
    const file = path.join(dir, 'live.duckdb');
    const wasm = path.join(root, 'node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
    const writer = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      const duckdb = require(workerData.lib);
      (async () => {
        const db = await duckdb.createDuckDB({ eh: { mainModule: workerData.wasm, mainWorker: '' }, mvp: { mainModule: workerData.wasm, mainWorker: '' } }, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
        await db.instantiate();
        db.open({ path: workerData.file, accessMode: duckdb.DuckDBAccessMode.READ_WRITE });
        const c = db.connect();
        c.query("CREATE TABLE runs (run_id UUID PRIMARY KEY, tenant_id VARCHAR, stage VARCHAR NOT NULL, status VARCHAR NOT NULL, error TEXT, input_fingerprint VARCHAR NOT NULL, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ)");
        parentPort.postMessage('ready');
        await new Promise((r) => parentPort.once('message', r)); // 'go': the reader is warm
        for (let b = 0; b < 60; b++) {
          c.query("INSERT INTO runs SELECT uuid(), NULL, 'window_' || i, 'completed', NULL, 'sha256:x', TIMESTAMPTZ '2025-11-20 10:00:00+00', TIMESTAMPTZ '2025-11-20 10:01:00+00' FROM range(200) t(i)");
          await new Promise((r) => setTimeout(r, 120));
        }
        parentPort.postMessage('done');
      })().catch((e) => parentPort.postMessage('error ' + e));
    `, { eval: true, workerData: { lib: path.join(root, 'node_modules/@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'), wasm, file } });
    const state = { done: false };
    await new Promise<void>((res, rej) => writer.on('message', (m) => { if (m === 'ready') res(); else if (m === 'done') state.done = true; else if (String(m).startsWith('error')) rej(new Error(m)); }));
    const e = new DuckDbEngine({ workerPath: path.join(__dirname, 'duckdb-worker.js') });
    engines.push(e);
    assert.equal((await e.call('doctor', { path: file, options: defaultOptions(now.getTime()) })).result.runs.length, 0); // warm
    writer.postMessage('go');
    const counts: number[] = [];
    let retried = 0;
    while (!state.done) {
      try {
        const r = await e.call('doctor', { path: file, options: defaultOptions(now.getTime()) });
        counts.push(r.result.runs.length);
        process.stdout.write(`# read ${r.result.runs.length} in ${r.elapsedMs} ms consistent=${r.consistent}\n`);
      } catch (err) { retried++; assert.match(String(err), /being written|changing|busy/i); }
    }
    await writer.terminate();
    assert.ok(counts.length >= 3, `${counts.length} reads`);
    for (const n of counts) assert.equal(n % 200, 0, `a torn batch: ${n} rows`);
    assert.ok(counts.at(-1)! > counts[0]!, `the reader followed the writer: ${counts.join(',')}`);
    assert.ok(retried <= counts.length, `${retried} retries`);
    process.stdout.write(`# live writer: ${counts.length} reads (${counts.join(',')}), ${retried} retried\n`);
  });
});

// The DuckDB reader on an egregora runs.duckdb written by duckdb-wasm itself: the same findings as
// the SQLite variant, strictly read-only (the file is never opened for writing, not even created),
// refused cleanups, a live writer's checkpoints never crash it nor show a torn batch, and the
// worker (with its WebAssembly memory) goes away when idle.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { openMemoryDatabase } from '../fixtures/memory-db';
import { runDoctor } from '../../src/core/doctor/doctor';
import { defaultOptions } from '../../src/core/doctor/options';
import { DuckDbEngine, isDuckDbPath } from '../../src/core/duckdb/engine';
import { DUCKDB_CLEANUP_REFUSAL } from '../../src/core/duckdb/refusal';
import { buildEgregora } from '../fixtures/systems/egregora';
import { writeEgregoraDuckDb } from '../fixtures/systems/egregora-duckdb';

const now = new Date('2025-11-20T12:00:00Z');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'eh-duck-'));
const worker = path.join(__dirname, 'duckdb-worker.js');
const engines: DuckDbEngine[] = [];
const engine = (o: ConstructorParameters<typeof DuckDbEngine>[0] = {}) => { const e = new DuckDbEngine({ workerPath: worker, ...o }); engines.push(e); return e; };
after(async () => { for (const e of engines) await e.dispose(); });

const strip = (s: string) => s.replace(/\s+/g, ' ');

describe('duckdb reader', () => {
  test('egregora runs.duckdb: the same runs, states and findings as the SQLite variant', async () => {
    const dir = tmp();
    const { file, expected } = await writeEgregoraDuckDb(dir, { now });
    assert.ok(isDuckDbPath(file));
    const options = defaultOptions(now.getTime());
    const res = await engine().call('doctor', { path: file, options });
    const r = res.result;
    assert.equal(r.profile, 'egregora');
    assert.equal(res.consistent, true);
    assert.equal(r.database, file);
    assert.match(r.notices[0]!, /DuckDB file, strictly read-only/);
    const f = expected.findings;
    const ids = (s: string) => r.runs.filter((x) => x.state === s).map((x) => x.id).sort();
    assert.deepEqual(ids('stale'), f.stale_running.map((x) => x.run_id).sort());
    assert.deepEqual(ids('running'), f.running_recent.map((x) => x.run_id).sort());
    assert.deepEqual(ids('failed'), f.failed.map((x) => x.run_id).sort());
    assert.deepEqual(ids('degraded'), [...f.degraded].sort());
    assert.equal(ids('completed').length, f.completed_count);
    assert.equal(r.findings.filter((x) => x.code === 'orphan/rows' && x.table === 'lineage').reduce((n, x) => n + (x.count ?? 0), 0), 1);
    // identical to the SQLite variant, finding for finding
    const sqlite = await openMemoryDatabase((await buildEgregora({ now })).bytes, file);
    const s = runDoctor(sqlite, options).result;
    assert.deepEqual(r.runs, s.runs);
    assert.deepEqual(r.findings.map((x) => strip(x.message)), s.findings.map((x) => strip(x.message)));
    assert.deepEqual(r.experiments, s.experiments);
  });

  test('strictly read-only: bytes and times unchanged, a missing file is never created, cleanups refused', async () => {
    const dir = tmp();
    const { file } = await writeEgregoraDuckDb(dir, { now });
    const before = { bytes: fs.readFileSync(file), wal: fs.readFileSync(`${file}.wal`), stat: fs.statSync(file) };
    const e = engine();
    await e.call('doctor', { path: file, options: defaultOptions(now.getTime()) });
    const details = await e.call('runDetails', { path: file, runId: (await e.call('query', { path: file, sql: 'SELECT run_id FROM runs LIMIT 1' })).rows[0]!.run_id as string });
    assert.ok(details);
    assert.ok(before.bytes.equals(fs.readFileSync(file)));
    assert.equal(fs.statSync(file).mtimeMs, before.stat.mtimeMs);
    assert.ok(before.wal.equals(fs.readFileSync(`${file}.wal`)), 'the .wal is replayed in memory, never written');
    assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['runs.duckdb', 'runs.duckdb.wal']);
    const missing = path.join(dir, 'nope.duckdb');
    await assert.rejects(e.call('doctor', { path: missing, options: defaultOptions(now.getTime()) }), /does not exist/);
    assert.ok(!fs.existsSync(missing));
    const notDuck = path.join(dir, 'x.duckdb');
    fs.writeFileSync(notDuck, 'SQLite format 3\0 not really');
    await assert.rejects(e.call('doctor', { path: notDuck, options: defaultOptions(now.getTime()) }), /not a DuckDB database/);
    const plan = await e.call('plan', { action: 'mark-stale', target: { path: file }, options: defaultOptions(now.getTime()) });
    assert.equal(plan.refusal, DUCKDB_CLEANUP_REFUSAL);
    assert.match(plan.sql, /UPDATE runs SET status = 'failed'/);
  });

  test('the worker (and its WebAssembly memory) goes away when idle; the next call starts a new one', async () => {
    const dir = tmp();
    const { file } = await writeEgregoraDuckDb(dir, { now });
    const e = engine({ idleMs: 300 });
    await e.call('doctor', { path: file, options: defaultOptions(now.getTime()) });
    const mem = await e.call('memory', {} as never);
    assert.ok(mem.rss > 100e6, `duckdb-wasm is resident while in use (${Math.round(mem.rss / 1e6)} MB)`);
    assert.equal(e.running, true);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(e.running, false, 'terminated after 300 ms idle');
    await e.call('doctor', { path: file, options: defaultOptions(now.getTime()) });
    assert.equal(e.workersStarted, 2);
  });
});

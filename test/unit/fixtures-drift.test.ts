// Schema-drift and bad-input helpers produce the files they promise.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { column } from '../fixtures/build';
import {
  BAD_TIMESTAMPS, columnsOf, drift, emptyDb, mutate, notADatabase, panicBlobIds, tablesOf, truncated, unknownSchemaDb,
} from '../fixtures/drift';
import { integrity, journalBytes, openBytes } from '../fixtures/inspect';
import { buildEgregora } from '../fixtures/systems/egregora';
import { buildPanicTda } from '../fixtures/systems/panic-tda';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';

const now = new Date('2025-11-20T12:00:00Z');

describe('drift and bad-input databases', () => {
  let ze: Uint8Array;
  before(async () => { ze = (await buildZeBenchmarks({ now })).bytes; });

  test('extra, dropped and ALTER-added columns', async () => {
    const db = await openBytes(await mutate(ze, [drift.addColumn('benchmark_runs', 'gpu', 'TEXT', "'none'"),
      drift.dropColumn('benchmark_runs', 'test_results'), drift.dropColumn('run_telemetry', 'workspace_dir')]));
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(columnsOf(db, 'benchmark_runs').slice(-2), ['package_manager', 'gpu']);
    assert.ok(!columnsOf(db, 'run_telemetry').includes('workspace_dir'));
    assert.equal(column(db, "SELECT COUNT(*) FROM benchmark_runs WHERE gpu = 'none'")[0], column(db, 'SELECT COUNT(*) FROM benchmark_runs')[0]);
  });

  test('legacy ze schema: batchId and friends appended by ALTER TABLE', async () => {
    const b = await buildZeBenchmarks({ now, schema: 'legacy' });
    const db = await openBytes(b.bytes);
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(columnsOf(db, 'benchmark_runs').slice(-5), ['batchId', 'is_successful', 'success_metric', 'package_manager', 'test_results']);
    assert.equal(column(db, "SELECT COUNT(*) FROM pragma_foreign_key_list('benchmark_runs')")[0], 0);
    assert.equal(column(db, 'SELECT COUNT(*) FROM benchmark_runs')[0], b.expected.findings.completed_count + b.expected.findings.failed.length
      + b.expected.findings.incomplete.length + b.expected.findings.stale_running.length + b.expected.findings.running_recent.length);
  });

  test('empty tables, NULLs and unparseable timestamps', async () => {
    const eg = (await buildEgregora({ now })).bytes;
    const db = await openBytes(await mutate(eg, [drift.emptyTable('lineage'), drift.nullColumn('runs', 'finished_at'),
      ...BAD_TIMESTAMPS.map((v, i) => drift.setText('runs', 'started_at', v, `rowid = ${i + 1}`))]));
    assert.equal(column(db, 'SELECT COUNT(*) FROM lineage')[0], 0);
    assert.equal(column(db, 'SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL')[0], 0);
    assert.deepEqual(column(db, `SELECT started_at FROM runs WHERE rowid <= ${BAD_TIMESTAMPS.length} ORDER BY rowid`), BAD_TIMESTAMPS);
  });

  test('panic-tda ids as blobs keep the WAL marker and joins', async () => {
    const p = (await buildPanicTda({ now })).bytes;
    const bytes = await mutate(p, panicBlobIds());
    assert.deepEqual(journalBytes(bytes), [2, 2]);
    const db = await openBytes(new Uint8Array([...bytes.slice(0, 18), 1, 1, ...bytes.slice(20)]));
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(column(db, 'SELECT DISTINCT typeof(id) || length(id) FROM run'), ['blob16']);
    assert.equal(column(db, 'SELECT COUNT(*) FROM invocation i JOIN run r ON r.id = i.run_id')[0],
      column(db, "SELECT COUNT(*) FROM invocation WHERE run_id IN (SELECT id FROM run)")[0]);
  });

  test('unknown schema, empty db, not a db, truncated db', async () => {
    const u = await openBytes(await unknownSchemaDb());
    assert.deepEqual(tablesOf(u), ['cache', 'todo']);
    assert.deepEqual(tablesOf(await openBytes(await emptyDb())), []);
    const bad = await openBytes(notADatabase());
    assert.throws(() => bad.exec('SELECT * FROM sqlite_master'), /not a database|file is not a database/);
    const cut = truncated(ze);
    assert.ok(cut.length < ze.length && cut.length % 4096 === 0);
    const t = await openBytes(cut);
    assert.notDeepEqual((() => { try { return integrity(t); } catch (e) { return [(e as Error).message]; } })(), ['ok']);
  });
});

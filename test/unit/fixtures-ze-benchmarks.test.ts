// The ze-benchmarks builder: exact DDL (ALTER-added columns at the end), encodings, scenarios, determinism.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Database } from 'sql.js';
import { column, queryRows } from '../fixtures/build';
import { expectedCodes } from '../fixtures/expected';
import { integrity, journalBytes, openBytes, sameBytes, schemaOf } from '../fixtures/inspect';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';
import { ZE_DDL } from '../fixtures/systems/ze-benchmarks-ddl';
import { verify } from '../fixtures/verify';

const now = new Date('2025-11-20T12:00:00Z');

describe('ze-benchmarks fixture', () => {
  let b: Awaited<ReturnType<typeof buildZeBenchmarks>>; let db: Database;
  before(async () => { b = await buildZeBenchmarks({ now }); db = await openBytes(b.bytes); });

  test('opens, integrity ok, rollback journal, db-version.json beside it', () => {
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(journalBytes(b.bytes), [1, 1]);
    assert.equal(b.files?.['ze-benchmarks/benchmark-report/public/db-version.json'], `{"lastModified":${now.getTime()}}\n`);
  });

  test('schema: CREATE IF NOT EXISTS text with ALTER-added columns appended', () => {
    const runs = String(column(db, "SELECT sql FROM sqlite_master WHERE name = 'benchmark_runs'")[0]);
    assert.ok(runs.startsWith('CREATE TABLE benchmark_runs ('), runs.slice(0, 40)); // SQLite drops IF NOT EXISTS
    assert.ok(runs.includes('metadata TEXT, package_manager TEXT, test_results TEXT,\n    FOREIGN KEY'), runs.slice(-120)); // SQLite splices ADD COLUMN after the last column
    assert.deepEqual(schemaOf(db)['benchmark_runs']?.slice(-3), ['metadata', 'package_manager', 'test_results']);
    const idx = column<string>(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
    assert.deepEqual(idx, ZE_DDL.filter((s) => s.startsWith('CREATE INDEX')).map((s) => s.split(' ')[5]!).sort());
  });

  test('encodings: UTC CURRENT_TIMESTAMP text, epoch-ms batches, dashed uuid4, compact JSON', () => {
    for (const r of queryRows(db, 'SELECT run_id, started_at, completed_at, status, metadata FROM benchmark_runs')) {
      assert.match(String(r['run_id']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(String(r['started_at']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.ok(['running', 'completed', 'failed', 'incomplete'].includes(String(r['status'])));
      assert.equal(r['completed_at'] === null, r['status'] === 'running');
      if (r['metadata'] !== null) assert.ok(!String(r['metadata']).includes('": '), 'compact JSON.stringify');
    }
    const created = column<number>(db, 'SELECT createdAt FROM batch_runs');
    for (const ms of created) assert.ok(Number.isInteger(ms) && ms > 1.7e12 && ms < now.getTime());
  });

  test('scenarios: live, crashed, sigint batches; timeout; multi-line failure; orphans', () => {
    const f = b.expected.findings;
    assert.deepEqual(f.batches_never_completed.map((x) => x.kind), ['sigint', 'crashed', 'live']);
    assert.equal(f.stale_running.length, 1);
    assert.ok(f.stale_running[0]!.age_seconds > 3 * 3600);
    assert.equal(f.running_recent.length, 1);
    assert.ok(f.running_recent[0]!.age_seconds <= 600);
    assert.ok(f.incomplete.some((x) => x.stage === 'signal') && f.incomplete.some((x) => x.stage === 'timeout'));
    assert.ok(f.failed.some((x) => x.error.includes('\n')));
    assert.deepEqual(expectedCodes(b.expected)['orphan/rows']?.rows, { benchmark_runs: 1, evaluation_results: 6, run_telemetry: 1 });
    assert.equal(expectedCodes(b.expected)['experiment/stale']?.ids.length, 2);
  });

  test('expected agrees with an independent SQL re-derivation', () => {
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });

  test('deterministic for seed + now', async () => {
    assert.ok(sameBytes((await buildZeBenchmarks({ now })).bytes, b.bytes));
    assert.ok(!sameBytes((await buildZeBenchmarks({ now: new Date('2025-11-21T12:00:00Z') })).bytes, b.bytes));
  });

  test('other seeds and batch counts keep every scenario', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const x = await buildZeBenchmarks({ now, seed, batches: 8 });
      const xdb = await openBytes(x.bytes);
      for (const c of verify(xdb, x.expected)) assert.deepEqual(c.got, c.want, `seed ${seed}: ${c.name}`);
      const codes = expectedCodes(x.expected);
      for (const k of ['run/stale', 'run/incomplete', 'run/failed', 'orphan/rows', 'experiment/stale'] as const) assert.ok(codes[k], `seed ${seed} ${k}`);
    }
  });
});

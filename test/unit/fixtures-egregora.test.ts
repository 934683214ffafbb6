// The egregora builder (SQLite variant of runs.duckdb): DDL, DuckDB-style UTC text, scenarios, determinism.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Database } from 'sql.js';
import { column } from '../fixtures/build';
import { expectedCodes } from '../fixtures/expected';
import { integrity, openBytes, sameBytes, schemaOf } from '../fixtures/inspect';
import { EG_SQLITE_DDL } from '../fixtures/systems/egregora-ddl';
import { buildEgregora } from '../fixtures/systems/egregora';
import { verify } from '../fixtures/verify';

const now = new Date('2025-11-20T12:00:00Z');

describe('egregora fixture', () => {
  let b: Awaited<ReturnType<typeof buildEgregora>>; let db: Database;
  before(async () => { b = await buildEgregora({ now }); db = await openBytes(b.bytes); });

  test('opens, integrity ok, exact DDL, CHECK on status enforced', () => {
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(column(db, 'SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid'), [...EG_SQLITE_DDL]);
    assert.deepEqual(schemaOf(db)['lineage'], ['child_run_id', 'parent_run_id']);
    assert.throws(() => db.run("UPDATE runs SET status = 'killed' WHERE rowid = 1"), /CHECK constraint failed/);
  });

  test('encodings: dashed uuid4, DuckDB +00 text, sha256 fingerprints, window stages', () => {
    for (const v of column<string>(db, 'SELECT started_at FROM runs')) assert.match(v, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/);
    for (const v of column<string>(db, 'SELECT input_fingerprint FROM runs')) assert.match(v, /^sha256:[0-9a-f]{64}$/);
    assert.ok(column<number>(db, "SELECT COUNT(*) FROM runs WHERE stage LIKE 'window_%' AND rows_out IS NULL")[0]! > 10);
    assert.equal(column(db, "SELECT COUNT(*) FROM runs WHERE status = 'running' AND finished_at IS NOT NULL")[0], 0);
  });

  test('scenarios: stale + live running, failures, degraded, repeats, lineage, orphan edge', () => {
    const f = b.expected.findings;
    assert.equal(f.stale_running.length, 1);
    assert.ok(f.stale_running[0]!.age_seconds > 3 * 3600);
    assert.equal(f.running_recent.length, 1);
    assert.ok(f.failed.length >= 1 && f.degraded.length >= 1);
    assert.ok(f.repeated_input_fingerprints > 0);
    assert.ok(column<number>(db, 'SELECT COUNT(*) FROM lineage')[0]! >= 3);
    assert.deepEqual(expectedCodes(b.expected)['orphan/rows']?.rows, { lineage: 1 });
  });

  test('expected agrees with an independent SQL re-derivation', () => {
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });

  test('deterministic for seed + now', async () => {
    assert.ok(sameBytes((await buildEgregora({ now })).bytes, b.bytes));
    assert.ok(!sameBytes((await buildEgregora({ now, seed: 2 })).bytes, b.bytes));
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const x = await buildEgregora({ now, seed, pipelines: 7 });
      const xdb = await openBytes(x.bytes);
      for (const c of verify(xdb, x.expected)) assert.deepEqual(c.got, c.want, `seed ${seed}: ${c.name}`);
      const f = x.expected.findings;
      assert.ok(f.failed.length && f.degraded.length && f.stale_running.length === 1 && f.running_recent.length === 1, `seed ${seed}`);
    }
  });
});

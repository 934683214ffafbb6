// The MLflow builder: two schema revisions, exact DDL text, encodings, scenarios, SQL re-derivation.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { column, queryRows } from '../fixtures/build';
import { columnsOf } from '../fixtures/drift';
import { expectedCodes } from '../fixtures/expected';
import { integrity, journalBytes, openBytes, sameBytes, schemaOf } from '../fixtures/inspect';
import { MLFLOW_DDL_DA6FB0208061 } from '../fixtures/systems/mlflow-ddl-head';
import { buildMlflow } from '../fixtures/systems/mlflow';
import { verify } from '../fixtures/verify';

const now = new Date('2026-09-01T08:00:00Z');

describe('mlflow fixture', () => {
  test('head revision: 48 tables, exact DDL, trigger, generated column', async () => {
    const b = await buildMlflow({ now });
    const db = await openBytes(b.bytes);
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(journalBytes(b.bytes), [1, 1]);
    assert.equal(Object.keys(schemaOf(db)).length, 48);
    assert.deepEqual(column(db, 'SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid'), [...MLFLOW_DDL_DA6FB0208061]);
    const runsSql = String(column(db, "SELECT sql FROM sqlite_master WHERE name = 'runs'")[0]);
    assert.ok(runsSql.startsWith('CREATE TABLE "runs" (\n\trun_uuid VARCHAR(32) NOT NULL, \n\t'), 'quoted, ", \\n\\t" separators');
    assert.ok(runsSql.includes('experiment_id INTEGER, deleted_time BIGINT, \n'));
    assert.deepEqual(column(db, 'SELECT version_num FROM alembic_version'), ['da6fb0208061']);
    assert.deepEqual(column(db, 'SELECT DISTINCT workspace FROM experiments'), ['default']);
    assert.throws(() => db.run("UPDATE runs SET status = 'STALE' WHERE rowid = 1"), /CHECK constraint failed/);
  });

  test('2022 revision lacks deleted_time and creation_time', async () => {
    const b = await buildMlflow({ now, revision: '2022' });
    const db = await openBytes(b.bytes);
    assert.deepEqual(integrity(db), ['ok']);
    assert.ok(!columnsOf(db, 'runs').includes('deleted_time'));
    assert.ok(!columnsOf(db, 'experiments').includes('creation_time'));
    assert.equal(Object.keys(schemaOf(db)).length, 12);
    assert.deepEqual(column(db, 'SELECT version_num FROM alembic_version'), ['bd07f7e963c5']);
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });

  test('encodings and scenarios', async () => {
    const b = await buildMlflow({ now });
    const db = await openBytes(b.bytes);
    for (const r of queryRows(db, 'SELECT run_uuid, start_time, end_time, status FROM runs')) {
      assert.match(String(r['run_uuid']), /^[0-9a-f]{32}$/);
      assert.ok(Number.isInteger(r['start_time']) && Number(r['start_time']) <= now.getTime());
    }
    const f = b.expected.findings;
    assert.equal(f.stale_running.length, 1);
    assert.ok(f.stale_running[0]!.age_seconds > 5 * 3600);
    assert.equal(f.running_alive_through_children.length, 1);
    assert.equal(f.running_recent.length, 4); // live, resumed, driver, live child
    // the resumed run: RUNNING with an end_time, latest_metrics pointing at the older, higher step
    const resumed = queryRows(db, `SELECT r.run_uuid, r.end_time, l.step, l.timestamp FROM runs r JOIN latest_metrics l ON l.run_uuid = r.run_uuid
      WHERE r.status = 'RUNNING' AND r.end_time IS NOT NULL AND r.lifecycle_stage = 'active' AND l."key" = 'loss'`);
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0]!['step'], 29);
    assert.ok(now.getTime() - Number(resumed[0]!['timestamp']) > 86_400_000);
    assert.equal(column(db, "SELECT COUNT(*) FROM runs WHERE status = 'RUNNING' AND lifecycle_stage = 'deleted'")[0], 1);
    assert.deepEqual(expectedCodes(b.expected)['orphan/rows']?.rows, { latest_metrics: 2, metrics: 10, params: 3, runs: 1, tags: 4 });
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });

  test('deterministic for seed + now', async () => {
    assert.ok(sameBytes((await buildMlflow({ now })).bytes, (await buildMlflow({ now })).bytes));
    assert.ok(!sameBytes((await buildMlflow({ now })).bytes, (await buildMlflow({ now, seed: 3 })).bytes));
  });
});

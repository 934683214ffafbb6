// The recipe-runner builder: exact DDL, the two time encodings, the traps, determinism.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Database } from 'sql.js';
import { column, queryRows } from '../fixtures/build';
import { expectedCodes } from '../fixtures/expected';
import { integrity, journalBytes, openBytes, sameBytes, tableCounts } from '../fixtures/inspect';
import { buildRecipeRunner } from '../fixtures/systems/recipe-runner';
import { RR_DDL } from '../fixtures/systems/recipe-runner-ddl';
import { verify } from '../fixtures/verify';

const now = new Date('2025-11-20T12:00:00Z');

describe('recipe-runner fixture', () => {
  let b: Awaited<ReturnType<typeof buildRecipeRunner>>; let db: Database;
  before(async () => { b = await buildRecipeRunner({ now, tzOffsetMinutes: 60 }); db = await openBytes(b.bytes); });

  test('opens, integrity ok, exact DDL (session_run_id appended by ALTER)', () => {
    assert.deepEqual(integrity(db), ['ok']);
    assert.deepEqual(journalBytes(b.bytes), [1, 1]);
    const ir = String(column(db, "SELECT sql FROM sqlite_master WHERE name = 'instruction_runs'")[0]);
    assert.ok(ir.includes('rank_in_group INTEGER, session_run_id INTEGER REFERENCES session_runs(session_run_id),'), ir.slice(-200));
    const tables = RR_DDL.filter((s) => s.startsWith('CREATE TABLE')).map((s) => /CREATE TABLE (\w+)/.exec(s)![1]!).sort();
    assert.deepEqual(Object.keys(tableCounts(db)), tables);
    assert.equal(tableCounts(db)['instruction_run_status'], 7);
  });

  test('encodings: queue time UTC with a space, runner times naive local ISO with T', () => {
    for (const v of column<string>(db, 'SELECT started_at FROM recipe_runs WHERE started_at IS NOT NULL')) assert.match(v, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    for (const v of column<string>(db, 'SELECT timestamp FROM instruction_runs')) assert.match(v, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
    for (const v of column<string>(db, 'SELECT completed_at FROM recipe_runs WHERE completed_at IS NOT NULL')) assert.match(v, /T/);
    assert.equal(b.expected.naive_timestamp_utc_offset_hours, 1);
  });

  test('scenarios: stale (one with NULL started_at), live, live-but-queued-long-ago, leftovers, orphans', () => {
    const f = b.expected.findings;
    assert.equal(f.stale_running_by_activity.length, 3);
    assert.equal(f.running_now_by_activity.length, 2);
    assert.equal(f.runner_rule_misses_null_started_at.length, 1);
    assert.equal(f.runner_rule_false_positives.length, 1);
    const nullStarted = column(db, `SELECT COUNT(*) FROM recipe_runs WHERE status = 'RUNNING' AND started_at IS NULL`)[0];
    assert.equal(nullStarted, 1);
    assert.equal(f.pending_with_leftover_children.recipe_run_ids.length, 1);
    assert.ok(f.failed_sessions_with_errors.some((x) => x.error_details?.startsWith('UNIQUE constraint failed')));
    assert.deepEqual(expectedCodes(b.expected)['orphan/rows']?.rows, { instruction_runs: 1 + f.orphans.instruction_runs_without_recipe_run, session_runs: 1 });
    assert.ok(f.failed.length > 0);
  });

  test('expected agrees with an independent SQL re-derivation (incl. the UNIQUE trap)', () => {
    for (const c of verify(db, b.expected)) assert.deepEqual(c.got, c.want, c.name);
  });

  test('re-queuing by INSERT hits UNIQUE(recipe_id, variation_id, batch_id)', () => {
    const r = queryRows(db, "SELECT recipe_id, variation_id, batch_id FROM recipe_runs WHERE status = 'RUNNING' LIMIT 1")[0]!;
    assert.throws(() => db.run('INSERT INTO recipe_runs (recipe_id, variation_id, batch_id) VALUES (?,?,?)',
      [r['recipe_id']!, r['variation_id']!, r['batch_id']!]), /UNIQUE constraint failed: recipe_runs.recipe_id/);
  });

  test('deterministic, and every seed yields all states', async () => {
    assert.ok(sameBytes((await buildRecipeRunner({ now, tzOffsetMinutes: 60 })).bytes, b.bytes));
    for (const seed of [1, 2, 3, 5, 8]) {
      const x = await buildRecipeRunner({ now, seed });
      const xdb = await openBytes(x.bytes);
      for (const c of verify(xdb, x.expected)) assert.deepEqual(c.got, c.want, `seed ${seed}: ${c.name}`);
      assert.equal(x.expected.findings.stale_running_by_activity.length, 3, `seed ${seed}`);
    }
  });
});

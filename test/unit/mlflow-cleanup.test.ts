// Cleanup plans and their effects on mlflow.db, with undo: "mark stale" writes exactly what
// MlflowClient.set_terminated(run_id, "KILLED") writes; deleted runs are never touched; a delete
// is MLflow's soft delete by default, and with hardDelete follows MLflow's own tables (children
// first, as its ORM cascades do).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { buildPlan, executeCleanup, lastCleanup, undoCleanup, type PlanParams } from '../../src/core/cleanup';
import { openDatabase } from '../../src/core/db';
import { openDatabaseSync } from '../../src/core/db/open';
import { loadSqlJs } from '../../src/core/db/sqljs';
import { runDoctor } from '../../src/core/doctor/doctor';
import { defaultOptions } from '../../src/core/doctor/options';
import { buildMlflow } from '../fixtures/systems/mlflow';

const now = new Date('2026-09-01T08:00:00Z');
const options = defaultOptions(now.getTime());

async function fixture(revision: 'head' | '2025' | '2022' | '2019' = 'head') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-mlflow-clean-'));
  const b = await buildMlflow({ now, revision });
  return { file: b.write(dir), e: b.expected };
}

async function plan(file: string, p: Omit<PlanParams, 'options' | 'target'> & { target?: Partial<PlanParams['target']> }) {
  const db = await openDatabase(file);
  try { return buildPlan(db, { options, ...p, target: { path: file, ...p.target } }).plan; } finally { db.close(); }
}

async function rows<T>(file: string, sql: string): Promise<T[]> {
  const db = await openDatabase(file);
  try { return db.all(sql) as T[]; } finally { db.close(); }
}

describe('mlflow cleanups', () => {
  for (const revision of ['head', '2025', '2022'] as const) {
    test(`${revision}: mark stale = set_terminated(KILLED): status and end_time (now, ms) on the stale run only; undo restores`, async () => {
      const { file, e } = await fixture(revision);
      const staleId = e.findings.stale_running[0]!.run_uuid;
      const p = await plan(file, { action: 'mark-stale' });
      assert.equal(p.refusal, undefined);
      assert.deepEqual(p.runIds, [staleId], 'the deleted RUNNING run is never a target');
      assert.deepEqual(p.changes, [{ table: 'runs', deleted: 0, updated: 1 }]);
      const before = await rows<Record<string, unknown>>(file, 'SELECT * FROM runs ORDER BY run_uuid');
      const SQL = await loadSqlJs();
      const report = executeCleanup(SQL, { plan: p, archive: true, options });
      assert.equal(report.verified, true);
      const afterRows = await rows<Record<string, unknown>>(file, 'SELECT * FROM runs ORDER BY run_uuid');
      for (let i = 0; i < before.length; i++) {
        const b = before[i]!, a = afterRows[i]!;
        if (b.run_uuid === staleId) {
          assert.deepEqual({ ...a, status: b.status, end_time: b.end_time }, b, 'nothing but status and end_time changes');
          assert.equal(a.status, 'KILLED');
          assert.equal(a.end_time, now.getTime());
        } else assert.deepEqual(a, b);
      }
      const db = await openDatabase(file);
      const r = runDoctor(db, options).result;
      db.close();
      assert.equal(r.runs.find((x) => x.id === staleId)!.state, 'incomplete');
      assert.ok(!r.findings.some((f) => f.code === 'run/stale'));
      // undo
      const last = lastCleanup(file);
      assert.ok(last && !('refusal' in last));
      undoCleanup(SQL, { path: file, archive: last.file });
      assert.deepEqual(await rows(file, 'SELECT * FROM runs ORDER BY run_uuid'), before);
    });
  }

  test('a resumed run left RUNNING with its first attempt\'s end_time: mark stale writes now, as set_terminated does', async () => {
    const { file, e } = await fixture('head');
    const staleId = e.findings.stale_running[0]!.run_uuid;
    const SQL = await loadSqlJs();
    const db0 = openDatabaseSync(SQL, file);
    const start = Number(db0.get<{ s: number }>('SELECT start_time AS s FROM runs WHERE run_uuid = ?', [staleId])!.s);
    db0.close();
    execFileSync('sqlite3', [file, `UPDATE runs SET end_time = ${start + 60_000} WHERE run_uuid = '${staleId}'`]);
    const p = await plan(file, { action: 'mark-stale' });
    assert.deepEqual(p.runIds, [staleId], 'still stale: the old end time is not recent activity');
    executeCleanup(SQL, { plan: p, archive: true, options });
    const [a] = await rows<{ status: string; end_time: number }>(file, `SELECT status, end_time FROM runs WHERE run_uuid = '${staleId}'`);
    assert.deepEqual(a, { status: 'KILLED', end_time: now.getTime() });
  });

  test('2019 file (no KILLED in the CHECK): mark stale is refused with the allowed values, nothing written', async () => {
    const { file } = await fixture('2019');
    const p = await plan(file, { action: 'mark-stale' });
    assert.match(p.refusal!, /only allows SCHEDULED, FAILED, FINISHED, RUNNING .*not 'KILLED'/);
  });

  for (const revision of ['head', '2019'] as const) {
    const how = revision === 'head' ? 'delete incomplete runs' : 'delete selected runs';
    test(`${revision}: ${how} is MLflow's soft delete: lifecycle_stage 'deleted'${revision === 'head' ? ' and deleted_time (now, ms)' : ' (no deleted_time column yet)'}, no row removed; undo restores`, async () => {
      const { file } = await fixture(revision);
      // head: the KILLED runs; 2019 (no KILLED in its CHECK): one finished run, by name.
      const victims = (await rows<{ id: string }>(file, revision === 'head'
        ? "SELECT run_uuid AS id FROM runs WHERE status = 'KILLED' AND lifecycle_stage = 'active'"
        : "SELECT run_uuid AS id FROM runs WHERE status = 'FINISHED' AND lifecycle_stage = 'active' AND experiment_id = 1 LIMIT 1")).map((k) => k.id);
      assert.ok(victims.length > 0);
      const tables = ['runs', 'tags', 'params', 'metrics', 'latest_metrics'];
      const totals = async () => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, (await rows<{ n: number }>(file, `SELECT count(*) AS n FROM ${t}`))[0]!.n])));
      const before = await rows<Record<string, unknown>>(file, 'SELECT * FROM runs ORDER BY run_uuid');
      const totalsBefore = await totals();
      const p = revision === 'head'
        ? await plan(file, { action: 'delete-incomplete', target: { experimentId: '1' } })
        : await plan(file, { action: 'delete-runs', target: { runIds: victims } });
      assert.equal(p.refusal, undefined, p.refusal);
      assert.deepEqual(p.runIds, victims);
      assert.equal(p.softDelete, true);
      assert.deepEqual(p.changes, [{ table: 'runs', deleted: 0, updated: victims.length }]);
      assert.match(p.warnings![0]!, /deletes softly/);
      const SQL = await loadSqlJs();
      assert.equal(executeCleanup(SQL, { plan: p, archive: true, options }).verified, true);
      assert.deepEqual(await totals(), totalsBefore, 'no row anywhere is removed');
      const after = await rows<Record<string, unknown>>(file, 'SELECT * FROM runs ORDER BY run_uuid');
      for (let i = 0; i < before.length; i++) {
        const b = before[i]!, a = after[i]!;
        if (victims.includes(String(b.run_uuid))) {
          assert.equal(a.lifecycle_stage, 'deleted');
          if (revision === 'head') assert.equal(a.deleted_time, now.getTime());
          assert.equal(a.status, b.status, 'status untouched, as delete_run leaves it');
          assert.deepEqual({ ...a, lifecycle_stage: b.lifecycle_stage, ...('deleted_time' in b ? { deleted_time: b.deleted_time } : {}) }, b, 'nothing else changes');
        } else assert.deepEqual(a, b);
      }
      const db = await openDatabase(file);
      const visible = runDoctor(db, options).result, all = runDoctor(db, { ...options, showHidden: true }).result;
      db.close();
      assert.ok(!visible.runs.some((r) => victims.includes(r.id)), 'hidden by default');
      assert.ok(all.runs.filter((r) => victims.includes(r.id)).every((r) => r.hidden), 'shown, marked hidden, on request');
      assert.equal(all.runs.filter((r) => victims.includes(r.id)).length, victims.length);
      assert.ok(!all.findings.some((f) => f.runId !== undefined && victims.includes(f.runId)), 'never flagged');
      undoCleanup(SQL, { path: file, archive: lastCleanup(file)!.file });
      assert.deepEqual(await rows(file, 'SELECT * FROM runs ORDER BY run_uuid'), before);
    });
  }

  test("delete experiment is delete_experiment: the experiment and every run of it marked deleted (now), nothing removed", async () => {
    const { file } = await fixture();
    const runsOf = async () => rows<{ id: string; stage: string; t: number | null }>(file, 'SELECT run_uuid AS id, lifecycle_stage AS stage, deleted_time AS t FROM runs WHERE experiment_id = 0');
    const before = await runsOf();
    const p = await plan(file, { action: 'delete-experiment', target: { experimentId: '0' } });
    assert.equal(p.refusal, undefined, p.refusal);
    assert.deepEqual(Object.fromEntries(p.changes.map((c) => [c.table, [c.deleted, c.updated]])), { runs: [0, before.length], experiments: [0, 1] });
    const SQL = await loadSqlJs();
    executeCleanup(SQL, { plan: p, archive: true, options });
    const [exp] = await rows<{ stage: string; t: number }>(file, 'SELECT lifecycle_stage AS stage, last_update_time AS t FROM experiments WHERE experiment_id = 0');
    assert.deepEqual(exp, { stage: 'deleted', t: now.getTime() });
    assert.deepEqual((await runsOf()).map((r) => [r.stage, r.t]), before.map(() => ['deleted', now.getTime()]));
    const db = await openDatabase(file);
    const r = runDoctor(db, options).result;
    db.close();
    assert.ok(!r.experiments.some((e) => e.id === '0'), 'the deleted experiment is hidden');
  });

  test('hard-deleting an experiment takes its soft-deleted runs too: no run is left pointing at an id MLflow reuses', async () => {
    const { file } = await fixture();
    const SQL = await loadSqlJs();
    const runsOf0 = () => rows<{ id: string; stage: string }>(file, 'SELECT run_uuid AS id, lifecycle_stage AS stage FROM runs WHERE experiment_id = 0');
    const [only] = await runsOf0();
    // The user deleted the experiment's run in MLflow (softly) first, then the experiment for good.
    executeCleanup(SQL, { plan: await plan(file, { action: 'delete-runs', target: { runIds: [only!.id] } }), archive: true, options });
    assert.deepEqual((await runsOf0()).map((r) => r.stage), ['deleted']);
    const fkBefore = await rows(file, 'PRAGMA foreign_key_check'); // the fixture's own orphans
    const p = await plan(file, { action: 'delete-experiment', target: { experimentId: '0' }, hardDelete: true });
    assert.equal(p.refusal, undefined, p.refusal);
    assert.deepEqual(p.runIds, [only!.id], 'the soft-deleted run is in the plan');
    assert.match(p.title, /with 1 run\b/);
    executeCleanup(SQL, { plan: p, archive: true, options });
    assert.deepEqual(await runsOf0(), []);
    assert.deepEqual(await rows(file, 'PRAGMA foreign_key_check'), fkBefore, 'no new foreign-key violation');
    undoCleanup(SQL, { path: file, archive: lastCleanup(file)!.file });
    assert.deepEqual((await runsOf0()).map((r) => r.stage), ['deleted']);
  });

  test('a finished run hard-deleted (experimentHealth.hardDelete): runs, tags, params, metrics and latest_metrics rows go together (MLflow\'s cascades); undo restores', async () => {
    const { file } = await fixture();
    const [victim] = await rows<{ id: string }>(file, "SELECT run_uuid AS id FROM runs WHERE status = 'FINISHED' AND lifecycle_stage = 'active' AND experiment_id = 1 LIMIT 1");
    const counts = async () => Object.fromEntries(await Promise.all(['runs', 'tags', 'params', 'metrics', 'latest_metrics'].map(async (t) =>
      [t, (await rows<{ n: number }>(file, `SELECT count(*) AS n FROM ${t} WHERE run_uuid = '${victim!.id}'`))[0]!.n])));
    const before = await counts();
    const p = await plan(file, { action: 'delete-runs', target: { runIds: [victim!.id] }, hardDelete: true });
    assert.equal(p.refusal, undefined, p.refusal);
    assert.equal(p.hardDelete, true);
    const byTable = Object.fromEntries(p.changes.map((c) => [c.table, c.deleted]));
    assert.deepEqual(Object.fromEntries(Object.keys(before).map((t) => [t, byTable[t] ?? 0])), before);
    assert.equal(p.changes.at(-1)!.table, 'runs', 'children first, the run last');
    const SQL = await loadSqlJs();
    executeCleanup(SQL, { plan: p, archive: true, options });
    assert.deepEqual(Object.values(await counts()), [0, 0, 0, 0, 0]);
    const last = lastCleanup(file)!;
    undoCleanup(SQL, { path: file, archive: last.file });
    assert.deepEqual(await counts(), before);
  });
});

test('a hard-deleted run takes the inputs links naming it (dataset → run, run output → model) and their tags; links of the same id under another type stay', async () => {
  const { file } = await fixture('head');
  const [victim, other] = await rows<{ id: string }>(file, "SELECT run_uuid AS id FROM runs WHERE status = 'FINISHED' AND lifecycle_stage = 'active' LIMIT 2");
  const v = victim!.id, o = other!.id;
  execFileSync('sqlite3', [file, `INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id) VALUES
      ('in1', 'DATASET', 'ds1', 'RUN', '${v}'), ('in2', 'RUN_OUTPUT', '${v}', 'MODEL_OUTPUT', 'm1'),
      ('in3', 'DATASET', 'ds1', 'RUN', '${o}'), ('in4', 'DATASET', '${v}', 'MODEL', '${v}');
    INSERT INTO input_tags VALUES ('in1', 'mlflow.data.context', 'training'), ('in3', 'mlflow.data.context', 'eval');`]);
  const p = await plan(file, { action: 'delete-runs', target: { runIds: [v] }, hardDelete: true });
  const byTable = Object.fromEntries(p.changes.map((c) => [c.table, c.deleted]));
  assert.equal(byTable.inputs, 2);
  assert.equal(byTable.input_tags, 1);
  const SQL = await loadSqlJs();
  executeCleanup(SQL, { plan: p, archive: true, options });
  assert.deepEqual((await rows<{ id: string }>(file, 'SELECT input_uuid AS id FROM inputs ORDER BY 1')).map((r) => r.id), ['in3', 'in4']);
  assert.deepEqual((await rows<{ id: string }>(file, 'SELECT input_uuid AS id FROM input_tags')).map((r) => r.id), ['in3']);
  // A run removed by hand leaves its links behind: the doctor reports them as orphans.
  execFileSync('sqlite3', [file, `PRAGMA foreign_keys = OFF; DELETE FROM runs WHERE run_uuid = '${o}'`]);
  const db = await openDatabase(file);
  const r = runDoctor(db, options).result;
  db.close();
  assert.ok(r.findings.some((f) => f.code === 'orphan/rows' && f.table === 'inputs' && f.count === 1), JSON.stringify(r.findings.filter((f) => f.code === 'orphan/rows')));
});

test('a run marked ended a moment ago is left alone by delete-incomplete, and not called "still running"', async () => {
  const { file, e } = await fixture();
  const staleId = e.findings.stale_running[0]!.run_uuid;
  const SQL = await loadSqlJs();
  executeCleanup(SQL, { plan: await plan(file, { action: 'mark-stale' }), archive: false, options });
  const p = await plan(file, { action: 'delete-incomplete' });
  const why = p.excluded.find((x) => x.runId === staleId)?.reason ?? '';
  assert.match(why, /recent activity \(0 min ago\): its last activity is within the 60-minute stale threshold/);
  assert.doesNotMatch(why, /still running/);
  assert.ok(!p.runIds.includes(staleId));
});

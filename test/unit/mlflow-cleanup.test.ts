// Cleanup plans and their effects on mlflow.db, with undo: "mark stale" writes exactly what
// MlflowClient.set_terminated(run_id, "KILLED") writes; deleted runs are never touched; a delete
// follows MLflow's own tables (children first, as its ORM cascades do).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { buildPlan, executeCleanup, lastCleanup, undoCleanup, type PlanParams } from '../../src/core/cleanup';
import { openDatabase } from '../../src/core/db';
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

  test('2019 file (no KILLED in the CHECK): mark stale is refused with the allowed values, nothing written', async () => {
    const { file } = await fixture('2019');
    const p = await plan(file, { action: 'mark-stale' });
    assert.match(p.refusal!, /only allows SCHEDULED, FAILED, FINISHED, RUNNING .*not 'KILLED'/);
  });

  test('a finished run deleted: runs, tags, params, metrics and latest_metrics rows go together (MLflow\'s cascades); undo restores', async () => {
    const { file } = await fixture();
    const [victim] = await rows<{ id: string }>(file, "SELECT run_uuid AS id FROM runs WHERE status = 'FINISHED' AND lifecycle_stage = 'active' AND experiment_id = 1 LIMIT 1");
    const counts = async () => Object.fromEntries(await Promise.all(['runs', 'tags', 'params', 'metrics', 'latest_metrics'].map(async (t) =>
      [t, (await rows<{ n: number }>(file, `SELECT count(*) AS n FROM ${t} WHERE run_uuid = '${victim!.id}'`))[0]!.n])));
    const before = await counts();
    const p = await plan(file, { action: 'delete-runs', target: { runIds: [victim!.id] } });
    assert.equal(p.refusal, undefined, p.refusal);
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

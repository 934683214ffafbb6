// Cleanup plans and their effects on Optuna storages, with undo: "mark stale" writes what
// fail_stale_trials writes (state FAIL, datetime_complete = now in the file's encoding); deleting
// a study removes exactly what optuna.delete_study removes (SQLite does not cascade here).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { buildPlan, executeCleanup, lastCleanup, undoCleanup, type PlanParams } from '../../src/core/cleanup';
import { openDatabase } from '../../src/core/db';
import { loadSqlJs } from '../../src/core/db/sqljs';
import { defaultOptions, type DoctorOptions } from '../../src/core/doctor/options';
import { buildOptuna } from '../fixtures/systems/optuna';

const now = new Date('2026-09-01T08:00:00Z');
const TZ = 120;

async function fixture(encoding: 'local' | 'utc') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eh-optuna-clean-'));
  const b = await buildOptuna({ now, encoding, tzOffsetMinutes: TZ });
  return { file: b.write(dir), e: b.expected };
}
async function plan(file: string, options: DoctorOptions, p: Omit<PlanParams, 'options' | 'target'> & { target?: Partial<PlanParams['target']> }) {
  const db = await openDatabase(file);
  try { return buildPlan(db, { options, ...p, target: { path: file, ...p.target } }).plan; } finally { db.close(); }
}
async function rows<T>(file: string, sql: string): Promise<T[]> {
  const db = await openDatabase(file);
  try { return db.all(sql) as T[]; } finally { db.close(); }
}
const TABLES = ['studies', 'study_directions', 'study_user_attributes', 'study_system_attributes', 'trials', 'trial_params', 'trial_values',
  'trial_intermediate_values', 'trial_user_attributes', 'trial_system_attributes', 'trial_heartbeats'];

/** The same cleanup, with the encoding given globally (works today) or per profile (the setting). */
for (const how of ['global', 'per-profile'] as const) {
  describe(`optuna cleanups (encoding ${how})`, () => {
    for (const encoding of ['local', 'utc'] as const) {
      const naive = encoding === 'utc' ? { zone: 'utc' as const } : { zone: 'local' as const, utcOffsetMinutes: TZ };
      const options: DoctorOptions = how === 'global' ? { ...defaultOptions(now.getTime()), naive } : { ...defaultOptions(now.getTime()), naiveByProfile: { optuna: naive } };
      test(`${encoding}: mark stale = fail_stale_trials: FAIL + datetime_complete in the file's encoding; undo restores`,
        {}, async () => {
          const { file, e } = await fixture(encoding);
          const staleIds = e.findings.stale_running.map((x) => String(x.trial_id)).sort();
          const p = await plan(file, options, { action: 'mark-stale' });
          assert.equal(p.refusal, undefined, p.refusal);
          assert.deepEqual([...p.runIds].sort(), staleIds);
          assert.deepEqual(p.changes, [{ table: 'trials', deleted: 0, updated: staleIds.length }]);
          const before = await rows(file, 'SELECT * FROM trials ORDER BY trial_id');
          const beats = await rows(file, 'SELECT * FROM trial_heartbeats ORDER BY trial_id');
          const SQL = await loadSqlJs();
          executeCleanup(SQL, { plan: p, archive: true, options });
          const changed = await rows<{ trial_id: number; state: string; datetime_complete: string }>(file,
            `SELECT trial_id, state, datetime_complete FROM trials WHERE trial_id IN (${staleIds.join(',')})`);
          const want = encoding === 'utc' ? '2026-09-01 08:00:00.000000' : '2026-09-01 10:00:00.000000';
          for (const c of changed) assert.deepEqual([c.state, c.datetime_complete], ['FAIL', want]);
          assert.deepEqual(await rows(file, 'SELECT * FROM trial_heartbeats ORDER BY trial_id'), beats, 'heartbeat rows stay');
          undoCleanup(SQL, { path: file, archive: lastCleanup(file)!.file });
          assert.deepEqual(await rows(file, 'SELECT * FROM trials ORDER BY trial_id'), before);
        });
    }
  });
}

describe('optuna delete study', () => {
  test('exactly the rows delete_study removes, children first; the other study untouched; undo restores', async () => {
    const { file } = await fixture('local');
    const options = { ...defaultOptions(now.getTime()), naive: { zone: 'local' as const, utcOffsetMinutes: TZ } };
    const count = async (t: string, where: string) => (await rows<{ n: number }>(file, `SELECT count(*) AS n FROM ${t} WHERE ${where}`))[0]!.n;
    const of2 = (t: string) => t.startsWith('trial_') ? 'trial_id IN (SELECT trial_id FROM trials WHERE study_id = 2)' : 'study_id = 2';
    const before = Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(t, of2(t))])));
    const all = Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(t, '1')])));
    const p = await plan(file, options, { action: 'delete-experiment', target: { experimentId: '2' } });
    assert.equal(p.refusal, undefined, p.refusal);
    const planned = Object.fromEntries(p.changes.map((c) => [c.table, c.deleted]));
    assert.deepEqual(Object.fromEntries(TABLES.map((t) => [t, planned[t] ?? 0])), before);
    // a study with a live trial cannot be deleted
    const live = await plan(file, options, { action: 'delete-experiment', target: { experimentId: '1' } });
    assert.match(live.refusal!, /recent activity/);
    const SQL = await loadSqlJs();
    executeCleanup(SQL, { plan: p, archive: true, options });
    for (const t of TABLES) assert.equal(await count(t, '1'), all[t] - before[t], t);
    undoCleanup(SQL, { path: file, archive: lastCleanup(file)!.file });
    for (const t of TABLES) assert.equal(await count(t, '1'), all[t], `${t} restored`);
  });
});

test('single trials are never deleted (Optuna has no API for it, and trial numbers would repeat): the plan says why', async () => {
  const { file } = await fixture('local');
  const options = { ...defaultOptions(now.getTime()), naive: { zone: 'local' as const, utcOffsetMinutes: TZ } };
  const [t] = await rows<{ id: number }>(file, "SELECT trial_id AS id FROM trials WHERE state = 'FAIL' LIMIT 1");
  for (const p of [await plan(file, options, { action: 'delete-runs', target: { runIds: [String(t!.id)] } }), await plan(file, options, { action: 'delete-incomplete' })]) {
    assert.match(p.refusal ?? '', /never deletes single trials.*repeats a number.*delete the whole study/);
    assert.equal(p.totalRows, 0);
  }
});

// Every action on every system's TypeScript-built fixture: the plan's counts are what the
// transaction changes, every other row is untouched, the values written are the system's own
// encodings, and undo restores every row exactly (hashes by python3's sqlite3).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, test } from 'node:test';
import { buildEgregora } from '../fixtures/systems/egregora';
import { buildPanicTda } from '../fixtures/systems/panic-tda';
import { buildRecipeRunner } from '../fixtures/systems/recipe-runner';
import { buildZeBenchmarks } from '../fixtures/systems/ze-benchmarks';
import { NOW, OPTIONS, plan, py, roundTrip, sqlite3, tmpDir, writeDb } from './cleanup-helpers';
import { recipeRunner } from '../../src/core/profiles/builtin/recipe-runner';
import { planRunsLine } from '../../src/core/cleanup/describe';
import { openDatabaseSync } from '../../src/core/db/open';
import { loadSqlJs } from '../../src/core/db/sqljs';
import { runDoctor, type DoctorResult } from '../../src/core/doctor/doctor';

const dir = tmpDir('actions');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let k = 0;
const fresh = async (build: (o: { now: Date }) => Promise<{ bytes: Uint8Array }>) => writeDb(dir, `db${++k}.sqlite`, (await build({ now: NOW })).bytes);

test('panic-tda: delete incomplete runs with their invocations, embeddings and persistence diagrams (WAL file)', async () => {
  const file = await fresh(buildPanicTda);
  const { built } = await roundTrip(file, 'delete-incomplete', {}, { minRows: 100 });
  const tables = built.plan.changes.map((c) => c.table);
  assert.deepEqual(tables.slice(-1), ['run'], 'children first, the runs last');
  for (const t of ['invocation', 'embedding', 'persistencediagram']) assert.ok(tables.indexOf(t) < tables.indexOf('run'), `${t} before run`);
  assert.equal(built.plan.runIds.length, 9);
  assert.equal(sqlite3(file, 'PRAGMA journal_mode'), 'wal', 'still a WAL database');
});

test('panic-tda: delete one experiment with clustered embeddings (embeddingcluster rows go first)', async () => {
  const file = await fresh(buildPanicTda);
  const e1 = sqlite3(file, 'SELECT experiment_id FROM run r JOIN invocation i ON i.run_id = r.id JOIN embedding e ON e.invocation_id = i.id JOIN embeddingcluster c ON c.embedding_id = e.id LIMIT 1');
  const { built } = await roundTrip(file, 'delete-experiment', { experimentId: e1 });
  const c = built.plan.changes;
  assert.ok(c.find((x) => x.table === 'embeddingcluster')!.deleted > 0);
  assert.equal(c.find((x) => x.table === 'experimentconfig')!.deleted, 1);
  assert.ok(c.findIndex((x) => x.table === 'embeddingcluster') < c.findIndex((x) => x.table === 'embedding'));
});

test('panic-tda: orphans per table, and the running experiment is never touched', async () => {
  const file = await fresh(buildPanicTda);
  const { built } = await roundTrip(file, 'delete-orphans');
  assert.ok(built.plan.changes.find((x) => x.table === 'invocation')!.deleted >= 1000);
  const running = (await plan(file, 'delete-runs', { runIds: [sqlite3(file, "SELECT r.id FROM run r JOIN invocation i ON i.run_id = r.id GROUP BY r.id ORDER BY max(i.completed_at) DESC LIMIT 1")] })).plan;
  assert.equal(running.runIds.length, 0, 'a run with recent activity is not deleted even when selected');
  assert.match(running.excluded[0]!.reason, /recent activity/);
});

test('ze-benchmarks: mark stale runs incomplete the way its own plan specifies', async () => {
  const file = await fresh(buildZeBenchmarks);
  const { built } = await roundTrip(file, 'mark-stale', {}, { undo: false });
  assert.equal(built.plan.runIds.length, 1);
  const row = JSON.parse(py(`import sqlite3,sys,json
c=sqlite3.connect(sys.argv[1]); r=c.execute('SELECT status, completed_at, metadata FROM benchmark_runs WHERE run_id=?', (sys.argv[2],)).fetchone(); print(json.dumps(r))`, file, built.plan.runIds[0]!)) as [string, string, string];
  assert.equal(row[0], 'incomplete');
  assert.match(row[1], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'CURRENT_TIMESTAMP-style UTC text');
  const meta = JSON.parse(row[2]) as Record<string, unknown>;
  assert.equal(meta.original_status, 'running');
  assert.match(String(meta.reason), /no activity/);
  assert.equal(meta.incomplete, true);
  const live = sqlite3(file, "SELECT count(*) FROM benchmark_runs WHERE status = 'running'");
  assert.equal(live, '1', 'the live run is still running');
});

test('ze-benchmarks: undo of mark-stale restores the old values; delete incomplete, orphans and a batch', async () => {
  await roundTrip(await fresh(buildZeBenchmarks), 'mark-stale');
  await roundTrip(await fresh(buildZeBenchmarks), 'delete-incomplete');
  const { built } = await roundTrip(await fresh(buildZeBenchmarks), 'delete-orphans');
  assert.deepEqual(Object.fromEntries(built.plan.changes.map((c) => [c.table, c.deleted])), { evaluation_results: 6, run_telemetry: 1 });
  const file = await fresh(buildZeBenchmarks);
  const batch = sqlite3(file, "SELECT batchId FROM batch_runs WHERE completedAt IS NOT NULL ORDER BY createdAt LIMIT 1");
  const r = await roundTrip(file, 'delete-experiment', { experimentId: batch });
  assert.equal(r.built.plan.changes.find((c) => c.table === 'batch_runs')!.deleted, 1);
});

test('recipe-runner: reset stale runs to PENDING, deleting only unfinished sessions and their steps; live runs by their children', async () => {
  const file = await fresh(buildRecipeRunner);
  const { built } = await roundTrip(file, 'reset-stale', {}, { undo: false });
  const ids = built.plan.runIds;
  assert.ok(ids.length >= 2);
  const q = `(${ids.join(',')})`;
  assert.equal(sqlite3(file, `SELECT group_concat(DISTINCT status) FROM recipe_runs WHERE recipe_run_id IN ${q}`), 'PENDING');
  assert.equal(sqlite3(file, `SELECT count(*) FROM recipe_runs WHERE recipe_run_id IN ${q} AND started_at IS NOT NULL`), '0');
  assert.equal(sqlite3(file, `SELECT count(*) FROM session_runs WHERE recipe_run_id IN ${q} AND upper(status) <> 'SUCCESS'`), '0');
  // The live run queued days ago (started_at is its queue time) is left alone: its steps are recent.
  const live = sqlite3(file, "SELECT recipe_run_id FROM recipe_runs WHERE status = 'RUNNING' AND started_at < '2025-11-10'");
  assert.ok(live && !ids.includes(live), 'the run queued long ago but active now is not reset');
  const selected = (await plan(file, 'reset-stale', { runIds: [live] })).plan;
  assert.equal(selected.runIds.length, 0);
  assert.match(selected.excluded[0]!.reason, /recent activity/);
});

test('recipe-runner: reset-stale, mark-stale and orphans round trips restore exactly', async () => {
  await roundTrip(await fresh(buildRecipeRunner), 'reset-stale');
  await roundTrip(await fresh(buildRecipeRunner), 'mark-stale');
  await roundTrip(await fresh(buildRecipeRunner), 'delete-orphans');
});

test('egregora: stale runs are marked failed (its CHECK allows no incomplete) with an error text and a DuckDB-style time', async () => {
  const file = await fresh(buildEgregora);
  const { built } = await roundTrip(file, 'mark-stale', {}, { undo: false });
  const [status, finished, error] = sqlite3(file, `SELECT status, finished_at, error FROM runs WHERE run_id = '${built.plan.runIds[0]}'`).split('|');
  assert.equal(status, 'failed');
  assert.match(finished!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
  assert.match(error!, /^StaleRunError: /);
  await roundTrip(await fresh(buildEgregora), 'mark-stale');
  await roundTrip(await fresh(buildEgregora), 'delete-orphans');
});

test('refusals: mark-stale on panic-tda, an unknown experiment, delete-runs without runs', async () => {
  const file = await fresh(buildPanicTda);
  assert.match((await plan(file, 'mark-stale')).plan.refusal ?? '', /no status to mark/);
  assert.match((await plan(file, 'delete-incomplete', { experimentId: 'nope' })).plan.refusal ?? '', /no experiment/);
  assert.match((await plan(file, 'delete-runs')).plan.refusal ?? '', /needs the runs/);
});

test('a plan names its runs, the first ones and how many more (CLI and confirmation dialog)', () => {
  const ids = Array.from({ length: 12 }, (_, i) => `run-${i}`);
  assert.equal(planRunsLine({ runIds: [] }), undefined);
  assert.equal(planRunsLine({ runIds: ids.slice(0, 2) }), 'runs (2): run-0, run-1');
  assert.equal(planRunsLine({ runIds: ids }, 3), 'runs (12): run-0, run-1, run-2, … and 9 more');
});

test('runs whose id is a blob are named by their hex and cleaned up like any other (named, and as stale)', async () => {
  const file = await fresh(buildZeBenchmarks);
  py(`import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO benchmark_runs(run_id, batchId, suite, scenario, tier, agent, model, status, started_at) SELECT x'00ff10', batchId, 's', 'sc', 'L1', 'a', 'm', 'running', '2025-11-19 01:00:00' FROM batch_runs LIMIT 1")
c.commit()`, file);
  const named = await plan(file, 'delete-runs', { runIds: ['00ff10'] });
  assert.equal(named.plan.refusal, undefined, named.plan.refusal);
  assert.deepEqual(named.plan.runIds, ['00ff10']);
  const { built } = await roundTrip(file, 'mark-stale');
  assert.ok(built.plan.runIds.includes('00ff10'), 'the blob-id stale run is marked too');
});

test('recipe-runner with an activity column renamed: live runs may look stale, so the doctor says so and stale cleanups are refused', async () => {
  const built = await buildRecipeRunner({ now: NOW });
  const file = writeDb(dir, `renamed${++k}.sqlite`, built.bytes);
  const alive = built.expected.findings.running_now_by_activity;
  assert.ok(alive.length > 0, 'the fixture has runs alive only by their steps');
  const before = await plan(file, 'mark-stale');
  assert.ok(before.plan.runIds.length > 0 && !alive.some((id) => before.plan.runIds.includes(String(id))), 'the steps keep the live runs out');
  // Another version of the runner calls the steps' timestamp column something else.
  sqlite3(file, 'ALTER TABLE instruction_runs RENAME COLUMN timestamp TO logged_at; ALTER TABLE session_runs RENAME COLUMN started_at TO begun_at; ALTER TABLE session_runs RENAME COLUMN completed_at TO ended_at');
  const SQL = await loadSqlJs();
  const db = openDatabaseSync(SQL, file);
  let result: DoctorResult;
  try { result = runDoctor(db, OPTIONS).result; } finally { db.close(); }
  assert.deepEqual(result.unreadActivity, ['session_runs.started_at', 'session_runs.completed_at', 'instruction_runs.timestamp']);
  const stale = result.findings.filter((f) => f.code === 'run/stale');
  assert.ok(alive.some((id) => stale.some((f) => f.runId === String(id))), 'a run alive by its steps now looks stale…');
  for (const f of stale) {
    assert.equal(f.severity, 'information', '…so stale is not a warning');
    assert.match(f.message, /may still be alive: its activity in session_runs\.started_at, session_runs\.completed_at, instruction_runs\.timestamp cannot be read/);
  }
  for (const action of ['mark-stale', 'reset-stale'] as const) {
    const refused = await plan(file, action);
    assert.deepEqual(refused.plan.runIds, [], `${action} touches nothing`);
    assert.match(refused.plan.refusal ?? '', /cannot be told here: their activity in session_runs\.started_at, session_runs\.completed_at, instruction_runs\.timestamp cannot be read/);
  }
});

/** A recipe-runner file as runners before V3.1 wrote it: instruction_runs without session_run_id. */
async function preV31RecipeRunner(): Promise<string> {
  const file = await fresh(buildRecipeRunner);
  py(`import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
cols=[r[1] for r in c.execute("pragma table_info(instruction_runs)") if r[1]!='session_run_id']
c.executescript("CREATE TABLE ir_old AS SELECT %s FROM instruction_runs; DROP TABLE instruction_runs; ALTER TABLE ir_old RENAME TO instruction_runs;" % ','.join(cols))
c.commit()`, file);
  return file;
}

test('recipe-runner before V3.1 (instruction_runs without session_run_id): reset stale deletes every session and step of the reset runs, and says why', async () => {
  const file = await preV31RecipeRunner();
  const { built } = await roundTrip(file, 'reset-stale');
  assert.match((built.plan.warnings ?? []).join('\n'), /Every session_runs and instruction_runs row of the reset runs is deleted, finished ones too: this file has no instruction_runs\.session_run_id/);
  const q = `(${built.plan.runIds.join(',')})`;
  const { built: again } = await roundTrip(file, 'reset-stale', {}, { undo: false });
  assert.equal(sqlite3(file, `SELECT count(*) FROM session_runs WHERE recipe_run_id IN ${q}`), '0', 'SUCCESS sessions too: the older runner re-inserts them');
  assert.equal(sqlite3(file, `SELECT count(*) FROM instruction_runs WHERE recipe_run_id IN ${q}`), '0');
  assert.deepEqual(again.plan.runIds, built.plan.runIds);
  // A mapping that declares no fallback is refused instead: an unreadable condition is not a licence to delete.
  const strict = { ...recipeRunner, name: 'rr-strict', priority: 100, cleanup: { ...recipeRunner.cleanup, resetStale: { ...recipeRunner.cleanup!.resetStale!,
    deleteChildren: recipeRunner.cleanup!.resetStale!.deleteChildren!.map(({ whenUnreadable: _, ...r }) => r) } } };
  const older = await preV31RecipeRunner();
  const refused = (await plan(older, 'reset-stale', {}, OPTIONS, [strict])).plan;
  assert.match(refused.refusal ?? '', /Cannot reset stale runs: which instruction_runs rows to delete cannot be read from this file \(session_run_id\)/);
});

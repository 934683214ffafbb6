// Rules and profiles on small hand-built databases: schema drift, bad inputs, thresholds,
// time zones and user mappings. Each test builds exactly the rows it reasons about.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { openMemoryDatabase } from '../fixtures/memory-db';
import { runDoctor } from '../../src/core/doctor/doctor';
import { aggregateChildren, readRuns } from '../../src/core/doctor/collect';
import { panicTda } from '../../src/core/profiles/builtin/panic-tda';
import { TableMarks } from '../../src/core/doctor/incremental';
import { duplicateStops, type PanicCaches } from '../../src/core/doctor/panic-tda';
import { defaultOptions, type DoctorOptions } from '../../src/core/doctor/options';
import { parseMappingFile } from '../../src/core/profiles/mapping';
import { PANIC_DDL_CREATE_ALL } from '../fixtures/systems/panic-tda-ddl';
import { buildPlan } from '../../src/core/cleanup/plan';
import { runDetails } from '../../src/core/doctor/details';
import { describeSchema, detectProfile } from '../../src/core/profiles/registry';

const NOW = Date.parse('2025-11-20T12:00:00Z');
const opts = (o: Partial<DoctorOptions> = {}): DoctorOptions => ({ ...defaultOptions(NOW), naive: { zone: 'utc' }, ...o });

const ZE_DDL = `
CREATE TABLE batch_runs(batchId TEXT PRIMARY KEY, createdAt INTEGER NOT NULL, completedAt INTEGER, totalRuns INTEGER DEFAULT 0,
  successfulRuns INTEGER DEFAULT 0, avgScore REAL, avgWeightedScore REAL, metadata TEXT);
CREATE TABLE benchmark_runs(id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT UNIQUE NOT NULL, batchId TEXT, suite TEXT NOT NULL,
  scenario TEXT NOT NULL, tier TEXT NOT NULL, agent TEXT NOT NULL, model TEXT, status TEXT NOT NULL,
  started_at DATETIME DEFAULT CURRENT_TIMESTAMP, completed_at DATETIME, total_score REAL, weighted_score REAL,
  is_successful BOOLEAN DEFAULT 0, success_metric REAL, metadata TEXT, FOREIGN KEY (batchId) REFERENCES batch_runs(batchId));
CREATE TABLE evaluation_results(id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, evaluator_name TEXT NOT NULL,
  score REAL NOT NULL, max_score REAL NOT NULL, details TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (run_id) REFERENCES benchmark_runs(run_id));`;

async function ze(extra = '') {
  const db = await openMemoryDatabase();
  db.exec(ZE_DDL + extra);
  db.exec(`INSERT INTO batch_runs(batchId, createdAt) VALUES ('b1', ${NOW - 5 * 3600_000});`);
  return db;
}

const run = (id: string, status: string, started: string, extra = '') =>
  `INSERT INTO benchmark_runs(run_id, batchId, suite, scenario, tier, agent, model, status, started_at${extra ? ', metadata' : ''})
   VALUES ('${id}', 'b1', 's', 'sc', 'L1', 'claude', 'm1', '${status}', '${started}'${extra ? `, '${extra}'` : ''});`;

test('a running run with old activity is stale; a recent one is running', async () => {
  const db = await ze();
  db.exec(run('old', 'running', '2025-11-20 09:00:00') + run('new', 'running', '2025-11-20 11:50:00'));
  const r = runDoctor(db, opts()).result;
  assert.equal(r.profile, 'ze-benchmarks');
  assert.deepEqual(r.runs.map((x) => [x.id, x.state]), [['old', 'stale'], ['new', 'running']]);
  assert.deepEqual(r.findings.filter((f) => f.code === 'run/stale').map((f) => f.runId), ['old']);
});

test('children timestamps count as activity (an evaluation written recently keeps a run alive)', async () => {
  const db = await ze();
  db.exec(run('r', 'running', '2025-11-20 08:00:00'));
  db.exec(`INSERT INTO evaluation_results(run_id, evaluator_name, score, max_score, created_at) VALUES ('r', 'e', 1, 1, '2025-11-20 11:45:00')`);
  assert.equal(runDoctor(db, opts()).result.runs[0].state, 'running');
});

test('stale threshold: global, per profile and per model, most specific wins', async () => {
  const db = await ze();
  db.exec(run('r', 'running', '2025-11-20 10:30:00')); // 90 min ago
  assert.equal(runDoctor(db, opts()).result.runs[0].state, 'stale');
  assert.equal(runDoctor(db, opts({ staleAfterMinutes: 120 })).result.runs[0].state, 'running');
  assert.equal(runDoctor(db, opts({ staleAfterByProfile: { 'ze-benchmarks': 120 } })).result.runs[0].state, 'running');
  assert.equal(runDoctor(db, opts({ staleAfterMinutes: 120, staleAfterByModel: { m1: 30 } })).result.runs[0].state, 'stale');
});

test('schema drift: extra columns and columns added by ALTER TABLE are ignored; missing optional columns degrade', async () => {
  const db = await ze('ALTER TABLE benchmark_runs ADD COLUMN package_manager TEXT; ALTER TABLE benchmark_runs ADD COLUMN test_results TEXT;');
  db.exec(run('r1', 'failed', '2025-11-19 10:00:00', '{"error":"boom\\nstack"}'));
  const r = runDoctor(db, opts()).result;
  assert.equal(r.runs[0].state, 'failed');
  assert.equal(r.runs[0].error, 'boom\nstack');
  assert.match(r.findings.find((f) => f.code === 'run/failed')!.message, /failed: boom\.$/);

  const old = await openMemoryDatabase();
  // An older file without `model` and `metadata`: still read, the gaps reported as notices.
  old.exec(`CREATE TABLE benchmark_runs(id INTEGER PRIMARY KEY, run_id TEXT, batchId TEXT, suite TEXT, scenario TEXT, tier TEXT,
    agent TEXT, status TEXT, started_at TEXT, completed_at TEXT);
    INSERT INTO benchmark_runs(run_id, suite, scenario, tier, agent, status, started_at) VALUES ('x', 's', 'c', 't', 'a', 'running', '2025-11-20 02:00:00');`);
  const o = runDoctor(old, opts()).result;
  assert.equal(o.profile, 'ze-benchmarks');
  assert.equal(o.runs[0].state, 'stale');
  assert.ok(o.notices.some((n) => n.includes('model')), o.notices.join('\n'));
});

test('bad inputs: empty tables, NULL status, unparseable timestamps, blob ids', async () => {
  const empty = await ze();
  const e = runDoctor(empty, opts()).result;
  assert.equal(e.status, 'ok');
  assert.deepEqual(e.runs, []);
  // A batch that started 5 h ago and never completed is stale even with no runs at all.
  assert.deepEqual(e.findings.map((f) => f.code), ['experiment/stale']);

  const db = await ze();
  db.exec(`INSERT INTO benchmark_runs(run_id, batchId, suite, scenario, tier, agent, status, started_at) VALUES
    ('garbled', 'b1', 's', 'c', 't', 'a', 'running', 'yesterday-ish'),
    ('nulltime', 'b1', 's', 'c', 't', 'a', 'running', NULL);
    INSERT INTO benchmark_runs(run_id, batchId, suite, scenario, tier, agent, status, started_at) VALUES (x'00ff10', 'b1', 's', 'c', 't', 'a', 'completed', '2025-11-19 10:00:00');`);
  const r = runDoctor(db, opts()).result;
  const byId = Object.fromEntries(r.runs.map((x) => [x.id, x]));
  // No evidence of activity at all is not evidence of life: such "running" rows are stale.
  assert.equal(byId.garbled.state, 'stale');
  assert.equal(byId.garbled.startedAt, undefined, 'an unparseable time is never turned into a plausible one');
  assert.equal(byId.nulltime.state, 'stale');
  assert.equal(byId['00ff10'].state, 'completed', 'blob ids are shown as hex');
});

test('unknown schema: listed with its tables, no findings', async () => {
  const db = await openMemoryDatabase();
  db.exec('CREATE TABLE things(id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE other(x)');
  const r = runDoctor(db, opts()).result;
  assert.equal(r.status, 'unknown-schema');
  assert.deepEqual(r.tables.map((t) => t.name).sort(), ['other', 'things']);
  assert.deepEqual(r.tables.find((t) => t.name === 'things')!.columns, ['id', 'name']);
});

test('a user mapping (generic profile) reads any runs table, and wins over detection', async () => {
  const db = await openMemoryDatabase();
  db.exec(`CREATE TABLE jobs(job_id TEXT PRIMARY KEY, project TEXT, state TEXT, t0 REAL, beat REAL, total INTEGER, done INTEGER, err TEXT);
    CREATE TABLE job_steps(step_id INTEGER PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(job_id), n INTEGER, at REAL);
    INSERT INTO jobs VALUES ('a', 'p1', 'RUN', ${(NOW - 7200_000) / 1000}, ${(NOW - 7000_000) / 1000}, 10, 3, NULL),
                            ('b', 'p1', 'RUN', ${(NOW - 7200_000) / 1000}, NULL, 10, 3, NULL),
                            ('c', 'p2', 'OK', ${(NOW - 9000_000) / 1000}, NULL, 10, 4, NULL),
                            ('d', 'p2', 'ERR', ${(NOW - 9000_000) / 1000}, NULL, 10, 4, 'oom');
    INSERT INTO job_steps(job_id, n, at) VALUES ('b', 0, ${(NOW - 60_000) / 1000}), ('ghost', 0, ${NOW / 1000});`);
  const mapping = parseMappingFile(JSON.stringify({ profiles: [{
    name: 'my-jobs', detect: [{ table: 'jobs', columns: ['job_id', 'state'] }],
    runs: { table: 'jobs', id: 'job_id', experimentId: 'project', status: { expr: 'state', map: { RUN: 'running', OK: 'completed', ERR: 'failed' } },
      startedAt: 't0', heartbeat: 'beat', stepsDone: 'done', stepsExpected: 'total', shortIsIncomplete: true, error: 'err' },
    children: [{ table: 'job_steps', key: 'job_id', activity: ['at'] }],
  }] }), 'test.json');
  assert.deepEqual(mapping.errors, []);
  const r = runDoctor(db, opts(), mapping.profiles).result;
  assert.equal(r.profile, 'my-jobs');
  const state = Object.fromEntries(r.runs.map((x) => [x.id, x.state]));
  assert.deepEqual(state, { a: 'stale', b: 'running', c: 'incomplete', d: 'failed' });
  assert.equal(r.findings.find((f) => f.code === 'orphan/rows')?.table, 'job_steps');
  // An experiment with any live run is running, whatever else its runs did.
  assert.deepEqual(r.experiments.map((e) => [e.id, e.state]).sort(), [['p1', 'running'], ['p2', 'incomplete']]);
});

test('mapping validation names the file and the JSON path', () => {
  const bad = parseMappingFile(JSON.stringify({ profiles: [{ name: 'X Y', detect: [], runs: { table: 't' } }] }), '.vscode/experiment-health.json');
  assert.ok(bad.errors.length >= 2, bad.errors.join('\n'));
  assert.ok(bad.errors.every((e) => e.startsWith('.vscode/experiment-health.json at /profiles/0')), bad.errors.join('\n'));
  assert.match(parseMappingFile('{ nope', 'm.json').errors[0], /^m\.json is not valid JSON/);
});

test('naive local timestamps: the offset setting decides staleness of naive-local systems', async () => {
  const db = await openMemoryDatabase();
  db.exec(`CREATE TABLE recipe_runs(recipe_run_id INTEGER PRIMARY KEY, recipe_id INTEGER, variation_id INTEGER, batch_id INTEGER,
      started_at DATETIME, completed_at DATETIME, status TEXT, total_steps INTEGER, completed_steps INTEGER, error_details TEXT);
    CREATE TABLE session_runs(session_run_id INTEGER PRIMARY KEY, recipe_run_id INTEGER NOT NULL REFERENCES recipe_runs(recipe_run_id),
      session_id INTEGER, session_number INTEGER, started_at DATETIME, completed_at DATETIME, status TEXT);
    INSERT INTO recipe_runs VALUES (1, 1, 1, 1, '2025-11-17 09:00:00', NULL, 'RUNNING', 3, 1, NULL);
    INSERT INTO session_runs VALUES (1, 1, 1, 1, '2025-11-20T21:40:00', NULL, 'RUNNING');`);
  // The runner wrote 21:40 local time at UTC+10, i.e. 11:40 UTC: 20 minutes ago, alive.
  const tz = runDoctor(db, opts({ naive: { zone: 'local', utcOffsetMinutes: 600 } })).result;
  assert.equal(tz.runs[0].state, 'running');
  // Read as UTC, the same text lies in the future: reported, and not called stale.
  const utc = runDoctor(db, opts({ naive: { zone: 'utc' } })).result;
  assert.ok(utc.notices.some((n) => n.includes('future')), utc.notices.join('\n'));
  // Queue time alone (days ago) must not make a run with live children stale.
  assert.equal(utc.runs[0].state, 'running');
});

test('panic-tda create_all: a step logged twice counts once, is its own finding, and never makes a complete run incomplete', async () => {
  const db = await openMemoryDatabase();
  db.exec(PANIC_DDL_CREATE_ALL.join(';\n'));
  db.exec(`INSERT INTO experimentconfig VALUES ('e1', '["A"]', '[-1]', '["p"]', '[]', 10, '2025-11-19 10:00:00', '2025-11-19 12:00:00');
    INSERT INTO run VALUES ('r1', '["A"]', -1, 10, 'p', 'e1'), ('r2', '["A"]', -1, 10, 'p', 'e1');`);
  const inv = (run: string, seq: number, n = '') => `INSERT INTO invocation(id, started_at, completed_at, model, type, seed, run_id, sequence_number, output_text)
    VALUES ('${run}-${seq}${n}', '2025-11-19 11:00:00', '2025-11-19 11:00:01', 'A', 'TEXT', -1, '${run}', ${seq}, 'out ${seq}');`;
  for (let s = 0; s < 10; s++) db.exec(inv('r1', s));
  db.exec(inv('r1', 5, 'b')); // the same step again: 11 rows, 10 steps
  for (let s = 0; s < 9; s++) db.exec(inv('r2', s));
  db.exec(inv('r2', 3, 'b')); // 10 rows but only 9 steps: still short
  const r = runDoctor(db, opts()).result;
  const byId = Object.fromEntries(r.runs.map((x) => [x.id, x]));
  assert.deepEqual([byId.r1!.state, byId.r1!.stepsDone, byId.r1!.stopReason], ['completed', 10, 'length']);
  assert.deepEqual([byId.r2!.state, byId.r2!.stepsDone], ['incomplete', 9]);
  const dup = r.findings.filter((f) => f.code === 'run/duplicate-steps');
  assert.deepEqual(dup.map((f) => [f.runId, f.count]), [['r1', 1], ['r2', 1]]);
  assert.ok(!r.findings.some((f) => f.code === 'run/incomplete' && f.runId === 'r1'));
  db.close();
});

test('WITHOUT ROWID tables are read (key order, no incremental shortcut); a cleanup refuses them in one sentence', async () => {
  const db = await openMemoryDatabase();
  db.exec(`CREATE TABLE runs(run_id TEXT PRIMARY KEY, stage TEXT, status TEXT, error TEXT, input_fingerprint TEXT, started_at TEXT, finished_at TEXT) WITHOUT ROWID, STRICT;
    INSERT INTO runs VALUES ('r2', 'w', 'running', NULL, 'f', '2025-11-20 05:00:00+00', NULL), ('r1', 'w', 'completed', NULL, 'f', '2025-11-20 04:00:00+00', '2025-11-20 04:30:00+00');`);
  const first = runDoctor(db, opts());
  assert.equal(first.result.status, 'ok', first.result.notices.join('\n'));
  assert.deepEqual(first.result.runs.map((r) => [r.id, r.state]), [['r1', 'completed'], ['r2', 'stale']]);
  const plan = buildPlan(db, { action: 'mark-stale', target: { path: db.path }, options: opts() }, { fingerprint: 'test' }).plan;
  assert.match(plan.refusal ?? '', /runs is a WITHOUT ROWID table/);
  db.exec("UPDATE runs SET status = 'completed', finished_at = '2025-11-20 06:00:00+00' WHERE run_id = 'r2'");
  const again = runDoctor(db, opts(), [], first.state).result; // an update in place: must be read again
  assert.deepEqual(again.runs.map((r) => [r.id, r.state]), [['r1', 'completed'], ['r2', 'completed']]);
  db.close();
});

test('run details of a WITHOUT ROWID runs table count only that run\'s child rows', async () => {
  const db = await openMemoryDatabase();
  db.exec(`CREATE TABLE benchmark_runs(run_id TEXT PRIMARY KEY, batchId TEXT, suite TEXT NOT NULL, scenario TEXT NOT NULL, tier TEXT NOT NULL,
      agent TEXT NOT NULL, model TEXT, status TEXT NOT NULL, started_at DATETIME, completed_at DATETIME, metadata TEXT) WITHOUT ROWID;
    CREATE TABLE evaluation_results(id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, evaluator_name TEXT NOT NULL, score REAL NOT NULL,
      max_score REAL NOT NULL, created_at DATETIME, FOREIGN KEY (run_id) REFERENCES benchmark_runs(run_id));
    INSERT INTO benchmark_runs VALUES ('r1', NULL, 's', 'a', 'L1', 'x', 'm', 'completed', '2025-11-20 10:00:00', '2025-11-20 10:30:00', NULL),
      ('r2', NULL, 's', 'b', 'L1', 'x', 'm', 'completed', '2025-11-20 10:00:00', '2025-11-20 10:30:00', NULL);
    INSERT INTO evaluation_results(run_id, evaluator_name, score, max_score) VALUES ('r1', 'e', 1, 1), ('r2', 'e', 1, 1), ('r2', 'f', 1, 1), ('r2', 'g', 1, 1);`);
  const profile = detectProfile(describeSchema(db))!;
  assert.equal(profile.name, 'ze-benchmarks');
  assert.deepEqual(runDetails(db, profile, 'r1')?.childCounts, { evaluation_results: 1 });
  assert.deepEqual(runDetails(db, profile, 'r2')?.childCounts, { evaluation_results: 3 });
  db.close();
});

test('panic-tda: an experiment whose runs went quiet but whose embeddings stage is writing is running, not stale', async () => {
  const db = await openMemoryDatabase();
  db.exec(PANIC_DDL_CREATE_ALL.join(';\n'));
  db.exec(`INSERT INTO experimentconfig VALUES ('e1', '["T2I","I2T"]', '[-1]', '["p"]', '["DummyText"]', 4, '2025-11-20 08:00:00', NULL);
    INSERT INTO run VALUES ('r1', '["T2I","I2T"]', -1, 4, 'p', 'e1');`);
  for (let s = 0; s < 4; s++) {
    db.exec(`INSERT INTO invocation(id, started_at, completed_at, model, type, seed, run_id, sequence_number, output_text, output_image_data)
      VALUES ('i${s}', '2025-11-20 08:00:0${s}', '2025-11-20 08:00:0${s + 1}', '${s % 2 ? 'I2T' : 'T2I'}', '${s % 2 ? 'TEXT' : 'IMAGE'}', -1, 'r1', ${s},
              ${s % 2 ? `'text ${s}'` : 'NULL'}, ${s % 2 ? 'NULL' : "x'00'"});`);
  }
  const embed = (id: string, inv: string, at: string) => db.exec(`INSERT INTO embedding(id, started_at, completed_at, invocation_id, embedding_model, vector)
    VALUES ('${id}', '${at}', '${at}', '${inv}', 'DummyText', x'0000803f');`);
  embed('m1', 'i1', '2025-11-20 09:00:00'); // three hours ago: the stage looks dead
  const first = runDoctor(db, opts(), [], undefined, 'v1');
  const e1 = () => first.result.experiments.find((e) => e.id === 'e1')!;
  assert.equal(e1().state, 'stale');
  assert.ok(first.result.findings.some((f) => f.code === 'artifact/missing'), 'a stuck stage: its missing embeddings are reported');
  // The stage writes again (appended rows: the cached newest embedding is extended, not re-read).
  embed('m3', 'i3', '2025-11-20 11:59:00');
  const again = runDoctor(db, opts(), [], first.state, 'v2').result;
  const live = again.experiments.find((e) => e.id === 'e1')!;
  assert.equal(live.state, 'running');
  assert.equal(live.lastActivityAt, '2025-11-20T11:59:00.000Z');
  assert.ok(!again.findings.some((f) => f.experimentId === 'e1' && (f.code === 'experiment/stale' || f.code === 'artifact/missing')), JSON.stringify(again.findings));
  const plan = buildPlan(db, { action: 'delete-experiment', target: { path: db.path, experimentId: 'e1' }, options: opts() }, { fingerprint: 'v2' }).plan;
  assert.match(plan.refusal ?? '', /is still running \(last activity 1 min ago\)/);
  const runPlan = buildPlan(db, { action: 'delete-runs', target: { path: db.path, runIds: ['r1'] }, options: opts() }, { fingerprint: 'v2' }).plan;
  assert.deepEqual(runPlan.runIds, []);
  assert.match(runPlan.excluded[0]?.reason ?? '', /its experiment is still running \(last activity 1 min ago\), writing rows that belong to its runs/);
  // From a fresh start (no cache) the answer is the same.
  assert.equal(runDoctor(db, opts()).result.experiments.find((e) => e.id === 'e1')!.state, 'running');
  db.close();
});

test('egregora after 2025-11-18 (no input_fingerprint, parent_run_id + attrs, no constraints) is still egregora', async () => {
  const db = await openMemoryDatabase();
  db.exec(`CREATE TABLE runs (run_id VARCHAR, tenant_id VARCHAR, stage VARCHAR, status VARCHAR, error VARCHAR, parent_run_id VARCHAR, code_ref VARCHAR,
      config_hash VARCHAR, attrs JSON, started_at TIMESTAMP, finished_at TIMESTAMP, rows_in BIGINT, rows_out BIGINT, duration_seconds DOUBLE,
      llm_calls BIGINT, tokens BIGINT, trace_id VARCHAR);
    INSERT INTO runs (run_id, stage, status, parent_run_id, attrs, started_at, finished_at) VALUES
      ('a0000000-0000-4000-8000-000000000001', 'ingestion', 'completed', NULL, '{}', '2025-11-20 06:00:00.1+00', '2025-11-20 06:01:00+00'),
      ('a0000000-0000-4000-8000-000000000002', 'window_0', 'running', 'a0000000-0000-4000-8000-000000000001', '{"window": 0}', '2025-11-20 06:02:00+00', NULL);`);
  const r = runDoctor(db, opts()).result;
  assert.equal(r.profile, 'egregora', r.notices.join('\n'));
  assert.deepEqual(r.runs.map((x) => x.state), ['completed', 'stale']);
  const plan = buildPlan(db, { action: 'mark-stale', target: { path: db.path }, options: opts() }, { fingerprint: 'x' }).plan;
  assert.equal(plan.refusal, undefined, plan.refusal);
  assert.deepEqual(plan.runIds, ['a0000000-0000-4000-8000-000000000002']);
  db.close();
});

test('panic-tda duplicate stops are kept between evaluations: appended or newest rows re-examine only their runs', async () => {
  const db = await openMemoryDatabase();
  db.exec(PANIC_DDL_CREATE_ALL.join(';\n'));
  db.exec(`INSERT INTO experimentconfig VALUES ('e1', '["A"]', '[5]', '["p"]', '[]', 400, '2025-11-19 10:00:00', NULL);
    INSERT INTO run VALUES ('r0', '["A"]', 5, 400, 'p', 'e1'), ('r1', '["A"]', 5, 400, 'p', 'e1'), ('r2', '["A"]', 5, 400, 'p', 'e1');`);
  const inv = (run: string, seq: number, text: string | null) => db.exec(`INSERT INTO invocation(id, started_at, completed_at, model, type, seed, run_id, sequence_number, output_text)
    VALUES ('${run}-${seq}', '2025-11-19 11:00:00', '2025-11-19 11:00:01', 'A', 'TEXT', 5, '${run}', ${seq}, ${text === null ? 'NULL' : `'${text}'`});`);
  ['a', 'b', 'a'].forEach((t, i) => inv('r0', i, t)); // repeats at step 2: a loop of 2; far from the newest rows
  for (let i = 0; i < 300; i++) inv('r1', i, `distinct ${i}`);
  inv('r2', 0, 'x');
  inv('r2', 1, null); // inserted first, filled in later
  const examined: string[] = [];
  const each = db.each.bind(db);
  db.each = ((sql: string, params: unknown[], fn: never) => {
    if (/FROM invocation WHERE run_id = \?/.test(sql)) examined.push(String(params[0]));
    return each(sql, params as never, fn);
  }) as typeof db.each;
  const caches: PanicCaches = {};
  const runs = readRuns(db, detectProfile(describeSchema(db), [], undefined)!, opts(), []);
  const first = duplicateStops(db, runs, new TableMarks(db), caches, 0);
  assert.deepEqual([...first], [['r0', 2]]);
  assert.deepEqual(examined.sort(), ['r0', 'r1', 'r2']);
  examined.length = 0;
  assert.equal(duplicateStops(db, runs, new TableMarks(db), caches, 0), first, 'unchanged: the same result');
  assert.ok(!examined.includes('r0'), 'a run away from the newest rows is not read again');
  db.exec("UPDATE invocation SET output_text = 'x' WHERE id = 'r2-1'"); // filled in place: now repeats step 0
  examined.length = 0;
  assert.deepEqual([...duplicateStops(db, runs, new TableMarks(db), caches, 0)].sort(), [['r0', 2], ['r2', 1]]);
  assert.deepEqual(examined.sort(), ['r1', 'r2']);
  db.close();
});

test('an incremental read of a big child table sees its newest rows filled in place (panic-tda\'s older engine)', async () => {
  const db = await openMemoryDatabase();
  db.exec(PANIC_DDL_CREATE_ALL.join(';\n'));
  const spec = panicTda.children!.find((c) => c.table === 'invocation')!;
  const inv = (id: string, seq: number, output: string | null, done: string | null) => db.exec(`INSERT INTO invocation(id, started_at, completed_at, model, type, seed, run_id, sequence_number, output_text)
    VALUES ('${id}', '2025-11-20 11:00:00', ${done ? `'${done}'` : 'NULL'}, 'A', 'TEXT', -1, 'r1', ${seq}, ${output === null ? 'NULL' : `'${output}'`});`);
  for (let s = 0; s < 5; s++) inv(`i${s}`, s, `out ${s}`, '2025-11-20 11:00:01');
  inv('i5', 5, null, null); // inserted first, filled when the step completes
  const first = aggregateChildren(db, spec, opts(), [], undefined, new TableMarks(db), 0)!;
  assert.equal(first.byKey.get('r1')!.flagged?.noOutput, 1);
  db.exec("UPDATE invocation SET output_text = 'out 5', completed_at = '2025-11-20 11:30:00' WHERE id = 'i5'");
  inv('i6', 6, null, null); // and the next one starts
  const again = aggregateChildren(db, spec, opts(), [], first, new TableMarks(db), 0)!;
  const r1 = again.byKey.get('r1')!;
  assert.equal(r1.count, 7);
  assert.equal(r1.flagged?.noOutput, 1, 'i5 filled in (no longer counted), i6 not yet');
  assert.equal(r1.lastActivity, Date.parse('2025-11-20T11:30:00Z'));
  assert.equal(first.byKey.get('r1')!.flagged?.noOutput, 1, 'the previous state is left as it was');
  // Nothing new and nothing filled in: the same state back.
  assert.equal(aggregateChildren(db, spec, opts(), [], again, new TableMarks(db), 0), again);
  db.close();
});
